"""Reads of the responders app: zones, units and recommendations."""

from __future__ import annotations

import threading

from responders.geography import ZoneIndex
from responders.models import Zone

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
