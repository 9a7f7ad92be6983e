from __future__ import annotations

import pytest

from acs_dispatch.exceptions import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from calls.models import Call
from calls.services import (
    assignment_acknowledge,
    assignment_clear,
    assignment_reassign,
    assignment_unassign,
    unit_assign,
    unit_status_change,
)
from live.models import Event
from responders.models import Unit


@pytest.fixture
def acs_call(make_call):
    return make_call(call_type="5150")


def test_it_acknowledges_once_and_ignores_a_double_tap(acs_call, dana, riley, acs_12):
    assignment = unit_assign(call=acs_call, unit=acs_12, actor=dana)

    first = assignment_acknowledge(assignment=assignment, actor=riley)
    second = assignment_acknowledge(assignment=assignment, actor=riley)

    assert first.acknowledged_at is not None
    assert second.acknowledged_at == first.acknowledged_at
    assert Event.objects.filter(kind="assignment.acknowledged").count() == 1


def test_it_refuses_an_acknowledgement_from_another_units_responder(acs_call, dana, pete, acs_12):
    assignment = unit_assign(call=acs_call, unit=acs_12, actor=dana)

    with pytest.raises(NotAllowed):
        assignment_acknowledge(assignment=assignment, actor=pete)


def test_it_puts_the_call_back_in_the_queue_when_its_last_unit_is_unassigned(acs_call, dana, acs_12):
    assignment = unit_assign(call=acs_call, unit=acs_12, actor=dana)

    assignment_unassign(assignment=assignment, reason="needed on a priority 1", actor=dana)

    acs_call.refresh_from_db()
    acs_12.refresh_from_db()
    assignment.refresh_from_db()
    assert acs_call.status == Call.Status.PENDING
    assert acs_12.status == Unit.Status.AVAILABLE
    assert assignment.cleared_reason == "needed on a priority 1"
    event = Event.objects.get(kind="unit.unassigned")
    assert event.data["unit"]["call_id"] is None
    assert event.data["reason"] == "needed on a priority 1"


def test_it_refuses_an_unassign_without_a_reason(acs_call, dana, acs_12):
    assignment = unit_assign(call=acs_call, unit=acs_12, actor=dana)

    with pytest.raises(ValidationFailed):
        assignment_unassign(assignment=assignment, reason="", actor=dana)


def test_it_refuses_to_unassign_twice(acs_call, dana, acs_12):
    assignment = unit_assign(call=acs_call, unit=acs_12, actor=dana)
    assignment_unassign(assignment=assignment, reason="mistake", actor=dana)

    with pytest.raises(Conflict):
        assignment_unassign(assignment=assignment, reason="mistake", actor=dana)


def test_it_reassigns_to_another_unit(acs_call, dana, acs_12, zones):
    from tests.conftest import _unit

    acs_13 = _unit("ACS-13", "ACS", ["behavioral_health"], zones["Valley"], 35.08, -106.65)
    assignment = unit_assign(call=acs_call, unit=acs_12, actor=dana)

    new = assignment_reassign(assignment=assignment, unit=acs_13, reason="ACS-13 is closer", actor=dana)

    acs_call.refresh_from_db()
    assert new.unit == acs_13
    assert acs_call.status == Call.Status.DISPATCHED


def test_it_stamps_en_route_and_on_scene_and_moves_the_call_on_scene(acs_call, dana, riley, acs_12):
    assignment = unit_assign(call=acs_call, unit=acs_12, actor=dana)

    unit_status_change(unit=acs_12, status="EN_ROUTE", actor=riley)
    unit_status_change(unit=acs_12, status="ON_SCENE", actor=riley)

    assignment.refresh_from_db()
    acs_call.refresh_from_db()
    assert assignment.en_route_at is not None
    assert assignment.on_scene_at >= assignment.en_route_at
    assert acs_call.status == Call.Status.ON_SCENE
    changed = Event.objects.filter(kind="unit.status_changed").last()
    assert (changed.data["before"], changed.data["after"]) == ("EN_ROUTE", "ON_SCENE")
    assert changed.data["call"]["status"] in ("DISPATCHED", "ON_SCENE")


def test_it_lets_a_responder_change_only_their_own_unit(acs_call, dana, pete, acs_12):
    unit_assign(call=acs_call, unit=acs_12, actor=dana)

    with pytest.raises(NotAllowed):
        unit_status_change(unit=acs_12, status="EN_ROUTE", actor=pete)


def test_it_refuses_a_status_outside_the_state_machine(acs_call, riley, acs_12):
    with pytest.raises(InvalidTransition, match="Available: it cannot become On scene"):
        unit_status_change(unit=acs_12, status="ON_SCENE", actor=riley)


def test_it_refuses_to_free_a_unit_on_a_call_by_status(acs_call, dana, riley, acs_12):
    unit_assign(call=acs_call, unit=acs_12, actor=dana)

    with pytest.raises(InvalidTransition, match="Clear the assignment"):
        unit_status_change(unit=acs_12, status="AVAILABLE", actor=riley)


def test_it_closes_the_call_when_the_last_unit_clears_with_a_disposition(acs_call, dana, riley, acs_12):
    assignment = unit_assign(call=acs_call, unit=acs_12, actor=dana)
    unit_status_change(unit=acs_12, status="ON_SCENE", actor=riley)

    assignment_clear(assignment=assignment, disposition="ACS-988", actor=riley)

    acs_call.refresh_from_db()
    acs_12.refresh_from_db()
    assert acs_call.status == Call.Status.CLOSED
    assert acs_call.disposition == "ACS-988"
    assert acs_12.status == Unit.Status.AVAILABLE


def test_it_leaves_the_call_on_scene_when_another_unit_is_still_there(
    acs_call, dana, riley, pete, acs_12, apd_2a31
):
    police = unit_assign(call=acs_call, unit=apd_2a31, actor=dana)
    unit_assign(call=acs_call, unit=acs_12, actor=dana)
    unit_status_change(unit=acs_12, status="ON_SCENE", actor=riley)
    unit_status_change(unit=apd_2a31, status="ON_SCENE", actor=pete)

    assignment_clear(assignment=police, disposition="K", actor=pete)

    acs_call.refresh_from_db()
    assert acs_call.status == Call.Status.ON_SCENE


def test_it_refuses_a_clear_by_another_units_responder(acs_call, dana, pete, acs_12):
    assignment = unit_assign(call=acs_call, unit=acs_12, actor=dana)

    with pytest.raises(NotAllowed):
        assignment_clear(assignment=assignment, actor=pete)


def test_it_refuses_an_acs_team_closing_a_call_as_an_arrest(acs_call, dana, riley, acs_12):
    assignment = unit_assign(call=acs_call, unit=acs_12, actor=dana)
    unit_status_change(unit=acs_12, status="ON_SCENE", actor=riley)

    with pytest.raises(ValidationFailed, match="Not a disposition for this unit"):
        assignment_clear(assignment=assignment, disposition="A", actor=riley)

    acs_call.refresh_from_db()
    assignment.refresh_from_db()
    assert acs_call.status == Call.Status.ON_SCENE
    assert assignment.cleared_at is None
