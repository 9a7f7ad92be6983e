"""Session middleware with the idle clock the screens can read.

Django's own middleware slides the session on every request (SESSION_SAVE_EVERY_REQUEST). This one
also stamps when that happened, so GET /session can tell a screen how long it has left, and it lets
that probe read the session without sliding it: a screen asking "am I still logged in?" every few
minutes must not keep an unattended console logged in forever (CJIS 5.5.5, session lock).
"""

from __future__ import annotations

import time

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import BadRequest

ACTIVE_AT_KEY = "_active_at"  # epoch seconds of the last request that slid the session


def session_probe(view):
    """Mark a view as a probe: its request neither slides nor stamps the session."""
    view.session_probe = True
    return view


class SlidingSessionMiddleware(SessionMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "session_probe", False):
            request.session_probe = True

    def process_response(self, request, response):
        if getattr(request, "session_probe", False):
            # Not saved, not re-sent: the expiry stays where the last real request put it.
            return response
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) is not None:
            session[ACTIVE_AT_KEY] = int(time.time())
        return super().process_response(request, response)


class ControlCharacterPathMiddleware:
    """A NUL or another control character in the path (a call sign, an id) is a 400, never a
    database error: PostgreSQL refuses NUL in text."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in request.path):
            raise BadRequest("control character in the path")
        return self.get_response(request)
