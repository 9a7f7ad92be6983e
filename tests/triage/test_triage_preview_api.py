"""POST /api/v1/triage/preview: the intake screen's check before saving (nothing is stored)."""

from __future__ import annotations

import pytest

from calls.models import Call

URL = "/api/v1/triage/preview"


def test_it_says_a_call_with_nothing_recognised_is_not_recognised(api_as, carla, published_rules):
    response = api_as(carla).post(URL, {"narrative": "qwerty zxcv"}, format="json")

    assert response.status_code == 200
    assert response.data["recognised"] is False
    assert response.data["agencies"] == ["POLICE"]
    assert Call.objects.count() == 0


def test_it_returns_the_signals_read_with_their_words(api_as, carla, published_rules):
    response = api_as(carla).post(URL, {"narrative": "brother is suicidal and has a gun"}, format="json")

    assert response.data["recognised"] is True
    assert response.data["lead"] == "POLICE"
    assert {"kind": "weapon", "state": "present", "words": "gun", "source": "narrative"} in response.data[
        "signals"
    ]


@pytest.mark.parametrize("persona", ["pete", "sam", "otto"])
def test_it_refuses_roles_that_do_not_take_calls(api_as, published_rules, request, persona):
    response = api_as(request.getfixturevalue(persona)).post(URL, {"narrative": "man down"}, format="json")

    assert response.status_code == 403


def test_it_refuses_the_anonymous_outsider(api_as, published_rules):
    response = api_as(None).post(URL, {"narrative": "man down"}, format="json")

    assert response.status_code in (401, 403)
