from __future__ import annotations

import pytest

from calls.models import Call
from calls.services import caution_flag_add
from tests.calls.support import assign


def test_it_overrides_the_triage_with_a_reason(api_as, make_call, dana):
    call = make_call(call_type="5150")

    response = api_as(dana).post(
        f"/api/v1/calls/{call.pk}/override",
        {"agencies": ["ACS", "POLICE"], "lead": "POLICE", "priority": 1, "reason": "Neighbour saw a gun"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["agencies"] == ["ACS", "POLICE"]
    assert body["overridden"] is True
    assert body["original_decision"]["agencies"] == ["ACS"]


def test_it_answers_an_override_without_a_reason_with_a_field_error(api_as, make_call, dana):
    call = make_call(call_type="5150")

    response = api_as(dana).post(
        f"/api/v1/calls/{call.pk}/override",
        {"agencies": ["POLICE"], "lead": "POLICE", "priority": 1},
        format="json",
    )

    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_it_closes_a_call_with_a_disposition(api_as, make_call, dana):
    call = make_call()

    response = api_as(dana).post(
        f"/api/v1/calls/{call.pk}/close", {"disposition": "K", "note": "gone on arrival"}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "CLOSED"
    assert response.json()["disposition"] == "K"


def test_it_answers_an_illegal_transition_with_409_and_the_current_state(api_as, make_call, dana):
    call = make_call()
    api_as(dana).post(f"/api/v1/calls/{call.pk}/cancel", {"reason": "caller hung up"})

    response = api_as(dana).post(f"/api/v1/calls/{call.pk}/close", {"disposition": "K"})

    assert response.status_code == 409
    assert response.json()["error"] == "invalid_transition"
    assert response.json()["current_status"] == "CANCELLED"
    assert "Cancelled" in response.json()["detail"]


def test_it_answers_an_unknown_disposition_with_a_field_error(api_as, make_call, dana):
    response = api_as(dana).post(f"/api/v1/calls/{make_call().pk}/close", {"disposition": "NOPE"})

    assert response.status_code == 400
    assert "disposition" in response.json()["errors"]


def test_it_marks_a_duplicate(api_as, make_call, dana):
    original, dup = make_call(), make_call()

    response = api_as(dana).post(f"/api/v1/calls/{dup.pk}/duplicate", {"of": original.pk})

    assert response.status_code == 200
    assert response.json()["status"] == "DUPLICATE"
    assert api_as(dana).post(f"/api/v1/calls/{dup.pk}/duplicate", {"of": 999999}).status_code == 400


@pytest.mark.parametrize("action", ["override", "close", "cancel", "duplicate"])
@pytest.mark.parametrize(("persona", "code"), [("carla", 403), ("pete", 403), ("otto", 403), (None, 401)])
def test_it_refuses_dispatcher_actions_to_other_roles(request, api_as, make_call, action, persona, code):
    call = make_call()
    user = request.getfixturevalue(persona) if persona else None

    response = api_as(user).post(f"/api/v1/calls/{call.pk}/{action}", {}, format="json")

    assert response.status_code == code
    call.refresh_from_db()
    assert call.status == Call.Status.PENDING


def test_it_takes_a_backup_request_from_the_responder_on_the_call(api_as, make_call, dana, riley, acs_12):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)

    response = api_as(riley).post(
        f"/api/v1/calls/{call.pk}/backup", {"agency": "POLICE", "reason": "escalating"}
    )

    assert response.status_code == 201
    assert api_as(dana).get(f"/api/v1/calls/{call.pk}").json()["agencies"] == ["ACS", "POLICE"]


def test_it_refuses_a_backup_request_from_a_dispatcher(api_as, make_call, dana):
    response = api_as(dana).post(f"/api/v1/calls/{make_call().pk}/backup", {"agency": "POLICE"})

    assert response.status_code == 403


def test_it_shows_the_history_of_a_call_and_of_a_call_being_typed(api_as, make_call, carla, dana):
    earlier = make_call(address="12 Elm St SE", caller_phone="5055550199")
    caution_flag_add(text="Dog on premises", address="12 Elm St SE", actor=dana)
    call = make_call(address="12 Elm St SE", caller_phone="")

    by_call = api_as(dana).get(f"/api/v1/calls/{call.pk}/history").json()
    typed = api_as(carla).get("/api/v1/history", {"phone": "(505) 555-0199"}).json()

    assert [c["id"] for c in by_call["calls"]] == [earlier.pk]
    assert [f["text"] for f in by_call["caution_flags"]] == ["Dog on premises"]
    assert [c["number"] for c in typed["calls"]] == [earlier.number]
    assert api_as(carla).get("/api/v1/history", {"lat": 95, "lon": 0}).status_code == 400


def test_it_lists_dispositions_with_the_acs_outcomes_first(api_as, dispositions, carla):
    body = api_as(carla).get("/api/v1/dispositions").json()

    assert body[0]["acs_outcome"] is True
    assert {"code": "ACS-988", "description": "ACS: transferred to 988", "acs_outcome": True} in body
    assert any(d["code"] == "A" for d in body)


def test_it_finds_call_types_by_code_and_name(api_as, call_types, carla):
    by_code = api_as(carla).get("/api/v1/call-types", {"q": "51"}).json()
    by_name = api_as(carla).get("/api/v1/call-types", {"q": "welfare"}).json()

    assert [t["code"] for t in by_code] == ["5150"]
    assert [t["code"] for t in by_name] == ["WELCK"]


def test_it_returns_events_after_an_id(api_as, make_call, dana):
    call = make_call()

    events = api_as(dana).get("/api/v1/events", {"after": 0}).json()
    later = api_as(dana).get("/api/v1/events", {"after": events[-1]["id"]}).json()

    assert [e["kind"] for e in events if e["call"] == call.pk] == ["call.created", "call.triaged"]
    assert later == []


@pytest.mark.parametrize(
    "url", ["/api/v1/events", "/api/v1/dispositions", "/api/v1/call-types", "/api/v1/calls"]
)
def test_it_refuses_reads_to_outsiders(api_as, otto, url):
    assert api_as(otto).get(url).status_code == 403
    assert api_as(None).get(url).status_code == 401
