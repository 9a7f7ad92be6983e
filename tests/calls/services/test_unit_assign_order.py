"""unit_assign carries the call's order through: ACS never before police where police make the scene
safe, unless the dispatcher records why; the call waits in the queue for every required agency."""

from __future__ import annotations

import pytest

from acs_dispatch.exceptions import OrderRefused
from calls.models import Assignment, Call
from calls.selectors import calls_pending
from calls.services import unit_assign
from live.models import Event
from responders.models import Unit
from tests.calls.support import GUN_CALL, GUN_DECISION, decision_store


@pytest.fixture
def gun_call(make_call):
    """Police lead, ACS follows, not ACS-eligible: a weapon ('has a gun', the screening answer)."""
    return decision_store(make_call(**GUN_CALL), **GUN_DECISION)


def test_it_refuses_acs_before_police_naming_the_missing_lead(gun_call, dana, acs_12, capture_events):
    with (
        capture_events() as pushed,
        pytest.raises(
            OrderRefused,
            match=r"^Police must be on this call before ACS: weapon \('has a gun'\)\. "
            r"Assign a police unit first, or give a reason to go ahead\.$",
        ),
    ):
        unit_assign(call=gun_call, unit=acs_12, actor=dana)

    gun_call.refresh_from_db()
    acs_12.refresh_from_db()
    assert not Assignment.objects.exists()
    assert gun_call.status == Call.Status.PENDING
    assert acs_12.status == Unit.Status.AVAILABLE
    assert pushed == []


def test_it_assigns_acs_once_police_are_on_the_call(gun_call, dana, acs_12, apd_2a31):
    unit_assign(call=gun_call, unit=apd_2a31, actor=dana)

    assignment = unit_assign(call=gun_call, unit=acs_12, actor=dana)

    assert assignment.override_reason == ""
    assert not assignment.staged


def test_it_assigns_acs_first_with_a_reason_and_records_it(gun_call, dana, acs_12, capture_events):
    with capture_events() as pushed:
        assignment = unit_assign(
            call=gun_call, unit=acs_12, actor=dana, override_reason="  police 20 min out; family outside  "
        )

    assignment.refresh_from_db()
    assert assignment.override_reason == "police 20 min out; family outside"
    event = Event.objects.get(kind="unit.assigned")
    assert event.data["override"]["reason"] == "police 20 min out; family outside"
    assert event.data["override"]["refusal"].startswith("Police must be on this call before ACS: weapon")
    assert event.actor == dana
    assert {s for s, f in pushed if f["kind"] == "unit.assigned"} == {
        "dispatch",
        "supervisor",
        f"unit.{acs_12.pk}",
    }


def test_it_ignores_a_reason_nobody_needed(make_call, dana, acs_12):
    assignment = unit_assign(
        call=decision_store(make_call(call_type="5150"), agencies=["ACS"], lead="ACS", mode="ACS_ALONE"),
        unit=acs_12,
        actor=dana,
        override_reason="just in case",
    )

    assert assignment.override_reason == ""


def test_it_keeps_a_partly_dispatched_call_in_the_queue_until_police_are_on_it(
    gun_call, dana, acs_12, apd_2a31
):
    unit_assign(call=gun_call, unit=acs_12, actor=dana, override_reason="police delayed")

    gun_call.refresh_from_db()
    assert gun_call.status == Call.Status.DISPATCHED
    (queued,) = calls_pending()
    assert (queued.pk, queued.missing_agencies) == (gun_call.pk, ["POLICE"])
    summary = Event.objects.filter(kind="unit.assigned").last().data["call"]
    assert summary["missing_agencies"] == ["POLICE"]

    unit_assign(call=gun_call, unit=apd_2a31, actor=dana)

    assert calls_pending() == []
    assert Event.objects.filter(kind="unit.assigned").last().data["call"]["missing_agencies"] == []


def test_it_marks_police_staged_where_acs_leads_with_police_staged(make_call, dana, apd_2a31, acs_12):
    call = decision_store(
        make_call(call_type="5150"),
        agencies=["ACS", "POLICE"],
        lead="ACS",
        mode="ACS_LEAD_POLICE_STAGED",
        triage_signals=[],
        triage_guards=[],
        acs_exclusion="",
    )

    with pytest.raises(OrderRefused, match="police stage nearby and secure the scene first"):
        unit_assign(call=call, unit=acs_12, actor=dana)
    police = unit_assign(call=call, unit=apd_2a31, actor=dana)
    acs = unit_assign(call=call, unit=acs_12, actor=dana)

    assert (police.staged, acs.staged) == (True, False)
    assert Event.objects.filter(kind="unit.assigned").first().data["staged"] is True
