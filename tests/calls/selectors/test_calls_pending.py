from __future__ import annotations

import datetime as dt

import time_machine

from calls.selectors import calls_open, calls_pending
from tests.calls.support import assign
from tests.conftest import CURRENT_TIME


def test_it_orders_the_queue_by_priority_then_age(make_call):
    with time_machine.travel(CURRENT_TIME, tick=False):
        old_p3 = make_call(call_type="WELCK")
    with time_machine.travel(CURRENT_TIME + dt.timedelta(minutes=1), tick=False):
        p1 = make_call(call_type="11-8")
    with time_machine.travel(CURRENT_TIME + dt.timedelta(minutes=2), tick=False):
        new_p3 = make_call(call_type="WELCK")

    assert [c.pk for c in calls_pending()] == [p1.pk, old_p3.pk, new_p3.pk]


def test_it_filters_the_queue_by_agency_and_zone(make_call):
    acs = make_call(call_type="5150")
    fire = make_call(call_type="11-8", lat=35.0700, lon=-106.6200)  # University

    assert [c.pk for c in calls_pending(agency="ACS")] == [acs.pk]
    assert [c.pk for c in calls_pending(zone="University")] == [fire.pk]


def test_it_moves_an_assigned_call_from_the_queue_to_the_active_calls(make_call, dana, acs_12):
    call = make_call(call_type="5150")

    assign(call, acs_12, dana)

    assert calls_pending() == []
    active = [c for c in calls_open() if c.status != "PENDING"]
    assert [c.pk for c in active] == [call.pk]
    assert [a.unit.call_sign for a in active[0].active_assignments] == ["ACS-12"]
