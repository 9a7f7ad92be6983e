from __future__ import annotations

import pytest
from django.urls import reverse

from live.models import Event


@pytest.mark.parametrize(
    ("persona", "screen"),
    [
        ("carla", "calls:intake"),
        ("dana", "calls:board"),
        ("sam", "units:supervisor"),
        ("riley", "units:unit_dashboard"),
        ("ada", "triage:rulesets"),
    ],
)
def test_it_sends_each_role_to_its_screen(request, client_as, persona, screen):
    client = client_as(request.getfixturevalue(persona))

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse(screen)
    assert client.get(response["Location"]).status_code == 200


def test_it_sends_an_outsider_to_the_login_page(client):
    response = client.get(reverse("calls:board"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_tells_a_user_without_a_role_why_nothing_opens(client_as, otto):
    client = client_as(otto)

    assert client.get(reverse("home")).status_code == 403
    assert client.get(reverse("calls:intake")).status_code == 403


@pytest.mark.parametrize(
    ("persona", "screen"),
    [
        ("carla", "calls:board"),
        ("carla", "triage:rulesets"),
        ("dana", "triage:rulesets"),
        ("pete", "units:supervisor"),
        ("riley", "calls:intake"),
        ("sam", "calls:board"),
        ("dana", "units:unit_dashboard"),
    ],
)
def test_it_refuses_a_screen_outside_the_role(request, client_as, persona, screen):
    client = client_as(request.getfixturevalue(persona))

    assert client.get(reverse(screen)).status_code == 403


def test_it_records_login_and_logout(client, dana):
    response = client.post(reverse("login"), {"username": "dana", "password": "pw-dana"})
    assert response.status_code == 302

    client.post(reverse("logout"))

    kinds = list(Event.objects.filter(actor=dana).values_list("kind", flat=True))
    assert kinds == ["user.logged_in", "user.logged_out"]
    assert client.get(reverse("calls:board")).status_code == 302  # logged out: back to login


def test_it_locks_an_account_after_five_failed_logins(client, dana):
    for _ in range(5):
        client.post(reverse("login"), {"username": "dana", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "dana", "password": "pw-dana"})

    assert response.status_code == 429
    assert b"locked for 10 minutes" in response.content
    assert "_auth_user_id" not in client.session


def test_it_unlocks_the_account_after_ten_minutes(client, dana, time_machine):
    time_machine.move_to("2026-11-25 14:00:00+00:00", tick=False)
    for _ in range(5):
        client.post(reverse("login"), {"username": "dana", "password": "wrong"})

    time_machine.move_to("2026-11-25 14:10:30+00:00", tick=False)
    response = client.post(reverse("login"), {"username": "dana", "password": "pw-dana"})

    assert response.status_code == 302


def test_it_ends_a_session_after_thirty_idle_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_it_expires_an_idle_session(client, dana, time_machine):
    time_machine.move_to("2026-11-25 14:00:00+00:00", tick=False)
    client.post(reverse("login"), {"username": "dana", "password": "pw-dana"})
    assert client.get(reverse("calls:board")).status_code == 200

    time_machine.move_to("2026-11-25 14:31:00+00:00", tick=False)

    assert client.get(reverse("calls:board")).status_code == 302
