"""Two-factor sign-in (issue 15): who must, enrolment, the code step, recovery codes, the API."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from acs_dispatch.mfa import mfa_device_seed, mfa_required, mfa_reset

KEY_HEX = "00a43231d374df220a249a89800a43231d374df2"  # seed_demo's DEMO_TOTP_SECRET
T0 = dt.datetime(2026, 3, 1, 8, 0, 10, tzinfo=dt.UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def code_for(key_hex: str, at: dt.datetime = T0) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = at.timestamp()
    return f"{totp.token():06d}"


def sign_in(client, username: str, password: str | None = None):
    return client.post(reverse("login"), {"username": username, "password": password or f"pw-{username}"})


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


# --- who must
@pytest.mark.parametrize(
    ("persona", "required"),
    [("ada", True), ("sam", True), ("dana", False), ("carla", False), ("riley", False)],
)
def test_it_requires_a_second_factor_of_admins_and_acs_supervisors(request, persona, required):
    assert mfa_required(user=request.getfixturevalue(persona)) is required


def test_it_requires_it_of_the_roles_the_center_adds(dana, carla, settings):
    settings.MFA_REQUIRED_ROLES = ["admin", "acs_supervisor", "dispatcher"]

    assert mfa_required(user=dana) is True
    assert mfa_required(user=carla) is False


def test_it_requires_it_of_anyone_who_enrolled(dana):
    mfa_device_seed(user=dana, key_hex=KEY_HEX)

    assert mfa_required(user=dana) is True


def test_it_signs_in_a_user_without_a_second_factor_at_once(client, dana):
    response = sign_in(client, "dana")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert logged_in(client)


# --- enrolment
def test_it_sends_an_unenrolled_supervisor_to_enrolment_without_logging_in(client, sam):
    response = sign_in(client, "sam")

    assert response["Location"] == reverse("mfa_enrol")
    assert not logged_in(client)
    assert client.get(reverse("units:supervisor"))["Location"].startswith(reverse("login"))


def test_it_shows_the_qr_code_the_uri_and_the_key(client, sam):
    sign_in(client, "sam")

    page = client.get(reverse("mfa_enrol")).content.decode()

    device = TOTPDevice.objects.get(user=sam, confirmed=False)
    assert '<div class="qr" role="img"' in page and "<svg" in page and "<path" in page
    assert "otpauth://totp/ACS%20Dispatch%3Asam?secret=" in page
    secret = re.search(r'id="mfa-secret" class="mfa-secret">([A-Z2-7 ]+)<', page).group(1)
    assert secret.replace(" ", "") in device.config_url
    assert "<script>" not in page


def test_it_refuses_a_wrong_enrolment_code(client, sam, clock):
    sign_in(client, "sam")
    client.get(reverse("mfa_enrol"))

    response = client.post(reverse("mfa_enrol"), {"otp": "000000"})

    assert response.status_code == 200
    assert "That code does not match" in response.content.decode()
    assert not logged_in(client)
    assert not TOTPDevice.objects.filter(user=sam, confirmed=True).exists()


def test_it_enrols_signs_in_and_shows_the_recovery_codes_once(client, sam, clock, capture_events):
    sign_in(client, "sam")
    client.get(reverse("mfa_enrol"))
    device = TOTPDevice.objects.get(user=sam, confirmed=False)

    with capture_events() as pushed:
        response = client.post(reverse("mfa_enrol"), {"otp": code_for(device.key)})

    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    assert len(codes) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=sam).values_list("token", flat=True)
    )
    assert logged_in(client)
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert [f["kind"] for _, f in pushed] == ["user.mfa_enrolled", "user.logged_in"]
    assert pushed[1][1]["data"]["mfa"] == "totp"
    # Once: the enrolment screen is gone, and no page shows the codes again.
    assert client.get(reverse("mfa_enrol"))["Location"] == reverse("login")


# --- the code step
@pytest.fixture
def sam_enrolled(sam):
    mfa_device_seed(user=sam, key_hex=KEY_HEX)
    return sam


def test_it_asks_an_enrolled_user_for_the_code_before_logging_in(client, sam_enrolled):
    response = sign_in(client, "sam")

    assert response["Location"] == reverse("mfa_verify")
    assert not logged_in(client)
    assert "Signing in as <strong>sam</strong>" in client.get(reverse("mfa_verify")).content.decode()


def test_it_logs_in_with_the_right_code(client, sam_enrolled, clock):
    sign_in(client, "sam")

    response = client.post(reverse("mfa_verify"), {"otp": code_for(KEY_HEX)})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert logged_in(client)
    assert client.get(reverse("units:supervisor")).status_code == 200


def test_it_refuses_a_wrong_code(client, sam_enrolled, clock):
    sign_in(client, "sam")

    response = client.post(
        reverse("mfa_verify"), {"otp": "123456" if code_for(KEY_HEX) != "123456" else "654321"}
    )

    assert response.status_code == 200
    assert "That code is wrong or already used" in response.content.decode()
    assert not logged_in(client)


def test_it_asks_to_wait_after_a_wrong_code_instead_of_calling_the_right_one_wrong(
    client, sam_enrolled, clock
):
    sign_in(client, "sam")
    client.post(reverse("mfa_verify"), {"otp": "999999" if code_for(KEY_HEX) != "999999" else "888888"})

    too_soon = client.post(reverse("mfa_verify"), {"otp": code_for(KEY_HEX)})
    assert too_soon.status_code == 429
    assert "wait 2 seconds, then enter the code again" in too_soon.content.decode()

    clock.move_to(T0 + dt.timedelta(seconds=2), tick=False)
    assert client.post(reverse("mfa_verify"), {"otp": code_for(KEY_HEX)}).status_code == 302
    assert logged_in(client)


def test_the_api_asks_to_wait_after_a_wrong_code(sam_enrolled, clock):
    _token("sam", otp="999999" if code_for(KEY_HEX) != "999999" else "888888")

    status, body = _token("sam", otp=code_for(KEY_HEX))

    assert status == 429


def test_it_refuses_a_code_used_once_already(client, sam_enrolled, clock):
    code = code_for(KEY_HEX)
    sign_in(client, "sam")
    client.post(reverse("mfa_verify"), {"otp": code})
    client.post(reverse("logout"))

    sign_in(client, "sam")
    response = client.post(reverse("mfa_verify"), {"otp": code})

    assert not logged_in(client)
    assert "already used" in response.content.decode()


def test_it_asks_for_the_password_again_after_five_wrong_codes(client, sam_enrolled, clock):
    sign_in(client, "sam")
    for i in range(5):
        clock.move_to(T0 + dt.timedelta(minutes=i), tick=False)  # past django-otp's growing wait
        response = client.post(reverse("mfa_verify"), {"otp": "abcdefgh"})

    assert response["Location"] == reverse("login")
    assert client.get(reverse("mfa_verify"))["Location"] == reverse("login")


def test_it_forgets_a_pending_sign_in_after_five_minutes(client, sam_enrolled, clock):
    sign_in(client, "sam")
    later = T0 + dt.timedelta(minutes=6)
    clock.move_to(later, tick=False)

    response = client.post(reverse("mfa_verify"), {"otp": code_for(KEY_HEX, later)})

    assert response["Location"] == reverse("login")
    assert not logged_in(client)


def test_it_never_sends_someone_elsewhere_after_the_code(client, sam_enrolled, clock):
    client.post(reverse("login"), {"username": "sam", "password": "pw-sam", "next": "https://evil.example/"})

    response = client.post(reverse("mfa_verify"), {"otp": code_for(KEY_HEX)})

    assert response["Location"] == reverse("home")


def test_it_takes_the_password_and_the_code_at_once_for_the_idle_lock(client, sam_enrolled, clock):
    response = client.post(
        reverse("login"), {"username": "sam", "password": "pw-sam", "otp": code_for(KEY_HEX)}
    )

    assert response.status_code == 302
    assert logged_in(client)


def test_it_refuses_the_lock_form_with_a_wrong_code(client, sam_enrolled, clock):
    response = client.post(reverse("login"), {"username": "sam", "password": "pw-sam", "otp": "99999999"})

    assert response.status_code == 200
    assert "Wrong username, password or code." in response.content.decode()
    assert not logged_in(client)


# --- recovery codes
@pytest.fixture
def sam_with_codes(client, sam, clock):
    sign_in(client, "sam")
    client.get(reverse("mfa_enrol"))
    device = TOTPDevice.objects.get(user=sam, confirmed=False)
    page = client.post(reverse("mfa_enrol"), {"otp": code_for(device.key)}).content.decode()
    client.post(reverse("logout"))
    return re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)


def test_it_signs_in_once_with_a_recovery_code(client, sam_with_codes, clock):
    code = sam_with_codes[0]
    sign_in(client, "sam")
    response = client.post(reverse("mfa_verify"), {"otp": code.upper()}, follow=True)

    assert logged_in(client)
    assert "You signed in with a recovery code; 9 left." in response.content.decode()
    client.post(reverse("logout"))

    sign_in(client, "sam")
    client.post(reverse("mfa_verify"), {"otp": code})
    assert not logged_in(client)


def test_an_admin_reset_sends_the_user_to_enrol_again(client, sam_with_codes, ada, capture_events):
    with capture_events() as pushed:
        removed = mfa_reset(user=ada.__class__.objects.get(username="sam"), actor=ada)

    assert removed == 2
    assert [f["kind"] for _, f in pushed] == ["user.mfa_reset"]
    assert sign_in(client, "sam")["Location"] == reverse("mfa_enrol")


# --- the API
def _token(username: str, **extra):
    response = APIClient().post(
        "/api/v1/auth/token", {"username": username, "password": f"pw-{username}", **extra}, format="json"
    )
    return response.status_code, response.json()


def test_the_api_asks_for_the_code(sam_enrolled, clock):
    assert _token("sam") == (
        401,
        {
            "title": "Not logged in",
            "status": 401,
            "error": "otp_required",
            "detail": "This account signs in with a second factor: send the authenticator code in `otp`.",
        },
    )


def test_the_api_refuses_a_wrong_code(sam_enrolled, clock):
    status, body = _token("sam", otp="000000" if code_for(KEY_HEX) != "000000" else "111111")

    assert (status, body["error"]) == (401, "invalid_otp")


def test_the_api_issues_a_token_with_the_right_code(sam_enrolled, clock):
    status, body = _token("sam", otp=code_for(KEY_HEX))

    assert status == 200
    assert APIClient().get("/api/v1/units", HTTP_AUTHORIZATION=f"Token {body['token']}").status_code == 200


def test_the_api_sends_an_unenrolled_supervisor_to_the_browser(sam, clock):
    status, body = _token("sam", otp="123456")

    assert (status, body["error"]) == (401, "mfa_enrolment_required")


def test_the_django_admin_signs_in_through_the_two_step_login(client):
    response = client.get("/django-admin/login/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_mfa_reset_command_removes_the_devices(sam_enrolled):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("mfa_reset", "sam", stdout=out)

    assert "sam: 1 device(s) removed" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=sam_enrolled).exists()


# --- the backstop: a session without the second factor is ended
def test_it_ends_the_session_of_a_user_made_admin_until_they_sign_in_with_a_code(client, dana):
    from acs_dispatch.services import user_role_set

    sign_in(client, "dana")
    assert client.get(reverse("calls:board")).status_code == 200

    user_role_set(user=dana, role="admin", actor=None)
    response = client.get(reverse("triage:rulesets"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not logged_in(client)
    assert sign_in(client, "dana")["Location"] == reverse("mfa_enrol")


def test_it_answers_the_api_401_for_a_session_without_the_second_factor(client, sam):
    client.force_login(sam)

    response = client.get("/api/v1/units")

    assert response.status_code == 401
    assert response.json()["error"] == "mfa_required"
    assert not logged_in(client)
