from __future__ import annotations

import pytest

from tests.responders.gis_support import CENTRAL_LAT, LOUISIANA_LON, geocoder_load


def field_errors(response) -> dict:
    """The errors by field name, in the problem+json body or DRF's plain one."""
    body = response.json()
    return body.get("errors", body)


@pytest.fixture
def geodata(zones, tmp_path):
    geocoder_load(tmp_path)


@pytest.mark.parametrize("persona", ["carla", "dana"])
def test_it_gives_call_takers_and_dispatchers_ranked_candidates_with_their_zone(
    api_as, geodata, persona, request
):
    response = api_as(request.getfixturevalue(persona)).get("/api/v1/geocode", {"q": "Central & Louisiana"})

    assert response.status_code == 200
    best = response.json()["results"][0]
    assert {k: best[k] for k in ("kind", "zone")} == {"kind": "intersection", "zone": "Southeast"}
    assert (best["lat"], best["lon"]) == pytest.approx((CENTRAL_LAT, LOUISIANA_LON))
    assert best["label"].startswith("Central Ave SE & Louisiana Blvd")


def test_it_answers_places_and_addresses_in_the_contract_shape(api_as, carla, geodata):
    place = api_as(carla).get("/api/v1/geocode", {"q": "UNMH"}).json()["results"][0]
    address = (
        api_as(carla).get("/api/v1/geocode", {"q": "7810 central avenue southeast"}).json()["results"][0]
    )

    assert {"label", "lat", "lon", "zone", "kind"} <= set(place)
    assert (place["label"], place["kind"], place["zone"]) == ("UNM Hospital", "place", "University")
    assert (address["label"], address["kind"]) == ("7810 Central Ave SE", "address")


def test_it_answers_an_empty_list_for_what_it_cannot_place(api_as, carla, geodata):
    response = api_as(carla).get("/api/v1/geocode", {"q": "Nowhere Rd & Elsewhere"})

    assert response.status_code == 200 and response.json() == {"results": []}


def test_it_answers_400_naming_the_missing_query(api_as, carla, geodata):
    response = api_as(carla).get("/api/v1/geocode")

    assert response.status_code == 400
    assert "q" in field_errors(response)


@pytest.mark.parametrize(("persona", "code"), [("otto", 403), (None, 401)])
def test_it_refuses_outsiders(api_as, geodata, persona, code, request):
    user = request.getfixturevalue(persona) if persona else None

    assert api_as(user).get("/api/v1/geocode", {"q": "Central & Louisiana"}).status_code == code
    assert api_as(user).get("/api/v1/geocode/reverse", {"lat": 35.08, "lon": -106.6}).status_code == code
    assert api_as(user).get("/api/v1/streets", {"bbox": "-106.6,35.0,-106.5,35.1"}).status_code == code


def test_it_reverse_geocodes_a_map_pick(api_as, dana, geodata):
    response = api_as(dana).get("/api/v1/geocode/reverse", {"lat": 35.07773, "lon": -106.56591})

    best = response.json()["results"][0]
    assert (best["label"], best["kind"], best["zone"]) == ("7810 Central Ave SE", "address", "Southeast")


def test_it_refuses_a_reverse_point_off_the_globe(api_as, dana, geodata):
    response = api_as(dana).get("/api/v1/geocode/reverse", {"lat": 95, "lon": -106.5})

    assert response.status_code == 400 and "lat" in field_errors(response)


def test_it_serves_the_centerlines_inside_a_view(api_as, sam, geodata):
    inside = api_as(sam).get("/api/v1/streets", {"bbox": "-106.5700,35.0740,-106.5600,35.0820"}).json()
    away = api_as(sam).get("/api/v1/streets", {"bbox": "-106.0,35.5,-105.9,35.6"}).json()

    assert inside["type"] == "FeatureCollection" and len(inside["features"]) == 5
    assert {f["properties"]["name"] for f in inside["features"]} >= {"Central Ave SE", "Louisiana Blvd NE"}
    assert away["features"] == []


def test_it_refuses_a_bad_bbox(api_as, sam, geodata):
    response = api_as(sam).get("/api/v1/streets", {"bbox": "-106.5,35.1,-106.6,35.0"})

    assert response.status_code == 400 and "bbox" in field_errors(response)
