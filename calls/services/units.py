"""The units on a call: the event that changes a unit and its call together, and the end of an
assignment. The bottom of calls.services' assignment half: call lifecycle (calls.py) and assignment
lifecycle (assignments.py) both use it; it uses neither."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from calls.events import call_streams, call_summary
from calls.models import Assignment, Call
from calls.services.alerts import alerts_resolve_ended
from calls.services.kpi_facts import call_facts_refresh
from live.events import event_append
from live.kinds import EventKind
from responders.events import unit_streams, unit_summary
from responders.models import Unit
from responders.services import unit_status_set


def _unit_call_event(
    *, kind: str, unit: Unit, call: Any, actor: Any, assignment: Assignment | None, **data: Any
) -> None:
    """Append an event that changes a unit and a call: both summaries, both sets of streams."""
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
    alerts_resolve_ended(call_id=call.pk if call is not None else None, unit_id=unit.pk)
    if call is not None:
        # Assignments are part of the call's KPI facts (served, kick-back, step times).
        call_facts_refresh(call=call)


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _assignment_lock(assignment: Assignment) -> tuple[Assignment, Any, Unit]:
    """Lock call, then unit, then the assignment (the order unit_assign uses)."""
    call = (
        Call.objects.select_for_update(of=("self",))
        .select_related("call_type", "zone")
        .defer("zone__geometry")
        .get(pk=assignment.call_id)
    )
    unit = Unit.objects.select_for_update().get(pk=assignment.unit_id)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    assignment.call, assignment.unit = call, unit
    return assignment, call, unit


def _assignment_end(
    *, assignment: Assignment, unit: Unit, call: Any, actor: Any, reason: str, kind: str
) -> None:
    """Clear a locked active assignment, free its unit and append `kind` (unit.unassigned)."""
    now = timezone.now()
    assignment.cleared_at = now
    assignment.cleared_reason = reason.strip()[:200]
    assignment.save(update_fields=["cleared_at", "cleared_reason"])
    before = unit.status
    unit_status_set(unit=unit, status=Unit.Status.AVAILABLE, at=now)
    _unit_call_event(
        kind=kind,
        unit=unit,
        call=call,
        actor=actor,
        assignment=assignment,
        reason=assignment.cleared_reason,
        before=before,
    )


def assignments_release(*, call: Any, actor: Any, reason: str) -> list[int]:
    """Clear every unit still on a call that is ending (closed, cancelled, duplicate); returns the
    ids of the freed units. Call with the call row locked (calls.services does)."""
    released = []
    for active in call.assignments.filter(cleared_at__isnull=True).order_by("pk"):
        unit = Unit.objects.select_for_update().get(pk=active.unit_id)
        assignment = Assignment.objects.select_for_update().get(pk=active.pk)
        _assignment_end(
            assignment=assignment,
            unit=unit,
            call=call,
            actor=actor,
            reason=reason,
            kind=EventKind.UNIT_UNASSIGNED,
        )
        released.append(unit.pk)
    return released
