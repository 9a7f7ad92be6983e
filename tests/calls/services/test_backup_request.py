from __future__ import annotations

import pytest

from acs_dispatch.exceptions import Conflict, NotAllowed, ValidationFailed
from calls.models import BackupRequest
from calls.selectors import calls_pending
from calls.services import backup_request
from live.models import Event
from tests.calls.support import assign


def test_it_adds_the_agency_and_puts_the_call_at_the_top_of_the_queue(make_call, dana, riley, acs_12):
    urgent = make_call(call_type="11-8")  # priority 1, waiting
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)

    backup_request(call=call, unit=acs_12, agency="POLICE", reason="he picked up a bat", actor=riley)

    call.refresh_from_db()
    assert call.agencies == ["ACS", "POLICE"]
    queue = calls_pending()
    assert [c.pk for c in queue] == [call.pk, urgent.pk]
    assert queue[0].needs_backup is True
    event = Event.objects.get(call_id=call.pk, kind="backup.requested")
    assert event.data["backup_request"]["agency"] == "POLICE"
    assert event.data["call"]["backup_requests"][0]["unit"] == "ACS-12"


def test_it_marks_the_request_handled_when_a_police_unit_is_assigned(
    make_call, dana, riley, acs_12, apd_2a31
):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)
    backup_request(call=call, unit=acs_12, agency="POLICE", reason="he is getting louder", actor=riley)

    assign(call, apd_2a31, dana)

    assert BackupRequest.objects.get().handled_at is not None
    assert calls_pending() == []


def test_it_refuses_a_responder_asking_for_another_unit(make_call, dana, pete, acs_12):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)

    with pytest.raises(NotAllowed):
        backup_request(call=call, unit=acs_12, agency="POLICE", reason="", actor=pete)


def test_it_refuses_a_unit_not_on_the_call(make_call, riley, acs_12):
    with pytest.raises(Conflict, match="ACS-12 is not on call"):
        backup_request(
            call=make_call(call_type="5150"), unit=acs_12, agency="FIRE_EMS", reason="", actor=riley
        )


def test_it_refuses_an_unknown_agency(make_call, dana, riley, acs_12):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)

    with pytest.raises(ValidationFailed):
        backup_request(call=call, unit=acs_12, agency="ACS", reason="", actor=riley)
