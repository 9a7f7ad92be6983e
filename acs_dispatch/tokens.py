"""API tokens (django-rest-knox): how a token is checked outside DRF (websockets), and the safety
net that revokes a user's tokens whenever their password, active flag or role changes.

Knox stores only a SHA-512 digest of each token; each sign-in makes a new one (one per device).
Expiry (settings.REST_KNOX): a token dies API_TOKEN_IDLE_SECONDS after its last use (each use
slides it, like the session's idle rule) and never lives past API_TOKEN_MAX_HOURS (one shift).
Revocation is in acs_dispatch.services (`user_tokens_revoke` and the user services that call it).
"""

from __future__ import annotations

from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework.exceptions import AuthenticationFailed


def token_authenticate(key: str):
    """(user, AuthToken) for a valid, unexpired token of an active user, else None.

    Counts as a use: it slides the token's idle expiry, as an API request does."""
    if not key:
        return None
    try:
        return TokenAuthentication().authenticate_credentials(key.encode("utf-8"))
    except (AuthenticationFailed, UnicodeError, ValueError):
        return None


def token_alive(*, digest: str, user_id: int) -> bool:
    """True while the token with this digest exists, belongs to `user_id` and has not expired.
    A socket opened on a token re-checks it at each heartbeat (calls.consumers)."""
    return AuthToken.objects.filter(digest=digest, user_id=user_id, expiry__gt=timezone.now()).exists()


# Fields whose change ends every token of the user, whoever saves the row (a service,
# `manage.py changepassword`, the Django admin, a shell).
TOKEN_ENDING_FIELDS = ("password", "is_active", "role")


def user_pre_save_tokens(sender, instance, update_fields=None, **kwargs) -> None:
    """pre_save of the user model: remember whether a token-ending field changed."""
    instance._tokens_end = False
    if instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(TOKEN_ENDING_FIELDS):
        return  # e.g. update_last_login at each sign-in: no extra query
    old = sender.objects.filter(pk=instance.pk).values(*TOKEN_ENDING_FIELDS).first()
    if old is None:
        return
    instance._tokens_end = any(old[f] != getattr(instance, f) for f in TOKEN_ENDING_FIELDS)


def user_post_save_tokens(sender, instance, created=False, **kwargs) -> None:
    """post_save of the user model: delete the tokens if a token-ending field changed."""
    if getattr(instance, "_tokens_end", False):
        AuthToken.objects.filter(user_id=instance.pk).delete()
        instance._tokens_end = False
