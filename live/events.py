"""The event log: append an Event in the caller's transaction and push it after commit.

Only services call `event_append`; only this module talks to the channel layer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from live import metrics
from live.kinds import EventKind
from live.models import Counter, Event, EventDelivery, StreamHead
from live.request_id import request_id_get

logger = logging.getLogger(__name__)

EVENT_COUNTER = "event"

# Streams: who an event is for. Each is one channel-layer group.
DISPATCH = "dispatch"  # the dispatch board: every operational change
SUPERVISOR = "supervisor"  # the ACS supervisor board and map: ACS calls and units
AUDIT = "audit"  # logins, logouts, rule edits: recorded, pushed to no screen


def unit_stream(unit_id: int) -> str:
    """The stream of one unit's dashboard."""
    return f"unit.{unit_id}"


def stream_group(stream: str) -> str:
    """The channel-layer group name of a stream (letters, digits, dots only)."""
    return f"stream.{stream}"


def counter_next(*, name: str) -> int:
    """Bump the named counter and return its new value, holding its row lock to commit.

    Must run inside a transaction. The UPDATE takes the row lock, and the lock is held until
    the transaction ends: the next writer waits here, so the values are gap-free (a rollback
    undoes the bump) and handed out in commit order.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("counter_next must run inside transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Counter._meta.db_table} SET value = value + 1 WHERE name = %s RETURNING value",
            [name],
        )
        row = cursor.fetchone()
    if row is None:
        # First use of this counter on this database: create it, then bump under the lock.
        Counter.objects.get_or_create(name=name)
        return counter_next(name=name)
    return int(row[0])


@transaction.atomic
def event_append(
    *,
    kind: EventKind | str,
    actor: Any,
    data: Mapping[str, Any],
    streams: Iterable[str],
    call: Any = None,
    unit: Any = None,
) -> Event:
    """Append an Event inside the caller's transaction; push it to its streams after commit.

    Raises ValueError for a kind that is not an EventKind (live/kinds.py)."""
    kind = EventKind(kind)
    # Serialize now, so a bad payload fails inside the service that built it
    # rather than in an on_commit hook with a useless traceback.
    payload = json.loads(json.dumps(dict(data), cls=DjangoJSONEncoder))
    streams = sorted(set(streams))
    event_id = counter_next(name=EVENT_COUNTER)
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = Event.objects.create(
        id=event_id,
        kind=kind,
        actor_id=actor_id,
        call_id=getattr(call, "pk", call),
        unit_id=getattr(unit, "pk", unit),
        data=payload,
        request_id=request_id_get(),  # the request (or task) that caused it: joins logs to the audit trail
    )
    # Still under the counter lock: no other writer can move these heads until commit.
    heads = dict(StreamHead.objects.filter(stream__in=streams).values_list("stream", "last_event_id"))
    deliveries = [EventDelivery(event=event, stream=s, prev_id=heads.get(s, 0)) for s in streams]
    EventDelivery.objects.bulk_create(deliveries)
    StreamHead.objects.bulk_create(
        [StreamHead(stream=s, last_event_id=event_id) for s in streams],
        update_conflicts=True,
        unique_fields=["stream"],
        update_fields=["last_event_id"],
    )
    frames = [(d.stream, event_frame(event, stream=d.stream, prev_id=d.prev_id)) for d in deliveries]
    # robust=True: the change is already committed; a failed push is logged, and the
    # screens catch up from the Event table by id when they notice the gap.
    transaction.on_commit(lambda: _event_committed(kind, frames), robust=True)
    return event


def _event_committed(kind: str, frames: list[tuple[str, dict[str, Any]]]) -> None:
    """After commit: count the event, push it, and time the push (commit to group_send done)."""
    metrics.EVENTS_APPENDED.labels(kind=kind).inc()
    started = time.perf_counter()
    _group_send(frames)
    metrics.PUSH_LATENCY.observe(time.perf_counter() - started)


def event_frame(event: Event, *, stream: str, prev_id: int) -> dict[str, Any]:
    """The websocket frame of an event on one stream (also used for replay)."""
    return {
        "type": "event",
        "id": event.id,
        "prev": prev_id,
        "stream": stream,
        "kind": event.kind,
        "call": event.call_id,
        "unit": event.unit_id,
        "at": event.created_at.isoformat(),
        "data": event.data,
    }


def _group_send(frames: list[tuple[str, dict[str, Any]]]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # One trip into the event loop for all the streams of an event, sent side by side: the order
    # that matters (event n before n+1 on a stream) holds, since events are sent one after another.
    async_to_sync(_group_send_all)(layer, frames)
    logger.debug("pushed event %s to %s", frames[0][1]["id"] if frames else None, [s for s, _ in frames])


async def _group_send_all(layer, frames: list[tuple[str, dict[str, Any]]]) -> None:
    await asyncio.gather(
        *(
            layer.group_send(stream_group(stream), {"type": "stream.event", "event": frame})
            for stream, frame in frames
        )
    )


def user_group(user_id: int) -> str:
    """Every socket of one user joins this group, so logout can close them all."""
    return f"user.{user_id}"


def user_sockets_close(*, user_id: int) -> None:
    """Tell every open socket of a user to close (logout, role taken away). Call after commit."""
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(user_group(user_id), {"type": "session.end", "user": user_id})
