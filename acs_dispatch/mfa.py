"""Multi-factor authentication (CJIS 5.6.2.2): the policy, the devices and the code check.

A user signs in with a password and then a 6-digit code from an authenticator app (TOTP,
django-otp), or one of ten single-use recovery codes (django-otp's static device) when the phone is
lost. Who must: admins and ACS supervisors always, other roles when the center lists them in
settings.MFA_REQUIRED_ROLES, and anyone who has enrolled a device.

Reads are the `mfa_*` selectors at the top; writes (`mfa_enrol_*`, `mfa_reset`) append an audit
event like every other service.
"""

from __future__ import annotations

import io
import re
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from acs_dispatch.exceptions import ValidationFailed
from live.events import AUDIT, event_append
from live.kinds import EventKind

TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
TOTP_CODE = re.compile(r"^\d{6}$")


# --- reads
def mfa_role_requires(role: str) -> bool:
    """True if this role must sign in with a second factor (settings.MFA_REQUIRED_ROLES)."""
    return role in settings.MFA_REQUIRED_ROLES


def mfa_device(*, user) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def mfa_required(*, user) -> bool:
    """True if `user` must give a second factor: their role requires it, or they enrolled one."""
    return mfa_role_requires(user.role) or mfa_device(user=user) is not None


def mfa_recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def mfa_wait_seconds(*, user, code: str) -> int:
    """Seconds before the device that would check `code` accepts another try (django-otp doubles
    the wait after each wrong code); 0 if it may be tried now."""
    model = TOTPDevice if TOTP_CODE.match(mfa_code_normalise(code)) else StaticDevice
    waits = []
    for device in model.objects.filter(user=user, confirmed=True):
        allowed, info = device.verify_is_allowed()
        if not allowed and info and info.get("locked_until"):
            waits.append(max(1, int((info["locked_until"] - timezone.now()).total_seconds()) + 1))
    return min(waits) if waits else 0


def mfa_secret(device: TOTPDevice) -> str:
    """The secret as the base32 text an authenticator app takes by hand (grouped by four)."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def mfa_qr_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG QR code (no image request, no CDN, no inline script)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]  # drop the XML declaration: it is inlined in HTML


def mfa_kind(device) -> str:
    """How the second factor was given, for the audit log: "totp" or "recovery_code"."""
    return "recovery_code" if isinstance(device, StaticDevice) else "totp"


def mfa_code_normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


@transaction.atomic
def mfa_verify(*, user, code: str):
    """The device that accepts `code` (a TOTP code, or an unused recovery code, which it then
    spends), else None. A TOTP code is accepted once (django-otp remembers the last time step);
    failures slow further tries down (django-otp's throttling doubles the wait each time)."""
    code = mfa_code_normalise(code)
    if not code:
        return None
    if TOTP_CODE.match(code):
        devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
    for device in devices:
        if device.verify_token(code):
            return device
    return None


# --- writes
@transaction.atomic
def mfa_enrol_start(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator for `user` (the one shown on the enrolment screen). Any
    earlier unconfirmed one is dropped; a confirmed one stays until the new one is confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def mfa_enrol_confirm(*, user, device: TOTPDevice, code: str, actor=None) -> list[str]:
    """Confirm `device` with a code it shows; it replaces any other authenticator of the user.
    Returns fresh recovery codes (shown once: the caller must not keep them)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        accepted = device.verify_token(mfa_code_normalise(code))
        if accepted:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _recovery_codes_replace(user=user)
            event_append(
                kind=EventKind.USER_MFA_ENROLLED,
                actor=actor or user,
                data={"username": user.username, "recovery_codes": len(codes)},
                streams=[AUDIT],
            )
    if not accepted:  # raised after the commit, so the failure still counts towards the throttle
        raise ValidationFailed(
            "That code does not match: check the clock of the phone and try the next code."
        )
    return codes


@transaction.atomic
def mfa_device_seed(*, user, key_hex: str) -> TOTPDevice:
    """Give `user` a confirmed authenticator with a known secret (the demo data only: the secret is
    published in the README). Idempotent."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True, key=key_hex).first()
    if device is None:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, key=key_hex, confirmed=True)
        event_append(
            kind=EventKind.USER_MFA_ENROLLED,
            actor=None,
            data={"username": user.username, "seeded": True},
            streams=[AUDIT],
        )
    return device


@transaction.atomic
def mfa_reset(*, user, actor=None) -> int:
    """Remove every second-factor device of `user` (a lost phone): they enrol again at the next
    sign-in. Returns how many devices were removed."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=user)
        removed += devices.count()
        devices.delete()
    event_append(
        kind=EventKind.USER_MFA_RESET, actor=actor, data={"username": user.username}, streams=[AUDIT]
    )
    return removed


def _recovery_codes_replace(*, user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes
