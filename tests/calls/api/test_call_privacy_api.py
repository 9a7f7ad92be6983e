"""An ACS clinical note never reaches police, fire or dispatch through the API."""

from __future__ import annotations

import pytest

from calls.services import clinical_note_add
from tests.calls.support import assign

NOTE = "Diagnosed bipolar; stopped lithium two weeks ago."


@pytest.fixture
def noted_call(make_call, dana, riley, acs_12, apd_2a31, medic_12):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)
    assign(call, apd_2a31, dana)
    assign(call, medic_12, dana)
    clinical_note_add(call=call, text=NOTE, actor=riley)
    return call


@pytest.mark.parametrize("persona", ["pete", "mia", "dana", "carla"])
def test_it_keeps_the_note_out_of_every_non_acs_response(request, api_as, noted_call, persona):
    api = api_as(request.getfixturevalue(persona))

    responses = [
        api.get(f"/api/v1/calls/{noted_call.pk}"),
        api.get("/api/v1/calls"),
        api.get("/api/v1/events", {"after": 0}),
        api.get(f"/api/v1/calls/{noted_call.pk}/notes"),
    ]

    assert responses[0].status_code == 200
    assert "clinical_notes" not in responses[0].json()
    assert responses[3].status_code == 403
    for response in responses:
        assert NOTE not in response.content.decode()


@pytest.mark.parametrize("persona", ["riley", "sam", "ada"])
def test_it_shows_the_note_to_acs_roles_and_admins(request, api_as, noted_call, persona):
    api = api_as(request.getfixturevalue(persona))

    detail = api.get(f"/api/v1/calls/{noted_call.pk}").json()
    notes = api.get(f"/api/v1/calls/{noted_call.pk}/notes").json()

    assert [n["text"] for n in detail["clinical_notes"]] == [NOTE]
    assert [n["text"] for n in notes] == [NOTE]


def test_it_lets_the_acs_responder_on_the_call_add_a_note(api_as, make_call, dana, riley, acs_12):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)

    response = api_as(riley).post(f"/api/v1/calls/{call.pk}/notes", {"text": NOTE}, format="json")

    assert response.status_code == 201
    assert response.json()["author"] == "riley"


@pytest.mark.parametrize("persona", ["pete", "dana", "otto"])
def test_it_refuses_a_note_from_outside_acs(request, api_as, make_call, dana, apd_2a31, persona):
    call = make_call(call_type="5150")
    assign(call, apd_2a31, dana)

    response = api_as(request.getfixturevalue(persona)).post(f"/api/v1/calls/{call.pk}/notes", {"text": NOTE})

    assert response.status_code == 403


def test_it_hides_calls_a_responder_never_worked(api_as, make_call, pete):
    call = make_call(call_type="5150")

    assert api_as(pete).get(f"/api/v1/calls/{call.pk}").status_code == 404
