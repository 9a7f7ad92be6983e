"""Staff accounts: creation and the login/logout audit record."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from knox.models import AuthToken

from acs_dispatch.exceptions import ValidationFailed
from acs_dispatch.roles import Role
from live.events import AUDIT, event_append, user_sockets_close
from live.kinds import EventKind


@transaction.atomic
def user_create(
    *, username: str, role: str, password: str, unit=None, actor=None, check_password: bool = True
):
    """Create a staff account with one role. A responder must be bound to a unit.

    Raises ValidationFailed with a message a person can act on.
    """
    User = get_user_model()
    if role not in Role.values:
        raise ValidationFailed(f"unknown role {role!r}: choose one of {', '.join(Role.values)}")
    if role == Role.RESPONDER and unit is None:
        raise ValidationFailed("a responder must crew a unit: give --unit CALL_SIGN")
    if role != Role.RESPONDER and unit is not None:
        raise ValidationFailed("only responders are bound to a unit")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(f"user {username!r} already exists")
    user = User(username=username, role=role, unit=unit, is_staff=(role == Role.ADMIN))
    if check_password:
        try:
            validate_password(password, user)
        except DjangoValidationError as exc:
            messages = exc.messages
            raise ValidationFailed("password rejected: " + " ".join(messages)) from exc
    user.set_password(password)
    user.save()
    event_append(
        kind=EventKind.USER_CREATED,
        actor=actor,
        data={"username": username, "role": role, "unit": unit.call_sign if unit else None},
        streams=[AUDIT],
    )
    return user


@transaction.atomic
def user_login_record(*, user, ip: str | None, via: str = "", device: str = "", mfa: str = "") -> None:
    """Record a successful login in the event log (CJIS: audit every logon). `via` "token" for an
    API token (with the client's `device` label), `mfa` the kind of second factor used."""
    data = {"username": user.username, "ip": ip}
    data.update({k: v for k, v in (("via", via), ("device", device), ("mfa", mfa)) if v})
    event_append(kind=EventKind.USER_LOGGED_IN, actor=user, data=data, streams=[AUDIT])


@transaction.atomic
def user_token_issue(*, user, ip: str | None, device: str = "", mfa: str = "") -> tuple[AuthToken, str]:
    """A new API token for `user` (one per device: each sign-in makes its own). Returns the row and
    the token itself, which is shown once: only its digest is stored."""
    instance, key = AuthToken.objects.create(user=user)
    user_login_record(user=user, ip=ip, via="token", device=device[:100], mfa=mfa)
    return instance, key


@transaction.atomic
def user_tokens_revoke(*, user, reason: str, actor=None, token: AuthToken | None = None) -> int:
    """Delete one token (`token`) or every token of `user`; record it when any was deleted.
    `reason`: logout, logout_all, password_changed, deactivated, role_changed."""
    rows = AuthToken.objects.filter(user=user)
    if token is not None:
        rows = rows.filter(digest=token.digest)
    removed, _ = rows.delete()
    if removed:
        event_append(
            kind=EventKind.USER_TOKENS_REVOKED,
            actor=actor,
            data={"username": user.username, "reason": reason, "tokens": removed},
            streams=[AUDIT],
        )
    return removed


@transaction.atomic
def user_password_set(*, user, password: str, actor=None):
    """Change `user`'s password (validated). Ends every API token and open socket of the user;
    Django ends their other sessions (the session hash changes)."""
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed("password rejected: " + " ".join(exc.messages)) from exc
    # Revoked before the save, so the event counts them (the save's safety net would find none).
    user_tokens_revoke(user=user, reason="password_changed", actor=actor)
    user.set_password(password)
    user.save(update_fields=["password"])
    event_append(
        kind=EventKind.USER_PASSWORD_CHANGED, actor=actor, data={"username": user.username}, streams=[AUDIT]
    )
    user_id = user.pk
    transaction.on_commit(lambda: user_sockets_close(user_id=user_id), robust=True)
    return user


@transaction.atomic
def user_deactivate(*, user, actor=None):
    """Deactivate `user`: no sign-in, no token, no open socket."""
    user_tokens_revoke(user=user, reason="deactivated", actor=actor)
    user.is_active = False
    user.save(update_fields=["is_active"])
    event_append(
        kind=EventKind.USER_DEACTIVATED, actor=actor, data={"username": user.username}, streams=[AUDIT]
    )
    user_id = user.pk
    transaction.on_commit(lambda: user_sockets_close(user_id=user_id), robust=True)
    return user


@transaction.atomic
def user_logout_record(*, user, ip: str | None) -> None:
    """Record a logout and close the user's live sockets (after commit)."""
    event_append(
        kind=EventKind.USER_LOGGED_OUT,
        actor=user,
        data={"username": user.username, "ip": ip},
        streams=[AUDIT],
    )
    user_id = user.pk
    transaction.on_commit(lambda: user_sockets_close(user_id=user_id), robust=True)


@transaction.atomic
def user_role_set(*, user, role: str, unit=None, actor=None):
    """Give `user` another role (or none: ""). Their open sockets close after commit, so a screen
    never keeps streaming to someone who lost the right to see it."""
    if role and role not in Role.values:
        raise ValidationFailed(f"unknown role {role!r}: choose one of {', '.join(Role.values)}")
    if role == Role.RESPONDER and unit is None:
        raise ValidationFailed("a responder must crew a unit")
    # A token carries the rights of the role it was issued under: a new role needs a new sign-in.
    user_tokens_revoke(user=user, reason="role_changed", actor=actor)
    old = user.role
    user.role = role
    user.unit = unit if role == Role.RESPONDER else None
    user.is_staff = role == Role.ADMIN
    user.save(update_fields=["role", "unit", "is_staff"])
    event_append(
        kind=EventKind.USER_ROLE_CHANGED,
        actor=actor,
        data={"username": user.username, "from": old, "to": role, "unit": unit.call_sign if unit else None},
        streams=[AUDIT],
    )
    user_id = user.pk
    transaction.on_commit(lambda: user_sockets_close(user_id=user_id), robust=True)
    return user


@transaction.atomic
def user_unlock(*, username: str, actor) -> int:
    """Lift a sign-in lockout (django-axes) on `username` and record who lifted it.

    Returns how many failed-attempt records were removed; 0 means the account was not locked, and
    nothing is recorded then. The lockout itself is CJIS 5.5.3; lifting it early is an admin act
    that the audit trail must show.
    """
    from axes.utils import reset

    removed = reset(username=username)
    if removed:
        event_append(
            kind=EventKind.USER_UNLOCKED,
            actor=actor,
            data={"username": username, "attempts_cleared": removed},
            streams=[AUDIT],
        )
    return removed
