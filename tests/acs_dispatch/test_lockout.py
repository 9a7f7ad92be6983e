"""Lockout without a denial-of-service lever (issue 15): django-axes locks a (username, address)
pair, so guesses from one address never lock the user out elsewhere; one address guessing across
many usernames is throttled (429); an admin still unlocks."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.test import APIClient

from acs_dispatch.services import user_unlock

A = "203.0.113.7"  # a stranger
B = "10.20.0.15"  # the dispatcher's console


def _token(ip: str, username: str, password: str):
    return APIClient(REMOTE_ADDR=ip).post(
        "/api/v1/auth/token", {"username": username, "password": password}, format="json"
    )


def test_five_failures_from_one_address_do_not_lock_the_user_out_from_another(dana):
    statuses = [_token(A, "dana", "guess").status_code for _ in range(5)]

    assert statuses == [401, 401, 401, 401, 429]  # the fifth failure locks the pair
    locked = _token(A, "dana", "pw-dana")
    assert locked.status_code == 429  # locked from A, even with the right password
    assert locked.json()["error"] == "locked_out"
    assert _token(B, "dana", "pw-dana").status_code == 200  # not from B


def test_five_failures_at_the_form_do_not_lock_the_console_elsewhere(client, dana):
    for _ in range(5):
        client.post(reverse("login"), {"username": "dana", "password": "guess"}, REMOTE_ADDR=A)

    locked = client.post(reverse("login"), {"username": "dana", "password": "pw-dana"}, REMOTE_ADDR=A)
    assert locked.status_code == 429
    fine = client.post(reverse("login"), {"username": "dana", "password": "pw-dana"}, REMOTE_ADDR=B)
    assert fine.status_code == 302


def test_it_throttles_one_address_guessing_across_fifty_usernames(db, django_user_model):
    for i in range(50):
        django_user_model.objects.create_user(username=f"user{i}", password=f"pw-user{i}", role="dispatcher")

    statuses = [_token(A, f"user{i}", "Winter2026!").status_code for i in range(50)]

    assert statuses[:30] == [401] * 30  # AUTH_THROTTLE_RATE: 30 a minute per address
    assert set(statuses[30:]) == {429}
    refused = _token(A, "user0", "pw-user0")
    assert refused.status_code == 429
    assert "throttled" in refused.json()["detail"]
    assert int(refused["Retry-After"]) > 0
    assert _token(B, "user0", "pw-user0").status_code == 200  # another address is not slowed down


def test_the_login_form_is_throttled_by_address_too(client, db, settings):
    settings.AUTH_THROTTLE_RATE = "3/min"
    for i in range(3):
        client.post(reverse("login"), {"username": f"user{i}", "password": "guess"}, REMOTE_ADDR=A)

    response = client.post(reverse("login"), {"username": "user9", "password": "guess"}, REMOTE_ADDR=A)

    assert response.status_code == 429
    assert "Too many sign-in attempts from this address" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_an_admin_unlock_lifts_the_lock_from_every_address(dana, ada, capture_events):
    for ip in (A, B):
        for _ in range(5):
            _token(ip, "dana", "guess")
    assert _token(B, "dana", "pw-dana").status_code == 429

    with capture_events() as pushed:
        removed = user_unlock(username="dana", actor=ada)

    assert removed == 2
    assert [f["kind"] for _, f in pushed] == ["user.unlocked"]
    assert _token(B, "dana", "pw-dana").status_code == 200


def test_the_locked_accounts_screen_lists_a_pair_lock(client_as, dana, ada):
    for _ in range(5):
        _token(A, "dana", "guess")

    page = client_as(ada).get("/accounts/locked/").content.decode()

    assert 'data-username="dana"' in page
    assert f"<td>{A}</td>" in page
