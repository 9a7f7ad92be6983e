"""Resume over the real channel layer (channels-redis): run with REDIS_URL=redis://127.0.0.1:6379/1."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


async def test_it_loses_and_doubles_nothing_across_a_dropped_client(socket, dana, make_call, call_event):
    from django.conf import settings

    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    call = await make_call()
    received = []

    async with socket("/ws/dispatch/", dana) as ws:
        snapshot = await ws.receive_json_from()
        last = snapshot["last_event_id"]
        before = [await call_event(call) for i in range(3)]
        received += [await ws.receive_json_from(timeout=3) for _ in before]
    last = received[-1]["id"]
    # The client is gone (a tunnel, a laptop lid): five events happen without it.
    during = [await call_event(call) for i in range(5)]

    async with socket("/ws/dispatch/", dana) as ws:
        await ws.receive_json_from()  # the fresh snapshot
        await ws.send_json_to({"type": "resume", "after": last})
        while (frame := await ws.receive_json_from(timeout=3))["type"] != "replayed":
            received.append(frame)
        after = [await call_event(call) for i in range(2)]
        received += [await ws.receive_json_from(timeout=3) for _ in after]
        assert await ws.receive_nothing(timeout=0.3)

    ids = [f["id"] for f in received]
    assert ids == [e.id for e in before + during + after]
    assert len(set(ids)) == len(ids)
    assert all(f["prev"] == p for f, p in zip(received[1:], ids, strict=False))
