"""The living demo's units (issue 13): drive to the call, go on scene, clear, drive home."""

from __future__ import annotations

import datetime as dt

import time_machine

from calls.demo import calls_autodispatch, demo_actor
from calls.models import Assignment, Call
from calls.simulation import step_toward, units_simulate_step
from live.models import Event
from responders.models import Unit
from tests.calls.support import assign


def test_it_steps_toward_a_target_and_stops_on_it():
    lat, lon, arrived = step_toward(35.08, -106.65, 35.08, -106.60, 1000)

    assert not arrived and lon > -106.65 and abs(lat - 35.08) < 1e-9
    assert step_toward(35.08, -106.65, 35.08, -106.6499, 1000) == (35.08, -106.6499, True)


def test_a_dispatched_unit_drives_works_clears_and_goes_home(make_call, dana, acs_12, now, dispositions):
    call = make_call(call_type="5150", lat=35.0950, lon=-106.6300)  # ~2.3 km from ACS-12
    assign(call, acs_12, dana)
    actor = demo_actor()
    start = (acs_12.lat, acs_12.lon)

    clock = now
    seen = []
    for _ in range(40):  # 40 steps of 5 wall seconds at time scale 10: 33 simulated minutes
        clock += dt.timedelta(seconds=5)
        with time_machine.travel(clock, tick=False):
            units_simulate_step(seconds=5, actor=actor, time_scale=10, now=clock)
        acs_12.refresh_from_db()
        seen.append(acs_12.status)
        if (
            acs_12.status == Unit.Status.AVAILABLE
            and Assignment.objects.filter(unit=acs_12, cleared_at__isnull=False).exists()
        ):
            break

    assert Unit.Status.EN_ROUTE in seen and Unit.Status.ON_SCENE in seen
    assert seen[-1] == Unit.Status.AVAILABLE
    assert (acs_12.lat, acs_12.lon) != start
    call.refresh_from_db()
    assert call.status == Call.Status.CLOSED and call.disposition == "ACS-RA"
    assert Event.objects.filter(kind="unit.moved", unit_id=acs_12.pk).exists()
    assert Event.objects.filter(kind="assignment.acknowledged", unit_id=acs_12.pk).exists()

    with time_machine.travel(clock + dt.timedelta(seconds=5), tick=False):
        report = units_simulate_step(
            seconds=5, actor=actor, time_scale=10, now=clock + dt.timedelta(seconds=5)
        )
    assert report.get("returning") == 1  # back toward its zone


def test_the_demo_dispatcher_assigns_the_nearest_suitable_unit(make_call, acs_12):
    call = make_call(call_type="5150", lat=35.0850, lon=-106.6510)

    assert calls_autodispatch(actor=demo_actor()) >= 1

    assert Assignment.objects.filter(call=call, unit=acs_12, cleared_at__isnull=True).exists()
