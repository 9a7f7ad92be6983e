"""Sign-in failures and lockouts into the event log (issue 14: the audit screen shows them).

Django's `user_login_failed` signal (every backend, the sign-in page and the token API alike) and
django-axes' `user_locked_out` are the only places these are known; the receivers call one service
each and do nothing else. Connected in AcsDispatchConfig.ready().
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import transaction

from live.events import AUDIT, event_append
from live.kinds import EventKind

logger = logging.getLogger(__name__)


def _ip(request) -> str | None:
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")


@transaction.atomic
def user_login_failed_record(*, username: str, ip: str | None) -> None:
    """Record a failed sign-in (CJIS 5.4.1.1: unsuccessful logon attempts are audited). The actor is
    the account tried, when it exists; the username is kept as typed either way."""
    user = get_user_model().objects.filter(username__iexact=username).first() if username else None
    event_append(
        kind=EventKind.USER_LOGIN_FAILED,
        actor=user,
        data={"username": username, "ip": ip, "known_user": user is not None},
        streams=[AUDIT],
    )


@transaction.atomic
def user_lockout_record(*, username: str, ip: str | None) -> None:
    """Record that django-axes locked an account out after repeated failures."""
    user = get_user_model().objects.filter(username__iexact=username).first() if username else None
    event_append(
        kind=EventKind.USER_LOCKED_OUT, actor=user, data={"username": username, "ip": ip}, streams=[AUDIT]
    )


def on_login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    user_login_failed_record(username=str(credentials.get("username") or "")[:150], ip=_ip(request))


def on_locked_out(sender, request=None, username: str | None = None, ip_address: str | None = None, **kwargs):
    user_lockout_record(username=str(username or "")[:150], ip=ip_address or _ip(request))


def audit_receivers_connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_login_failed

    user_login_failed.connect(on_login_failed, dispatch_uid="acs_audit_login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="acs_audit_locked_out")
