"""An admin lifts a sign-in lockout from the Locked accounts screen; the unlock is in the audit log."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from acs_dispatch.services import user_unlock


@pytest.fixture
def carla_locked(carla):
    """Five failed sign-ins as carla: django-axes locks the account."""
    return AccessAttempt.objects.create(
        username="carla",
        ip_address="10.0.0.9",
        user_agent="test",
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/login/",
        failures_since_start=5,
    )


def test_it_unlocks_an_account_and_records_who_did(ada, carla_locked, capture_events):
    with capture_events() as pushed:
        removed = user_unlock(username="carla", actor=ada)

    assert removed == 1
    assert not AccessAttempt.objects.filter(username="carla").exists()
    assert [(stream, frame["kind"], frame["data"]) for stream, frame in pushed] == [
        ("audit", "user.unlocked", {"username": "carla", "attempts_cleared": 1})
    ]


def test_it_records_nothing_when_the_account_was_not_locked(ada, capture_events):
    with capture_events() as pushed:
        assert user_unlock(username="carla", actor=ada) == 0

    assert pushed == []


def test_it_lists_locked_accounts_and_unlocks_one_from_the_screen(client_as, ada, carla_locked):
    client = client_as(ada)
    page = client.get("/accounts/locked/").content.decode()
    assert 'data-username="carla"' in page
    assert "Unlock carla" in page

    response = client.post("/accounts/locked/", {"username": "carla"}, follow=True)

    assert "carla is unlocked and can sign in again." in response.content.decode()
    assert not AccessAttempt.objects.filter(username="carla").exists()
    assert "No account is locked." in response.content.decode()


@pytest.mark.parametrize("persona", ["dana", "sam", "otto"])
def test_it_refuses_the_screen_to_everyone_but_admins(request, client_as, carla_locked, persona):
    client = client_as(request.getfixturevalue(persona))

    assert client.get("/accounts/locked/").status_code == 403
    assert client.post("/accounts/locked/", {"username": "carla"}).status_code == 403
    assert AccessAttempt.objects.filter(username="carla").exists()


def test_it_tells_a_locked_out_user_that_an_admin_can_unlock_them(client, dana, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post("/login/", {"username": "dana", "password": "wrong password"})

    page = client.post("/login/", {"username": "dana", "password": "wrong password"}).content.decode()

    assert "Account locked" in page
    assert "an admin can unlock the account at once" in page
    assert 'href="/accounts/locked/"' in page
    assert "Ask your supervisor" not in page
