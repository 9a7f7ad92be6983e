"""The id of the request (or task) being served, in a context variable: the log lines and the
events it causes carry it (acs_dispatch/logs.py sets it; live.events stores it on each Event).
Here, at the bottom of the app graph, so the event log can read it without importing the project."""

from __future__ import annotations

from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_id_get() -> str | None:
    """The id of the request (or task) being served, None outside of one."""
    return _request_id.get()
