"""The per-process stream hub (live.consumers.StreamHub): one channel-layer subscription per
stream, however many sockets watch it, and no push overtakes a snapshot or a replay."""

from __future__ import annotations

import contextlib

import pytest
from channels.layers import get_channel_layer

from live.events import DISPATCH, stream_group
from live.hub import stream_hub

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def in_memory_layer(settings):
    """The in-memory layer, whose group table the tests can read (under CI the layer is Redis)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


async def test_it_subscribes_a_stream_once_for_many_sockets(socket, dana, ada, in_memory_layer):
    async with contextlib.AsyncExitStack() as stack:
        sockets = [
            await stack.enter_async_context(socket("/ws/dispatch/", user)) for user in (dana, ada, dana)
        ]
        for ws in sockets:
            await ws.receive_json_from()

        members = get_channel_layer().groups.get(stream_group(DISPATCH), {})
        assert list(members) == [stream_hub().channel]
        assert len(stream_hub().members[DISPATCH]) == 3


async def test_it_gives_every_socket_each_event_once(socket, dana, ada, make_call, call_event):
    call = await make_call()

    async with socket("/ws/dispatch/", dana) as first, socket("/ws/dispatch/", ada) as second:
        await first.receive_json_from()
        await second.receive_json_from()
        event = await call_event(call)

        got = [await first.receive_json_from(), await second.receive_json_from()]
        assert [f["id"] for f in got] == [event.id, event.id]
        assert await first.receive_nothing(timeout=0.2)
        assert await second.receive_nothing(timeout=0.2)


async def test_it_unsubscribes_when_the_last_socket_of_a_stream_closes(socket, dana, in_memory_layer):
    async with socket("/ws/dispatch/", dana) as ws:
        await ws.receive_json_from()

    assert stream_group(DISPATCH) not in get_channel_layer().groups
    assert stream_hub().channel is None


async def test_it_holds_a_push_that_arrives_during_a_replay_until_the_replay_ends(
    socket, dana, make_call, call_event, monkeypatch
):
    from live import consumers
    from tests.calls.consumers.conftest import _call_event

    call = await make_call()
    pushed = []
    replay = consumers._replay

    def replay_then_commit_another(**kwargs):
        frames = replay(**kwargs)
        # Committed after the replay read the table and before it is sent: its push reaches the
        # socket mid-replay and must wait for the replay's end instead of jumping ahead of it.
        pushed.append(_call_event(call))
        return frames

    monkeypatch.setattr(consumers, "_replay", replay_then_commit_another)

    async with socket("/ws/dispatch/", dana) as ws:
        snapshot = await ws.receive_json_from()
        missed = await call_event(call)
        await ws.receive_json_from()
        await ws.send_json_to({"type": "resume", "after": snapshot["last_event_id"]})
        frames = [await ws.receive_json_from() for _ in range(3)]
        assert await ws.receive_nothing(timeout=0.3)

    assert [(f["type"], f.get("id")) for f in frames] == [
        ("event", missed.id),
        ("replayed", None),
        ("event", pushed[0].id),
    ]
