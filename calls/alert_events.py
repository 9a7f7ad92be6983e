"""Pure builders of alert event payloads, and the streams an alert goes to.

Every alert event (alert.raised, alert.acknowledged) carries the whole alert under "alert", plus
the "call" and "unit" summaries when the alert is about them, so a screen applies the event by
replacing its copy of that alert by id. The same `alert_streams` decides who is pushed an alert
and who may list it (calls.alert_selectors), so the two can never disagree.
"""

from __future__ import annotations

from typing import Any, TypedDict

from acs_dispatch.events import DISPATCH, SUPERVISOR, unit_stream
from calls.models import Alert, DeadlineThreshold

Kind = DeadlineThreshold.Kind

# The clocks whose alert goes to the unit itself: a welfare check on the responder.
STATUS_CHECK_KINDS = frozenset({Kind.ON_SCENE, Kind.EN_ROUTE})


class AlertSummary(TypedDict):
    id: int
    kind: str
    kind_label: str
    level: int
    level_label: str
    subject: str
    call_id: int | None
    call_number: str | None
    unit_id: int | None
    unit_call_sign: str | None
    unit_agency: str | None
    assignment_id: int | None
    message: str
    raised_at: str
    acknowledged_by: str | None
    acknowledged_at: str | None


def alert_summary(alert: Alert) -> AlertSummary:
    """The alert as every screen shows it (ids and display fields only)."""
    call = alert.call if alert.call_id else None
    unit = alert.unit if alert.unit_id else None
    return {
        "id": alert.id,
        "kind": alert.kind,
        "kind_label": Kind(alert.kind).label,
        "level": alert.level,
        "level_label": Alert.Level(alert.level).label,
        "subject": alert.subject,
        "call_id": alert.call_id,
        "call_number": call.number if call else None,
        "unit_id": alert.unit_id,
        "unit_call_sign": unit.call_sign if unit else None,
        "unit_agency": unit.agency_id if unit else None,
        "assignment_id": alert.assignment_id,
        "message": alert.message,
        "raised_at": alert.raised_at.isoformat(),
        "acknowledged_by": alert.acknowledged_by.username if alert.acknowledged_by_id else None,
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
    }


def alert_involves_acs(alert: Alert) -> bool:
    """An ACS unit is the subject, or (queue clock) ACS is on the waiting call."""
    if alert.unit_id:
        return alert.unit.agency_id == "ACS"
    return bool(alert.call_id and (alert.call.lead == "ACS" or "ACS" in (alert.call.agencies or [])))


def alert_streams(alert: Alert) -> list[str]:
    """Who is told: the dispatch board for the queue and acknowledgement clocks, for en-route
    overruns and for every escalated status check; the ACS supervisor for anything about ACS;
    the unit itself for its own status checks."""
    streams: set[str] = set()
    if alert.kind in (Kind.ACK, Kind.QUEUE, Kind.EN_ROUTE) or alert.level == Alert.Level.ESCALATED:
        streams.add(DISPATCH)
    if alert_involves_acs(alert):
        streams.add(SUPERVISOR)
    if alert.kind in STATUS_CHECK_KINDS and alert.unit_id:
        streams.add(unit_stream(alert.unit_id))
    return sorted(streams)


def alert_event_data(
    alert: Alert, *, call_summary: Any = None, unit_summary: Any = None, **extra: Any
) -> dict:
    """The payload of an alert event: the alert, and the call / unit summaries when given."""
    data: dict[str, Any] = {"alert": alert_summary(alert)}
    if call_summary is not None:
        data["call"] = call_summary
    if unit_summary is not None:
        data["unit"] = unit_summary
    data.update(extra)
    return data
