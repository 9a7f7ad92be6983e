"""City geography: zone polygons from GeoJSON, the approximate Albuquerque area commands, and
point-in-zone lookup. Pure functions over shapely geometries; no ORM here."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely import STRtree
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.validation import explain_validity, make_valid

# A copy of ../shared/data lives in the repository: CI and fresh machines clone the repository
# alone, and a demo must not depend on a folder beside the checkout.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def shared_data_dir() -> Path:
    """The real public-safety data (`data/` in the repository), or ACS_DATA_DIR from the environment."""
    import os

    return Path(os.environ.get("ACS_DATA_DIR", DATA_DIR))


class GeometryError(ValueError):
    """A feature whose geometry cannot be used as a zone."""


@dataclass(frozen=True)
class ZoneShape:
    name: str
    geometry: dict[str, Any]  # GeoJSON
    parent: str = ""
    approximate: bool = False
    source: str = ""


def polygon_from_geojson(
    geometry: dict[str, Any], *, label: str, repair: bool = False
) -> Polygon | MultiPolygon:
    """A valid (Multi)Polygon from a GeoJSON geometry, or GeometryError saying what is wrong.

    `repair` mends self-intersections (shapely.make_valid) instead of refusing them: right for a
    display-only layer digitised by hand, wrong for service zones, where a mended bow-tie could
    silently move calls into the wrong zone.
    """
    try:
        geom = shape(geometry)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise GeometryError(f"{label}: not a GeoJSON geometry ({exc})") from exc
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise GeometryError(f"{label}: a zone must be a Polygon or MultiPolygon, not {geom.geom_type}")
    if geom.is_empty:
        raise GeometryError(f"{label}: the polygon is empty")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError(f"{label}: coordinates are not lon/lat degrees (WGS84)")
    if not geom.is_valid:
        if not repair:
            raise GeometryError(f"{label}: invalid polygon ({explain_validity(geom)})")
        geom = _polygonal(make_valid(geom))
        if geom is None:
            raise GeometryError(f"{label}: invalid polygon that cannot be repaired")
    return geom


def _polygonal(geom) -> Polygon | MultiPolygon | None:
    """The polygon parts of a geometry make_valid returned (it may add stray lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return _union(parts) if parts else None


def zones_from_geojson(
    data: dict[str, Any], *, name_field: str, parent_field: str = "", source: str = "", repair: bool = False
) -> list[ZoneShape]:
    """Zones from a FeatureCollection; features with the same name are merged into one zone."""
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise GeometryError("the file is not a GeoJSON FeatureCollection")
    merged: dict[str, list] = {}
    parents: dict[str, str] = {}
    for index, feature in enumerate(data["features"]):
        props = feature.get("properties") or {}
        if name_field not in props or props[name_field] in (None, ""):
            raise GeometryError(f"feature {index}: no {name_field!r} property")
        name = str(props[name_field]).strip()
        geom = polygon_from_geojson(
            feature.get("geometry") or {}, label=f"feature {index} ({name})", repair=repair
        )
        merged.setdefault(name, []).append(geom)
        if parent_field:
            parents[name] = str(props.get(parent_field) or "")
    zones = []
    for name, parts in merged.items():
        geom = parts[0] if len(parts) == 1 else _union(parts)
        zones.append(
            ZoneShape(name=name, geometry=mapping(geom), parent=parents.get(name, ""), source=source)
        )
    return zones


def _union(parts: Iterable) -> Polygon | MultiPolygon:
    from shapely.ops import unary_union

    return unary_union(list(parts))


# Approximate lines of Albuquerque (lon, lat), north to south or west to east. Drawn from
# memory of the city map to within a few hundred metres: good enough to place a demo call in
# the right area command, not for real dispatch. The city's real files replace them via
# `manage.py import_zones`.
_RIO_GRANDE = [
    (-106.600, 35.300),
    (-106.628, 35.200),
    (-106.648, 35.170),
    (-106.665, 35.145),
    (-106.680, 35.100),
    (-106.682, 35.085),
    (-106.675, 35.070),
    (-106.668, 35.030),
    (-106.680, 34.980),
    (-106.700, 34.900),
]
_I25 = [
    (-106.560, 35.300),
    (-106.585, 35.200),
    (-106.595, 35.160),
    (-106.605, 35.130),
    (-106.625, 35.105),
    (-106.635, 35.060),
    (-106.642, 35.020),
    (-106.670, 34.950),
    (-106.690, 34.900),
]
_I40 = [
    (-107.000, 35.040),
    (-106.780, 35.065),
    (-106.730, 35.075),
    (-106.700, 35.080),
    (-106.680, 35.085),
    (-106.650, 35.095),
    (-106.625, 35.105),
    (-106.585, 35.105),
    (-106.531, 35.103),
    (-106.490, 35.090),
    (-106.300, 35.070),
]
_SAN_MATEO_LON = -106.586
_EUBANK_LON = -106.531
_WEST, _EAST, _SOUTH, _NORTH = -107.0, -106.3, 34.85, 35.35


def _west_of(line: list[tuple[float, float]]) -> Polygon:
    """The region west of a north-to-south polyline, within the bounding box."""
    return Polygon([*line, (_WEST, _SOUTH), (_WEST, _NORTH)]).buffer(0)


def _north_of(line: list[tuple[float, float]]) -> Polygon:
    """The region north of a west-to-east polyline, within the bounding box."""
    return Polygon([*line, (_EAST, _NORTH), (_WEST, _NORTH)]).buffer(0)


def _west_of_lon(lon: float) -> Polygon:
    return Polygon([(_WEST, _SOUTH), (lon, _SOUTH), (lon, _NORTH), (_WEST, _NORTH)])


def albuquerque_area_commands(city_limits: Polygon | MultiPolygon) -> list[ZoneShape]:
    """Seven approximate APD area commands cut from the real city limits along I-25, I-40,
    the Rio Grande, San Mateo Blvd and Eubank Blvd."""
    river_w = _west_of(_RIO_GRANDE)
    i25_w = _west_of(_I25)
    i40_n = _north_of(_I40)
    san_mateo_w = _west_of_lon(_SAN_MATEO_LON)
    eubank_w = _west_of_lon(_EUBANK_LON)
    east_of_i25 = city_limits.difference(i25_w).difference(river_w)
    pieces = {
        "Northwest": city_limits.intersection(river_w).intersection(i40_n),
        "Southwest": city_limits.intersection(river_w).difference(i40_n),
        "Valley": city_limits.intersection(i25_w).difference(river_w),
        "Northeast": east_of_i25.intersection(i40_n).intersection(eubank_w),
        "Foothills": east_of_i25.difference(eubank_w),
        "University": east_of_i25.difference(i40_n).intersection(san_mateo_w),
        "Southeast": east_of_i25.difference(i40_n).difference(san_mateo_w).intersection(eubank_w),
    }
    source = "approximate: cut from US Census city limits along I-25, I-40, Rio Grande, San Mateo, Eubank"
    return [
        ZoneShape(name=name, geometry=mapping(geom), approximate=True, source=source)
        for name, geom in pieces.items()
        if not geom.is_empty
    ]


class ZoneIndex:
    """Point-in-zone lookup over a fixed set of zones (STRtree over their polygons)."""

    def __init__(self, zones: Iterable[tuple[int, dict[str, Any]]]) -> None:
        items = list(zones)
        self.ids = [zone_id for zone_id, _ in items]
        self.geoms = [shape(geom) for _, geom in items]
        self.tree = STRtree(self.geoms) if self.geoms else None

    def zone_at(self, *, lat: float, lon: float) -> int | None:
        """The id of the zone containing the point, or None outside every zone."""
        if self.tree is None:
            return None
        point = Point(lon, lat)
        for index in self.tree.query(point, predicate="intersects"):
            return self.ids[int(index)]
        return None


def point_inside(geometry: dict[str, Any], rng: random.Random) -> tuple[float, float]:
    """A random point inside a GeoJSON polygon, as (lat, lon): demo units, replayed calls."""
    geom = shape(geometry)
    minx, miny, maxx, maxy = geom.bounds
    for _ in range(1000):
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if geom.contains(p):
            return p.y, p.x
    p = geom.representative_point()  # a sliver that random draws keep missing
    return p.y, p.x


def read_geojson(path: Path) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise GeometryError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
