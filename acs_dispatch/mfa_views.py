"""The second sign-in step: enter a code (/login/verify/) or enrol an authenticator (/login/enrol/).

After a right password, a user who needs a second factor is NOT logged in: the session only holds
a pending marker (who, which backend, where to go next, when), valid MFA_PENDING_SECONDS. Django's
login() runs after the code is right, so every screen, API and socket sees an anonymous user until
then; there is no half-authenticated session to forget to check.
"""

from __future__ import annotations

import time

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from acs_dispatch.exceptions import ValidationFailed
from acs_dispatch.mfa import (
    mfa_device,
    mfa_enrol_confirm,
    mfa_enrol_start,
    mfa_kind,
    mfa_qr_svg,
    mfa_recovery_codes_left,
    mfa_secret,
    mfa_verify,
    mfa_wait_seconds,
)
from acs_dispatch.services import user_login_record
from acs_dispatch.throttles import sign_in_throttle_wait

PENDING_KEY = "_mfa_pending"
ENROL_DEVICE_KEY = "_mfa_enrol_device"
MAX_TRIES = 5  # wrong codes before the password must be given again


def mfa_pending_start(request: HttpRequest, *, user, next_url: str) -> None:
    """Remember, in the anonymous session, that `user` gave the right password."""
    request.session.cycle_key()  # a fresh session id for the sign-in in progress
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "next": next_url,
        "at": int(time.time()),
        "tries": 0,
    }


def _pending(request: HttpRequest):
    """(pending dict, user) while a sign-in waits for its code, else (None, None)."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > settings.MFA_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None, None
    return pending, user


def mfa_login_complete(request: HttpRequest, *, user, device, backend: str, next_url: str, ip: str | None):
    """Both factors given: log the user in, bind the device to the session, record the logon."""
    request.session.pop(PENDING_KEY, None)
    request.session.pop(ENROL_DEVICE_KEY, None)
    auth_login(request, user, backend=backend)
    django_otp.login(request, device)
    kind = mfa_kind(device)
    user_login_record(user=user, ip=ip, mfa=kind)
    if kind == "recovery_code":
        left = mfa_recovery_codes_left(user=user)
        messages.warning(
            request,
            f"You signed in with a recovery code; {left} left. Each works once: "
            "ask an admin to reset your authenticator if your phone is lost.",
        )
    safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
    return redirect(next_url if next_url and safe else settings.LOGIN_REDIRECT_URL)


def _throttled(request: HttpRequest, template: str, context: dict) -> HttpResponse | None:
    wait = sign_in_throttle_wait(request)
    if wait is None:
        return None
    context["error"] = f"Too many sign-in attempts from this address: try again in {int(wait) + 1} seconds."
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(int(wait) + 1)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_verify_view(request: HttpRequest) -> HttpResponse:
    """The code step: a 6-digit authenticator code, or a recovery code."""
    pending, user = _pending(request)
    if user is None:
        messages.info(request, "Sign in with your password first.")
        return redirect("login")
    if mfa_device(user=user) is None:
        return redirect("mfa_enrol")
    context = {"pending_user": user}
    if request.method == "POST":
        throttled = _throttled(request, "registration/mfa_verify.html", context)
        if throttled:
            return throttled
        code = request.POST.get("otp", "")
        wait = mfa_wait_seconds(user=user, code=code)
        if wait:  # django-otp's growing wait after a wrong code: say so, do not count a try
            context["error"] = (
                f"Wrong codes slow further tries down: wait {wait} seconds, then enter the code again."
            )
            return render(request, "registration/mfa_verify.html", context, status=429)
        device = mfa_verify(user=user, code=code)
        if device is not None:
            return mfa_login_complete(
                request,
                user=user,
                device=device,
                backend=pending["backend"],
                next_url=pending["next"],
                ip=request.META.get("REMOTE_ADDR"),
            )
        pending["tries"] += 1
        if pending["tries"] >= MAX_TRIES:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, "Too many wrong codes: sign in with your password again.")
            return redirect("login")
        request.session[PENDING_KEY] = pending
        context["error"] = "That code is wrong or already used. Enter the code your authenticator shows now."
    return render(request, "registration/mfa_verify.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_enrol_view(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: QR code (inline SVG), the otpauth URI and the key to type by hand;
    a first code confirms it; then the recovery codes, shown once."""
    pending, user = _pending(request)
    if user is None:
        messages.info(request, "Sign in with your password first.")
        return redirect("login")
    if mfa_device(user=user) is not None:
        return redirect("mfa_verify")  # enrolled already: a new phone goes through an admin reset
    device = TOTPDevice.objects.filter(
        pk=request.session.get(ENROL_DEVICE_KEY), user=user, confirmed=False
    ).first()
    if device is None:
        device = mfa_enrol_start(user=user)
        request.session[ENROL_DEVICE_KEY] = device.pk
    context = {
        "pending_user": user,
        "qr_svg": mfa_qr_svg(device.config_url),
        "otpauth_uri": device.config_url,
        "secret": mfa_secret(device),
        "issuer": settings.MFA_ISSUER,
    }
    if request.method == "POST":
        throttled = _throttled(request, "registration/mfa_enrol.html", context)
        if throttled:
            return throttled
        try:
            codes = mfa_enrol_confirm(user=user, device=device, code=request.POST.get("otp", ""), actor=user)
        except ValidationFailed as exc:
            context["error"] = exc.message
            return render(request, "registration/mfa_enrol.html", context)
        device.refresh_from_db()
        response = mfa_login_complete(
            request,
            user=user,
            device=device,
            backend=pending["backend"],
            next_url=pending["next"],
            ip=request.META.get("REMOTE_ADDR"),
        )
        # The recovery codes are in this one answer only (never stored for display, never cached).
        page = render(
            request,
            "registration/mfa_recovery_codes.html",
            {"codes": codes, "next_url": response["Location"]},
        )
        page["Cache-Control"] = "no-store"
        return page
    return render(request, "registration/mfa_enrol.html", context)
