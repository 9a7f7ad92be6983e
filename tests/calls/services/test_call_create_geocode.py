"""Intake places a call on its address text when no point is given (issue 13)."""

from __future__ import annotations

import pytest

from acs_dispatch.exceptions import InvalidTransition
from calls.models import Call
from calls.services import call_cancel, call_locate
from live.models import Event
from tests.responders.gis_support import CENTRAL_LAT, LOUISIANA_LON, geocoder_load


@pytest.fixture
def geodata(zones, tmp_path):
    geocoder_load(tmp_path)


def test_it_places_a_call_at_an_intersection_typed_as_its_address(make_call, geodata):
    call = make_call(address="Central & Louisiana", lat=None, lon=None)

    assert (call.lat, call.lon) == pytest.approx((CENTRAL_LAT, LOUISIANA_LON))
    assert call.zone.name == "Southeast"
    assert call.location_unverified is False and call.outside_service_area is False


def test_it_places_a_call_at_a_place_name(make_call, geodata):
    call = make_call(address="UNM Hospital", lat=None, lon=None)

    assert call.zone.name == "University" and not call.location_unverified


def test_it_keeps_and_flags_an_address_it_cannot_place(make_call, geodata):
    call = make_call(address="the blue house past the ditch", lat=None, lon=None)

    assert call.address == "the blue house past the ditch"
    assert (call.lat, call.lon, call.zone) == (None, None, None)
    assert call.location_unverified is True


def test_it_keeps_a_point_the_call_taker_gave_over_the_address(make_call, geodata):
    call = make_call(address="UNM Hospital", lat=35.0844, lon=-106.6504)

    assert (call.lat, call.lon) == (35.0844, -106.6504) and not call.location_unverified


def test_it_does_not_trust_a_weak_fuzzy_match(make_call, geodata, settings):
    settings.GEOCODE_AUTO_ACCEPT_SCORE = 0.75
    call = make_call(address="Lousiana & Centrl", lat=None, lon=None)  # scores ~0.7: confirm by hand

    assert call.location_unverified is True and call.lat is None


def test_it_places_a_flagged_call_by_a_map_pick(make_call, geodata, carla, capture_events):
    call = make_call(address="behind the Walgreens", lat=None, lon=None)

    with capture_events() as pushed:
        call_locate(call=call, lat=35.0905, lon=-106.5666, actor=carla)

    call.refresh_from_db()
    assert (call.lat, call.lon, call.location_unverified) == (35.0905, -106.5666, False)
    assert call.zone.name == "Southeast"  # south of I-40, east of San Mateo
    event = Event.objects.filter(kind="call.located", call_id=call.pk).get()
    assert event.data["before"] == {"lat": None, "lon": None, "zone": None}
    assert any(frame["kind"] == "call.located" for _, frame in pushed)


def test_it_refuses_to_move_an_ended_call(make_call, geodata, dana):
    call = make_call(address="behind the Walgreens", lat=None, lon=None)
    call_cancel(call=call, reason="caller hung up, no callback", actor=dana)

    with pytest.raises(InvalidTransition, match="its location is final"):
        call_locate(call=Call.objects.get(pk=call.pk), lat=35.09, lon=-106.57, actor=dana)


def test_the_api_geocodes_and_answers_the_point_and_zone(api_as, carla, geodata, call_types, rules):
    response = api_as(carla).post(
        "/api/v1/calls",
        {"narrative": "man sleeping in a doorway", "address": "Central Ave & Louisiana Blvd"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["zone"] == "Southeast" and body["location_unverified"] is False
    assert (body["lat"], body["lon"]) == pytest.approx((CENTRAL_LAT, LOUISIANA_LON))


@pytest.mark.parametrize(
    ("persona", "code"), [("carla", 200), ("dana", 200), ("riley", 403), ("otto", 403), (None, 401)]
)
def test_the_location_api_lets_call_takers_and_dispatchers_place_a_call(
    api_as, make_call, geodata, persona, code, request
):
    call = make_call(address="somewhere", lat=None, lon=None)
    user = request.getfixturevalue(persona) if persona else None

    response = api_as(user).post(
        f"/api/v1/calls/{call.pk}/location", {"lat": 35.0905, "lon": -106.5666}, format="json"
    )

    assert response.status_code == code
    if code == 200:
        assert response.json()["location_unverified"] is False and response.json()["zone"]
