"""Reads of the geocoder: the in-memory index built once per process from the database, forward and
reverse geocoding with the zone of each point, and centerlines for the map."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from shapely import STRtree
from shapely.geometry import LineString, box

from responders.geocoding import GeocodeIndex, street_label
from responders.models import AddressPoint, Place, StreetSegment, Zone
from responders.selectors import zone_index_get

_geocoder: GeocodeIndex | None = None
_geocoder_built_at = 0.0
_geocoder_lock = threading.Lock()
_streets_layer: tuple[STRtree, list[dict[str, Any]], np.ndarray] | None = None


def geocoder_clear() -> None:
    """Forget the index (after an import or a gazetteer edit); the next lookup rebuilds it."""
    global _geocoder, _streets_layer
    with _geocoder_lock:
        _geocoder = None
        _streets_layer = None


def geocoder_get() -> GeocodeIndex:
    """The process's geocoder, rebuilt after geocoder_clear() or when older than
    GEOCODER_INDEX_TTL seconds (an import or an admin edit in another process shows up then)."""
    global _geocoder, _geocoder_built_at
    ttl = getattr(settings, "GEOCODER_INDEX_TTL", 600)
    current = _geocoder
    if current is not None and time.monotonic() - _geocoder_built_at < ttl:
        return current
    with _geocoder_lock:
        if _geocoder is None or time.monotonic() - _geocoder_built_at >= ttl:
            _geocoder = GeocodeIndex(
                addresses=AddressPoint.objects.values_list(
                    "add_number", "add_num_suf", "st_predir", "st_name", "st_postyp", "st_posdir", "lat", "lon"
                ).iterator(chunk_size=20_000),
                segments=StreetSegment.objects.values_list(
                    "st_predir", "st_name", "st_postyp", "st_posdir", "from_addr_l", "to_addr_l",
                    "from_addr_r", "to_addr_r", "parity_l", "parity_r", "geometry",
                ).iterator(chunk_size=20_000),
                places=Place.objects.filter(active=True).values_list(
                    "name", "aliases", "kind", "lat", "lon", "address"
                ),
                lat0=getattr(settings, "CITY_LAT", 35.08),
            )  # fmt: skip
            _geocoder_built_at = time.monotonic()
        return _geocoder


_zone_names_cache: tuple[Any, dict[int, str]] | None = None


def _zone_names() -> dict[int, str]:
    """Service zone names by id, read again whenever the zone index was rebuilt (zones changed)."""
    global _zone_names_cache
    index = zone_index_get()
    cached = _zone_names_cache
    if cached is None or cached[0] is not index:  # the index object itself: an id() could be reused
        cached = (index, dict(Zone.objects.filter(kind=Zone.Kind.SERVICE).values_list("id", "name")))
        _zone_names_cache = cached
    return cached[1]


def geocode_search(*, q: str, limit: int = 8) -> list[dict[str, Any]]:
    """Ranked candidates for an address, intersection or place name, each with its service zone
    (None outside the service area)."""
    candidates = geocoder_get().search(q, limit=limit)
    zones = zone_index_get()
    names = _zone_names() if candidates else {}
    results = []
    for c in candidates:
        zone_id = zones.zone_at(lat=c.lat, lon=c.lon)
        results.append({**c.as_dict(), "zone": names.get(zone_id) if zone_id else None, "zone_id": zone_id})
    return results


def geocode_best(*, q: str) -> dict[str, Any] | None:
    """The one point to place a call at from its address text, or None when nothing fits well
    enough to dispatch on (a fuzzy or partial match is for a call-taker to confirm, not to trust)."""
    results = geocode_search(q=q, limit=2)
    if not results:
        return None
    best = results[0]
    threshold = getattr(settings, "GEOCODE_AUTO_ACCEPT_SCORE", 0.75)
    return best if best["score"] >= threshold else None


def geocode_reverse(*, lat: float, lon: float) -> list[dict[str, Any]]:
    """What is at a point (a map pick, a unit's position): nearest address, intersection or
    interpolated address first, each with its zone."""
    found = geocoder_get().reverse(lat=lat, lon=lon)
    zone_id = zone_index_get().zone_at(lat=lat, lon=lon)
    zone = _zone_names().get(zone_id) if zone_id else None
    return [{**r, "zone": zone, "zone_id": zone_id} for r in found]


def _streets_layer_get() -> tuple[STRtree, list[dict[str, Any]], np.ndarray]:
    global _streets_layer
    layer = _streets_layer
    if layer is not None:
        return layer
    rows = list(
        StreetSegment.objects.values_list(
            "st_predir", "st_name", "st_postyp", "st_posdir", "road_class", "geometry"
        )
    )
    lines = [LineString(r[5]) for r in rows]
    features = [
        {
            "name": street_label(predir=r[0], name=r[1], postyp=r[2], posdir=r[3]),
            "class": r[4] or "Local",
        }
        for r in rows
    ]
    ranks = np.asarray(
        [0 if f["class"] == "Primary" else 1 if f["class"] == "Secondary" else 2 for f in features]
    )
    layer = (
        STRtree(lines) if lines else STRtree([]),
        [{"f": f, "g": g} for f, g in zip(features, lines, strict=True)],
        ranks,
    )
    _streets_layer = layer
    return layer


def streets_in_view(
    *, west: float, south: float, east: float, north: float, limit: int = 4000
) -> dict[str, Any]:
    """The centerlines inside a map view as a GeoJSON FeatureCollection, simplified to the view's
    scale; a wide view gets the major roads first (at most `limit` features)."""
    tree, items, ranks = _streets_layer_get()
    if not items:
        return {"type": "FeatureCollection", "features": [], "truncated": False}
    hits = tree.query(box(west, south, east, north))
    hits = hits[np.argsort(ranks[hits], kind="stable")]
    truncated = len(hits) > limit
    tolerance = max(east - west, north - south) / 2000
    features = []
    for i in hits[:limit].tolist():
        item = items[i]
        geom = shapely.simplify(item["g"], tolerance)
        features.append(
            {
                "type": "Feature",
                "properties": item["f"],
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[round(x, 5), round(y, 5)] for x, y in geom.coords],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features, "truncated": truncated}
