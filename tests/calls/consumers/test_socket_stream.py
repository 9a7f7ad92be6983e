"""What a live socket sends: snapshot, events, replays, errors (calls/consumers.py)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from live.events import DISPATCH, event_append

pytestmark = pytest.mark.django_db(transaction=True)


async def test_it_sends_the_snapshot_then_the_events(socket, dana, make_call, call_event):
    call = await make_call(number="26-000101")

    async with socket("/ws/dispatch/", dana) as ws:
        snapshot = await ws.receive_json_from()
        event = await call_event(call, kind="call.triaged")
        frame = await ws.receive_json_from()

    assert snapshot["type"] == "snapshot"
    assert [c["number"] for c in snapshot["calls"]] == ["26-000101"]
    assert frame["type"] == "event"
    assert frame["id"] == event.id
    assert frame["prev"] == snapshot["last_event_id"]
    assert frame["kind"] == "call.triaged"
    assert frame["data"]["call"]["number"] == "26-000101"


async def test_it_lists_open_calls_and_every_unit_in_the_dispatch_snapshot(
    socket, dana, make_call, acs_12, apd_2a31, medic_12
):
    await make_call(number="26-000201")
    await make_call(number="26-000202", status="CLOSED")

    async with socket("/ws/dispatch/", dana) as ws:
        snapshot = await ws.receive_json_from()

    assert [c["number"] for c in snapshot["calls"]] == ["26-000201"]
    assert {u["call_sign"] for u in snapshot["units"]} == {"ACS-12", "APD-2A31", "MEDIC-12"}


async def test_it_replays_exactly_the_missed_events_in_order(socket, dana, make_call, call_event):
    call = await make_call()

    async with socket("/ws/dispatch/", dana) as ws:
        snapshot = await ws.receive_json_from()
        seen = await call_event(call)
        await ws.receive_json_from()
    # The client is gone while three events happen.
    kinds = ["call.triaged", "call.overridden", "call.status_changed"]
    missed = [await call_event(call, kind=kind) for kind in kinds]

    async with socket("/ws/dispatch/", dana) as ws:
        await ws.receive_json_from()  # the new snapshot
        await ws.send_json_to({"type": "resume", "after": seen.id})
        replayed = [await ws.receive_json_from() for _ in missed]
        end = await ws.receive_json_from()
        assert await ws.receive_nothing()

    assert snapshot["last_event_id"] < seen.id
    assert [f["id"] for f in replayed] == [e.id for e in missed]
    assert [f["kind"] for f in replayed] == kinds
    assert replayed[0]["prev"] == seen.id
    assert end == {"type": "replayed", "after": seen.id, "last_event_id": missed[-1].id, "count": 3}


async def test_it_does_not_push_again_what_a_replay_delivered(socket, dana, make_call, call_event):
    call = await make_call()

    async with socket("/ws/dispatch/", dana) as ws:
        snapshot = await ws.receive_json_from()
        await ws.send_json_to({"type": "resume", "after": snapshot["last_event_id"]})
        assert (await ws.receive_json_from())["type"] == "replayed"
        event = await call_event(call)
        frames = [await ws.receive_json_from()]
        await ws.send_json_to({"type": "resume", "after": snapshot["last_event_id"]})
        frames += [await ws.receive_json_from(), await ws.receive_json_from()]
        assert await ws.receive_nothing()

    assert [f["type"] for f in frames] == ["event", "event", "replayed"]
    assert frames[0]["id"] == frames[1]["id"] == event.id


async def test_it_sends_a_fresh_snapshot_to_a_client_too_far_behind(
    socket, dana, make_call, call_event, monkeypatch
):
    monkeypatch.setattr("live.consumers.REPLAY_LIMIT", 2)
    call = await make_call()
    for _ in range(3):
        await call_event(call)

    async with socket("/ws/dispatch/", dana) as ws:
        first = await ws.receive_json_from()
        await ws.send_json_to({"type": "resume", "after": 0})
        again = await ws.receive_json_from()

    assert again["type"] == "snapshot"
    assert again["last_event_id"] == first["last_event_id"]


async def test_it_pushes_nothing_for_a_rolled_back_transaction(socket, dana):
    @database_sync_to_async
    def fail_after_appending():
        with transaction.atomic():
            event_append(kind="call.cancelled", actor=None, data={}, streams=[DISPATCH])
            raise RuntimeError("the change failed")

    async with socket("/ws/dispatch/", dana) as ws:
        await ws.receive_json_from()
        with pytest.raises(RuntimeError):
            await fail_after_appending()
        nothing = await ws.receive_nothing(timeout=0.3)

    assert nothing


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("not json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        ('{"type": "subscribe"}', "unknown_type"),
        ('{"type": "resume"}', "bad_after"),
        ('{"type": "resume", "after": "ten"}', "bad_after"),
        ('{"type": "resume", "after": -1}', "bad_after"),
    ],
)
async def test_it_answers_a_bad_frame_with_an_error_and_stays_open(socket, dana, text, error):
    async with socket("/ws/dispatch/", dana) as ws:
        await ws.receive_json_from()
        await ws.send_to(text_data=text)
        reply = await ws.receive_json_from()
        await ws.send_json_to({"type": "ping"})
        pong = await ws.receive_json_from()

    assert reply["type"] == "error"
    assert reply["error"] == error
    assert reply["detail"]
    assert pong["type"] == "pong"


async def test_it_answers_a_ping_with_the_stream_head(socket, dana, make_call, call_event):
    call = await make_call()
    event = await call_event(call)

    async with socket("/ws/dispatch/", dana) as ws:
        await ws.receive_json_from()
        await ws.send_json_to({"type": "ping"})
        pong = await ws.receive_json_from()

    assert pong == {"type": "pong", "last_event_id": event.id}


async def test_it_sends_heartbeats_with_the_stream_head(socket, dana, settings):
    settings.LIVE_HEARTBEAT_SECONDS = 0.05

    async with socket("/ws/dispatch/", dana) as ws:
        snapshot = await ws.receive_json_from()
        beat = await ws.receive_json_from(timeout=2)

    assert beat == {"type": "heartbeat", "last_event_id": snapshot["last_event_id"]}
