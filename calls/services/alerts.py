"""Writes of the deadline clocks: raise and acknowledge alerts, escalate, sweep, edit thresholds.

The sweep (`deadlines_sweep`) runs every DEADLINE_SWEEP_INTERVAL seconds from Celery beat (or the
in-process loop of the embedded default, calls.apps). It is idempotent and safe when two run at
once (two beats by mistake, a redelivered task): every alert is one row under the unique
constraint "alert_once" (kind, subject, level), and at most one per clock is live
("alert_live_once": raising the escalation resolves its warning); the escalation that unassigns a
unit first locks the assignment row and re-checks it, so a unit is never offered back to the
queue twice.

An alert resolves itself when its condition ends: at once, from the call and unit events
(`alerts_resolve_ended`, called by calls.services.calls._call_event and
responders.services._unit_call_event), and again, set-based, as the first step of every sweep.

Lock order: the event counter row before any alert row. A service appending events holds the
counter to its commit and then resolves alerts; a writer that locked an alert row first and then
waited for the counter would deadlock with it on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from acs_dispatch.exceptions import NotAllowed, ValidationFailed
from acs_dispatch.roles import Role, user_has_role
from calls.events import STATUS_CHECK_KINDS, alert_event_data, alert_streams, call_summary
from calls.models import OPEN_STATUSES, Alert, Assignment, Call, DeadlineThreshold
from calls.policies import DEFAULT_THRESHOLDS
from calls.selectors.alerts import (
    PRIORITIES,
    alert_condition_ended,
    alerts_condition_ended,
    call_alerts_open,
    thresholds_effective,
)
from live.events import AUDIT, DISPATCH, EVENT_COUNTER, SUPERVISOR, event_append
from live.kinds import EventKind
from live.models import Counter
from responders.events import unit_summary
from responders.models import Agency, Unit

logger = logging.getLogger(__name__)

Kind = DeadlineThreshold.Kind
Level = Alert.Level


def _duration_text(seconds: int) -> str:
    """90 -> '90 s', 120 -> '2 min', 5400 -> '1 h 30 min'."""
    if seconds < 120 and seconds % 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")


# --- thresholds ---------------------------------------------------------------------------------


@transaction.atomic
def thresholds_ensure_defaults() -> int:
    """Store the default thresholds that have no row yet (idempotent; an admin's edit is kept).
    Returns how many rows were created.

    The defaults, per agency and priority (1 = most urgent), and why:
    - ACK (assigned, not acknowledged): 60 s warn / 120 s escalate for P1, 90/180 P2, 180/360 P3,
      300/600 P4, every agency. NFPA 1710 gives 60-80 s of turnout from notification to rolling
      for the most urgent calls, and the acknowledgement is the first second of it: a unit silent
      for a minute on a P1 has not seen the page. At the escalation the unit is unassigned and the
      call goes back to the queue with the next recommended unit named, as most CADs "roll" an
      unanswered assignment; minutes, not seconds, for P4 so a quiet radio does not churn crews.
    - QUEUE (received, still PENDING): P1 60/120 for every agency, after NFPA 1221 (2019)'s alarm
      processing limit of 64 s for 90 % and 106 s for 95 % of the most urgent calls. Fire/EMS then
      120/300, 600/1200, 1200/2400; police 300/600, 900/1800, 1800/3600 (APD P3/P4 queues run long,
      a supervisor must still see them within the hour). ACS calls are mostly P3/P4 and may wait
      for a team, but the City Council criticised ACS calls left for days: P3 30 min / 1 h and P4
      1 h / 4 h, so no ACS call outlives a shift without the supervisor deciding on it.
    - EN_ROUTE (unit en route too long): about twice the NFPA 1710 travel targets (240 s first
      engine, 480 s ALS) for fire/EMS P1 (480/900), longer for lower priorities; police 10-20 min;
      ACS, few teams covering the whole city, 15-20 min warn. Likely a unit that forgot to press
      ON SCENE, or is lost: the dispatcher asks.
    - ON_SCENE ("status check", a welfare check on the responder): police 10 min on P1 hot calls,
      15-20 min otherwise (the usual CAD officer-safety timer); fire/EMS 20-30 min; ACS 30 min on
      P1/P2 and 45 min on P3/P4, since a behavioral-health engagement commonly runs 45-60 minutes.
      The check goes to the unit (and the ACS supervisor for ACS teams, unarmed civilians); if it
      is still unanswered at the escalation it goes to the dispatcher.
    """
    existing = set(DeadlineThreshold.objects.values_list("kind", "agency", "priority"))
    missing = [
        DeadlineThreshold(
            kind=kind, agency=agency, priority=priority, warn_seconds=warn, escalate_seconds=esc
        )
        for (kind, agency, priority), (warn, esc) in DEFAULT_THRESHOLDS.items()
        if (kind, agency, priority) not in existing
    ]
    # ignore_conflicts: two seeds at once both insert; the constraint keeps one row each.
    DeadlineThreshold.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


@transaction.atomic
def threshold_update(
    *, kind: str, agency: str, priority: int, warn_seconds: int, escalate_seconds: int, actor: Any
) -> DeadlineThreshold:
    """An admin sets one clock's limits. Raises NotAllowed for anyone else and ValidationFailed
    for an unknown kind/agency/priority or an escalation that does not come after the warning."""
    if not user_has_role(actor, Role.ADMIN):
        raise NotAllowed("Only an admin may change the alert thresholds.")
    errors: dict[str, list[str]] = {}
    if kind not in Kind.values:
        errors["kind"] = [f"Choose one of {', '.join(Kind.values)}."]
    if agency not in Agency.Code.values:
        errors["agency"] = [f"Choose one of {', '.join(Agency.Code.values)}."]
    if priority not in PRIORITIES:
        errors["priority"] = ["Priority is 1 (most urgent) to 4."]
    if not 10 <= int(warn_seconds) <= 7 * 24 * 3600:
        errors["warn_seconds"] = ["The warning comes after 10 seconds to 7 days."]
    if int(escalate_seconds) <= int(warn_seconds) or int(escalate_seconds) > 14 * 24 * 3600:
        errors["escalate_seconds"] = ["The escalation must come after the warning (and within 14 days)."]
    if errors:
        raise ValidationFailed("The threshold has invalid fields.", errors=errors)
    before = thresholds_effective().get((kind, agency, priority))
    threshold, _ = DeadlineThreshold.objects.update_or_create(
        kind=kind,
        agency=agency,
        priority=priority,
        defaults={"warn_seconds": int(warn_seconds), "escalate_seconds": int(escalate_seconds)},
    )
    event_append(
        kind=EventKind.THRESHOLD_UPDATED,
        actor=actor,
        data={
            "kind": kind,
            "agency": agency,
            "priority": priority,
            "before": list(before) if before else None,
            "after": [threshold.warn_seconds, threshold.escalate_seconds],
        },
        streams=[AUDIT],
    )
    return threshold


@transaction.atomic
def thresholds_update(*, rows: list[dict[str, Any]], actor: Any) -> list[DeadlineThreshold]:
    """Apply several threshold edits at once: all of them or, on the first refusal, none."""
    return [threshold_update(**row, actor=actor) for row in rows]


# --- alerts -------------------------------------------------------------------------------------


def _summaries(*, call: Call | None, unit: Unit | None) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if call is not None:
        result["call_summary"] = call_summary(call)
    if unit is not None:
        active = Assignment.objects.filter(unit=unit, cleared_at__isnull=True).select_related("call").first()
        result["unit_summary"] = unit_summary(unit, active_assignment=active)
    return result


def _event_log_lock() -> None:
    """Lock the event counter row now, before any alert row (see the lock order above). Takes no
    id: the counter is bumped only by event_append, so the ids stay gap-free."""
    list(Counter.objects.select_for_update().filter(name=EVENT_COUNTER).values_list("pk", flat=True))


def _alert_insert(
    *,
    kind: str,
    level: int,
    subject: str,
    message: str,
    now: dt.datetime,
    call: Call | None,
    unit: Unit | None,
    assignment: Assignment | None,
) -> Alert | None:
    """Insert the alert at `level`, superseding the lower live ones of its clock first, in one
    savepoint. Returns None (and changes nothing) when the clock was already alerted at `level` or
    above: another sweep got there first."""
    if Alert.objects.filter(kind=kind, subject=subject, level__gte=level).exists():
        return None
    try:
        with transaction.atomic():
            _alerts_supersede(kind=kind, subject=subject, below=level, now=now)
            return Alert.objects.create(
                kind=kind,
                subject=subject,
                level=level,
                call=call,
                unit=unit,
                assignment=assignment,
                message=message[:300],
                raised_at=now,
            )
    except IntegrityError:
        # A concurrent insert won "alert_once" / "alert_live_once": the savepoint's rollback also
        # drops the supersede and its events, so the winner's rows stand alone.
        return None


@transaction.atomic
def alert_raise(
    *,
    kind: str,
    level: int,
    subject: str,
    message: str,
    now: dt.datetime,
    call: Call | None = None,
    unit: Unit | None = None,
    assignment: Assignment | None = None,
) -> Alert | None:
    """Raise an alert once and push alert.raised after commit; an escalation first resolves its
    clock's warning (alert.resolved, "Superseded by the escalation"), so one row per clock is open.
    Returns None when this clock was already alerted at `level` or above: nothing is appended."""
    # Two sweeps at once queue here; the second then sees the first's row and raises nothing.
    _event_log_lock()
    alert = _alert_insert(
        kind=kind,
        level=level,
        subject=subject,
        message=message,
        now=now,
        call=call,
        unit=unit,
        assignment=assignment,
    )
    if alert is None:
        return None
    _alert_event(kind=EventKind.ALERT_RAISED, alert=alert, actor=None, **_summaries(call=call, unit=unit))
    return alert


SUPERSEDED = "Superseded by the escalation"


def _alerts_supersede(*, kind: str, subject: str, below: int, now: dt.datetime) -> list[Alert]:
    """Resolve the live alerts of a clock below `below` (the warning its escalation replaces)."""
    resolved = []
    for alert in Alert.objects.filter(kind=kind, subject=subject, level__lt=below, resolved_at__isnull=True):
        done = _alert_resolve_row(alert_id=alert.pk, reason=SUPERSEDED, now=now)
        if done is not None:
            resolved.append(done)
    return resolved


def _alert_resolve_row(*, alert_id: int, reason: str, now: dt.datetime) -> Alert | None:
    """Compare-and-set resolved_at and push alert.resolved; None if it was already resolved."""
    updated = Alert.objects.filter(pk=alert_id, resolved_at__isnull=True).update(
        resolved_at=now, resolved_reason=reason[:200]
    )
    if not updated:
        return None
    alert = Alert.objects.select_related("call", "unit", "acknowledged_by").get(pk=alert_id)
    _alert_event(kind=EventKind.ALERT_RESOLVED, alert=alert, actor=None)
    return alert


def _ended_reason(alert: Alert) -> str:
    """Why the condition of `alert` ended, in the words the screens show."""
    call, unit, assignment = alert.call, alert.unit, alert.assignment
    number = call.number if call else "?"
    if alert.kind == Kind.QUEUE:
        return f"Call {number} left the queue: {call.get_status_display() if call else 'gone'}."
    who = unit.call_sign if unit else "The unit"
    if call is not None and call.status not in OPEN_STATUSES:
        return f"Call {number} is {call.get_status_display()}."
    if alert.kind == Kind.ACK and alert.level == Level.ESCALATED:
        other = (
            Assignment.objects.filter(call=call, unit__agency_id=unit.agency_id, cleared_at__isnull=True)
            .select_related("unit")
            .first()
            if unit and call
            else None
        )
        if other is not None:
            return f"{other.unit.call_sign} is on call {number}."
        return f"{unit.agency_id if unit else 'The agency'} was waived on call {number}."
    if assignment is not None and assignment.cleared_at is not None:
        return f"{who} left call {number}."
    if alert.kind == Kind.ACK:
        return f"{who} acknowledged call {number}."
    return f"{who} is {unit.get_status_display() if unit else 'no longer there'}."


@transaction.atomic
def alert_resolve(*, alert: Alert, now: dt.datetime) -> Alert | None:
    """Resolve `alert` if its condition has ended (re-checked under the lock) and push
    alert.resolved. Idempotent: returns None when it still holds or was already resolved."""
    _event_log_lock()
    # Re-read now: between the sweep's query and this transaction the call may have gone back to
    # the queue, and its alert must stay.
    if not alert_condition_ended(alert_id=alert.pk):
        return None
    return _alert_resolve_row(alert_id=alert.pk, reason=_ended_reason(alert), now=now)


def alerts_resolve_ended(
    *, call_id: int | None = None, unit_id: int | None = None, now: dt.datetime | None = None
) -> int:
    """Resolve every alert whose condition has ended; only those of `call_id` / `unit_id` when
    given (the services' hook, inside their transaction). Returns how many were resolved.
    Each alert is its own (nested) transaction, as in the sweep."""
    now = now or timezone.now()
    resolved = 0
    for alert in list(alerts_condition_ended(call_id=call_id, unit_id=unit_id)):
        resolved += alert_resolve(alert=alert, now=now) is not None
    return resolved


def _alert_event(
    *, kind: str, alert: Alert, actor: Any, call_summary=None, unit_summary=None, **extra
) -> None:
    event_append(
        kind=kind,
        actor=actor,
        call=alert.call,
        unit=alert.unit,
        data=alert_event_data(alert, call_summary=call_summary, unit_summary=unit_summary, **extra),
        streams=alert_streams(alert),
    )


def alert_may_acknowledge(*, user: Any, alert: Alert) -> bool:
    """The person who handles the alert: the dispatcher for what reaches the dispatch board (queue
    and acknowledgement clocks, escalations), the ACS supervisor for ACS units and calls, the
    unit's own responder for its status check; an admin for any."""
    if user_has_role(user, Role.ADMIN):
        return True
    streams = alert_streams(alert)
    if user_has_role(user, Role.DISPATCHER):
        return DISPATCH in streams
    if user_has_role(user, Role.ACS_SUPERVISOR):
        return SUPERVISOR in streams
    if user_has_role(user, Role.RESPONDER):
        return alert.kind in STATUS_CHECK_KINDS and user.unit_id is not None and user.unit_id == alert.unit_id
    return False


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor: Any) -> Alert:
    """Record who handled the alert and when; push alert.acknowledged. Idempotent: acknowledging
    an acknowledged alert changes nothing. Raises NotAllowed for anyone who does not handle it."""
    if not alert_may_acknowledge(user=actor, alert=alert):
        raise NotAllowed("This alert is handled by someone else; your role may not acknowledge it.")
    _event_log_lock()
    # Compare-and-set: a double tap or two people at once update one row once.
    updated = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_by=actor, acknowledged_at=timezone.now()
    )
    alert = Alert.objects.select_related("call", "unit", "acknowledged_by").get(pk=alert.pk)
    if updated:
        _alert_event(kind=EventKind.ALERT_ACKNOWLEDGED, alert=alert, actor=actor)
    return alert


ALERT_HANDLER_ROLES = (Role.DISPATCHER, Role.ACS_SUPERVISOR, Role.RESPONDER, Role.ADMIN)


@transaction.atomic
def call_alerts_acknowledge(*, call: Call, actor: Any) -> list[Alert]:
    """Acknowledge every open alert of `call` that `actor` handles (alert_may_acknowledge, the rule
    of one alert), each pushing alert.acknowledged; returns those this call acknowledged.
    Idempotent: a second tap acknowledges nothing. Raises NotAllowed for a role that handles no
    alert, or when the call has open alerts and none is the actor's to acknowledge."""
    if not user_has_role(actor, *ALERT_HANDLER_ROLES):
        raise NotAllowed("Your role does not handle alerts.")
    _event_log_lock()
    open_alerts = call_alerts_open(call_id=call.pk)
    mine = [a for a in open_alerts if alert_may_acknowledge(user=actor, alert=a)]
    if open_alerts and not mine:
        raise NotAllowed(
            "The alerts of this call are handled by someone else; your role may not acknowledge them."
        )
    now = timezone.now()
    # Compare-and-set per row: one acknowledged by someone else a moment ago is left as it is.
    ids = [a.pk for a in mine]
    Alert.objects.filter(pk__in=ids, acknowledged_at__isnull=True, resolved_at__isnull=True).update(
        acknowledged_by=actor, acknowledged_at=now
    )
    acknowledged = list(
        Alert.objects.filter(pk__in=ids, acknowledged_by=actor, acknowledged_at=now)
        .select_related("call", "unit", "acknowledged_by")
        .order_by("-level", "raised_at", "id")
    )
    for alert in acknowledged:
        _alert_event(kind=EventKind.ALERT_ACKNOWLEDGED, alert=alert, actor=actor)
    return acknowledged
