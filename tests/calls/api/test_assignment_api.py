from __future__ import annotations

import pytest

from calls.models import Assignment, Call
from responders.models import Unit
from tests.calls.support import assign


def test_it_assigns_a_unit_and_answers_with_the_assignment_id(api_as, make_call, dana, acs_12):
    call = make_call(call_type="5150")

    response = api_as(dana).post(f"/api/v1/calls/{call.pk}/assignments", {"unit": "ACS-12"}, format="json")

    assert response.status_code == 201
    assert response.json()["id"] == Assignment.objects.get(call=call).pk
    assert api_as(dana).get(f"/api/v1/calls/{call.pk}").json()["status"] == "DISPATCHED"


def test_it_answers_409_for_a_busy_unit_and_changes_nothing(api_as, make_call, dana, acs_12):
    assign(make_call(call_type="5150"), acs_12, dana)
    call = make_call(call_type="5150")

    response = api_as(dana).post(f"/api/v1/calls/{call.pk}/assignments", {"unit": "ACS-12"}, format="json")

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "title": "Conflict",
        "status": 409,
        "error": "unit_unavailable",
        "detail": "ACS-12 is Dispatched",
        "unit_status": "DISPATCHED",
    }
    call.refresh_from_db()
    assert call.status == Call.Status.PENDING


def test_it_answers_an_unknown_call_sign_with_a_field_error(api_as, make_call, dana):
    response = api_as(dana).post(
        f"/api/v1/calls/{make_call().pk}/assignments", {"unit": "NOPE-1"}, format="json"
    )

    assert response.status_code == 400
    assert "unit" in response.json()["errors"]


@pytest.mark.parametrize(
    ("persona", "code"), [("carla", 403), ("riley", 403), ("sam", 403), ("otto", 403), (None, 401)]
)
def test_it_lets_only_dispatchers_assign(request, api_as, make_call, acs_12, persona, code):
    call = make_call(call_type="5150")
    user = request.getfixturevalue(persona) if persona else None

    response = api_as(user).post(f"/api/v1/calls/{call.pk}/assignments", {"unit": "ACS-12"}, format="json")

    assert response.status_code == code
    assert not Assignment.objects.exists()


def test_it_recommends_units_per_agency(api_as, make_call, dana, acs_12, apd_2a31):
    call = make_call(call_type="5150")

    response = api_as(dana).get(f"/api/v1/calls/{call.pk}/recommendations")

    assert response.status_code == 200
    (acs,) = response.json()
    assert acs["units"][0]["call_sign"] == "ACS-12"
    assert acs["units"][0]["distance_m"] >= 0
    assert api_as(None).get(f"/api/v1/calls/{call.pk}/recommendations").status_code == 401


def test_it_takes_the_responders_acknowledgement_and_status_changes(api_as, make_call, dana, riley, acs_12):
    call = make_call(call_type="5150")
    assignment = assign(call, acs_12, dana)
    api = api_as(riley)

    ack = api.post(f"/api/v1/assignments/{assignment.pk}/acknowledge")
    again = api.post(f"/api/v1/assignments/{assignment.pk}/acknowledge")
    en_route = api.post("/api/v1/units/ACS-12/status", {"status": "EN_ROUTE"})
    on_scene = api.post("/api/v1/units/acs-12/status", {"status": "ON_SCENE"})

    assert ack.status_code == 200
    assert again.json()["acknowledged_at"] == ack.json()["acknowledged_at"]
    assert en_route.json()["status"] == "EN_ROUTE"
    assert on_scene.json()["call_number"] == call.number
    call.refresh_from_db()
    assert call.status == Call.Status.ON_SCENE


def test_it_refuses_another_units_status_and_an_illegal_one(api_as, make_call, dana, pete, riley, acs_12):
    assign(make_call(call_type="5150"), acs_12, dana)

    other = api_as(pete).post("/api/v1/units/ACS-12/status", {"status": "EN_ROUTE"})
    illegal = api_as(riley).post("/api/v1/units/ACS-12/status", {"status": "TRANSPORTING"})
    unknown = api_as(riley).post("/api/v1/units/ACS-12/status", {"status": "NAPPING"})

    assert other.status_code == 403
    assert illegal.status_code == 409
    assert illegal.json()["current_status"] == "DISPATCHED"
    assert unknown.status_code == 400
    acs_12.refresh_from_db()
    assert acs_12.status == Unit.Status.DISPATCHED


def test_it_clears_the_last_unit_with_a_disposition_and_closes_the_call(
    api_as, make_call, dana, riley, acs_12
):
    call = make_call(call_type="5150")
    assignment = assign(call, acs_12, dana)

    response = api_as(riley).post(f"/api/v1/assignments/{assignment.pk}/clear", {"disposition": "ACS-RA"})

    assert response.status_code == 200
    call.refresh_from_db()
    assert call.status == Call.Status.CLOSED


def test_it_unassigns_with_a_reason_for_dispatchers_only(api_as, make_call, dana, riley, acs_12):
    call = make_call(call_type="5150")
    assignment = assign(call, acs_12, dana)

    refused = api_as(riley).post(f"/api/v1/assignments/{assignment.pk}/unassign", {"reason": "x"})
    no_reason = api_as(dana).post(f"/api/v1/assignments/{assignment.pk}/unassign", {})
    done = api_as(dana).post(f"/api/v1/assignments/{assignment.pk}/unassign", {"reason": "closer unit"})

    assert refused.status_code == 403
    assert no_reason.status_code == 400
    assert done.status_code == 200
    call.refresh_from_db()
    assert call.status == Call.Status.PENDING


def test_it_reassigns_to_another_unit(api_as, make_call, dana, acs_12, zones):
    from tests.conftest import _unit

    _unit("ACS-13", "ACS", ["behavioral_health"], zones["Valley"], 35.08, -106.65)
    assignment = assign(make_call(call_type="5150"), acs_12, dana)

    response = api_as(dana).post(
        f"/api/v1/assignments/{assignment.pk}/reassign", {"unit": "ACS-13", "reason": "ACS-12 broke down"}
    )

    assert response.status_code == 201
    assert response.json()["unit"] == "ACS-13"


def test_it_lists_units_with_their_calls(api_as, make_call, dana, acs_12, apd_2a31):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)

    units = {u["call_sign"]: u for u in api_as(dana).get("/api/v1/units").json()}
    acs_only = api_as(dana).get("/api/v1/units", {"agency": "ACS"}).json()

    assert units["ACS-12"]["call_number"] == call.number
    assert units["APD-2A31"]["status"] == "AVAILABLE"
    assert [u["call_sign"] for u in acs_only] == ["ACS-12"]


@pytest.mark.parametrize(
    "url", ["/api/v1/assignments/1/acknowledge", "/api/v1/assignments/1/clear", "/api/v1/units/ACS-12/status"]
)
def test_it_refuses_unit_actions_to_outsiders(api_as, otto, carla, url):
    assert api_as(otto).post(url, {}).status_code == 403
    assert api_as(carla).post(url, {}).status_code == 403
    assert api_as(None).post(url, {}).status_code == 401
