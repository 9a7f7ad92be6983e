"""Acknowledging an alert: the person who handles it, recorded with who and when."""

from __future__ import annotations

import pytest

from acs_dispatch.exceptions import NotAllowed
from calls.models import Alert
from calls.services import assignment_acknowledge, unit_status_change
from calls.services.alerts import alert_acknowledge
from live.events import DISPATCH, SUPERVISOR
from live.models import Event
from tests.conftest import CURRENT_TIME


@pytest.fixture
def ack_alert(acs_call, acs_12, assign, sweep):
    """ACS-12 did not acknowledge the ACS call in 90 s."""
    assign(acs_call, acs_12)
    sweep(after=90)
    return Alert.objects.get(kind="ACK")


@pytest.fixture
def police_status_check(police_call, apd_2a31, pete, assign, sweep):
    assignment_acknowledge(assignment=assign(police_call, apd_2a31), actor=pete)
    unit_status_change(unit=apd_2a31, status="ON_SCENE", actor=pete)
    sweep(after=1200)
    return Alert.objects.get(kind="ON_SCENE")


def test_it_records_who_acknowledged_and_when(ack_alert, dana, capture_events):
    with capture_events() as pushed:
        alert = alert_acknowledge(alert=ack_alert, actor=dana)

    alert.refresh_from_db()
    assert alert.acknowledged_by == dana
    assert alert.acknowledged_at == CURRENT_TIME
    event = Event.objects.get(kind="alert.acknowledged")
    assert event.actor == dana
    assert event.data["alert"]["acknowledged_by"] == "dana"
    assert event.data["alert"]["acknowledged_at"] == CURRENT_TIME.isoformat()
    assert {stream for stream, _ in pushed} == {DISPATCH, SUPERVISOR}


def test_it_lets_the_acs_supervisor_acknowledge_an_acs_units_alert(ack_alert, sam):
    alert = alert_acknowledge(alert=ack_alert, actor=sam)

    assert alert.acknowledged_by == sam


def test_it_lets_a_responder_acknowledge_their_own_status_check(police_status_check, pete):
    alert = alert_acknowledge(alert=police_status_check, actor=pete)

    assert alert.acknowledged_by == pete


def test_it_lets_an_admin_acknowledge_any_alert(police_status_check, ada):
    assert alert_acknowledge(alert=police_status_check, actor=ada).acknowledged_by == ada


def test_it_refuses_a_responder_acknowledging_the_dispatchers_alert(ack_alert, riley):
    # Even the crew of ACS-12: the acknowledgement clock is the dispatcher's to handle.
    with pytest.raises(NotAllowed, match="handled by someone else"):
        alert_acknowledge(alert=ack_alert, actor=riley)

    ack_alert.refresh_from_db()
    assert ack_alert.acknowledged_at is None
    assert not Event.objects.filter(kind="alert.acknowledged").exists()


def test_it_refuses_another_units_responder(police_status_check, riley):
    with pytest.raises(NotAllowed):
        alert_acknowledge(alert=police_status_check, actor=riley)


def test_it_refuses_the_acs_supervisor_on_a_police_units_status_check(police_status_check, sam, dana):
    with pytest.raises(NotAllowed):
        alert_acknowledge(alert=police_status_check, actor=sam)
    with pytest.raises(NotAllowed):
        alert_acknowledge(alert=police_status_check, actor=dana)


def test_it_refuses_a_user_without_a_role(ack_alert, otto, carla):
    for user in (otto, carla):
        with pytest.raises(NotAllowed):
            alert_acknowledge(alert=ack_alert, actor=user)


def test_it_keeps_the_first_acknowledgement(ack_alert, dana, sam):
    alert_acknowledge(alert=ack_alert, actor=dana)

    alert = alert_acknowledge(alert=ack_alert, actor=sam)

    assert alert.acknowledged_by == dana
    assert Event.objects.filter(kind="alert.acknowledged").count() == 1
