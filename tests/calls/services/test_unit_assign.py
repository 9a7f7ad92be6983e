from __future__ import annotations

import pytest

from acs_dispatch.exceptions import Conflict, InvalidTransition, UnitUnavailable
from calls.models import Assignment, Call
from calls.services import call_cancel, unit_assign
from live.models import Event
from responders.models import Unit


def test_it_commits_the_unit_and_dispatches_the_call(make_call, dana, acs_12, capture_events):
    call = make_call(call_type="5150")

    with capture_events() as pushed:
        assignment = unit_assign(call=call, unit=acs_12, actor=dana)

    call.refresh_from_db()
    acs_12.refresh_from_db()
    assert call.status == Call.Status.DISPATCHED
    assert acs_12.status == Unit.Status.DISPATCHED
    assert assignment.assigned_by == dana
    event = Event.objects.get(kind="unit.assigned")
    assert event.data["assignment_id"] == assignment.pk
    assert event.data["unit"]["call_sign"] == "ACS-12"
    assert event.data["unit"]["call_id"] == call.pk
    assert event.data["call"]["units"][0]["unit"] == "ACS-12"
    assert {s for s, f in pushed if f["kind"] == "unit.assigned"} == {
        "dispatch",
        "supervisor",
        f"unit.{acs_12.pk}",
    }


def test_it_rejects_a_unit_already_committed(make_call, dana, acs_12, capture_events):
    unit_assign(call=make_call(call_type="5150"), unit=acs_12, actor=dana)
    second = make_call(call_type="5150")

    with capture_events() as pushed, pytest.raises(UnitUnavailable, match="ACS-12 is Dispatched"):
        unit_assign(call=second, unit=acs_12, actor=dana)

    second.refresh_from_db()
    assert Assignment.objects.filter(unit=acs_12).count() == 1
    assert second.status == Call.Status.PENDING
    assert pushed == []


def test_it_gives_a_co_response_one_unit_per_agency(make_call, dana, acs_12, apd_2a31, zones):
    from tests.conftest import _unit

    acs_13 = _unit("ACS-13", "ACS", ["behavioral_health"], zones["Valley"], 35.08, -106.65)
    call = make_call(call_type="5150")
    unit_assign(call=call, unit=acs_12, actor=dana)
    unit_assign(call=call, unit=apd_2a31, actor=dana)

    with pytest.raises(Conflict, match="already has ACS-12 for ACS"):
        unit_assign(call=call, unit=acs_13, actor=dana)

    assert sorted(a.unit.call_sign for a in Assignment.objects.filter(call=call)) == ["ACS-12", "APD-2A31"]


def test_it_refuses_to_assign_to_a_cancelled_call(make_call, dana, acs_12):
    call = make_call()
    call_cancel(call=call, reason="caller hung up", actor=dana)

    with pytest.raises(InvalidTransition, match="Cancelled"):
        unit_assign(call=call, unit=acs_12, actor=dana)

    acs_12.refresh_from_db()
    assert acs_12.status == Unit.Status.AVAILABLE
