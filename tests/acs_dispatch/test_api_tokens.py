"""API tokens (issue 15): hashed, one per device, expiring (idle and shift), revoked at logout,
logout-all, password change, deactivation and role change; a bad login answers 401."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from knox.models import AuthToken
from rest_framework.test import APIClient

from acs_dispatch.services import user_deactivate, user_password_set, user_role_set

TOKEN_URL = "/api/v1/auth/token"
PROTECTED = "/api/v1/units"


def _sign_in(username: str, password: str, **extra) -> tuple[int, dict]:
    response = APIClient().post(
        TOKEN_URL, {"username": username, "password": password, **extra}, format="json"
    )
    return response.status_code, response.json()


def _get(key: str, url: str = PROTECTED) -> int:
    return APIClient().get(url, HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_it_issues_a_token_that_authenticates_and_is_stored_only_as_a_digest(dana):
    status, body = _sign_in("dana", "pw-dana")

    assert status == 200
    assert set(body) == {"token", "expiry"}
    assert _get(body["token"]) == 200
    row = AuthToken.objects.get(user=dana)
    assert body["token"] not in (row.digest, row.token_key)
    assert len(row.digest) == 128  # SHA-512


def test_it_answers_a_bad_login_with_401_in_the_error_shape(dana):
    status, body = _sign_in("dana", "wrong")

    assert status == 401
    assert body["error"] == "invalid_credentials"
    assert body["detail"] == "Unknown username or wrong password."
    assert not AuthToken.objects.exists()


def test_it_answers_an_unknown_user_like_a_wrong_password(db):
    status, body = _sign_in("nobody", "whatever")

    assert (status, body["error"]) == (401, "invalid_credentials")


def test_it_gives_each_device_its_own_token_and_logout_revokes_only_that_one(dana, capture_events):
    _, tablet = _sign_in("dana", "pw-dana", device="tablet")
    _, console = _sign_in("dana", "pw-dana", device="console")

    with capture_events() as pushed:
        response = APIClient().post("/api/v1/auth/logout", HTTP_AUTHORIZATION=f"Token {tablet['token']}")

    assert response.status_code == 204
    assert _get(tablet["token"]) == 401
    assert _get(console["token"]) == 200
    assert [(s, f["kind"], f["data"]) for s, f in pushed] == [
        ("audit", "user.tokens_revoked", {"username": "dana", "reason": "logout", "tokens": 1})
    ]


def test_it_records_the_device_of_a_token_sign_in(dana, capture_events):
    with capture_events() as pushed:
        _sign_in("dana", "pw-dana", device="MDT 12")

    assert [(f["kind"], f["data"]) for _, f in pushed] == [
        ("user.logged_in", {"username": "dana", "ip": "127.0.0.1", "via": "token", "device": "MDT 12"})
    ]


def test_it_revokes_every_token_at_logout_all(dana):
    _, one = _sign_in("dana", "pw-dana")
    _, two = _sign_in("dana", "pw-dana")

    response = APIClient().post("/api/v1/auth/logout-all", HTTP_AUTHORIZATION=f"Token {one['token']}")

    assert response.status_code == 204
    assert (_get(one["token"]), _get(two["token"])) == (401, 401)


def test_it_refuses_logout_without_a_token(client_as, dana):
    response = client_as(dana).post("/api/v1/auth/logout")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


def test_it_revokes_the_tokens_at_a_password_change(dana, capture_events):
    _, body = _sign_in("dana", "pw-dana")

    with capture_events() as pushed:
        user_password_set(user=dana, password="a-new-long-passphrase-2026", actor=dana)

    assert _get(body["token"]) == 401
    kinds = [(f["kind"], f["data"].get("reason")) for _, f in pushed]
    assert ("user.tokens_revoked", "password_changed") in kinds
    assert ("user.password_changed", None) in kinds


def test_it_revokes_the_tokens_at_deactivation(dana):
    _, body = _sign_in("dana", "pw-dana")

    user_deactivate(user=dana, actor=None)

    assert _get(body["token"]) == 401
    assert not AuthToken.objects.filter(user=dana).exists()


def test_it_revokes_the_tokens_at_a_role_change(dana, capture_events):
    _, body = _sign_in("dana", "pw-dana")

    with capture_events() as pushed:
        user_role_set(user=dana, role="call_taker", actor=None)

    assert _get(body["token"]) == 401
    assert ("user.tokens_revoked", "role_changed") in [
        (f["kind"], f["data"].get("reason")) for _, f in pushed
    ]


def test_it_revokes_the_tokens_whatever_path_changes_the_password(dana):
    """`manage.py changepassword`, the Django admin or a shell save the row directly."""
    _, body = _sign_in("dana", "pw-dana")

    dana.set_password("changed-outside-the-services")
    dana.save()

    assert _get(body["token"]) == 401


def test_it_keeps_the_tokens_when_nothing_token_ending_changes(dana):
    _, body = _sign_in("dana", "pw-dana")

    dana.first_name = "Dana"
    dana.save(update_fields=["first_name"])
    dana.save()  # a full save with no token-ending change

    assert _get(body["token"]) == 200


def test_it_ends_a_token_after_the_idle_limit(dana, settings, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC), tick=False)
    _, body = _sign_in("dana", "pw-dana")

    time_machine.move_to(dt.datetime(2026, 3, 1, 8, 29, tzinfo=dt.UTC), tick=False)
    assert _get(body["token"]) == 200  # used within 30 minutes: slides
    time_machine.move_to(dt.datetime(2026, 3, 1, 8, 58, tzinfo=dt.UTC), tick=False)
    assert _get(body["token"]) == 200
    time_machine.move_to(dt.datetime(2026, 3, 1, 9, 29, tzinfo=dt.UTC), tick=False)
    assert _get(body["token"]) == 401  # 31 minutes without use


def test_it_ends_a_token_at_the_end_of_the_shift_however_busy(dana, time_machine):
    start = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    _, body = _sign_in("dana", "pw-dana")

    for minutes in range(20, 10 * 60, 20):  # used every 20 minutes for ten hours
        time_machine.move_to(start + dt.timedelta(minutes=minutes), tick=False)
        assert _get(body["token"]) == 200, minutes
    time_machine.move_to(start + dt.timedelta(hours=10, minutes=1), tick=False)
    assert _get(body["token"]) == 401


def test_it_refuses_a_token_of_a_year_ago(dana):
    _, body = _sign_in("dana", "pw-dana")
    AuthToken.objects.filter(user=dana).update(expiry=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))

    assert _get(body["token"]) == 401


@pytest.mark.django_db(transaction=True)
def test_it_moves_old_clear_text_tokens_to_hashed_knox_tokens(django_user_model):
    """The data migration: a DRF authtoken row becomes a knox token with the same secret."""
    from django.db.migrations.executor import MigrationExecutor

    user = django_user_model.objects.create_user(username="legacy", password="pw-legacy", role="dispatcher")
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, user_id integer)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [key, "2025-01-01 00:00:00", user.pk],
        )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([("acs_dispatch", "0005_heartbeat")])
        AuthToken.objects.filter(user=user).delete()
        call_command("migrate", "acs_dispatch", "0006", verbosity=0)

        assert _get(key) == 200
        assert AuthToken.objects.filter(user=user).count() == 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM authtoken_token")
            assert cursor.fetchone()[0] == 0  # no secret left in clear
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")
        call_command("migrate", verbosity=0)
