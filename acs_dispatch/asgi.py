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

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(TokenAuthMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
