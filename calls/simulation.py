"""The living demo (issue 13): units that move. A dispatched unit acknowledges, drives toward its
call at a plausible speed, goes on scene on arrival, stays a while, clears and drives back to its
home zone. Every move goes through the same services as a real crew's tablet (acknowledge, status,
AVL fixes, clear), so the boards, the map, the clocks and the recommendations follow as on a real
night. Never used outside the demo (replay_calls --move-units, simulate_units).

`time_scale` speeds the simulated world up against the wall clock: at 10 a unit covers in one
second what it would in ten, and a 15-minute scene lasts 90 s. The screens' clocks stay real.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from acs_dispatch.exceptions import DispatchError
from calls.models import Assignment
from calls.services.assignments import assignment_acknowledge, assignment_clear, unit_status_change
from responders.avl_services import unit_position_set
from responders.models import Unit, UnitPosition

EARTH_RADIUS_M = 6_371_008.8
DRIVE_SPEED_MPS = 13.0  # ~47 km/h: urban emergency driving, lights on, averaged over stops
RETURN_SPEED_MPS = 9.0  # ~32 km/h: back to the zone, no lights
ARRIVED_M = 40.0
HOME_RADIUS_M = 50.0  # an available unit this close to its post stays where it is
SCENE_SECONDS = (8 * 60, 25 * 60)  # simulated time on scene, drawn per assignment
ACK_AFTER_SECONDS = 20  # simulated seconds before the crew acknowledges
# The disposition the simulated crew clears with (ACS may not close as an arrest).
DISPOSITION = {"ACS": "ACS-RA", "POLICE": "K", "FIRE_EMS": "K"}


@dataclass
class StepReport:
    acknowledged: int = 0
    moved: int = 0
    arrived: int = 0
    cleared: int = 0
    returning: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if v}


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    """(east, north) metres from point 1 to point 2 (local equirectangular)."""
    k = math.pi / 180 * EARTH_RADIUS_M
    return (lon2 - lon1) * k * math.cos(math.radians((lat1 + lat2) / 2)), (lat2 - lat1) * k


def step_toward(
    lat: float, lon: float, to_lat: float, to_lon: float, metres: float
) -> tuple[float, float, bool]:
    """The point `metres` along the straight line toward the target, and whether it got there."""
    east, north = _metres(lat, lon, to_lat, to_lon)
    distance = math.hypot(east, north)
    if distance <= max(metres, ARRIVED_M):
        return to_lat, to_lon, True
    f = metres / distance
    return lat + (to_lat - lat) * f, lon + (to_lon - lon) * f, False


def _homes(unit_ids: list[int]) -> dict[int, tuple[float, float]]:
    """Where each unit was before the simulation first sent it anywhere: the first fix of its
    track (the simulation records the roster point as a fix before the unit's first move)."""
    homes: dict[int, tuple[float, float]] = {}
    rows = (
        UnitPosition.objects.filter(unit_id__in=unit_ids)
        .order_by("unit_id", "at")
        .values_list("unit_id", "lat", "lon")
    )
    for unit_id, lat, lon in rows.iterator():
        homes.setdefault(unit_id, (lat, lon))
    return homes


def units_simulate_step(
    *, seconds: float, actor: Any, time_scale: float = 10.0, now: dt.datetime | None = None
) -> dict[str, int]:
    """Advance every committed unit and every available unit away from home by `seconds` of wall
    time (times `time_scale` of simulated time). Returns counts of what happened."""
    now = now or timezone.now()
    sim_seconds = seconds * time_scale
    report = StepReport()
    active = Assignment.objects.filter(cleared_at__isnull=True).select_related("unit", "call")
    for a in list(active):
        unit, call = a.unit, a.call
        try:
            _assignment_step(a=a, unit=unit, call=call, now=now, sim_seconds=sim_seconds, time_scale=time_scale,
                             actor=actor, report=report)  # fmt: skip
        except DispatchError:
            # A dispatcher changed the assignment meanwhile (unassigned, reassigned): next step.
            report.errors += 1
    busy = {a.unit_id for a in active}
    # Only units the simulation has moved (they have a track) drive home; the rest stay put.
    idle = list(
        Unit.objects.filter(
            status=Unit.Status.AVAILABLE, lat__isnull=False, position_at__isnull=False
        ).exclude(pk__in=busy)
    )
    homes = _homes([u.pk for u in idle]) if idle else {}
    for unit in idle:
        home = homes.get(unit.pk)
        if home is None:
            continue
        east, north = _metres(unit.lat, unit.lon, *home)
        if math.hypot(east, north) <= HOME_RADIUS_M:
            continue
        lat, lon, _ = step_toward(unit.lat, unit.lon, *home, RETURN_SPEED_MPS * sim_seconds)
        unit_position_set(unit=unit, lat=lat, lon=lon, at=now, actor=actor)
        report.returning += 1
    return report.as_dict()


def _assignment_step(*, a, unit, call, now, sim_seconds, time_scale, actor, report) -> None:
    if call.lat is None or call.lon is None or unit.lat is None:
        return
    since_assigned = (now - a.assigned_at).total_seconds() * time_scale
    if a.acknowledged_at is None:
        if since_assigned < ACK_AFTER_SECONDS:
            return
        assignment_acknowledge(assignment=a, actor=actor)
        report.acknowledged += 1
    if unit.status == Unit.Status.DISPATCHED:
        if unit.position_at is None:  # its post, the point it drives home to after the call
            unit_position_set(
                unit=unit, lat=unit.lat, lon=unit.lon, at=now - dt.timedelta(seconds=1), actor=actor
            )
        unit = unit_status_change(unit=unit, status=Unit.Status.EN_ROUTE, actor=actor)
    if unit.status == Unit.Status.EN_ROUTE:
        lat, lon, arrived = step_toward(unit.lat, unit.lon, call.lat, call.lon, DRIVE_SPEED_MPS * sim_seconds)
        unit_position_set(unit=unit, lat=lat, lon=lon, at=now, actor=actor)
        report.moved += 1
        if arrived:
            unit_status_change(unit=unit, status=Unit.Status.ON_SCENE, actor=actor)
            report.arrived += 1
    elif unit.status == Unit.Status.ON_SCENE and a.on_scene_at is not None:
        scene = random.Random(a.pk).uniform(*SCENE_SECONDS)  # the same draw every step
        if (now - a.on_scene_at).total_seconds() * time_scale >= scene:
            assignment_clear(
                assignment=a, actor=actor, disposition=DISPOSITION.get(unit.agency_id, "K"),
                reason="demo: cleared by the simulation",
            )  # fmt: skip
            report.cleared += 1
