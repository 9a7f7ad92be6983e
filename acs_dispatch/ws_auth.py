"""Websocket authentication by `Authorization: Token ...` header, beside the session cookie."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware


@database_sync_to_async
def _user_for_token(key: str):
    from rest_framework.authtoken.models import Token

    try:
        return Token.objects.select_related("user", "user__unit").get(key=key).user
    except Token.DoesNotExist:
        return None


class TokenAuthMiddleware(BaseMiddleware):
    """If the handshake carries a token header, it decides who the user is."""

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth.startswith("Token "):
            user = await _user_for_token(auth[6:].strip())
            if user is not None and user.is_active:
                scope["user"] = user
            else:
                from django.contrib.auth.models import AnonymousUser

                scope["user"] = AnonymousUser()
        return await super().__call__(scope, receive, send)
