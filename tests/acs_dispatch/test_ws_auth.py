"""Websocket token auth (acs_dispatch/ws_auth.py, issue 15): knox tokens, refused once expired or
revoked; a socket opened on a token closes (4401) when the token is revoked or runs out."""

from __future__ import annotations

import datetime as dt

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from knox.models import AuthToken

pytestmark = pytest.mark.django_db(transaction=True)


async def _open(key: str) -> WebsocketCommunicator:
    from acs_dispatch.asgi import application

    ws = WebsocketCommunicator(
        application,
        "/ws/dispatch/",
        headers=[(b"origin", b"http://testserver"), (b"authorization", f"Token {key}".encode())],
    )
    connected, _ = await ws.connect()
    assert connected
    return ws


async def _until_closed(ws) -> dict:
    while True:
        out = await ws.receive_output(timeout=3)
        if out["type"] == "websocket.close":
            return out


async def test_it_admits_a_knox_token(dana):
    _, key = await database_sync_to_async(AuthToken.objects.create)(user=dana)

    ws = await _open(key)
    frame = await ws.receive_json_from()
    await ws.disconnect()

    assert frame["type"] == "snapshot"


async def test_it_refuses_an_expired_token(dana):
    instance, key = await database_sync_to_async(AuthToken.objects.create)(user=dana)
    await database_sync_to_async(AuthToken.objects.filter(digest=instance.digest).update)(
        expiry=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )

    ws = await _open(key)
    closed = await ws.receive_output()
    await ws.disconnect()

    assert closed == {"type": "websocket.close", "code": 4401}


async def test_it_refuses_a_token_of_a_deactivated_user(dana):
    _, key = await database_sync_to_async(AuthToken.objects.create)(user=dana)
    await database_sync_to_async(type(dana).objects.filter(pk=dana.pk).update)(is_active=False)

    ws = await _open(key)
    closed = await ws.receive_output()
    await ws.disconnect()

    assert closed == {"type": "websocket.close", "code": 4401}


async def test_it_closes_the_socket_when_its_token_is_revoked(dana, settings):
    from acs_dispatch.services import user_tokens_revoke

    settings.LIVE_HEARTBEAT_SECONDS = 0.05
    instance, key = await database_sync_to_async(AuthToken.objects.create)(user=dana)
    ws = await _open(key)
    await ws.receive_json_from()

    await database_sync_to_async(user_tokens_revoke)(user=dana, reason="logout", actor=dana, token=instance)
    closed = await _until_closed(ws)
    await ws.disconnect()

    assert closed == {"type": "websocket.close", "code": 4401}


async def test_it_closes_the_socket_when_its_token_runs_out(dana, settings):
    settings.LIVE_HEARTBEAT_SECONDS = 0.05
    instance, key = await database_sync_to_async(AuthToken.objects.create)(user=dana)
    ws = await _open(key)
    await ws.receive_json_from()

    await database_sync_to_async(AuthToken.objects.filter(digest=instance.digest).update)(
        expiry=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    closed = await _until_closed(ws)
    await ws.disconnect()

    assert closed == {"type": "websocket.close", "code": 4401}


async def test_another_device_keeps_its_socket_when_one_logs_out(dana, settings):
    from acs_dispatch.services import user_tokens_revoke

    settings.LIVE_HEARTBEAT_SECONDS = 0.05
    tablet, _ = await database_sync_to_async(AuthToken.objects.create)(user=dana)
    _, console_key = await database_sync_to_async(AuthToken.objects.create)(user=dana)
    ws = await _open(console_key)
    await ws.receive_json_from()

    await database_sync_to_async(user_tokens_revoke)(user=dana, reason="logout", actor=dana, token=tablet)
    beats = [await ws.receive_json_from(timeout=2) for _ in range(3)]
    await ws.disconnect()

    assert {b["type"] for b in beats} == {"heartbeat"}


async def _connect(headers: list[tuple[bytes, bytes]]) -> tuple[WebsocketCommunicator, bool]:
    from acs_dispatch.asgi import application

    ws = WebsocketCommunicator(application, "/ws/dispatch/", headers=headers)
    connected, _ = await ws.connect()
    return ws, connected


async def test_it_admits_a_token_client_that_sends_no_origin(dana):
    # Another system (a CAD, a modem) is not a browser: no Origin, a token (DESIGN.md).
    _, key = await database_sync_to_async(AuthToken.objects.create)(user=dana)

    ws, connected = await _connect([(b"authorization", f"Token {key}".encode())])
    frame = await ws.receive_json_from()
    await ws.disconnect()

    assert connected and frame["type"] == "snapshot"


async def test_it_still_refuses_a_browser_from_another_origin(dana):
    _, key = await database_sync_to_async(AuthToken.objects.create)(user=dana)

    ws, connected = await _connect(
        [(b"origin", b"http://evil.example"), (b"authorization", f"Token {key}".encode())]
    )

    assert not connected


async def test_it_refuses_a_bad_token_without_origin(dana):
    ws, connected = await _connect([(b"authorization", b"Token not-a-token")])
    out = await ws.receive_output(timeout=3)

    # Accepted first so the close code reaches the client, then closed: not logged in.
    assert connected
    assert (out["type"], out["code"]) == ("websocket.close", 4401)
