"""Writes of the responders app: zones, units, assignments and unit status."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from acs_dispatch.events import AUDIT, DISPATCH, SUPERVISOR, event_append
from acs_dispatch.exceptions import (
    Conflict,
    InvalidTransition,
    NotAllowed,
    OrderRefused,
    UnitUnavailable,
    ValidationFailed,
)
from acs_dispatch.roles import Role, user_has_role
from responders.events import unit_streams, unit_summary
from responders.geography import ZoneShape
from responders.models import Agency, Assignment, Unit, Zone

AGENCY_NAMES = {
    Agency.Code.POLICE: "Albuquerque Police",
    Agency.Code.FIRE_EMS: "Albuquerque Fire Rescue",
    Agency.Code.ACS: "Albuquerque Community Safety",
}


@transaction.atomic
def agencies_ensure() -> list[Agency]:
    """Create the three agencies if missing (idempotent)."""
    return [
        Agency.objects.update_or_create(code=code, defaults={"name": name})[0]
        for code, name in AGENCY_NAMES.items()
    ]


@transaction.atomic
def zones_import(
    *, zones: Iterable[ZoneShape], city: str, kind: str = Zone.Kind.SERVICE, actor: Any = None
) -> dict[str, int]:
    """Create or update zones by (city, kind, name). Existing zones keep their ids, so calls and
    units that point at them stay valid. Returns counts of created and updated zones."""
    created = updated = 0
    names = []
    for z in zones:
        names.append(z.name)
        _, was_created = Zone.objects.update_or_create(
            city=city,
            kind=kind,
            name=z.name,
            defaults={
                "geometry": z.geometry,
                "parent": z.parent,
                "approximate": z.approximate,
                "source": z.source,
            },
        )
        created += was_created
        updated += not was_created
    event_append(
        kind="zones.imported",
        actor=actor,
        data={"city": city, "kind": kind, "created": created, "updated": updated, "zones": names[:50]},
        streams=[AUDIT],
    )
    zone_index_reset()
    return {"created": created, "updated": updated}


def zone_index_reset() -> None:
    """Drop the cached point-in-zone index now (reads later in this transaction see the new
    zones) and again after commit (other threads of this process see them too)."""
    from responders import selectors

    selectors.zone_index_clear()
    transaction.on_commit(selectors.zone_index_clear)


@transaction.atomic
def unit_ensure(
    *,
    call_sign: str,
    agency: str,
    capabilities: list[str],
    home_zone: Zone | None,
    lat: float | None,
    lon: float | None,
    actor: Any = None,
) -> tuple[Unit, bool]:
    """Create a unit, or update the roster fields of an existing one (its status is left alone)."""
    unit, created = Unit.objects.update_or_create(
        call_sign=call_sign,
        defaults={"agency_id": agency, "capabilities": capabilities, "home_zone": home_zone},
        create_defaults={
            "agency_id": agency,
            "capabilities": capabilities,
            "home_zone": home_zone,
            "lat": lat,
            "lon": lon,
            "status": Unit.Status.AVAILABLE,
            "status_since": timezone.now(),
        },
    )
    if created:
        streams = [DISPATCH, SUPERVISOR] if agency == Agency.Code.ACS else [DISPATCH]
        event_append(
            kind="unit.created",
            actor=actor,
            unit=unit,
            data={"call_sign": call_sign, "agency": agency, "capabilities": capabilities},
            streams=streams,
        )
    _units_changed()
    return unit, created


# --- assignments and unit status ---------------------------------------------------------------------

# The unit status machine. DISPATCHED is entered only by unit_assign and AVAILABLE (from a call)
# only by clearing the assignment: a status button can never free a unit still on a call.
UNIT_TRANSITIONS: dict[str, frozenset[str]] = {
    Unit.Status.AVAILABLE: frozenset({Unit.Status.OUT_OF_SERVICE}),
    Unit.Status.DISPATCHED: frozenset({Unit.Status.EN_ROUTE, Unit.Status.ON_SCENE}),
    Unit.Status.EN_ROUTE: frozenset({Unit.Status.ON_SCENE}),
    Unit.Status.ON_SCENE: frozenset({Unit.Status.TRANSPORTING}),
    Unit.Status.TRANSPORTING: frozenset({Unit.Status.ON_SCENE}),
    Unit.Status.OUT_OF_SERVICE: frozenset({Unit.Status.AVAILABLE}),
}


def _units_changed() -> None:
    """Drop the recommendation index of available units now (reads later in this transaction see
    the change) and again after commit (other threads of this process see it too)."""
    from responders import selectors

    selectors.units_index_clear()
    transaction.on_commit(selectors.units_index_clear)


def _unit_call_event(
    *, kind: str, unit: Unit, call: Any, actor: Any, assignment: Assignment | None, **data: Any
) -> None:
    """Append an event that changes a unit and a call: both summaries, both sets of streams."""
    from calls.events import call_streams, call_summary

    u_summary = unit_summary(
        unit, active_assignment=assignment if assignment and assignment.is_active else None
    )
    payload: dict[str, Any] = {"unit": u_summary, **data}
    streams = set(unit_streams(u_summary))
    if call is not None:
        c_summary = call_summary(call)
        payload["call"] = c_summary
        streams |= set(call_streams(c_summary))
    if assignment is not None:
        payload["assignment_id"] = assignment.pk
    event_append(kind=kind, actor=actor, call=call, unit=unit, data=payload, streams=streams)
    # The unit acknowledged, moved on or left: its alerts whose condition ended close now.
    from calls.services.alerts import alerts_resolve_ended

    alerts_resolve_ended(call_id=call.pk if call is not None else None, unit_id=unit.pk)


def _actor_may_act_for_unit(actor: Any, unit: Unit) -> bool:
    """Dispatchers and admins act for any unit; a responder only for the unit they crew."""
    if user_has_role(actor, Role.DISPATCHER, Role.ADMIN):
        return True
    return bool(user_has_role(actor, Role.RESPONDER) and actor.unit_id == unit.pk)


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
    from calls.models import Call
    from calls.policies import call_assign_refusal, call_staged_agency
    from calls.services import backup_requests_handle, call_mark_dispatched

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
    unit.status = Unit.Status.DISPATCHED
    unit.status_since = now
    unit.save(update_fields=["status", "status_since"])
    call_mark_dispatched(call=call, actor=actor)
    backup_requests_handle(call=call, agency=unit.agency_id)
    assignment.unit = unit
    assignment.call = call
    extra: dict[str, Any] = {"staged": assignment.staged}
    if override_reason:
        extra["override"] = {"reason": override_reason, "refusal": refusal}
    _unit_call_event(kind="unit.assigned", unit=unit, call=call, actor=actor, assignment=assignment, **extra)
    _units_changed()
    return assignment


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _assignment_lock(assignment: Assignment) -> tuple[Assignment, Any, Unit]:
    """Lock call, then unit, then the assignment (the order unit_assign uses)."""
    from calls.models import Call

    call = (
        Call.objects.select_for_update(of=("self",))
        .select_related("call_type", "zone")
        .get(pk=assignment.call_id)
    )
    unit = Unit.objects.select_for_update().get(pk=assignment.unit_id)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    assignment.call, assignment.unit = call, unit
    return assignment, call, unit


@transaction.atomic
def assignment_acknowledge(*, assignment: Assignment, actor: Any) -> Assignment:
    """The unit confirms it got the call. Idempotent: a retry or a double tap changes nothing.

    Raises NotAllowed for a responder of another unit, Conflict when the assignment was cleared.
    """
    unit = Unit.objects.get(pk=assignment.unit_id)
    if not _actor_may_act_for_unit(actor, unit):
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
        kind="assignment.acknowledged", unit=current.unit, call=current.call, actor=actor, assignment=current
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
    if not _actor_may_act_for_unit(actor, unit):
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
        kind="assignment.scene_safe",
        unit=unit,
        call=call,
        actor=actor,
        assignment=assignment,
        scene_safe={"unit": unit.call_sign, "at": assignment.scene_safe_at.isoformat()},
    )
    return assignment


def _assignment_end(
    *, assignment: Assignment, unit: Unit, call: Any, actor: Any, reason: str, kind: str
) -> None:
    """Clear a locked active assignment, free its unit and append `kind` (unit.unassigned)."""
    now = timezone.now()
    assignment.cleared_at = now
    assignment.cleared_reason = reason.strip()[:200]
    assignment.save(update_fields=["cleared_at", "cleared_reason"])
    before = unit.status
    unit.status = Unit.Status.AVAILABLE
    unit.status_since = now
    unit.save(update_fields=["status", "status_since"])
    _unit_call_event(
        kind=kind,
        unit=unit,
        call=call,
        actor=actor,
        assignment=assignment,
        reason=assignment.cleared_reason,
        before=before,
    )
    _units_changed()


@transaction.atomic
def assignment_unassign(*, assignment: Assignment, reason: str, actor: Any) -> Assignment:
    """A dispatcher takes a unit off a call (with a reason): the unit is AVAILABLE again and a call
    left without units goes back to PENDING. Raises ValidationFailed without a reason, Conflict
    when the assignment is already cleared."""
    from calls.services import call_units_changed

    if not reason.strip():
        raise ValidationFailed("Unassigning needs a reason.", errors={"reason": ["Give a reason."]})
    assignment, call, unit = _assignment_lock(assignment)
    if assignment.cleared_at is not None:
        raise Conflict(f"{unit.call_sign} is no longer on call {call.number}.", status=call.status)
    _assignment_end(
        assignment=assignment, unit=unit, call=call, actor=actor, reason=reason, kind="unit.unassigned"
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
    from calls.services import call_close, call_units_changed, disposition_check

    assignment, call, unit = _assignment_lock(assignment)
    if disposition:
        disposition_check(code=disposition, agency=unit.agency_id)
    if not _actor_may_act_for_unit(actor, unit):
        raise NotAllowed("A responder may clear only their own unit.")
    if assignment.cleared_at is not None:
        raise Conflict(f"{unit.call_sign} is no longer on call {call.number}.", status=call.status)
    why = reason.strip() or (f"cleared: {disposition}" if disposition else "cleared")
    _assignment_end(
        assignment=assignment, unit=unit, call=call, actor=actor, reason=why, kind="unit.unassigned"
    )
    last = not call.assignments.filter(cleared_at__isnull=True).exists()
    if last and disposition:
        call_close(call=call, disposition=disposition, actor=actor, note=reason, destination=destination)
    else:
        call_units_changed(call=call, actor=actor, reason=f"{unit.call_sign} cleared")
    return assignment


def assignments_release(*, call: Any, actor: Any, reason: str) -> list[int]:
    """Clear every unit still on a call that is ending (closed, cancelled, duplicate); returns the
    ids of the freed units. Call with the call row locked (calls.services does)."""
    released = []
    for active in call.assignments.filter(cleared_at__isnull=True).order_by("pk"):
        unit = Unit.objects.select_for_update().get(pk=active.unit_id)
        assignment = Assignment.objects.select_for_update().get(pk=active.pk)
        _assignment_end(
            assignment=assignment, unit=unit, call=call, actor=actor, reason=reason, kind="unit.unassigned"
        )
        released.append(unit.pk)
    return released


@transaction.atomic
def unit_status_change(*, unit: Unit, status: str, actor: Any) -> Unit:
    """Move a unit through the status machine. EN_ROUTE and ON_SCENE stamp the assignment; ON_SCENE
    moves the call ON_SCENE. Raises NotAllowed (another unit's responder), InvalidTransition."""
    from calls.models import Call
    from calls.services import call_mark_on_scene

    if status not in Unit.Status.values:
        raise ValidationFailed(
            "Unknown status.", errors={"status": [f"Choose one of {', '.join(Unit.Status.values)}."]}
        )
    if not _actor_may_act_for_unit(actor, unit):
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
    unit.status = status
    unit.status_since = now
    unit.save(update_fields=["status", "status_since"])
    if active is not None:
        active = Assignment.objects.select_for_update().get(pk=active.pk)
        stamp = {Unit.Status.EN_ROUTE: "en_route_at", Unit.Status.ON_SCENE: "on_scene_at"}.get(status)
        if stamp and getattr(active, stamp) is None:
            setattr(active, stamp, now)
            active.save(update_fields=[stamp])
        active.call, active.unit = call, unit
    _unit_call_event(
        kind="unit.status_changed",
        unit=unit,
        call=call,
        actor=actor,
        assignment=active,
        before=before,
        after=status,
    )
    if status == Unit.Status.ON_SCENE and call is not None:
        call_mark_on_scene(call=call, actor=actor)
    _units_changed()
    return unit
