"""The event log: append an Event in the caller's transaction and push it after commit.

Only services call `event_append`; only this module talks to the channel layer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
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
    """After commit: count the event and push it, off the request path (the pusher)."""
    metrics.EVENTS_APPENDED.labels(kind=kind).inc()
    pusher_get().push(frames)


# The push after commit is a doorbell: the screens read the event log by id, and the stream hub
# fills any hole (live/hub.py). So it must never hold up the request that committed: with Redis
# frozen, a call-taker's POST must still answer at once (issue 16). A channel layer that talks to
# a server (channels-redis) gets its frames from a queue drained by one thread per process, each
# push bounded by PUSH_TIMEOUT_SECONDS; a frame that cannot be sent is dropped and counted, never
# retried (the hub's catch-up delivers it from the log). The in-memory layer of the embedded
# default has no I/O and lives on the server's event loop, so it is sent inline.
PUSH_TIMEOUT_SECONDS = 2.0
PUSH_QUEUE_MAX = 10_000


class Pusher:
    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[float, list[tuple[str, dict[str, Any]]]]] = queue.Queue(PUSH_QUEUE_MAX)
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.failed = 0  # pushes dropped (layer down, queue full): the hub reads them from the log

    def push(self, frames: list[tuple[str, dict[str, Any]]]) -> None:
        layer = get_channel_layer()
        if layer is None or not frames:
            return
        if isinstance(layer, InMemoryChannelLayer):
            started = time.perf_counter()
            async_to_sync(_group_send_all)(layer, frames)
            metrics.PUSH_LATENCY.observe(time.perf_counter() - started)
            return
        self._start()
        try:
            self.queue.put_nowait((time.perf_counter(), frames))
        except queue.Full:
            self.failed += 1
            logger.warning("push queue full: event %s left to the log", frames[0][1]["id"])

    def _start(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="live-pusher", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        layer = get_channel_layer()
        while True:
            queued_at, frames = self.queue.get()
            try:
                loop.run_until_complete(
                    asyncio.wait_for(_group_send_all(layer, frames), timeout=PUSH_TIMEOUT_SECONDS)
                )
                metrics.PUSH_LATENCY.observe(time.perf_counter() - queued_at)
            except Exception:
                self.failed += 1
                logger.warning(
                    "push of event %s failed; the screens read it from the log", frames[0][1]["id"]
                )
            finally:
                self.queue.task_done()

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every queued push was tried (tests, a clean shutdown)."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks > 0:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


_pusher = Pusher()


def pusher_get() -> Pusher:
    return _pusher


def frame_text(frame: Mapping[str, Any]) -> str:
    """The text of a websocket frame. Compact: the spaces json.dumps puts after every ',' and ':'
    are a tenth of a board's snapshot, which must stay under the 1 MiB frame limit (issue 16)."""
    return json.dumps(frame, separators=(",", ":"))


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
