"""Reads of the assignment lifecycle: a unit with its current assignment, an assignment, and the
recommendation for a call (responders ranks the units; the call says which agencies are covered)."""

from __future__ import annotations

from typing import Any

from calls.models import Assignment
from responders.models import Unit
from responders.selectors import units_recommend


def units_with_assignment(*, units) -> list[tuple[Unit, Assignment | None]]:
    """Each unit with its active assignment (and its call), in two queries."""
    units = list(units)
    active = {
        a.unit_id: a
        for a in Assignment.objects.filter(unit__in=units, cleared_at__isnull=True).select_related("call")
    }
    return [(u, active.get(u.pk)) for u in units]


def assignment_get(*, assignment_id: int) -> Assignment | None:
    return Assignment.objects.select_related("call", "unit").filter(pk=assignment_id).first()


def assignment_active_for_unit(*, unit: Unit) -> Assignment | None:
    return Assignment.objects.select_related("call").filter(unit=unit, cleared_at__isnull=True).first()


def call_units_recommend(*, call: Any, limit: int = 3) -> list[dict[str, Any]]:
    """responders.selectors.units_recommend for `call`, told which agencies already have a unit on it."""
    if hasattr(call, "active_assignments"):  # prefetched by calls.selectors / calls.snapshots
        on_call = {a.unit.agency_id: a.unit.call_sign for a in call.active_assignments}
    else:
        on_call = dict(
            Assignment.objects.filter(call_id=call.pk, cleared_at__isnull=True).values_list(
                "unit__agency_id", "unit__call_sign"
            )
        )
    return units_recommend(call=call, on_call=on_call, limit=limit)
