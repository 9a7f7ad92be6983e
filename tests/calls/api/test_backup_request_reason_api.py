"""POST /api/v1/calls/{id}/backup needs a reason: the dispatcher must know what the unit faces."""

from __future__ import annotations

import pytest

from calls.models import BackupRequest
from tests.calls.support import assign


def field_errors(response) -> dict:
    """The errors by field name, in the problem+json body or DRF's plain one."""
    body = response.json()
    return body.get("errors", body)


@pytest.mark.parametrize(
    "body", [{"agency": "POLICE"}, {"agency": "POLICE", "reason": ""}, {"agency": "POLICE", "reason": "   "}]
)
def test_it_refuses_a_backup_request_without_a_reason(api_as, make_call, dana, riley, acs_12, body):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)

    response = api_as(riley).post(f"/api/v1/calls/{call.pk}/backup", body, format="json")

    assert response.status_code == 400
    assert "reason" in field_errors(response)
    assert BackupRequest.objects.count() == 0
    call.refresh_from_db()
    assert call.agencies == ["ACS"]


def test_it_keeps_the_reason_given(api_as, make_call, dana, riley, acs_12):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)

    response = api_as(riley).post(
        f"/api/v1/calls/{call.pk}/backup",
        {"agency": "FIRE_EMS", "reason": " he is not breathing "},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["reason"] == "he is not breathing"
    assert BackupRequest.objects.get().reason == "he is not breathing"


def test_it_refuses_otto(api_as, make_call, otto):
    response = api_as(otto).post(
        f"/api/v1/calls/{make_call().pk}/backup", {"agency": "POLICE", "reason": "help"}, format="json"
    )

    assert response.status_code == 403
    assert BackupRequest.objects.count() == 0
