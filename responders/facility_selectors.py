"""Reads of facilities (issue 14)."""

from __future__ import annotations

from django.db.models import QuerySet

from responders.models import Facility


def facilities_list(*, kind: str = "") -> QuerySet[Facility]:
    """Active facilities, by kind then name; beds free first within a kind is the screen's choice."""
    facilities = Facility.objects.filter(active=True).select_related("updated_by")
    if kind:
        facilities = facilities.filter(kind=kind)
    return facilities.order_by("kind", "name")


def facility_get(*, facility_id: int) -> Facility | None:
    return Facility.objects.filter(pk=facility_id, active=True).first()
