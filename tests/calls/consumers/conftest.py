"""Helpers of the live-socket tests: open a socket as a persona, write events the way services do.

- `socket(path, user=None, session=False)`: an async context manager yielding a connected
  `WebsocketCommunicator` on the real ASGI application (origin check, session and token auth,
  routing). `user` authenticates with an `Authorization: Token` header, or with the session
  cookie when `session=True`; no user is the anonymous outsider.
- `make_call(**fields)`: a Call row (async).
- `call_event(call, kind=...)`: append a call event with its summary to the call's streams, as
  calls.services does (async; returns the Event).
- `note_event(call, text=...)`: append a clinical note event to the ACS streams only, as the note
  service does (async).
- `assign(call, unit)`: an active Assignment row (async).
"""

from __future__ import annotations

import contextlib
import itertools

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from calls.events import call_streams, call_summary
from calls.models import Call, ClinicalNote
from live.events import SUPERVISOR, event_append, unit_stream

_numbers = itertools.count(1)


@pytest.fixture
def socket():
    from knox.models import AuthToken

    from acs_dispatch.asgi import application

    @contextlib.asynccontextmanager
    async def open_socket(path: str, user=None, session: bool = False):
        headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
        if user is not None and session:
            client = Client()
            await _sync(client.force_login)(user)
            cookie = client.cookies["sessionid"].value
            headers.append((b"cookie", f"sessionid={cookie}".encode()))
        elif user is not None:
            _, key = await _sync(AuthToken.objects.create)(user=user)
            headers.append((b"authorization", f"Token {key}".encode()))
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        try:
            yield communicator
        finally:
            await communicator.disconnect()

    return open_socket


def _sync(fn):
    from channels.db import database_sync_to_async

    return database_sync_to_async(fn)


@pytest.fixture
def make_call(zones):
    @_sync
    def make(**fields):
        defaults = {
            "number": f"26-T{next(_numbers):05d}",
            "narrative": "man shouting at traffic, no weapons seen",
            "address": "400 Central Ave SW",
            "lat": 35.0844,
            "lon": -106.6504,
            "zone": zones["Valley"],
            "agencies": ["ACS"],
            "lead": "ACS",
            "priority": 3,
            "status": Call.Status.PENDING,
            "triage_reasons": ["behavioral health, no safety guard"],
        }
        return Call.objects.create(**{**defaults, **fields})

    return make


def _call_event(call, *, kind: str = "call.status_changed", actor=None):
    """Append a call event the way calls.services does: the whole summary, the call's streams."""
    call = Call.objects.get(pk=call.pk)
    summary = call_summary(call)
    return event_append(
        kind=kind, actor=actor, data={"call": summary}, streams=call_streams(summary), call=call
    )


def _note_event(call, *, text: str, author=None):
    """A clinical note as the note service writes it: SUPERVISOR + the ACS units on the call only."""
    call = Call.objects.get(pk=call.pk)
    note = ClinicalNote.objects.create(call=call, author=author, text=text)
    summary = call_summary(call)
    streams = [SUPERVISOR] + [unit_stream(u["unit_id"]) for u in summary["units"] if u["agency"] == "ACS"]
    return event_append(
        kind="note.added",
        actor=author,
        data={"call_id": call.id, "note": {"id": note.id, "text": text}},
        streams=streams,
        call=call,
    )


@pytest.fixture
def call_event():
    return _sync(_call_event)


@pytest.fixture
def note_event():
    return _sync(_note_event)


@pytest.fixture
def assign():
    from calls.models import Assignment

    @_sync
    def make(call, unit):
        return Assignment.objects.create(call=call, unit=unit)

    return make
