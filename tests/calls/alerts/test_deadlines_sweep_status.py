"""The status clocks: a unit on scene too long gets a status check; en route too long, too."""

from __future__ import annotations

import datetime as dt

import time_machine

from calls.models import Alert
from calls.services import assignment_acknowledge, unit_status_change
from calls.services.alerts import alert_acknowledge
from live.events import DISPATCH, SUPERVISOR, unit_stream
from tests.conftest import CURRENT_TIME

# ACS priority 2: on scene 1800 s / 2700 s, en route 900 s / 1800 s.
# Police priority 3: on scene 1200 s / 1800 s.


def _on_scene(call, unit, responder, assign):
    assignment_acknowledge(assignment=assign(call, unit), actor=responder)
    unit_status_change(unit=unit, status="ON_SCENE", actor=responder)


def test_it_sends_a_status_check_to_the_unit_and_the_acs_supervisor(
    acs_call, acs_12, riley, assign, sweep, capture_events
):
    _on_scene(acs_call, acs_12, riley, assign)
    assert sweep(after=1799) == {}

    with capture_events() as pushed:
        assert sweep(after=1800) == {"ON_SCENE.1": 1}

    alert = Alert.objects.get()
    assert (alert.kind, alert.level, alert.unit, alert.call) == ("ON_SCENE", 1, acs_12, acs_call)
    assert alert.message == (
        f"Status check: ACS-12, on scene at call {acs_call.number} for 30 min. Acknowledge that you are OK."
    )
    assert {stream for stream, _ in pushed} == {SUPERVISOR, unit_stream(acs_12.pk)}
    frame = pushed[0][1]
    assert frame["data"]["unit"]["status"] == "ON_SCENE"
    assert frame["data"]["call"]["id"] == acs_call.pk


def test_it_sends_a_police_units_status_check_to_that_unit_only(
    police_call, apd_2a31, pete, assign, sweep, capture_events
):
    _on_scene(police_call, apd_2a31, pete, assign)

    with capture_events() as pushed:
        assert sweep(after=1200) == {"ON_SCENE.1": 1}

    assert {stream for stream, _ in pushed} == {unit_stream(apd_2a31.pk)}


def test_it_escalates_an_unanswered_status_check_to_the_dispatcher(
    acs_call, acs_12, riley, assign, sweep, capture_events
):
    _on_scene(acs_call, acs_12, riley, assign)
    sweep(after=1800)

    with capture_events() as pushed:
        assert sweep(after=2700) == {"ON_SCENE.2": 1}

    escalated = Alert.objects.get(level=2)
    assert escalated.message == (
        f"ACS-12 has not answered the status check: on scene at call {acs_call.number} for 45 min. Contact the unit."
    )
    assert {stream for stream, _ in pushed} == {DISPATCH, SUPERVISOR, unit_stream(acs_12.pk)}


def test_it_does_not_escalate_a_status_check_the_unit_answered(acs_call, acs_12, riley, assign, sweep):
    _on_scene(acs_call, acs_12, riley, assign)
    sweep(after=1800)
    alert_acknowledge(alert=Alert.objects.get(), actor=riley)

    assert sweep(after=4000) == {}
    assert not Alert.objects.filter(level=2).exists()


def test_it_starts_a_new_clock_for_each_time_on_scene(acs_call, acs_12, riley, assign, sweep):
    _on_scene(acs_call, acs_12, riley, assign)
    sweep(after=1800)
    alert_acknowledge(alert=Alert.objects.get(), actor=riley)

    with time_machine.travel(CURRENT_TIME + dt.timedelta(seconds=1900), tick=False):
        unit_status_change(unit=acs_12, status="TRANSPORTING", actor=riley)
    with time_machine.travel(CURRENT_TIME + dt.timedelta(seconds=2500), tick=False):
        unit_status_change(unit=acs_12, status="ON_SCENE", actor=riley)

    assert sweep(after=2500 + 1799) == {}
    assert sweep(after=2500 + 1800) == {"ON_SCENE.1": 1}
    assert Alert.objects.filter(kind="ON_SCENE", level=1).count() == 2


def test_it_warns_the_dispatcher_of_a_unit_en_route_too_long(
    acs_call, acs_12, riley, assign, sweep, capture_events
):
    assignment_acknowledge(assignment=assign(acs_call, acs_12), actor=riley)
    unit_status_change(unit=acs_12, status="EN_ROUTE", actor=riley)
    assert sweep(after=899) == {}

    with capture_events() as pushed:
        assert sweep(after=900) == {"EN_ROUTE.1": 1}

    alert = Alert.objects.get()
    assert alert.message == f"Status check: ACS-12, en route to call {acs_call.number} for 15 min."
    assert {stream for stream, _ in pushed} == {DISPATCH, SUPERVISOR, unit_stream(acs_12.pk)}
    assert sweep(after=1800) == {"EN_ROUTE.2": 1}


def test_it_counts_elapsed_seconds_across_the_dst_change(make_call, acs_12, riley, dana):
    """Albuquerque falls back at 02:00 MDT on 2026-11-01 (08:00 UTC): the wall clock repeats an
    hour, the status check must still come 30 minutes after arrival, not 90."""
    from calls.services import unit_assign
    from calls.services.timers import deadlines_sweep

    arrival = dt.datetime(2026, 11, 1, 7, 45, tzinfo=dt.UTC)  # 01:45 MDT, before the fall-back
    with time_machine.travel(arrival, tick=False):
        call = make_call(call_type="5150", narrative="talking to himself, calm, no weapons")
        assignment = unit_assign(call=call, unit=acs_12, actor=dana)
        assignment_acknowledge(assignment=assignment, actor=riley)
        unit_status_change(unit=acs_12, status="ON_SCENE", actor=riley)

    # 01:59 MDT, then 01:15 MST (wall clock went back): 29 and 30 minutes have passed.
    assert deadlines_sweep(now=arrival + dt.timedelta(minutes=29)) == {}
    assert deadlines_sweep(now=arrival + dt.timedelta(minutes=30)) == {"ON_SCENE.1": 1}
