"""Reads of the responders app: zones, units and recommendations."""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from shapely import STRtree
from shapely.geometry import mapping, shape

from responders.geography import ZoneIndex
from responders.models import Agency, Unit, Zone

_zone_index: ZoneIndex | None = None
_zone_index_lock = threading.Lock()


def zone_index_clear() -> None:
    """Forget the cached zone index (after zones change)."""
    global _zone_index
    with _zone_index_lock:
        _zone_index = None


def zone_index_get() -> ZoneIndex:
    """The point-in-zone index of the service zones, built once per process."""
    global _zone_index
    with _zone_index_lock:
        if _zone_index is None:
            zones = Zone.objects.filter(kind=Zone.Kind.SERVICE).values_list("id", "geometry")
            _zone_index = ZoneIndex(zones)
        return _zone_index


def zone_at(*, lat: float, lon: float) -> Zone | None:
    """The service zone containing the point, or None when it is outside the service area."""
    zone_id = zone_index_get().zone_at(lat=lat, lon=lon)
    return Zone.objects.get(pk=zone_id) if zone_id is not None else None


# --- units ---------------------------------------------------------------------------


def units_list(*, agency: str | None = None, status: str | None = None) -> QuerySet[Unit]:
    """Every unit with its home zone, by agency then call sign."""
    units = Unit.objects.select_related("home_zone", "agency")
    if agency:
        units = units.filter(agency_id=agency)
    if status:
        units = units.filter(status=status)
    return units.order_by("agency_id", "call_sign")


def unit_get(*, call_sign: str) -> Unit | None:
    return Unit.objects.select_related("home_zone").filter(call_sign__iexact=call_sign).first()


# --- recommendation ------------------------------------------------------------------------------------

# Rough ETA: road distance is ~1.4x the straight line; urban emergency driving averages ~40 km/h.
ROAD_FACTOR = 1.4
SPEED_M_PER_S = 40_000 / 3600
# A unit in the call's own zone is ranked as if it were 20% closer: it knows the area and stays
# in its zone, but a much nearer unit from next door still comes first.
ZONE_PREFERENCE = 0.8
# A process-local index rebuilt when a unit changes here; the TTL bounds staleness for changes
# made by another process (recommendations are advisory: unit_assign re-checks under a lock).
UNITS_INDEX_TTL_S = 2.0
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class _AgencyIndex:
    ids: np.ndarray
    call_signs: list[str]
    capabilities: list[frozenset[str]]
    zone_ids: np.ndarray
    xy: np.ndarray  # metres on the local projection
    tree: STRtree | None
    # AVL (issue 13): a position never reported or older than AVL_STALE_SECONDS ranks after fresh ones.
    stale: np.ndarray | None = None
    position_at: list | None = None


@dataclass
class _UnitsIndex:
    built_at: float
    lat0: float
    agencies: dict[str, _AgencyIndex] = field(default_factory=dict)
    filtered: dict[tuple[str, frozenset[str]], _AgencyIndex] = field(default_factory=dict)

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        """Equirectangular projection around the index's latitude: metres, < 0.1% error across a city."""
        k = math.pi / 180 * EARTH_RADIUS_M
        return lon * k * math.cos(math.radians(self.lat0)), lat * k

    def for_agency(self, agency: str, needed: frozenset[str]) -> _AgencyIndex | None:
        """The available units of an agency holding every capability in `needed` (cached)."""
        base = self.agencies.get(agency)
        if base is None or not needed:
            return base
        key = (agency, needed)
        if key not in self.filtered:
            keep = [i for i, caps in enumerate(base.capabilities) if needed <= caps]
            self.filtered[key] = _agency_index(
                ids=base.ids[keep],
                call_signs=[base.call_signs[i] for i in keep],
                capabilities=[base.capabilities[i] for i in keep],
                zone_ids=base.zone_ids[keep],
                xy=base.xy[keep],
                stale=base.stale[keep] if base.stale is not None else None,
                position_at=[base.position_at[i] for i in keep] if base.position_at is not None else None,
            )
        return self.filtered[key]


def _agency_index(
    *, ids, call_signs, capabilities, zone_ids, xy, stale=None, position_at=None
) -> _AgencyIndex:
    tree = STRtree(shapely.points(xy)) if len(ids) else None
    return _AgencyIndex(
        stale=np.asarray(stale if stale is not None else [False] * len(ids), dtype=bool),
        position_at=list(position_at) if position_at is not None else [None] * len(ids),
        ids=np.asarray(ids, dtype=np.int64),
        call_signs=call_signs,
        capabilities=capabilities,
        zone_ids=np.asarray(zone_ids, dtype=np.int64),
        xy=np.asarray(xy, dtype=float).reshape(-1, 2),
        tree=tree,
    )


_units_index: _UnitsIndex | None = None
_units_index_lock = threading.Lock()


def units_index_clear() -> None:
    """Forget the index of available units (after a unit changes status, position or roster)."""
    global _units_index
    with _units_index_lock:
        _units_index = None


def _units_index_build() -> _UnitsIndex:
    rows = list(
        Unit.objects.filter(status=Unit.Status.AVAILABLE, lat__isnull=False, lon__isnull=False).values_list(
            "id", "call_sign", "agency_id", "capabilities", "home_zone_id", "lat", "lon", "position_at"
        )
    )
    fresh_after = timezone.now() - dt.timedelta(seconds=settings.AVL_STALE_SECONDS)
    lat0 = sum(r[5] for r in rows) / len(rows) if rows else 35.08
    index = _UnitsIndex(built_at=time.monotonic(), lat0=lat0)
    by_agency: dict[str, list] = {}
    for row in rows:
        by_agency.setdefault(row[2], []).append(row)
    for agency, group in by_agency.items():
        index.agencies[agency] = _agency_index(
            ids=[r[0] for r in group],
            call_signs=[r[1] for r in group],
            capabilities=[frozenset(r[3] or []) for r in group],
            zone_ids=[r[4] or 0 for r in group],
            xy=[index.project(r[5], r[6]) for r in group],
            stale=[r[7] is None or r[7] < fresh_after for r in group],
            position_at=[r[7] for r in group],
        )
    return index


def units_index_get() -> _UnitsIndex:
    """The index of available units per agency, rebuilt after a change or when older than the TTL."""
    global _units_index
    current = _units_index
    if current is not None and time.monotonic() - current.built_at < UNITS_INDEX_TTL_S:
        return current
    with _units_index_lock:
        if _units_index is None or time.monotonic() - _units_index.built_at >= UNITS_INDEX_TTL_S:
            _units_index = _units_index_build()
        return _units_index


def units_nearest(
    *,
    agency: str,
    lat: float,
    lon: float,
    needed: frozenset[str] = frozenset(),
    zone_id: int | None = None,
    limit: int = 3,
) -> list[dict[str, Any]]:
    """The nearest available units of an agency with every capability in `needed`, best first.

    Each: unit id, call sign, capabilities, distance_m, eta_min, in_zone. The STRtree finds the
    nearest unit; every unit within a radius that must hold the best `limit` is then ranked exactly.
    """
    index = units_index_get()
    group = index.for_agency(agency, needed)
    if group is None or group.tree is None:
        return []
    x, y = index.project(lat, lon)
    point = shapely.Point(x, y)
    mixed = group.stale is not None and group.stale.any() and not group.stale.all()
    if mixed:
        # Fresh positions rank before stale ones, however near: every unit is a candidate.
        candidates = np.arange(len(group.ids))
    else:
        _, nearest_distance = group.tree.query_nearest(point, return_distance=True)
        radius = max(float(nearest_distance[0]) * 2.0, 2_000.0)
        while True:
            candidates = group.tree.query(point, predicate="dwithin", distance=radius)
            if len(candidates) >= limit or len(candidates) == len(group.ids):
                break
            radius *= 2
    dxy = group.xy[candidates] - (x, y)
    distances = np.hypot(dxy[:, 0], dxy[:, 1])
    in_zone = group.zone_ids[candidates] == (zone_id or -1)
    scores = np.where(in_zone, distances * ZONE_PREFERENCE, distances)
    stale = group.stale[candidates] if group.stale is not None else np.zeros(len(candidates), dtype=bool)
    order = np.lexsort((scores, stale))[:limit]
    ranked = []
    for i in order:
        c = int(candidates[i])
        distance = float(distances[i])
        ranked.append(
            {
                "unit_id": int(group.ids[c]),
                "call_sign": group.call_signs[c],
                "agency": agency,
                "capabilities": sorted(group.capabilities[c]),
                "distance_m": round(distance),
                "eta_min": max(1, round(distance * ROAD_FACTOR / SPEED_M_PER_S / 60)),
                "in_zone": bool(in_zone[i]),
                "fallback": False,
                "preference": "",
                "position_stale": bool(stale[i]),
                "position_at": group.position_at[c].isoformat()
                if group.position_at and group.position_at[c]
                else None,
            }
        )
    return ranked


MENTAL_HEALTH_WORDS = ("mental", "suicid", "crisis", "5150", "psych", "behavior")
MEDICAL_GUARDS = ("medical",)


def capabilities_needed(*, call: Any) -> dict[str, frozenset[str]]:
    """The capabilities each agency's unit needs on this call: behavioral health for an ACS
    mental-health call, ALS for a medical emergency."""
    text = " ".join(
        [call.call_type.name if call.call_type_id else "", *[str(r) for r in call.triage_reasons]]
    ).lower()
    needed: dict[str, frozenset[str]] = {}
    if any(word in text for word in MENTAL_HEALTH_WORDS):
        needed[Agency.Code.ACS] = frozenset({Unit.Capability.BEHAVIORAL_HEALTH.value})
    medical = call.medical == "YES" or any(
        any(word in str(g).lower() for word in MEDICAL_GUARDS) for g in call.triage_guards
    )
    if medical:
        needed[Agency.Code.FIRE_EMS] = frozenset({Unit.Capability.ALS.value})
    return needed


AGENCY_LABELS = {
    Agency.Code.POLICE: "police",
    Agency.Code.FIRE_EMS: "fire/EMS",
    Agency.Code.ACS: Agency.Code.ACS,
}

# calls.models.CallerLanguage.SPANISH: responders may not import calls, so the code is repeated here
# (tests/responders/selectors/test_units_recommend_spanish.py ties the two).
SPANISH_CALLER_LANGUAGE = "es"
# A Spanish-speaking crew is ranked first for a Spanish-speaking caller when it is at most this much
# farther than the nearest suitable unit: 2 km, about 4 minutes more at the modelled speed. A fixed
# margin rather than a ratio (1.5x of a 10 km drive would be 5 km more): the delay stays bounded,
# and beyond it the nearest unit still comes first, with a phone interpreter.
SPANISH_PREFERENCE_EXTRA_M = 2_000


def _units_spanish_first(
    *, units: list[dict[str, Any]], agency: str, call: Any, needs: frozenset[str], limit: int
) -> list[dict[str, Any]]:
    """`units` (nearest first) with the nearest Spanish-speaking one moved to the front, marked
    "speaks Spanish", when it is within SPANISH_PREFERENCE_EXTRA_M of the nearest unit."""
    spanish = Unit.Capability.SPANISH.value
    candidate = next((u for u in units if spanish in u["capabilities"]), None)
    if candidate is None:
        found = units_nearest(
            agency=agency,
            lat=call.lat,
            lon=call.lon,
            needed=needs | {spanish},
            zone_id=call.zone_id,
            limit=1,
        )
        candidate = found[0] if found else None
    if candidate is None or candidate["distance_m"] > units[0]["distance_m"] + SPANISH_PREFERENCE_EXTRA_M:
        return units
    candidate["preference"] = "speaks Spanish"
    others = [u for u in units if u["unit_id"] != candidate["unit_id"]]
    return [candidate, *others][:limit]


def units_recommend(*, call: Any, on_call: dict[str, str], limit: int = 3) -> list[dict[str, Any]]:
    """For each agency on the call, the nearest available suitable units, or a plain statement that
    none is free with the fallback (a CIT-trained police unit for ACS) or the agency's queue. For a
    Spanish-speaking caller a Spanish-speaking unit not much farther comes first (SPANISH_PREFERENCE_EXTRA_M).

    Advisory only: never assigns. Agencies already covered by a unit on the call (`on_call`: agency ->
    call sign, given by calls.selectors.call_units_recommend) are reported as such.
    """
    needed = capabilities_needed(call=call)
    result = []
    for agency in call.agencies:
        needs = needed.get(agency, frozenset())
        entry: dict[str, Any] = {
            "agency": agency,
            "needs": sorted(needs),
            "units": [],
            "fallback": [],
            "covered_by": on_call.get(agency),
            "message": "",
        }
        result.append(entry)
        if agency in on_call:
            entry["message"] = (
                f"{on_call[agency]} is already on this call for {AGENCY_LABELS.get(agency, agency)}."
            )
            continue
        if call.lat is None or call.lon is None:
            entry["message"] = "The call has no point: recommendations need a location."
            continue
        entry["units"] = units_nearest(
            agency=agency, lat=call.lat, lon=call.lon, needed=needs, zone_id=call.zone_id, limit=limit
        )
        if entry["units"] and getattr(call, "caller_language", "") == SPANISH_CALLER_LANGUAGE:
            entry["units"] = _units_spanish_first(
                units=entry["units"], agency=agency, call=call, needs=needs, limit=limit
            )
        if entry["units"]:
            continue
        what = (
            AGENCY_LABELS.get(agency, agency)
            + " unit"
            + (f" with {', '.join(sorted(needs))}" if needs else "")
        )
        if agency == Agency.Code.ACS:
            fallback = units_nearest(
                agency=Agency.Code.POLICE,
                lat=call.lat,
                lon=call.lon,
                needed=frozenset({Unit.Capability.CIT.value}),
                zone_id=call.zone_id,
                limit=1,
            )
            for unit in fallback:
                unit["fallback"] = True
            entry["fallback"] = fallback
            entry["message"] = (
                f"No {what} is available. Fallback: the nearest crisis-intervention-trained police unit"
                if fallback
                else f"No {what} is available, and no CIT police unit either: the call waits in the ACS queue."
            )
        else:
            entry["message"] = (
                f"No {what} is available: the call waits in the {AGENCY_LABELS.get(agency, agency)} queue."
            )
    return result


def zones_outline(*, tolerance: float = 0.0005) -> list[dict[str, Any]]:
    """The service zones as simplified GeoJSON features (for small maps drawn without tiles)."""
    features = []
    for zone_id, name, geometry in Zone.objects.filter(kind=Zone.Kind.SERVICE).values_list(
        "id", "name", "geometry"
    ):
        simple = shape(geometry).simplify(tolerance, preserve_topology=True)
        features.append(
            {"type": "Feature", "properties": {"id": zone_id, "name": name}, "geometry": mapping(simple)}
        )
    return features
