"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acs_dispatch.settings")
# Set up Django before importing consumers: they import models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from acs_dispatch.routing import websocket_urlpatterns  # noqa: E402
from acs_dispatch.ws_auth import TokenAuthMiddleware  # noqa: E402
from calls.timers import timers_start  # noqa: E402

# The server's entry point, so the in-process timers start in a web server and nowhere else
# (settings.TIMERS decides whether they run here at all).
timers_start()


class OriginCheckForBrowsers:
    """Browsers always send an Origin on a websocket, and only they carry the session cookie a
    cross-site page could ride: they are checked against ALLOWED_HOSTS. Another system (a CAD, a
    vehicle modem) sends no Origin and authenticates with `Authorization: Token ...` (DESIGN.md):
    it is let through to the token check, which refuses a bad token with 4401."""

    def __init__(self, inner) -> None:
        self.checked = AllowedHostsOriginValidator(inner)
        self.inner = inner

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers") or [])
        if b"origin" not in headers and headers.get(b"authorization", b"").startswith(b"Token "):
            return await self.inner(scope, receive, send)
        return await self.checked(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginCheckForBrowsers(
            AuthMiddlewareStack(TokenAuthMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
