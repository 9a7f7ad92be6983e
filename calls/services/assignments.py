"""The assignment lifecycle: a unit committed to a call, acknowledged, en route, on scene, cleared;
unit status as it moves with the call; the escalation of an unacknowledged assignment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from acs_dispatch.exceptions import (
    Conflict,
    InvalidTransition,
    NotAllowed,
    OrderRefused,
    UnitUnavailable,
    ValidationFailed,
)
from calls.models import Alert, Assignment, Call, DeadlineThreshold
from calls.policies import call_assign_refusal, call_staged_agency, may_act_for_unit
from calls.selectors.assignments import call_units_recommend
from calls.services.alerts import (
    _alert_event,
    _alert_insert,
    _duration_text,
    _event_log_lock,
    _summaries,
)
from calls.services.calls import (
    backup_requests_handle,
    call_close,
    call_mark_dispatched,
    call_mark_on_scene,
    call_units_changed,
    disposition_check,
)
from calls.services.units import _assignment_end, _assignment_lock, _unit_call_event, _user_or_none
from live.kinds import EventKind
from responders.models import Agency, Unit
from responders.services import UNIT_TRANSITIONS, unit_status_set

Kind = DeadlineThreshold.Kind
Level = Alert.Level


@transaction.atomic
def unit_assign(*, call: Any, unit: Unit, actor: Any, override_reason: str = "") -> Assignment:
    """Commit `unit` to `call`: the unit becomes DISPATCHED and a PENDING call DISPATCHED.

    Raises UnitUnavailable (409) if the unit is not free, Conflict if the call already has a unit
    of that agency (a co-response gets one unit per agency), InvalidTransition on a call not open,
    OrderRefused when the call's order forbids the unit yet (ACS before police where police make
    the scene safe: calls.policies.call_assign_refusal) and no `override_reason` is given; with one,
    the unit is assigned and the reason recorded on the assignment and in the event. A police unit
    on an ACS_LEAD_POLICE_STAGED call is marked staged. Nothing changes when it raises.
    """
    # Lock order everywhere: call, then unit. Two consoles clicking the same unit: the second
    # waits on the unit row, then sees it DISPATCHED.
    call = Call.objects.select_for_update(of=("self",)).select_related("call_type", "zone").get(pk=call.pk)
    if call.status not in (Call.Status.PENDING, Call.Status.DISPATCHED, Call.Status.ON_SCENE):
        raise InvalidTransition(
            f"Call {call.number} is {call.get_status_display()}: no unit can be assigned.", status=call.status
        )
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.status != Unit.Status.AVAILABLE:
        raise UnitUnavailable(f"{unit.call_sign} is {unit.get_status_display()}", unit_status=unit.status)
    same_agency = (
        call.assignments.filter(cleared_at__isnull=True, unit__agency_id=unit.agency_id)
        .select_related("unit")
        .first()
    )
    if same_agency is not None:
        raise Conflict(
            f"Call {call.number} already has {same_agency.unit.call_sign} for {unit.agency_id}: "
            "a co-response gets one unit per agency.",
            status=call.status,
        )
    # Read under the call's row lock: a police unit assigned by another console a moment ago counts.
    refusal = call_assign_refusal(call=call, agency=unit.agency_id)
    override_reason = override_reason.strip()[:500] if refusal else ""
    if refusal and not override_reason:
        raise OrderRefused(refusal, status=call.status, agency=unit.agency_id, missing=Agency.Code.POLICE)
    now = timezone.now()
    try:
        # The partial unique constraint is the second wall behind the row lock (SQLite has no
        # row locks): a savepoint keeps the outer transaction usable when it fires.
        with transaction.atomic():
            assignment = Assignment.objects.create(
                call=call,
                unit=unit,
                assigned_by=_user_or_none(actor),
                assigned_at=now,
                staged=call_staged_agency(call=call, agency=unit.agency_id),
                override_reason=override_reason,
            )
    except IntegrityError as exc:
        raise UnitUnavailable(f"{unit.call_sign} is already committed to another call") from exc
    unit_status_set(unit=unit, status=Unit.Status.DISPATCHED, at=now)
    call_mark_dispatched(call=call, actor=actor)
    backup_requests_handle(call=call, agency=unit.agency_id)
    assignment.unit = unit
    assignment.call = call
    extra: dict[str, Any] = {"staged": assignment.staged}
    if override_reason:
        extra["override"] = {"reason": override_reason, "refusal": refusal}
    _unit_call_event(
        kind=EventKind.UNIT_ASSIGNED, unit=unit, call=call, actor=actor, assignment=assignment, **extra
    )
    return assignment


@transaction.atomic
def assignment_acknowledge(*, assignment: Assignment, actor: Any) -> Assignment:
    """The unit confirms it got the call. Idempotent: a retry or a double tap changes nothing.

    Raises NotAllowed for a responder of another unit, Conflict when the assignment was cleared.
    """
    unit = Unit.objects.get(pk=assignment.unit_id)
    if not may_act_for_unit(user=actor, unit=unit):
        raise NotAllowed("A responder may acknowledge only their own unit's assignment.")
    # Compare-and-set: a second tap matches zero rows.
    updated = Assignment.objects.filter(
        pk=assignment.pk, acknowledged_at__isnull=True, cleared_at__isnull=True
    ).update(acknowledged_at=timezone.now())
    current = Assignment.objects.select_related("call", "unit").get(pk=assignment.pk)
    if updated == 0:
        if current.cleared_at is not None:
            raise Conflict(f"The assignment of {unit.call_sign} was cleared.", status=current.call.status)
        return current
    _unit_call_event(
        kind=EventKind.ASSIGNMENT_ACKNOWLEDGED,
        unit=current.unit,
        call=current.call,
        actor=actor,
        assignment=current,
    )
    return current


@transaction.atomic
def assignment_scene_safe(*, assignment: Assignment, actor: Any) -> Assignment:
    """A police unit on the call reports the scene safe: the ACS units waiting on the call are told
    at once (assignment.scene_safe goes to every unit on the call). Idempotent: a second tap
    changes nothing.

    Raises NotAllowed for a responder of another unit, ValidationFailed for a unit that is not
    police, Conflict when the assignment was cleared.
    """
    assignment, call, unit = _assignment_lock(assignment)
    if not may_act_for_unit(user=actor, unit=unit):
        raise NotAllowed("A responder may report the scene safe only for their own unit.")
    if unit.agency_id != Agency.Code.POLICE:
        raise ValidationFailed(
            f"{unit.call_sign} is not a police unit: police report the scene safe.",
            errors={"unit": ["Only a police unit reports the scene safe."]},
        )
    if assignment.cleared_at is not None:
        raise Conflict(f"{unit.call_sign} is no longer on call {call.number}.", status=call.status)
    if assignment.scene_safe_at is not None:
        return assignment
    assignment.scene_safe_at = timezone.now()
    assignment.save(update_fields=["scene_safe_at"])
    _unit_call_event(
        kind=EventKind.ASSIGNMENT_SCENE_SAFE,
        unit=unit,
        call=call,
        actor=actor,
        assignment=assignment,
        scene_safe={"unit": unit.call_sign, "at": assignment.scene_safe_at.isoformat()},
    )
    return assignment


@transaction.atomic
def assignment_unassign(*, assignment: Assignment, reason: str, actor: Any) -> Assignment:
    """A dispatcher takes a unit off a call (with a reason): the unit is AVAILABLE again and a call
    left without units goes back to PENDING. Raises ValidationFailed without a reason, Conflict
    when the assignment is already cleared."""
    if not reason.strip():
        raise ValidationFailed("Unassigning needs a reason.", errors={"reason": ["Give a reason."]})
    assignment, call, unit = _assignment_lock(assignment)
    if assignment.cleared_at is not None:
        raise Conflict(f"{unit.call_sign} is no longer on call {call.number}.", status=call.status)
    _assignment_end(
        assignment=assignment,
        unit=unit,
        call=call,
        actor=actor,
        reason=reason,
        kind=EventKind.UNIT_UNASSIGNED,
    )
    call_units_changed(call=call, actor=actor, reason=f"{unit.call_sign} unassigned: {reason.strip()}")
    return assignment


@transaction.atomic
def assignment_reassign(*, assignment: Assignment, unit: Unit, reason: str, actor: Any) -> Assignment:
    """Replace the unit of an assignment by another (one transaction: both or neither)."""
    assignment_unassign(assignment=assignment, reason=reason, actor=actor)
    return unit_assign(call=assignment.call, unit=unit, actor=actor)


@transaction.atomic
def assignment_clear(
    *, assignment: Assignment, actor: Any, disposition: str = "", reason: str = "", destination: Any = None
) -> Assignment:
    """The unit leaves the call and is AVAILABLE again. When it was the last unit: with a disposition
    the call closes, without one it goes back to PENDING.

    Raises NotAllowed for a responder of another unit, Conflict when already cleared,
    ValidationFailed for an unknown disposition.
    """
    assignment, call, unit = _assignment_lock(assignment)
    if disposition:
        disposition_check(code=disposition, agency=unit.agency_id)
    if not may_act_for_unit(user=actor, unit=unit):
        raise NotAllowed("A responder may clear only their own unit.")
    if assignment.cleared_at is not None:
        raise Conflict(f"{unit.call_sign} is no longer on call {call.number}.", status=call.status)
    why = reason.strip() or (f"cleared: {disposition}" if disposition else "cleared")
    _assignment_end(
        assignment=assignment, unit=unit, call=call, actor=actor, reason=why, kind=EventKind.UNIT_UNASSIGNED
    )
    last = not call.assignments.filter(cleared_at__isnull=True).exists()
    if last and disposition:
        call_close(call=call, disposition=disposition, actor=actor, note=reason, destination=destination)
    else:
        call_units_changed(call=call, actor=actor, reason=f"{unit.call_sign} cleared")
    return assignment


@transaction.atomic
def unit_status_change(*, unit: Unit, status: str, actor: Any) -> Unit:
    """Move a unit through the status machine. EN_ROUTE and ON_SCENE stamp the assignment; ON_SCENE
    moves the call ON_SCENE. Raises NotAllowed (another unit's responder), InvalidTransition."""

    if status not in Unit.Status.values:
        raise ValidationFailed(
            "Unknown status.", errors={"status": [f"Choose one of {', '.join(Unit.Status.values)}."]}
        )
    if not may_act_for_unit(user=actor, unit=unit):
        raise NotAllowed("A responder may change only their own unit's status.")
    active = Assignment.objects.filter(unit_id=unit.pk, cleared_at__isnull=True).first()
    call = (
        Call.objects.select_for_update(of=("self",))
        .select_related("call_type", "zone")
        .get(pk=active.call_id)
        if active
        else None
    )
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = unit.status
    if status == before:
        return unit
    if status not in UNIT_TRANSITIONS[before]:
        hint = (
            " Clear the assignment to become available." if status == Unit.Status.AVAILABLE and active else ""
        )
        raise InvalidTransition(
            f"{unit.call_sign} is {unit.get_status_display()}: it cannot become {Unit.Status(status).label}.{hint}",
            status=before,
        )
    now = timezone.now()
    unit_status_set(unit=unit, status=status, at=now)
    if active is not None:
        active = Assignment.objects.select_for_update().get(pk=active.pk)
        stamp = {Unit.Status.EN_ROUTE: "en_route_at", Unit.Status.ON_SCENE: "on_scene_at"}.get(status)
        if stamp and getattr(active, stamp) is None:
            setattr(active, stamp, now)
            active.save(update_fields=[stamp])
        active.call, active.unit = call, unit
    _unit_call_event(
        kind=EventKind.UNIT_STATUS_CHANGED,
        unit=unit,
        call=call,
        actor=actor,
        assignment=active,
        before=before,
        after=status,
    )
    if status == Unit.Status.ON_SCENE and call is not None:
        call_mark_on_scene(call=call, actor=actor)
    return unit


# --- escalations --------------------------------------------------------------------------------


def _next_unit(*, call: Call, agency: str, exclude_unit_id: int) -> dict[str, Any] | None:
    """The nearest recommended unit of `agency` (or its fallback) other than the one that failed."""
    for entry in call_units_recommend(call=call, limit=4):
        if entry["agency"] != agency:
            continue
        for candidate in [*entry["units"], *entry["fallback"]]:
            if candidate["unit_id"] != exclude_unit_id:
                return {
                    "id": candidate["unit_id"],
                    "call_sign": candidate["call_sign"],
                    "agency": candidate["agency"],
                }
    return None


@transaction.atomic
def assignment_ack_escalate(*, assignment_id: int, now: dt.datetime, limit_seconds: int) -> Alert | None:
    """The unit never acknowledged: take it off the call (the call goes back to the queue) and
    raise the level 2 alert naming the next recommended unit. Returns None if the assignment was
    acknowledged or cleared meanwhile, or another sweep already escalated it."""
    # Lock and re-check: the unit may have acknowledged since the due query ran, and a second
    # sweep waits here until the first commits, then sees the assignment cleared. Lock in the
    # order every assignment service uses (call, unit, assignment), or two writers could deadlock.
    current = Assignment.objects.filter(pk=assignment_id).values("call_id", "unit_id").first()
    if current is None:
        return None
    call = Call.objects.select_for_update(of=("self",)).get(pk=current["call_id"])
    unit = Unit.objects.select_for_update().get(pk=current["unit_id"])
    assignment = (
        Assignment.objects.select_for_update()
        .filter(pk=assignment_id, cleared_at__isnull=True, acknowledged_at__isnull=True)
        .first()
    )
    if assignment is None:
        return None
    # After the call, unit and assignment (the services' order), before the warning's row.
    _event_log_lock()
    alert = _alert_insert(
        kind=Kind.ACK,
        level=Level.ESCALATED,
        subject=f"assignment:{assignment.pk}",
        message="",
        now=now,
        call=call,
        unit=unit,
        assignment=assignment,
    )
    if alert is None:
        return None
    reason = f"not acknowledged within {_duration_text(limit_seconds)}"
    assignment_unassign(assignment=assignment, reason=reason, actor=None)
    call.refresh_from_db()
    unit.refresh_from_db()
    recommended = _next_unit(call=call, agency=unit.agency_id, exclude_unit_id=unit.pk)
    alert.message = (
        f"{unit.call_sign} did not acknowledge call {call.number} within {_duration_text(limit_seconds)}: "
        f"unassigned, the call is back in the queue. "
        + (f"Next recommended: {recommended['call_sign']}." if recommended else "No other unit is available.")
    )[:300]
    alert.save(update_fields=["message"])
    _alert_event(
        kind=EventKind.ALERT_RAISED,
        alert=alert,
        actor=None,
        recommended_unit=recommended,
        **_summaries(call=call, unit=unit),
    )
    return alert
