"""Acknowledge all the alerts of a call: call_alerts_acknowledge and
POST /api/v1/calls/{id}/alerts/acknowledge, under the rule of acknowledging one alert."""

from __future__ import annotations

import pytest

from acs_dispatch.exceptions import NotAllowed
from calls.models import Alert
from calls.services import assignment_acknowledge, call_alerts_acknowledge, unit_status_change
from live.events import DISPATCH, SUPERVISOR
from live.models import Event


@pytest.fixture
def busy_call(acs_call, acs_12, assign, sweep):
    """ACS-12 never acknowledged (taken off, escalated), then the call waited in the queue:
    two open alerts on one call."""
    assign(acs_call, acs_12)
    sweep(after=180)
    sweep(after=300)
    assert Alert.objects.filter(call=acs_call, acknowledged_at__isnull=True).count() == 2
    return acs_call


def _url(call) -> str:
    return f"/api/v1/calls/{call.pk}/alerts/acknowledge"


def test_it_acknowledges_every_open_alert_of_the_call(busy_call, police_call, dana, sweep, capture_events):
    sweep(after=900)  # the police call's own queue alert stays open
    with capture_events() as pushed:
        acknowledged = call_alerts_acknowledge(call=busy_call, actor=dana)

    assert sorted((a.kind, a.level) for a in acknowledged) == [("ACK", 2), ("QUEUE", 2)]
    assert not Alert.objects.filter(
        call=busy_call, acknowledged_at__isnull=True, resolved_at__isnull=True
    ).exists()
    assert Alert.objects.get(call=police_call).acknowledged_at is None
    frames = [f for stream, f in pushed if stream == DISPATCH]
    assert [f["kind"] for f in frames] == ["alert.acknowledged", "alert.acknowledged"]
    assert {f["data"]["alert"]["acknowledged_by"] for f in frames} == {"dana"}
    assert {stream for stream, _ in pushed} == {DISPATCH, SUPERVISOR}


def test_it_acknowledges_nothing_twice(busy_call, dana):
    call_alerts_acknowledge(call=busy_call, actor=dana)

    assert call_alerts_acknowledge(call=busy_call, actor=dana) == []
    assert Event.objects.filter(kind="alert.acknowledged").count() == 2


def test_it_lets_the_acs_supervisor_acknowledge_the_alerts_of_an_acs_call(busy_call, sam):
    acknowledged = call_alerts_acknowledge(call=busy_call, actor=sam)

    assert len(acknowledged) == 2
    assert {a.acknowledged_by for a in acknowledged} == {sam}


def test_it_acknowledges_only_the_status_check_a_responder_handles(
    police_call, apd_2a31, pete, assign, sweep, dana
):
    assignment_acknowledge(assignment=assign(police_call, apd_2a31), actor=pete)
    unit_status_change(unit=apd_2a31, status="ON_SCENE", actor=pete)
    sweep(after=1200)

    acknowledged = call_alerts_acknowledge(call=police_call, actor=pete)

    assert [(a.kind, a.acknowledged_by) for a in acknowledged] == [("ON_SCENE", pete)]


def test_it_refuses_a_responder_the_alerts_of_someone_else(busy_call, pete):
    with pytest.raises(NotAllowed, match="handled by someone else"):
        call_alerts_acknowledge(call=busy_call, actor=pete)

    assert not Alert.objects.filter(acknowledged_at__isnull=False).exists()


def test_it_refuses_a_call_taker(busy_call, carla):
    with pytest.raises(NotAllowed, match="does not handle alerts"):
        call_alerts_acknowledge(call=busy_call, actor=carla)


# --- the API ------------------------------------------------------------------------------------


def test_it_acknowledges_all_over_http(busy_call, api_as, dana):
    response = api_as(dana).post(_url(busy_call))

    assert response.status_code == 200
    body = response.json()
    assert body["call_id"] == busy_call.pk
    assert [(a["kind"], a["level"], a["acknowledged_by"]) for a in body["acknowledged"]] == [
        ("ACK", 2, "dana"),
        ("QUEUE", 1, "dana"),
    ]
    assert api_as(dana).get("/api/v1/alerts?open=1").json() == []


def test_it_answers_a_second_tap_with_nothing_acknowledged(busy_call, api_as, dana):
    api_as(dana).post(_url(busy_call))

    response = api_as(dana).post(_url(busy_call))

    assert response.status_code == 200
    assert response.json()["acknowledged"] == []


def test_it_answers_403_to_a_responder_of_another_unit(busy_call, api_as, pete):
    response = api_as(pete).post(_url(busy_call))

    assert response.status_code in (403, 404)  # a responder may not even learn the call exists
    assert not Alert.objects.filter(acknowledged_at__isnull=False).exists()


@pytest.mark.parametrize("who", ["carla", "otto", None])
def test_it_refuses_the_wrong_roles_with_403(busy_call, api_as, who, request):
    user = request.getfixturevalue(who) if who else None

    response = api_as(user).post(_url(busy_call))

    assert response.status_code in ((403,) if user else (401, 403))
    assert not Alert.objects.filter(acknowledged_at__isnull=False).exists()


def test_it_answers_404_for_an_unknown_call(api_as, dana):
    assert api_as(dana).post("/api/v1/calls/999999/alerts/acknowledge").status_code == 404
