"""assignment_scene_safe: a police unit reports the scene safe and the ACS units on the call are told."""

from __future__ import annotations

import pytest

from acs_dispatch.exceptions import Conflict, NotAllowed, ValidationFailed
from calls.services import assignment_clear, assignment_scene_safe, unit_assign
from live.models import Event


@pytest.fixture
def co_response(make_call, dana, acs_12, apd_2a31):
    """A gun call with police on it and ACS-12 sent after them: (police assignment, ACS assignment)."""
    call = make_call(call_type="5150", narrative="brother is suicidal and has a gun", weapons=True)
    police = unit_assign(call=call, unit=apd_2a31, actor=dana)
    acs = unit_assign(call=call, unit=acs_12, actor=dana)
    return police, acs


def test_it_tells_the_acs_unit_at_once_when_police_report_the_scene_safe(
    co_response, pete, acs_12, capture_events
):
    police, _ = co_response

    with capture_events() as pushed:
        assignment_scene_safe(assignment=police, actor=pete)

    police.refresh_from_db()
    assert police.scene_safe_at is not None
    event = Event.objects.get(kind="assignment.scene_safe")
    assert event.data["scene_safe"] == {"unit": "APD-2A31", "at": police.scene_safe_at.isoformat()}
    assert event.data["call"]["scene_safe_at"] == police.scene_safe_at.isoformat()
    assert f"unit.{acs_12.pk}" in {s for s, f in pushed if f["kind"] == "assignment.scene_safe"}


def test_it_reports_the_scene_safe_once(co_response, pete):
    police, _ = co_response
    assignment_scene_safe(assignment=police, actor=pete)

    assignment_scene_safe(assignment=police, actor=pete)

    assert Event.objects.filter(kind="assignment.scene_safe").count() == 1


def test_it_lets_only_police_report_the_scene_safe(co_response, riley):
    _, acs = co_response

    with pytest.raises(ValidationFailed, match="not a police unit"):
        assignment_scene_safe(assignment=acs, actor=riley)


def test_it_refuses_a_responder_of_another_unit(co_response, riley):
    police, _ = co_response

    with pytest.raises(NotAllowed):
        assignment_scene_safe(assignment=police, actor=riley)

    police.refresh_from_db()
    assert police.scene_safe_at is None


def test_it_refuses_a_cleared_assignment(co_response, pete):
    police, _ = co_response
    assignment_clear(assignment=police, actor=pete)

    with pytest.raises(Conflict, match="no longer on call"):
        assignment_scene_safe(assignment=police, actor=pete)
