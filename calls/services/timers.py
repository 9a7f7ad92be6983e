"""The deadline sweep: every clock of the floor (acknowledge, queue, en route, on scene) checked at
`now`, alerts raised and escalated. The one timer runtime calls it (calls.tasks)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter as Tally

from calls.models import Alert, Call, DeadlineThreshold
from calls.policies import DEFAULT_THRESHOLDS
from calls.selectors.alerts import (
    assignments_ack_due,
    assignments_status_due,
    calls_queue_due,
    thresholds_effective,
)
from calls.services.alerts import _duration_text, alert_raise, alerts_resolve_ended
from calls.services.assignments import assignment_ack_escalate
from responders.avl_services import unit_positions_flush, unit_positions_purge
from responders.models import Agency, Unit

logger = logging.getLogger(__name__)

Kind = DeadlineThreshold.Kind
Level = Alert.Level


def _limit(thresholds, kind: str, agency: str, priority: int | None, level: int) -> int:
    warn, escalate = thresholds.get(
        (kind, agency, priority or 1), DEFAULT_THRESHOLDS[(kind, Agency.Code.POLICE, 1)]
    )
    return warn if level == Level.WARNING else escalate


def _status_subject(unit: Unit) -> str:
    # One clock per status period: the unit's next time on scene is a new status check.
    return f"unit:{unit.pk}@{int(unit.status_since.timestamp() * 1000)}"


def _status_message(kind: str, level: int, unit: Unit, call: Call, limit: int) -> str:
    if kind == Kind.ON_SCENE:
        if level == Level.WARNING:
            return (
                f"Status check: {unit.call_sign}, on scene at call {call.number} for {_duration_text(limit)}. "
                f"Acknowledge that you are OK."
            )
        return (
            f"{unit.call_sign} has not answered the status check: on scene at call {call.number} "
            f"for {_duration_text(limit)}. Contact the unit."
        )
    if level == Level.WARNING:
        return f"Status check: {unit.call_sign}, en route to call {call.number} for {_duration_text(limit)}."
    return f"{unit.call_sign} en route to call {call.number} for {_duration_text(limit)} and not answering: contact the unit."


def deadlines_sweep(*, now: dt.datetime) -> dict[str, int]:
    """Raise every alert whose clock has run out at `now`, and escalate past the second limit.

    First resolve every alert whose condition has ended (set-based: one query finds them all), so
    a screen never keeps an alert about a call assigned since, even if a hook was missed.
    Each alert is its own transaction, so a sweep running beside this one waits on one row at a
    time and never deadlocks on a whole batch. Returns counts per kind and level (e.g. "ACK.1")
    of the alerts raised, and "resolved" for those resolved.
    """
    thresholds = thresholds_effective()
    counts: Tally[str] = Tally()
    counts["resolved"] += alerts_resolve_ended(now=now)
    # Escalations first: a clock the sweep reaches late (past both limits) gets its escalation
    # alone, instead of a warning superseded the same instant (two more events and a beep).
    for level in (Level.ESCALATED, Level.WARNING):
        for assignment in list(assignments_ack_due(now=now, level=level, thresholds=thresholds)):
            limit = _limit(thresholds, Kind.ACK, assignment.unit.agency_id, assignment.call.priority, level)
            if level == Level.ESCALATED:
                raised = assignment_ack_escalate(assignment_id=assignment.pk, now=now, limit_seconds=limit)
            else:
                raised = alert_raise(
                    kind=Kind.ACK,
                    level=level,
                    subject=f"assignment:{assignment.pk}",
                    message=(
                        f"{assignment.unit.call_sign} has not acknowledged call {assignment.call.number} "
                        f"after {_duration_text(limit)}."
                    ),
                    now=now,
                    call=assignment.call,
                    unit=assignment.unit,
                    assignment=assignment,
                )
            counts[f"{Kind.ACK}.{level}"] += raised is not None

        for call in list(calls_queue_due(now=now, level=level, thresholds=thresholds)):
            limit = _limit(thresholds, Kind.QUEUE, call.lead, call.priority, level)
            waiting = f"Call {call.number} (P{call.priority or '?'}, {call.lead or 'no agency'}) waiting in the queue"
            message = (
                f"{waiting} for {_duration_text(limit)}."
                if level == Level.WARNING
                else f"{waiting} for {_duration_text(limit)}: escalated, assign or re-prioritise it now."
            )
            raised = alert_raise(
                kind=Kind.QUEUE, level=level, subject=f"call:{call.pk}", message=message, now=now, call=call
            )
            counts[f"{Kind.QUEUE}.{level}"] += raised is not None

        for kind in (Kind.EN_ROUTE, Kind.ON_SCENE):
            for assignment in list(
                assignments_status_due(now=now, kind=kind, level=level, thresholds=thresholds)
            ):
                unit, call = assignment.unit, assignment.call
                limit = _limit(thresholds, kind, unit.agency_id, call.priority, level)
                raised = alert_raise(
                    kind=kind,
                    level=level,
                    subject=_status_subject(unit),
                    message=_status_message(kind, level, unit, call, limit),
                    now=now,
                    call=call,
                    unit=unit,
                    assignment=assignment,
                )
                counts[f"{kind}.{level}"] += raised is not None
    # AVL: the last position of a unit whose final fix was throttled; the track's retention.
    counts["positions_pushed"] += unit_positions_flush(now=now)
    counts["positions_purged"] += unit_positions_purge(now=now)
    result = {key: value for key, value in sorted(counts.items()) if value}
    if result:
        logger.info("deadline sweep at %s: %s", now.isoformat(), result)
    return result
