from __future__ import annotations

import pytest

from acs_dispatch.exceptions import InvalidTransition, ValidationFailed
from calls.services import call_cancel, call_override
from live.models import Event


def test_it_replaces_the_decision_and_keeps_the_original(make_call, dana):
    call = make_call(call_type="5150")

    call_override(
        call=call,
        agencies=["ACS", "POLICE"],
        lead="ACS",
        priority=1,
        reason="Caller now says a gun",
        actor=dana,
    )

    call.refresh_from_db()
    assert call.agencies == ["ACS", "POLICE"]
    assert call.priority == 1
    assert call.override_reason == "Caller now says a gun"
    assert call.overridden_by == dana
    assert call.original_decision["agencies"] == ["ACS"]
    assert call.original_decision["rule"] == "Mental-health crisis"
    event = Event.objects.get(call_id=call.pk, kind="call.overridden")
    assert event.data["call"]["overridden"] is True
    assert event.data["reason"] == "Caller now says a gun"


def test_it_keeps_the_first_original_decision_over_two_overrides(make_call, dana):
    call = make_call(call_type="5150")
    call_override(call=call, agencies=["POLICE"], lead="POLICE", priority=2, reason="one", actor=dana)

    call_override(call=call, agencies=["FIRE_EMS"], lead="FIRE_EMS", priority=1, reason="two", actor=dana)

    call.refresh_from_db()
    assert call.original_decision["agencies"] == ["ACS"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"agencies": ["ACS"], "lead": "ACS", "priority": 2, "reason": "  "}, "reason"),
        ({"agencies": ["ACS"], "lead": "POLICE", "priority": 2, "reason": "x"}, "lead"),
        ({"agencies": ["SWAT"], "lead": "SWAT", "priority": 2, "reason": "x"}, "agencies"),
        ({"agencies": ["ACS"], "lead": "ACS", "priority": 7, "reason": "x"}, "priority"),
    ],
)
def test_it_refuses_a_bad_override(make_call, dana, fields, field):
    call = make_call(call_type="5150")

    with pytest.raises(ValidationFailed) as refused:
        call_override(call=call, **fields, actor=dana)

    assert field in refused.value.extra["errors"]
    call.refresh_from_db()
    assert call.agencies == ["ACS"]
    assert call.original_decision is None


def test_it_refuses_to_override_a_cancelled_call(make_call, dana):
    call = make_call()
    call_cancel(call=call, reason="caller hung up, called back: fine", actor=dana)

    with pytest.raises(InvalidTransition, match="Cancelled"):
        call_override(call=call, agencies=["POLICE"], lead="POLICE", priority=1, reason="x", actor=dana)
