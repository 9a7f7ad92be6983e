"""POST /api/v1/caution-flags: a caution recorded at a place or phone shows with every later call there."""

from __future__ import annotations

import pytest

from live.models import Event


def test_it_records_a_caution_that_the_next_call_from_that_phone_shows(api_as, carla, dana):
    response = api_as(dana).post(
        "/api/v1/caution-flags",
        {"text": "Large dog on premises", "caller_phone": "(505) 555-0142"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["text"] == "Large dog on premises"
    history = api_as(carla).get("/api/v1/history", {"phone": "505-555-0142"}).json()
    assert [f["text"] for f in history["caution_flags"]] == ["Large dog on premises"]
    assert Event.objects.get(kind="caution_flag.added").actor_id == dana.pk


def test_it_needs_a_place_or_a_phone(api_as, dana):
    response = api_as(dana).post("/api/v1/caution-flags", {"text": "Prior weapon"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert body["status"] == 400 and "address" in body["errors"]
    assert not Event.objects.filter(kind="caution_flag.added").exists()


@pytest.mark.parametrize(("persona", "expected"), [("riley", 403), ("pete", 403), (None, 401)])
def test_it_refuses_responders_and_strangers(request, api_as, persona, expected):
    user = request.getfixturevalue(persona) if persona else None
    response = api_as(user).post(
        "/api/v1/caution-flags", {"text": "x", "address": "100 Central Ave SW"}, format="json"
    )
    assert response.status_code == expected
