from __future__ import annotations

import pytest

from acs_dispatch.exceptions import ValidationFailed
from calls.models import BackupRequest
from calls.services import backup_request
from live.models import Event
from tests.calls.support import assign


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_refuses_a_backup_request_without_a_reason(make_call, dana, riley, acs_12, reason):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)

    with pytest.raises(ValidationFailed, match="Say why backup is needed") as refused:
        backup_request(call=call, unit=acs_12, agency="POLICE", reason=reason, actor=riley)

    assert "reason" in refused.value.extra["errors"]
    assert BackupRequest.objects.count() == 0
    call.refresh_from_db()
    assert call.agencies == ["ACS"]
    assert not Event.objects.filter(kind="backup.requested").exists()


def test_it_records_the_reason_trimmed_in_the_request_and_its_event(make_call, dana, riley, acs_12):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)

    backup_request(call=call, unit=acs_12, agency="POLICE", reason="  he picked up a bat ", actor=riley)

    assert BackupRequest.objects.get().reason == "he picked up a bat"
    event = Event.objects.get(call_id=call.pk, kind="backup.requested")
    assert event.data["backup_request"]["reason"] == "he picked up a bat"
