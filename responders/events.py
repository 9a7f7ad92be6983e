"""Pure builders of unit event payloads, and the streams a unit's events go to.

Every unit event carries the whole unit summary under "unit"; screens replace their copy.
"""

from __future__ import annotations

from typing import TypedDict

from live.events import DISPATCH, SUPERVISOR, unit_stream
from responders.models import Agency


class UnitSummary(TypedDict):
    id: int
    call_sign: str
    agency: str
    capabilities: list[str]
    status: str
    status_since: str
    lat: float | None
    lon: float | None
    home_zone: str | None
    call_id: int | None
    call_number: str | None
    assignment_id: int | None


def unit_summary(unit, *, active_assignment=None) -> UnitSummary:
    """The unit as every screen shows it. `active_assignment` (with its call) may be passed in
    when already loaded; None means the unit has no call."""
    a = active_assignment
    return {
        "id": unit.id,
        "call_sign": unit.call_sign,
        "agency": unit.agency_id,
        "capabilities": list(unit.capabilities),
        "status": unit.status,
        "status_since": unit.status_since.isoformat(),
        "lat": unit.lat,
        "lon": unit.lon,
        "home_zone": unit.home_zone.name if unit.home_zone_id else None,
        "call_id": a.call_id if a else None,
        "call_number": a.call.number if a else None,
        "assignment_id": a.id if a else None,
    }


def unit_streams(summary: UnitSummary) -> list[str]:
    """Who sees a unit's events: the dispatch board, the ACS supervisor for ACS units, the unit."""
    streams = {DISPATCH, unit_stream(summary["id"])}
    if summary["agency"] == Agency.Code.ACS:
        streams.add(SUPERVISOR)
    return sorted(streams)
