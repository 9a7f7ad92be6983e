"""Hostile frames and reconnect storms (issue 16): an error frame for a frame too big or too deep
(the socket stays open), and a quick `retry` + close 4503 when the process's snapshot slots stay
busy, instead of a handshake that hangs past daphne's timeout."""

from __future__ import annotations

import asyncio
import json

import pytest

from live import consumers
from live.consumers import CLOSE_TRY_AGAIN_LATER, MAX_FRAME_DEPTH, frame_depth_exceeds, snapshot_slots

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[" * 100_000 + "]" * 100_000, "frame_too_large"),
        ('{"type": "ping", "pad": "' + "x" * 5000 + '"}', "frame_too_large"),
        ("[" * 1500 + "]" * 1500, "frame_too_deep"),
        ('{"a":' * (MAX_FRAME_DEPTH + 1) + "1" + "}" * (MAX_FRAME_DEPTH + 1), "frame_too_deep"),
    ],
)
async def test_it_refuses_a_huge_or_deep_frame_and_stays_open(socket, dana, text, error):
    async with socket("/ws/dispatch/", dana) as ws:
        await ws.receive_json_from()  # snapshot
        await ws.send_to(text_data=text)
        reply = await ws.receive_json_from()
        await ws.send_json_to({"type": "ping"})
        pong = await ws.receive_json_from()

    assert reply["type"] == "error"
    assert reply["error"] == error
    assert pong["type"] == "pong"


def test_it_ignores_brackets_inside_strings_when_measuring_depth():
    nested_in_string = json.dumps({"type": "ping", "note": "[[[[" * 100 + '\\"{{{{'})

    assert not frame_depth_exceeds(nested_in_string, 2)
    assert frame_depth_exceeds('{"a": [[1]]}', 2)
    assert not frame_depth_exceeds('{"a": [1]}', 2)


async def test_it_tells_a_socket_to_retry_when_snapshot_slots_stay_busy(socket, dana, settings):
    settings.LIVE_SNAPSHOT_CONCURRENCY = 1
    settings.LIVE_SNAPSHOT_WAIT_SECONDS = 0.2
    consumers._snapshot_slots.clear()
    slots = snapshot_slots()
    await slots.acquire()  # another socket's snapshot in progress
    try:
        async with socket("/ws/dispatch/", dana) as ws:
            started = asyncio.get_running_loop().time()
            frame = await ws.receive_json_from(timeout=3)
            closed = await ws.receive_output(timeout=3)
            waited = asyncio.get_running_loop().time() - started
    finally:
        slots.release()

    assert frame["type"] == "retry"
    assert 0.2 * 1000 / 2 <= frame["retry_after_ms"] <= 0.2 * 1000 * 1.5
    assert closed == {"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER}
    assert 3000 <= CLOSE_TRY_AGAIN_LATER <= 4999  # daphne refuses any other application close code
    assert waited < 3  # answered long before daphne's 5 s handshake timeout


async def test_it_sends_the_snapshot_once_a_slot_frees_in_time(socket, dana, settings):
    settings.LIVE_SNAPSHOT_CONCURRENCY = 1
    settings.LIVE_SNAPSHOT_WAIT_SECONDS = 3
    consumers._snapshot_slots.clear()
    slots = snapshot_slots()
    await slots.acquire()
    asyncio.get_running_loop().call_later(0.2, slots.release)

    async with socket("/ws/dispatch/", dana) as ws:
        frame = await ws.receive_json_from(timeout=5)

    assert frame["type"] == "snapshot"
