"""call_agency_waive: a dispatcher records why a required agency gets no unit; the queue stops waiting."""

from __future__ import annotations

import pytest

from acs_dispatch.exceptions import Conflict, NotAllowed, ValidationFailed
from calls.models import CallAgencyWaiver
from calls.selectors import calls_pending
from calls.services import call_agency_waive, unit_assign
from live.models import Event
from tests.calls.support import GUN_CALL, GUN_DECISION, decision_store


@pytest.fixture
def gun_call(make_call):
    return decision_store(make_call(**GUN_CALL), **GUN_DECISION)


def test_it_records_the_reason_and_the_call_leaves_the_queue(gun_call, dana, apd_2a31, capture_events):
    unit_assign(call=gun_call, unit=apd_2a31, actor=dana)
    assert [c.missing_agencies for c in calls_pending()] == [["ACS"]]

    with capture_events() as pushed:
        waiver = call_agency_waive(call=gun_call, agency="ACS", reason=" no ACS team on shift ", actor=dana)

    assert (waiver.agency, waiver.reason, waiver.waived_by) == ("ACS", "no ACS team on shift", dana)
    assert calls_pending() == []
    event = Event.objects.get(kind="call.agency_waived")
    assert event.data["waiver"] == {"agency": "ACS", "reason": "no ACS team on shift"}
    assert event.data["call"]["missing_agencies"] == []
    assert event.data["call"]["waived_agencies"][0]["reason"] == "no ACS team on shift"
    assert "dispatch" in {s for s, f in pushed if f["kind"] == "call.agency_waived"}


def test_it_needs_a_reason(gun_call, dana):
    with pytest.raises(ValidationFailed, match="invalid fields"):
        call_agency_waive(call=gun_call, agency="ACS", reason="  ", actor=dana)

    assert not CallAgencyWaiver.objects.exists()


def test_it_refuses_an_agency_the_call_does_not_require(gun_call, dana):
    with pytest.raises(ValidationFailed, match="does not require Fire / EMS"):
        call_agency_waive(call=gun_call, agency="FIRE_EMS", reason="not needed", actor=dana)


def test_it_refuses_an_agency_that_already_has_a_unit(gun_call, dana, apd_2a31):
    unit_assign(call=gun_call, unit=apd_2a31, actor=dana)

    with pytest.raises(Conflict, match="Police is not missing"):
        call_agency_waive(call=gun_call, agency="POLICE", reason="busy", actor=dana)


@pytest.mark.parametrize("persona", ["carla", "sam", "riley", "otto"])
def test_it_lets_only_dispatchers_waive(request, gun_call, persona):
    with pytest.raises(NotAllowed):
        call_agency_waive(
            call=gun_call, agency="ACS", reason="none free", actor=request.getfixturevalue(persona)
        )
