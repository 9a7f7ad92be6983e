"""Writes of the responders app: agencies, zones, the unit roster and unit status rows.

A unit's status changes with its assignment: calls.services.assignments decides and records them and
writes the unit row through unit_status_set."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from live.events import AUDIT, DISPATCH, SUPERVISOR, event_append
from live.kinds import EventKind
from responders import selectors
from responders.geography import ZoneShape
from responders.models import Agency, Unit, Zone

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
        kind=EventKind.ZONES_IMPORTED,
        actor=actor,
        data={"city": city, "kind": kind, "created": created, "updated": updated, "zones": names[:50]},
        streams=[AUDIT],
    )
    zone_index_reset()
    return {"created": created, "updated": updated}


def zone_index_reset() -> None:
    """Drop the cached point-in-zone index now (reads later in this transaction see the new
    zones) and again after commit (other threads of this process see them too)."""
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
            kind=EventKind.UNIT_CREATED,
            actor=actor,
            unit=unit,
            data={"call_sign": call_sign, "agency": agency, "capabilities": capabilities},
            streams=streams,
        )
    units_changed()
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


def units_changed() -> None:
    """Drop the recommendation index of available units now (reads later in this transaction see
    the change) and again after commit (other threads of this process see it too)."""
    selectors.units_index_clear()
    transaction.on_commit(selectors.units_index_clear)


def unit_status_set(*, unit: Unit, status: str, at: Any) -> Unit:
    """Write a unit's status (the caller holds its row lock and appends the event that explains the
    change: a unit's status moves with its assignment, in calls.services)."""
    unit.status = status
    unit.status_since = at
    unit.save(update_fields=["status", "status_since"])
    units_changed()
    return unit
