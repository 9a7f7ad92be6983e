"""Writes of a call's location after intake (issue 13): a call whose address the geocoder could not
place is flagged location_unverified; a call-taker or dispatcher places it with a map pick."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from acs_dispatch.exceptions import InvalidTransition, ValidationFailed
from calls.models import OPEN_STATUSES, Call
from calls.services.calls import _call_event, _call_lock
from live.kinds import EventKind
from responders.selectors import zone_at


@transaction.atomic
def call_locate(*, call: Call, lat: float, lon: float, actor: Any, address: str | None = None) -> Call:
    """Place an open call at a point (a map pick): its zone follows, the unverified flag clears.
    Raises ValidationFailed for a point off the globe, InvalidTransition for a call already ended."""
    errors = {}
    if not -90 <= lat <= 90:
        errors["lat"] = ["Latitude must be between -90 and 90."]
    if not -180 <= lon <= 180:
        errors["lon"] = ["Longitude must be between -180 and 180."]
    if errors:
        raise ValidationFailed("The point is invalid.", errors=errors)
    call = _call_lock(call)
    if call.status not in OPEN_STATUSES:
        raise InvalidTransition(f"Call {call.number} is {call.get_status_display()}: its location is final.")
    before = {"lat": call.lat, "lon": call.lon, "zone": call.zone.name if call.zone_id else None}
    zone = zone_at(lat=lat, lon=lon)
    call.lat, call.lon, call.zone = lat, lon, zone
    call.outside_service_area = zone is None
    call.location_unverified = False
    fields = ["lat", "lon", "zone", "outside_service_area", "location_unverified"]
    if address is not None and address.strip():
        call.address = address.strip()[:200]
        fields.append("address")
    call.save(update_fields=fields)
    _call_event(kind=EventKind.CALL_LOCATED, call=call, actor=actor, before=before)
    return call
