"""POST /api/v1/calls takes the caller's language and whether an interpreter is needed."""

from __future__ import annotations

import pytest

from calls.models import Call, CallerLanguage
from live.models import Event

URL = "/api/v1/calls"


def field_errors(response) -> dict:
    """The errors by field name, in the problem+json body or DRF's plain one."""
    body = response.json()
    return body.get("errors", body)


CALL = {"call_type": "5150", "narrative": "mi hermano no está bien", "lat": 35.0844, "lon": -106.6504}


@pytest.fixture
def ready(zones, call_types, rules, dispositions):
    return None


def test_it_stores_the_callers_language_and_the_interpreter_flag(ready, api_as, carla):
    response = api_as(carla).post(
        URL, {**CALL, "caller_language": "es", "interpreter_needed": True}, format="json"
    )

    assert response.status_code == 201
    call = Call.objects.get(pk=response.json()["id"])
    assert call.caller_language == CallerLanguage.SPANISH
    assert call.interpreter_needed is True


def test_it_leaves_the_language_unknown_when_not_given(ready, api_as, carla):
    response = api_as(carla).post(URL, CALL, format="json")

    assert response.status_code == 201
    call = Call.objects.get(pk=response.json()["id"])
    assert call.caller_language == ""
    assert call.interpreter_needed is False


def test_it_refuses_an_unknown_language_with_a_field_error(ready, api_as, carla):
    response = api_as(carla).post(URL, {**CALL, "caller_language": "klingon"}, format="json")

    assert response.status_code == 400
    assert "caller_language" in field_errors(response)
    assert Call.objects.count() == 0


def test_it_refuses_a_bad_interpreter_flag_with_a_field_error(ready, api_as, carla):
    response = api_as(carla).post(URL, {**CALL, "interpreter_needed": "perhaps"}, format="json")

    assert response.status_code == 400
    assert "interpreter_needed" in field_errors(response)


def test_it_shows_the_language_in_the_call_detail_and_the_created_event(ready, api_as, carla, dana):
    response = api_as(carla).post(
        URL, {**CALL, "caller_language": "vi", "interpreter_needed": True}, format="json"
    )
    call_id = response.json()["id"]

    detail = api_as(dana).get(f"{URL}/{call_id}").json()

    assert detail["caller_language"] == "vi"
    assert detail["interpreter_needed"] is True
    created = Event.objects.get(call_id=call_id, kind="call.created")
    assert created.data["call"]["caller_language"] == "vi"
    assert created.data["call"]["interpreter_needed"] is True


def test_it_refuses_otto(ready, api_as, otto):
    response = api_as(otto).post(URL, {**CALL, "caller_language": "es"}, format="json")

    assert response.status_code == 403
    assert Call.objects.count() == 0
