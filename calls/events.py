"""Pure builders of call event payloads, and the streams a call's events go to.

Every call event carries the whole call summary under "call", so a screen applies any event by
replacing its copy of that call: one reducer, no per-kind patching, nothing to drift. The summary
never carries ACS clinical notes: those travel only as their own event on ACS streams.
"""

from __future__ import annotations

from typing import Any, TypedDict

from acs_dispatch.events import DISPATCH, SUPERVISOR, unit_stream


class CallSummary(TypedDict):
    id: int
    number: str
    status: str
    received_at: str
    call_type: dict[str, str] | None
    narrative: str
    address: str
    lat: float | None
    lon: float | None
    zone: str | None
    outside_service_area: bool
    caller_name: str
    caller_phone: str
    weapons: str
    violence: str
    medical: str
    caller_is_subject: str
    agencies: list[str]
    lead: str
    mode: str
    priority: int | None
    rule: str
    ruleset_version: int | None
    reasons: list[str]
    guards: list[str]
    acs_eligible: bool
    acs_exclusion: str
    overridden: bool
    override_reason: str
    original_decision: dict[str, Any] | None
    disposition: str
    closed_at: str | None
    units: list[dict[str, Any]]
    backup_requests: list[dict[str, Any]]


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def assignment_summary(assignment) -> dict[str, Any]:
    """One unit on a call (ids and display fields only)."""
    unit = assignment.unit
    return {
        "id": assignment.id,
        "unit": unit.call_sign,
        "unit_id": unit.id,
        "agency": unit.agency_id,
        "unit_status": unit.status,
        "assigned_at": _iso(assignment.assigned_at),
        "acknowledged_at": _iso(assignment.acknowledged_at),
        "en_route_at": _iso(assignment.en_route_at),
        "on_scene_at": _iso(assignment.on_scene_at),
        "cleared_at": _iso(assignment.cleared_at),
    }


def call_summary(call, *, assignments=None, backup_requests=None) -> CallSummary:
    """The call as every screen shows it. `assignments` (active ones) and `backup_requests` may be
    passed in when prefetched; otherwise they are read from the call."""
    if assignments is None:
        assignments = [a for a in call.assignments.select_related("unit") if a.cleared_at is None]
    if backup_requests is None:
        backup_requests = list(call.backup_requests.all())
    call_type = call.call_type
    return {
        "id": call.id,
        "number": call.number,
        "status": call.status,
        "received_at": call.received_at.isoformat(),
        "call_type": {"code": call_type.code, "name": call_type.name} if call_type else None,
        "narrative": call.narrative,
        "address": call.address,
        "lat": call.lat,
        "lon": call.lon,
        "zone": call.zone.name if call.zone_id else None,
        "outside_service_area": call.outside_service_area,
        "caller_name": call.caller_name,
        "caller_phone": call.caller_phone,
        "weapons": call.weapons,
        "violence": call.violence,
        "medical": call.medical,
        "caller_is_subject": call.caller_is_subject,
        "agencies": list(call.agencies),
        "lead": call.lead,
        "mode": call.mode,
        "priority": call.priority,
        "rule": call.triage_rule,
        "ruleset_version": call.ruleset_version,
        "reasons": list(call.triage_reasons),
        "guards": list(call.triage_guards),
        "acs_eligible": call.acs_eligible,
        "acs_exclusion": call.acs_exclusion,
        "overridden": call.overridden_at is not None,
        "override_reason": call.override_reason,
        "original_decision": call.original_decision,
        "disposition": call.disposition,
        "closed_at": _iso(call.closed_at),
        "units": [assignment_summary(a) for a in assignments],
        "backup_requests": [
            {
                "id": b.id,
                "agency": b.agency,
                "unit": b.unit.call_sign,
                "reason": b.reason,
                "requested_at": b.requested_at.isoformat(),
                "handled_at": _iso(b.handled_at),
            }
            for b in backup_requests
        ],
    }


def call_streams(summary: CallSummary, *, extra_unit_ids: list[int] | tuple[int, ...] = ()) -> list[str]:
    """Who sees a call's events: the dispatch board always; the ACS supervisor when ACS is on the
    call or an ACS unit works it; the dashboard of every unit on it (and of units just cleared,
    passed as `extra_unit_ids`, so their screens drop the call)."""
    streams = {DISPATCH}
    if "ACS" in summary["agencies"] or any(u["agency"] == "ACS" for u in summary["units"]):
        streams.add(SUPERVISOR)
    for unit_id in [u["unit_id"] for u in summary["units"]] + list(extra_unit_ids):
        streams.add(unit_stream(unit_id))
    return sorted(streams)
