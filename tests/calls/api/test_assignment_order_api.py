"""The order of dispatch over HTTP: 409 naming the missing lead, the override reason, scene safe."""

from __future__ import annotations

import pytest

from calls.models import Assignment, Call
from tests.calls.support import GUN_CALL, GUN_DECISION, assign, decision_store


@pytest.fixture
def gun_call(make_call):
    return decision_store(make_call(**GUN_CALL), **GUN_DECISION)


def _assign(api, call, body):
    return api.post(f"/api/v1/calls/{call.pk}/assignments", body, format="json")


def test_it_answers_409_naming_the_missing_lead_when_acs_comes_first(api_as, gun_call, dana, acs_12):
    response = _assign(api_as(dana), gun_call, {"unit": "ACS-12"})

    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "order_refused"
    assert body["detail"] == (
        "Police must be on this call before ACS: weapon ('has a gun'). "
        "Assign a police unit first, or give a reason to go ahead."
    )
    assert (body["agency"], body["missing"]) == ("ACS", "POLICE")
    assert not Assignment.objects.exists()


def test_it_assigns_with_an_override_reason_and_records_it(api_as, gun_call, dana, acs_12):
    response = _assign(api_as(dana), gun_call, {"unit": "ACS-12", "override_reason": "police 20 min out"})

    assert response.status_code == 201
    assert response.json()["override_reason"] == "police 20 min out"
    assert Assignment.objects.get(pk=response.json()["id"]).override_reason == "police 20 min out"


def test_it_shows_the_required_and_missing_agencies_on_the_call(api_as, gun_call, dana, acs_12, apd_2a31):
    api = api_as(dana)
    url = f"/api/v1/calls/{gun_call.pk}"
    before = api.get(url).json()
    _assign(api, gun_call, {"unit": "ACS-12", "override_reason": "police delayed"})
    partly = api.get(url).json()
    _assign(api, gun_call, {"unit": "APD-2A31"})
    after = api.get(url).json()

    assert (before["required_agencies"], before["missing_agencies"]) == (["POLICE", "ACS"], ["POLICE", "ACS"])
    assert "ACS" in before["order_holds"]
    assert before["dangers"][0] == {
        "kind": "weapon",
        "label": "Weapon",
        "details": [
            {"text": "'has a gun'", "source": "narrative"},
            {"text": "caller answered yes", "source": "screening"},
            {"text": "safety guard: ACS is not sent alone", "source": "guard"},
        ],
    }
    assert (partly["status"], partly["missing_agencies"]) == ("DISPATCHED", ["POLICE"])
    assert after["missing_agencies"] == []


def test_it_keeps_a_call_taker_from_assigning_even_with_a_reason(api_as, gun_call, carla, acs_12):
    response = _assign(api_as(carla), gun_call, {"unit": "ACS-12", "override_reason": "urgent"})

    assert response.status_code == 403
    assert not Assignment.objects.exists()


def test_it_lets_the_police_unit_report_the_scene_safe(api_as, gun_call, dana, pete, apd_2a31, acs_12):
    police = assign(gun_call, apd_2a31, dana)
    assign(gun_call, acs_12, dana)

    response = api_as(pete).post(f"/api/v1/assignments/{police.pk}/scene-safe", format="json")

    assert response.status_code == 200
    assert response.json()["scene_safe_at"] is not None
    assert api_as(dana).get(f"/api/v1/calls/{gun_call.pk}").json()["scene_safe_at"] is not None


@pytest.mark.parametrize(("persona", "code"), [("riley", 403), ("carla", 403), ("otto", 403), (None, 401)])
def test_it_refuses_scene_safe_to_anyone_but_the_unit_or_dispatch(
    request, api_as, gun_call, dana, apd_2a31, acs_12, persona, code
):
    police = assign(gun_call, apd_2a31, dana)
    user = request.getfixturevalue(persona) if persona else None

    response = api_as(user).post(f"/api/v1/assignments/{police.pk}/scene-safe", format="json")

    assert response.status_code == code
    police.refresh_from_db()
    assert police.scene_safe_at is None


def test_it_records_a_waiver_and_the_call_stops_waiting(api_as, gun_call, dana, apd_2a31):
    assign(gun_call, apd_2a31, dana)

    response = api_as(dana).post(
        f"/api/v1/calls/{gun_call.pk}/waivers",
        {"agency": "ACS", "reason": "no ACS team on shift"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["agency"] == "ACS"
    detail = api_as(dana).get(f"/api/v1/calls/{gun_call.pk}").json()
    assert detail["missing_agencies"] == []
    assert detail["waived_agencies"][0]["reason"] == "no ACS team on shift"
    assert Call.objects.get(pk=gun_call.pk).status == Call.Status.DISPATCHED


@pytest.mark.parametrize(("persona", "code"), [("carla", 403), ("riley", 403), ("otto", 403), (None, 401)])
def test_it_lets_only_dispatchers_waive(request, api_as, gun_call, persona, code):
    user = request.getfixturevalue(persona) if persona else None

    response = api_as(user).post(
        f"/api/v1/calls/{gun_call.pk}/waivers", {"agency": "ACS", "reason": "none free"}, format="json"
    )

    assert response.status_code == code
