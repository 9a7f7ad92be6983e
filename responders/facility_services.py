"""Writes of facilities (issue 14): the seeded Albuquerque list and bed updates, each an event."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from acs_dispatch.exceptions import NotAllowed, ValidationFailed
from acs_dispatch.roles import Role, user_has_role
from live.events import AUDIT, SUPERVISOR, event_append, unit_stream
from live.kinds import EventKind
from responders.models import Facility, Unit

APPROX = "approximate: address from public City / County / provider pages, point placed by hand, capacity as last reported; confirm with the facility"
# Real Albuquerque places ACS teams take people. Coordinates and capacities are approximate.
ALBUQUERQUE_FACILITIES: list[dict[str, Any]] = [
    {"name": "Westside Emergency Housing Center", "kind": Facility.Kind.SHELTER,
     "address": "7440 Jim McDowell Rd NW", "lat": 35.1586, "lon": -106.7923, "capacity": 600,
     "serves": "adults and families; nightly buses from town", "phone": "505-839-9193"},
    {"name": "Gateway Center (Gibson Health Hub)", "kind": Facility.Kind.SHELTER,
     "address": "5400 Gibson Blvd SE", "lat": 35.0556, "lon": -106.5920, "capacity": 50,
     "serves": "adults; first-stop shelter and medical sobering at the hub", "phone": ""},
    {"name": "Albuquerque Opportunity Center", "kind": Facility.Kind.SHELTER,
     "address": "715 Candelaria Rd NE", "lat": 35.1170, "lon": -106.6410, "capacity": 70,
     "serves": "men (Heading Home)", "phone": ""},
    {"name": "Joy Junction", "kind": Facility.Kind.SHELTER,
     "address": "4500 2nd St SW", "lat": 35.0262, "lon": -106.6575, "capacity": 300,
     "serves": "men, women and families", "phone": ""},
    {"name": "Steelbridge (Albuquerque Rescue Mission)", "kind": Facility.Kind.SHELTER,
     "address": "525 2nd St SW", "lat": 35.0790, "lon": -106.6510, "capacity": 120,
     "serves": "men and women", "phone": ""},
    {"name": "CARE Campus detox (formerly MATS)", "kind": Facility.Kind.DETOX,
     "address": "5901 Zuni Rd SE", "lat": 35.0647, "lon": -106.5797, "capacity": 80,
     "serves": "adults; medical detox and the public inebriate program (Bernalillo County)", "phone": ""},
    {"name": "UNM Psychiatric Center: Crisis Triage Center", "kind": Facility.Kind.CRISIS,
     "address": "2600 Marble Ave NE", "lat": 35.0895, "lon": -106.6195, "capacity": 16,
     "serves": "adults in a behavioral-health crisis, 24/7 walk-in and drop-off", "phone": ""},
]  # fmt: skip


@transaction.atomic
def facilities_seed(*, actor: Any = None) -> dict[str, int]:
    """Create or update the Albuquerque facilities by name (idempotent). Beds free are left alone on
    an existing row; a new one starts with none known (0) until its staff report."""
    created = updated = 0
    for row in ALBUQUERQUE_FACILITIES:
        fields = {**row, "approximate": True, "source": APPROX}
        facility, was_created = Facility.objects.get_or_create(name=row["name"], defaults=fields)
        if was_created:
            created += 1
            continue
        changed = [k for k, v in fields.items() if getattr(facility, k) != v]
        if changed:
            for k in changed:
                setattr(facility, k, fields[k])
            facility.beds_free = min(facility.beds_free, facility.capacity)
            facility.save(update_fields=[*changed, "beds_free"])
            updated += 1
    if created or updated:
        event_append(
            kind=EventKind.FACILITIES_LOADED,
            actor=actor,
            data={"created": created, "updated": updated},
            streams=[AUDIT],
        )
    return {"created": created, "updated": updated}


def facility_summary(facility: Facility) -> dict[str, Any]:
    """A facility as every screen shows it."""
    return {
        "id": facility.pk,
        "name": facility.name,
        "kind": facility.kind,
        "kind_label": Facility.Kind(facility.kind).label,
        "address": facility.address,
        "lat": facility.lat,
        "lon": facility.lon,
        "phone": facility.phone,
        "serves": facility.serves,
        "capacity": facility.capacity,
        "beds_free": facility.beds_free,
        "updated_at": facility.updated_at.isoformat() if facility.updated_at else None,
        "updated_by": facility.updated_by.username if facility.updated_by_id else None,
        "approximate": facility.approximate,
    }


def facility_streams() -> list[str]:
    """The ACS supervisor, every ACS unit's dashboard, and the audit trail."""
    acs_units = Unit.objects.filter(agency_id="ACS").values_list("pk", flat=True)
    return [SUPERVISOR, AUDIT, *(unit_stream(pk) for pk in acs_units)]


@transaction.atomic
def facility_beds_update(
    *, facility: Facility, beds_free: int, actor: Any, capacity: int | None = None
) -> Facility:
    """Record how many beds are free now (and the capacity, when it changed), with who and when.

    Raises NotAllowed unless the actor is an ACS supervisor or an admin, ValidationFailed for a
    negative number or more beds free than the capacity. Appends facility.beds_updated.
    """
    if not user_has_role(actor, Role.ACS_SUPERVISOR, Role.ADMIN):
        raise NotAllowed("Only ACS supervisors and admins update facility beds.")
    facility = Facility.objects.select_for_update().get(pk=facility.pk)
    capacity = facility.capacity if capacity is None else capacity
    errors: dict[str, list[str]] = {}
    if capacity < 0:
        errors["capacity"] = ["The capacity cannot be negative."]
    if beds_free < 0:
        errors["beds_free"] = ["Beds free cannot be negative."]
    elif beds_free > capacity:
        errors["beds_free"] = [f"{facility.name} has {capacity} beds: no more can be free."]
    if errors:
        raise ValidationFailed("The bed count is invalid.", errors=errors)
    before = {"beds_free": facility.beds_free, "capacity": facility.capacity}
    facility.beds_free = beds_free
    facility.capacity = capacity
    facility.updated_at = timezone.now()
    facility.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    facility.save(update_fields=["beds_free", "capacity", "updated_at", "updated_by"])
    event_append(
        kind=EventKind.FACILITY_BEDS_UPDATED,
        actor=actor,
        data={"facility": facility_summary(facility), "before": before},
        streams=facility_streams(),
    )
    return facility
