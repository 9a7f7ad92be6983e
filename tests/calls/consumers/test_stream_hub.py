"""The per-process stream hub (live.consumers.StreamHub): one channel-layer subscription per
stream, however many sockets watch it, and no push overtakes a snapshot or a replay."""

from __future__ import annotations

import contextlib

import pytest
from autobahn.exception import Disconnected
from channels.layers import get_channel_layer

from live.events import DISPATCH, stream_group
from live.hub import StreamHub, stream_hub

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
    armed = []  # only the resume's replay commits another (the snapshot also reads the log here)
    replay = consumers._replay

    def replay_then_commit_another(**kwargs):
        frames = replay(**kwargs)
        # Committed after the replay read the table and before it is sent: its push reaches the
        # socket mid-replay and must wait for the replay's end instead of jumping ahead of it.
        if armed:
            armed.pop()
            pushed.append(_call_event(call))
        return frames

    monkeypatch.setattr(consumers, "_replay", replay_then_commit_another)
    # The log's path: the hub's memory, which would answer this resume, is made to say it cannot.
    monkeypatch.setattr(StreamHub, "frames_after", lambda self, stream, after: None)

    async with socket("/ws/dispatch/", dana) as ws:
        snapshot = await ws.receive_json_from()
        missed = await call_event(call)
        await ws.receive_json_from()
        armed.append(True)
        await ws.send_json_to({"type": "resume", "after": snapshot["last_event_id"]})
        frames = [await ws.receive_json_from() for _ in range(3)]
        assert await ws.receive_nothing(timeout=0.3)

    assert [(f["type"], f.get("id")) for f in frames] == [
        ("event", missed.id),
        ("replayed", None),
        ("event", pushed[0].id),
    ]


def _no_log_replay(monkeypatch):
    """Make reading the log for a replay fail the test: the hub's memory must answer."""
    from live import consumers

    def refuse(**kwargs):
        raise AssertionError("the replay read the event log")

    monkeypatch.setattr(consumers, "_replay", refuse)


async def test_it_answers_a_resume_from_memory_without_reading_the_log(
    socket, dana, make_call, call_event, monkeypatch
):
    call = await make_call()
    async with socket("/ws/dispatch/", dana) as ws:
        snapshot = await ws.receive_json_from()
        sent = [await call_event(call) for _ in range(3)]
        pushed = [await ws.receive_json_from() for _ in range(3)]
        _no_log_replay(monkeypatch)
        await ws.send_json_to({"type": "resume", "after": snapshot["last_event_id"]})
        replay = [await ws.receive_json_from() for _ in range(4)]

    assert [f["id"] for f in pushed] == [e.id for e in sent]
    assert [f.get("id") for f in replay] == [e.id for e in sent] + [None]
    assert replay[-1] == {
        "type": "replayed", "after": snapshot["last_event_id"], "last_event_id": sent[-1].id, "count": 3,
    }  # fmt: skip


async def test_it_sends_a_reconnecting_client_only_what_it_missed(
    socket, dana, ada, make_call, call_event, monkeypatch
):
    call = await make_call()
    async with socket("/ws/dispatch/", ada) as watcher:  # keeps the stream's memory alive
        await watcher.receive_json_from()
        async with socket("/ws/dispatch/", dana) as ws:
            held = (await ws.receive_json_from())["last_event_id"]
        missed = [await call_event(call) for _ in range(2)]
        _no_log_replay(monkeypatch)

        async with socket(f"/ws/dispatch/?after={held}", dana) as back:
            frames = [await back.receive_json_from() for _ in range(3)]
            later = await call_event(call)
            pushed = await back.receive_json_from()
            assert await back.receive_nothing(timeout=0.2)

    assert [(f["type"], f.get("id")) for f in frames] == [
        ("event", missed[0].id),
        ("event", missed[1].id),
        ("replayed", None),
    ]
    assert frames[0]["prev"] == held
    assert pushed["id"] == later.id


async def test_it_sends_a_snapshot_when_the_reconnecting_client_asks_for_a_bad_after(socket, dana):
    async with socket("/ws/dispatch/?after=-3", dana) as ws:
        first = await ws.receive_json_from()

    assert first["type"] == "snapshot"


async def test_it_builds_one_snapshot_for_sockets_that_join_together(
    socket, dana, ada, make_call, call_event, monkeypatch
):
    from calls import snapshots

    call = await make_call()
    builds = []
    build = snapshots.dispatch_snapshot

    def counted():
        builds.append(1)
        return build()

    monkeypatch.setattr(snapshots, "dispatch_snapshot", counted)
    async with contextlib.AsyncExitStack() as stack:
        first = await stack.enter_async_context(socket("/ws/dispatch/", dana))
        one = await first.receive_json_from()
        event = await call_event(call)
        assert (await first.receive_json_from())["id"] == event.id
        # Joins after the event: takes the shared snapshot (head before the event) and the event.
        second = await stack.enter_async_context(socket("/ws/dispatch/", ada))
        two = await second.receive_json_from()
        caught_up = await second.receive_json_from()
        assert await second.receive_nothing(timeout=0.2)

    assert len(builds) == 1
    assert two == one
    assert (caught_up["id"], caught_up["prev"]) == (event.id, one["last_event_id"])


class _Member:
    def __init__(self, error: Exception | None = None):
        self.error = error
        self.got: list[int] = []

    async def stream_push(self, frame, text):
        if self.error is not None:
            raise self.error
        self.got.append(frame["id"])


async def test_it_passes_over_a_socket_that_closed_mid_push_without_an_error_log(caplog):
    hub = StreamHub()
    gone, here = _Member(Disconnected("Attempt to send on a closed protocol")), _Member()
    hub.members[DISPATCH] = {gone, here}

    with caplog.at_level("INFO", logger="live.hub"):
        await hub._forward(DISPATCH, {"id": 7, "prev": 6, "kind": "call.created", "data": {}})

    assert here.got == [7]
    assert hub.heads[DISPATCH] == 7
    assert [r.levelname for r in caplog.records] == ["INFO"]
    assert "socket had closed" in caplog.records[0].getMessage()


async def test_it_answers_the_next_resumes_from_what_one_resume_read_from_the_log(
    socket, dana, ada, make_call, call_event, monkeypatch
):
    call = await make_call()
    held = await call_event(call)
    missed = [await call_event(call) for _ in range(2)]  # before this process had any socket
    async with socket("/ws/dispatch/", ada) as watcher:
        await watcher.receive_json_from()
        async with socket(f"/ws/dispatch/?after={held.id}", dana) as first:  # reads the log
            from_log = [await first.receive_json_from() for _ in range(3)]
        _no_log_replay(monkeypatch)
        async with socket(f"/ws/dispatch/?after={held.id}", dana) as second:  # from memory
            from_memory = [await second.receive_json_from() for _ in range(3)]

    expected = [("event", missed[0].id), ("event", missed[1].id), ("replayed", None)]
    assert [(f["type"], f.get("id")) for f in from_log] == expected
    assert [(f["type"], f.get("id")) for f in from_memory] == expected
    assert from_memory[0]["prev"] == held.id


def _frame(event_id: int) -> dict:
    return {"type": "event", "id": event_id, "prev": event_id - 1, "kind": "call.updated", "data": {}}


def test_it_puts_log_frames_before_the_recent_ones_only_when_they_join_up():
    hub = StreamHub()
    hub.members[DISPATCH] = {_Member()}
    hub.heads[DISPATCH] = 10

    hub.recent_fill(DISPATCH, [_frame(6), _frame(7)])  # ends before the hub's head: a hole
    assert hub.frames_after(DISPATCH, 5) is None
    hub.recent_fill(DISPATCH, [_frame(8), _frame(9), _frame(10), _frame(11)])  # 11: not forwarded yet
    assert [f["id"] for f, _ in hub.frames_after(DISPATCH, 7)] == [8, 9, 10]
    hub.recent_fill(DISPATCH, [_frame(6), _frame(7)])  # now it joins up with 8
    assert [f["id"] for f, _ in hub.frames_after(DISPATCH, 5)] == [6, 7, 8, 9, 10]
    hub.recent_fill(DISPATCH, [_frame(4), _frame(5), _frame(6)])  # overlaps: only 4 and 5 go in front
    assert [f["id"] for f, _ in hub.frames_after(DISPATCH, 3)] == [4, 5, 6, 7, 8, 9, 10]


def test_it_fills_nothing_for_a_stream_nobody_watches():
    hub = StreamHub()
    hub.heads[DISPATCH] = 10

    hub.recent_fill(DISPATCH, [_frame(9), _frame(10)])

    assert DISPATCH not in hub.recent
