"""Websocket authentication by `Authorization: Token ...` header, beside the session cookie.

Tokens are django-rest-knox tokens (acs_dispatch.tokens): checked against their stored digest,
refused once expired or revoked. The socket keeps the token's digest in its scope, so its
heartbeat closes it (4401) when the token is revoked or runs out (calls.consumers)."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware

TOKEN_DIGEST_KEY = "auth_token_digest"


@database_sync_to_async
def _authenticate(key: str):
    from acs_dispatch.tokens import token_authenticate

    return token_authenticate(key)


class TokenAuthMiddleware(BaseMiddleware):
    """If the handshake carries a token header, it decides who the user is."""

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth.startswith("Token "):
            found = await _authenticate(auth[6:].strip())
            if found is not None:
                user, token = found
                scope = {**scope, "user": user, TOKEN_DIGEST_KEY: token.digest}
            else:
                from django.contrib.auth.models import AnonymousUser

                scope = {**scope, "user": AnonymousUser()}
        return await super().__call__(scope, receive, send)
