"""Pure builders of call event payloads, and the streams a call's events go to.

Every call event carries the whole call summary under "call", so a screen applies any event by
replacing its copy of that call: one reducer, no per-kind patching, nothing to drift. The summary
never carries ACS clinical notes: those travel only as their own event on ACS streams.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NotRequired, TypedDict
from zoneinfo import ZoneInfo

from django.conf import settings

from calls.models import Alert, DeadlineThreshold
from calls.policies import (
    call_agencies_missing,
    call_agencies_required,
    call_agencies_waived,
    call_dangers,
    call_in_queue,
    call_involves_acs,
    call_order_holds,
    call_police_first,
)
from live.events import DISPATCH, SUPERVISOR, unit_stream


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
    location_unverified: bool
    caller_name: str
    caller_phone: str
    caller_language: str  # a calls.models.CallerLanguage code ("" unknown)
    interpreter_needed: bool
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
    recognised: bool
    signals: list[dict[str, str]]
    acs_eligible: bool
    acs_exclusion: str
    overridden: bool
    override_reason: str
    original_decision: dict[str, Any] | None
    disposition: str
    closed_at: str | None
    units: list[dict[str, Any]]
    backup_requests: list[dict[str, Any]]
    # How the decision is carried through (calls.policies): the agencies required, those still
    # without a unit or a waiver, the waivers, the dangers known, and the order of arrival.
    required_agencies: list[str]
    missing_agencies: list[str]
    waived_agencies: list[dict[str, Any]]
    dangers: list[dict[str, Any]]
    police_first: str
    order_holds: dict[str, str]
    scene_safe_at: str | None
    in_queue: bool  # calls.policies.call_in_queue: the board asks this, not its own rule
    queue_reasons: list[str]  # why it waits in the queue, as its row shows it (call_queue_reasons)


class CallBoardRow(TypedDict):
    """A call as the dispatch board's queue and active list show it (call_board_row): what the
    snapshot sends for each open call. The rest of the call comes with its events or from
    GET /api/v1/calls/<id> when a dispatcher opens it."""

    id: int
    number: str
    status: str
    priority: int | None
    lead: str
    agencies: list[str]
    call_type: dict[str, str] | None
    address: str
    zone: str | None
    received_at: str
    recognised: bool
    units: list[dict[str, Any]]
    brief: bool
    # Only when not empty / true:
    backup_requests: NotRequired[list[dict[str, Any]]]
    missing_agencies: NotRequired[list[str]]
    queue_reasons: NotRequired[list[str]]
    in_queue: NotRequired[bool]  # calls.policies.call_in_queue
    caller_language: NotRequired[str]  # only when recorded
    interpreter_needed: NotRequired[bool]  # only when true


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
        "staged": assignment.staged,
        "override_reason": assignment.override_reason,
        "scene_safe_at": _iso(assignment.scene_safe_at),
    }


def _in_queue(*, call, missing_agencies: list[str], backup_requests) -> bool:
    needs_backup = any(b.handled_at is None for b in backup_requests)
    return call_in_queue(call=call, missing_agencies=missing_agencies, needs_backup=needs_backup)


def call_queue_reasons(*, call, missing_agencies: list[str], backup_requests) -> list[str]:
    """Why the call waits in the dispatch queue, in the two lines its queue row shows: the triage
    rule, then the first safety guard that changed its outcome (else what matched); a guard must
    never be cut off, or "ideation without means" shows without "police added". Empty when the
    call does not wait in the queue (calls.policies.call_in_queue): no row shows them then, and
    the dispatch snapshot stays small. `backup_requests` are all of the call's."""
    if not _in_queue(call=call, missing_agencies=missing_agencies, backup_requests=backup_requests):
        return []
    reasons = list(call.triage_reasons or [])
    guard = next((r for r in reasons if r.startswith("Guard ")), None)
    return [reasons[0], guard] if guard and reasons[0] != guard else reasons[:2]


def backup_request_summary(request) -> dict[str, Any]:
    """One backup request of a call (its unit loaded)."""
    return {
        "id": request.id,
        "agency": request.agency,
        "unit": request.unit.call_sign,
        "reason": request.reason,
        "requested_at": request.requested_at.isoformat(),
        "handled_at": _iso(request.handled_at),
    }


def call_decision(call) -> dict[str, Any]:
    """The triage decision in force on a call, in the triage_preview shape plus mode and guards
    (also what an override keeps as the original decision)."""
    return {
        "agencies": list(call.agencies),
        "lead": call.lead,
        "mode": call.mode,
        "priority": call.priority,
        "rule": call.triage_rule,
        "ruleset_version": call.ruleset_version,
        "reasons": list(call.triage_reasons),
        "guards": list(call.triage_guards),
        "recognised": call.triage_recognised,
        "signals": list(call.triage_signals),
    }


def call_summary(call, *, assignments=None, backup_requests=None, waivers=None) -> CallSummary:
    """The call as every screen shows it. `assignments` (active ones), `backup_requests` and
    `waivers` may be passed in when prefetched; otherwise they are read from the call."""
    if assignments is None:
        assignments = [a for a in call.assignments.select_related("unit") if a.cleared_at is None]
    if backup_requests is None:
        backup_requests = list(call.backup_requests.all())
    if waivers is None:
        waivers = list(call.agency_waivers.all())
    dangers = call_dangers(call=call)
    missing = call_agencies_missing(
        call=call, assignments=assignments, backup_requests=backup_requests, waivers=waivers
    )
    scene_safe = [a.scene_safe_at for a in assignments if a.scene_safe_at is not None]
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
        "location_unverified": call.location_unverified,
        "caller_name": call.caller_name,
        "caller_phone": call.caller_phone,
        "caller_language": call.caller_language,
        "interpreter_needed": call.interpreter_needed,
        "weapons": call.weapons,
        "violence": call.violence,
        "medical": call.medical,
        "caller_is_subject": call.caller_is_subject,
        **call_decision(call),
        "acs_eligible": call.acs_eligible,
        "acs_exclusion": call.acs_exclusion,
        "overridden": call.overridden_at is not None,
        "override_reason": call.override_reason,
        "original_decision": call.original_decision,
        "disposition": call.disposition,
        "closed_at": _iso(call.closed_at),
        "units": [assignment_summary(a) for a in assignments],
        "backup_requests": [backup_request_summary(b) for b in backup_requests],
        "required_agencies": call_agencies_required(call=call, backup_requests=backup_requests),
        "missing_agencies": missing,
        "waived_agencies": [
            {
                "agency": w.agency,
                "reason": w.reason,
                "by": w.waived_by.username if w.waived_by_id else None,
                "at": _iso(w.waived_at),
            }
            for w in call_agencies_waived(call=call, waivers=waivers).values()
        ],
        "dangers": [dict(d) for d in dangers],
        "police_first": call_police_first(call=call, dangers=dangers),
        "order_holds": call_order_holds(call=call, assignments=assignments, dangers=dangers),
        "scene_safe_at": _iso(min(scene_safe)) if scene_safe else None,
        "in_queue": _in_queue(call=call, missing_agencies=missing, backup_requests=backup_requests),
        "queue_reasons": call_queue_reasons(
            call=call, missing_agencies=missing, backup_requests=backup_requests
        ),
    }


def call_board_row(call, *, assignments, backup_requests, waivers) -> CallBoardRow:
    """The brief call of the dispatch board's snapshot (CallBoardRow): the queue and active rows,
    no narrative, caller details, dangers or clinical context. `assignments` (active ones, with
    their unit), `backup_requests` (all of them: a handled one still makes its agency required)
    and `waivers` are passed in, loaded by calls.selectors.calls_open_for_board; `call` needs no
    more than the fields read here (its zone without the geometry)."""
    call_type = call.call_type
    missing = call_agencies_missing(
        call=call, assignments=assignments, backup_requests=backup_requests, waivers=waivers
    )
    row: CallBoardRow = {
        "id": call.id,
        "number": call.number,
        "status": call.status,
        "priority": call.priority,
        "lead": call.lead,
        "agencies": list(call.agencies),
        "call_type": {"code": call_type.code, "name": call_type.name} if call_type else None,
        "address": call.address,
        "zone": call.zone.name if call.zone_id else None,
        "received_at": call.received_at.isoformat(),
        "recognised": call.triage_recognised,
        "units": [
            {
                "unit": a.unit.call_sign,
                "agency": a.unit.agency_id,
                "unit_status": a.unit.status,
                "acknowledged_at": _iso(a.acknowledged_at),
            }
            for a in assignments
        ],
        # Only the open requests: the board lists those (and queues their call first).
        "backup_requests": [backup_request_summary(b) for b in backup_requests if b.handled_at is None],
        "missing_agencies": missing,
        "queue_reasons": call_queue_reasons(
            call=call, missing_agencies=missing, backup_requests=backup_requests
        ),
        # The screen fetches the whole call (GET /api/v1/calls/<id>) before showing its detail.
        "brief": True,
    }
    # What there is nothing of is left out (the board reads a missing key as empty or false): 2,000
    # open calls must fit daphne's 1 MiB frame (tests/calls/test_snapshots.py keeps rows small).
    for key in ("backup_requests", "missing_agencies", "queue_reasons"):
        if not row[key]:
            del row[key]  # type: ignore[misc]
    if _in_queue(call=call, missing_agencies=missing, backup_requests=backup_requests):
        row["in_queue"] = True
    # Most callers' language is not recorded: the keys come only when there is something to show,
    # which saves a tenth of the snapshot (the board reads a missing key as unset).
    if call.caller_language:
        row["caller_language"] = call.caller_language
    if call.interpreter_needed:
        row["interpreter_needed"] = True
    return row


def call_streams(summary: CallSummary, *, extra_unit_ids: list[int] | tuple[int, ...] = ()) -> list[str]:
    """Who sees a call's events: the dispatch board always; the ACS supervisor when ACS is on the
    call or an ACS unit works it; the dashboard of every unit on it (and of units just cleared,
    passed as `extra_unit_ids`, so their screens drop the call)."""
    streams = {DISPATCH}
    if call_involves_acs(agencies=summary["agencies"], unit_agencies=[u["agency"] for u in summary["units"]]):
        streams.add(SUPERVISOR)
    for unit_id in [u["unit_id"] for u in summary["units"]] + list(extra_unit_ids):
        streams.add(unit_stream(unit_id))
    return sorted(streams)


# --- Alerts: builders of alert event payloads and the streams an alert goes to. calls.selectors.alerts
# lists alerts by the same alert_streams, so what is pushed and what is listed never disagree.

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
    raised_at_local: str  # "14:03:27": the city's clock, 24-hour, ready to display
    acknowledged_by: str | None
    acknowledged_at: str | None
    resolved_at: str | None
    resolved_reason: str


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
        "raised_at_local": alert_time_local(alert.raised_at),
        "acknowledged_by": alert.acknowledged_by.username if alert.acknowledged_by_id else None,
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        "resolved_reason": alert.resolved_reason,
    }


def alert_time_local(moment: dt.datetime) -> str:
    """A moment on the city's clock, 24-hour ("07:31:05"): the dispatcher reads the wall clock of
    the city, whatever the browser's zone."""
    return moment.astimezone(ZoneInfo(settings.CITY_TIME_ZONE)).strftime("%H:%M:%S")


def alert_involves_acs(alert: Alert) -> bool:
    """An ACS unit is the subject, or (queue clock) ACS is on the waiting call."""
    if alert.unit_id:
        return call_involves_acs(agencies=(), unit_agencies=[alert.unit.agency_id])
    return bool(alert.call_id) and call_involves_acs(agencies=[alert.call.lead, *(alert.call.agencies or [])])


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
