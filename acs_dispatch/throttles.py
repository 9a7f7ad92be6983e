"""Sign-in throttling by client address: the token endpoint (DRF) and the login form share it.

django-axes locks a (username, address) pair after five failures, so a stranger cannot lock a
dispatcher out from elsewhere; what stops one address guessing across many usernames is this
throttle: AUTH_THROTTLE_RATE sign-in attempts per address (30 a minute by default: a floor's shift
change behind one NAT address stays under it; raise it for a larger floor).
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle


class SignInRateThrottle(ScopedRateThrottle):
    """ScopedRateThrottle for views with `throttle_scope = "auth"`; the rate is read from settings
    at each request (DRF binds THROTTLE_RATES at import, which tests and deploys could not change).
    Anonymous requests are keyed by address (REMOTE_ADDR, or X-Forwarded-For with NUM_PROXIES)."""

    def get_rate(self):
        return settings.AUTH_THROTTLE_RATE


class _FormScope:
    throttle_scope = "auth"


def sign_in_throttle_wait(request) -> float | None:
    """For plain Django views (the login form, the second-factor step): None if this address may
    try again now, else the seconds to wait. Counts the attempt."""
    throttle = SignInRateThrottle()
    if throttle.allow_request(request, _FormScope()):
        return None
    return throttle.wait() or 1.0
