"""Who may open which live socket (calls/consumers.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

ALLOWED = [
    ("/ws/dispatch/", "dana", "dispatch"),
    ("/ws/dispatch/", "ada", "dispatch"),
    ("/ws/supervisor/", "sam", "supervisor"),
    ("/ws/supervisor/", "ada", "supervisor"),
    ("/ws/unit/", "riley", "unit.{riley.unit_id}"),
    ("/ws/unit/", "pete", "unit.{pete.unit_id}"),
]

REFUSED = [
    ("/ws/dispatch/", "carla"),
    ("/ws/dispatch/", "sam"),
    ("/ws/dispatch/", "riley"),
    ("/ws/dispatch/", "otto"),
    ("/ws/supervisor/", "dana"),
    ("/ws/supervisor/", "carla"),
    ("/ws/supervisor/", "riley"),
    ("/ws/supervisor/", "otto"),
    ("/ws/unit/", "dana"),
    ("/ws/unit/", "sam"),
    ("/ws/unit/", "ada"),
    ("/ws/unit/", "otto"),
]


@pytest.fixture
def persona(request):
    """The persona fixture named by the parameter (set up before the test's event loop runs)."""
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize(("path", "persona", "stream"), ALLOWED, indirect=["persona"])
async def test_it_sends_the_snapshot_of_an_allowed_stream(socket, riley, pete, path, persona, stream):
    async with socket(path, persona) as ws:
        frame = await ws.receive_json_from()

    assert frame["type"] == "snapshot"
    assert frame["stream"] == stream.format(riley=riley, pete=pete)
    assert isinstance(frame["last_event_id"], int)


@pytest.mark.parametrize(("path", "persona"), REFUSED, indirect=["persona"])
async def test_it_closes_a_refused_role_with_4403(socket, path, persona):
    async with socket(path, persona) as ws:
        closed = await ws.receive_output()

    assert closed == {"type": "websocket.close", "code": 4403}


@pytest.mark.parametrize("path", ["/ws/dispatch/", "/ws/supervisor/", "/ws/unit/"])
async def test_it_closes_an_anonymous_socket_with_4401(db, socket, path):
    async with socket(path) as ws:
        closed = await ws.receive_output()

    assert closed == {"type": "websocket.close", "code": 4401}


async def test_it_accepts_the_session_cookie(socket, dana):
    async with socket("/ws/dispatch/", dana, session=True) as ws:
        frame = await ws.receive_json_from()

    assert frame["type"] == "snapshot"


async def test_it_refuses_a_bad_token(db):
    from channels.testing import WebsocketCommunicator

    from acs_dispatch.asgi import application

    ws = WebsocketCommunicator(
        application,
        "/ws/dispatch/",
        headers=[(b"origin", b"http://testserver"), (b"authorization", b"Token not-a-real-token")],
    )
    await ws.connect()
    closed = await ws.receive_output()
    await ws.disconnect()

    assert closed == {"type": "websocket.close", "code": 4401}


async def test_it_closes_the_socket_on_logout(socket, dana):
    from channels.db import database_sync_to_async

    from acs_dispatch.services import user_logout_record

    async with socket("/ws/dispatch/", dana, session=True) as ws:
        await ws.receive_json_from()
        await database_sync_to_async(user_logout_record)(user=dana, ip="127.0.0.1")
        closed = await ws.receive_output()

    assert closed == {"type": "websocket.close", "code": 4401}


async def test_it_closes_the_socket_when_the_role_is_taken_away(socket, dana, settings):
    from channels.db import database_sync_to_async

    from acs_dispatch.models import User

    settings.LIVE_HEARTBEAT_SECONDS = 0.05
    async with socket("/ws/dispatch/", dana) as ws:
        await ws.receive_json_from()
        await database_sync_to_async(User.objects.filter(pk=dana.pk).update)(role="call_taker")
        while True:
            out = await ws.receive_output(timeout=2)
            if out["type"] == "websocket.close":
                break

    assert out == {"type": "websocket.close", "code": 4403}


async def test_it_closes_the_socket_when_the_session_ends(socket, dana, settings):
    from channels.db import database_sync_to_async
    from django.contrib.sessions.models import Session

    settings.LIVE_HEARTBEAT_SECONDS = 0.05
    async with socket("/ws/dispatch/", dana, session=True) as ws:
        await ws.receive_json_from()
        await database_sync_to_async(Session.objects.all().delete)()
        while True:
            out = await ws.receive_output(timeout=2)
            if out["type"] == "websocket.close":
                break

    assert out == {"type": "websocket.close", "code": 4401}
