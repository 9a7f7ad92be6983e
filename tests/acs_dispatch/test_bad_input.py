"""Bad input that used to give 500: deep JSON, NUL in text, control characters in the path."""

from __future__ import annotations

import pytest

from calls.models import Call


def test_it_answers_deeply_nested_json_with_400_even_anonymously(client, api_as, carla):
    body = "[" * 5000 + "]" * 5000
    anonymous = client.post("/api/v1/auth/token", body, content_type="application/json")
    signed_in = api_as(carla).post("/api/v1/calls", body, content_type="application/json")

    for response in (anonymous, signed_in):
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert "nested deeper" in response.json()["detail"]


def test_it_refuses_a_nul_in_a_text_field_and_saves_nothing(api_as, carla):
    response = api_as(carla).post(
        "/api/v1/calls", '{"narrative": "man\\u0000 asleep"}', content_type="application/json"
    )

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert Call.objects.count() == 0


@pytest.mark.parametrize("path", ["/api/v1/units/APD%00X/status", "/api/v1/units/A%01B/positions"])
def test_it_refuses_a_control_character_in_the_path(client, db, path):
    response = client.post(path, "{}", content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_it_still_takes_ordinary_json(api_as, carla):
    response = api_as(carla).post(
        "/api/v1/calls", {"narrative": "woman talking to herself, calm, no weapons"}, format="json"
    )
    assert response.status_code == 201
