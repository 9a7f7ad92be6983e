"""The per-process stream hub: the one link between a web process's sockets and the channel layer.

One channel-layer subscription per stream per process, fanned out to that process's sockets.
channels-redis delivers a group message once per member channel, and a process takes those off
Redis one round trip at a time: with 500 boards on one daphne process, every event cost 500 round
trips and seconds of lag (bench/push_latency.py). The hub's single channel receives each event
once, encodes it once, and hands it to its local sockets in memory.

Three promises, whatever the channel layer does:
- **In order, nothing skipped.** Each request thread pushes after its own commit, so event n+1 can
  reach the hub before n. The hub forwards a stream's events strictly along their `prev` chain: an
  event that arrives early waits (HOLD_SECONDS) for the one before it; if that never comes, the hub
  reads the hole from the event log itself, once per process, not once per socket.
- **Redis is a doorbell, not a dependency.** A failed receive or group_add never reaches a socket:
  the hub marks itself degraded, keeps its sockets open, and reads every subscribed stream's new
  events from the log each CATCHUP_DEGRADED_SECONDS until the layer answers again; then it joins
  its groups again (a restarted Redis has forgotten them).
- **A lost push is found.** Every CATCHUP_SECONDS the hub compares its streams' heads with the log
  (one query for all of them) and fills what it missed.

One hub per event loop (daphne runs one; each test has its own).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from autobahn.exception import Disconnected
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from live.events import event_frame, frame_text, stream_group, user_group
from live.models import EventDelivery, StreamHead

logger = logging.getLogger(__name__)

HOLD_SECONDS = 0.25  # how long an early event waits for the one before it
CATCHUP_SECONDS = 5.0  # how often a healthy hub checks its heads against the log
CATCHUP_DEGRADED_SECONDS = 1.0  # how often a hub without a channel layer reads the log
FILL_LIMIT = 1000  # events read from the log per stream per fill
GROUP_REFRESH_SECONDS = 3600  # channels-redis forgets a group member after a day (group_expiry)
RETRY_SECONDS = 1.0
# The frames each stream forwarded last, kept so a socket that (re)joins is brought up to date from
# memory: a resuming client's missed events, or the events since a shared snapshot was built.
RECENT_FRAMES = 2000
# How long a built screen snapshot is shared with the sockets that join after it (their difference
# is sent from the recent frames). A reconnect storm of 50 boards then costs one snapshot build.
SNAPSHOT_SHARE_SECONDS = 3.0


class HubMember(Protocol):
    user_id: int

    async def stream_push(self, frame: dict[str, Any], text: str) -> None: ...

    async def session_end(self, message: dict[str, Any]) -> None: ...


def _heads(streams: list[str]) -> dict[str, int]:
    return dict(StreamHead.objects.filter(stream__in=streams).values_list("stream", "last_event_id"))


def _frames_after(stream: str, after: int, upto: int | None = None) -> list[dict[str, Any]]:
    deliveries = EventDelivery.objects.filter(stream=stream, event_id__gt=after)
    if upto is not None:
        deliveries = deliveries.filter(event_id__lte=upto)
    return [
        event_frame(d.event, stream=stream, prev_id=d.prev_id)
        for d in deliveries.select_related("event").order_by("event_id")[:FILL_LIMIT]
    ]


@dataclass
class SharedSnapshot:
    stream: str
    data: dict[str, Any]
    text: str  # the snapshot frame, encoded once for every socket that takes it
    head: int  # its last_event_id
    built_at: float  # time.monotonic()


class StreamHub:
    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.members: dict[str, set[HubMember]] = {}
        self.users: dict[int, set[HubMember]] = {}
        self.heads: dict[str, int] = {}  # the last event id forwarded on each stream
        self.early: dict[str, dict[int, dict[str, Any]]] = {}  # stream -> prev id -> frame
        self.filling: set[str] = set()
        self.channel: str | None = None
        self.tasks: list[asyncio.Task] = []
        self.lock = asyncio.Lock()
        self.degraded = False
        self.last_fill_at = 0.0
        self.filled = 0  # events this hub read from the log instead of receiving them (for tests, metrics)
        self.recent: dict[str, deque[tuple[dict[str, Any], str]]] = {}
        self.snapshots: dict[str, SharedSnapshot] = {}  # by the consumer's snapshot key
        self.building: dict[str, asyncio.Future] = {}
        self.snapshot_builds = 0  # snapshots built (not shared), for tests and the bench

    # --- membership ---------------------------------------------------------------------------------

    async def join(self, stream: str, member: HubMember) -> None:
        """Add a socket to a stream (and its user's group). Never raises for the channel layer."""
        async with self.lock:
            self._start()
            if stream not in self.members:
                # Read the head first: what is committed before it is in the socket's snapshot (read
                # after this), what comes after arrives here in order.
                self.heads[stream] = (
                    await database_sync_to_async(_heads, thread_sensitive=False)([stream])
                ).get(stream, 0)
            self.members.setdefault(stream, set()).add(member)
            self.users.setdefault(member.user_id, set()).add(member)
            # Added on every join, not only the first: it also renews the membership's expiry.
            await self._group_add(stream_group(stream))
            await self._group_add(user_group(member.user_id))

    async def leave(self, stream: str, member: HubMember) -> None:
        async with self.lock:
            users = self.users.get(member.user_id)
            if users is not None:
                users.discard(member)
                if not users:
                    del self.users[member.user_id]
                    await self._group_discard(user_group(member.user_id))
            members = self.members.get(stream)
            if members is None:
                return
            members.discard(member)
            if members:
                return
            del self.members[stream]
            self.heads.pop(stream, None)
            self.early.pop(stream, None)
            # Nobody listens: the recent frames would get a hole, so neither they nor a snapshot
            # shared on them may serve the next socket.
            self.recent.pop(stream, None)
            for key in [k for k, shared in self.snapshots.items() if shared.stream == stream]:
                del self.snapshots[key]
            await self._group_discard(stream_group(stream))
            if not self.members:
                # No socket left: stop listening, so an idle process (or a finished test) holds
                # no receive open on the layer.
                for task in self.tasks:
                    task.cancel()
                self.tasks, self.channel = [], None

    def _start(self) -> None:
        if self.tasks:
            return
        loop = asyncio.get_running_loop()
        self.tasks = [loop.create_task(self._receive()), loop.create_task(self._catchup())]
        if self.layer is not None:
            self.tasks.append(loop.create_task(self._refresh()))

    async def _ensure_channel(self) -> str | None:
        if self.layer is None:
            return None
        if self.channel is None:
            # The default "specific" prefix on purpose: channels-redis reads every process-local
            # channel of that prefix from one Redis list.
            self.channel = await self.layer.new_channel()
        return self.channel

    async def _group_add(self, group: str) -> None:
        try:
            channel = await self._ensure_channel()
            if channel is not None:
                await self.layer.group_add(group, channel)
        except Exception:
            self._degrade("group_add")

    async def _group_discard(self, group: str) -> None:
        try:
            if self.layer is not None and self.channel is not None:
                await self.layer.group_discard(group, self.channel)
        except Exception:
            self._degrade("group_discard")

    def _degrade(self, what: str) -> None:
        if not self.degraded:
            logger.warning(
                "live hub: channel layer failed (%s); reading the event log until it is back", what
            )
        self.degraded = True

    async def _recover(self) -> None:
        """The layer answers again: join every group again (a restarted Redis forgot them)."""
        groups = [stream_group(s) for s in self.members] + [user_group(u) for u in self.users]
        try:
            for group in groups:
                await self.layer.group_add(group, self.channel)
        except Exception:
            return
        if self.degraded:
            logger.warning("live hub: channel layer back; %d groups joined again", len(groups))
        self.degraded = False
        # What was committed while the layer was down is read from the log at once.
        for stream in list(self.members):
            self._fill_soon(stream, delay=0)

    # --- receiving -----------------------------------------------------------------------------------

    async def _receive(self) -> None:
        if self.layer is None:
            return
        while True:
            try:
                channel = await self._ensure_channel()
                if self.degraded:
                    await self._recover()
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                self._degrade("receive")
                await asyncio.sleep(RETRY_SECONDS)
                continue
            kind = message.get("type")
            if kind == "stream.event":
                await self.accept(message["event"])
            elif kind == "session.end":
                await self._session_end(message)

    async def _session_end(self, message: dict[str, Any]) -> None:
        for member in list(self.users.get(message.get("user"), ())):
            await member.session_end(message)

    async def accept(self, frame: dict[str, Any]) -> None:
        """An event for a stream: forward it in chain order, hold it if early, drop it if known."""
        stream = frame.get("stream")
        if stream not in self.members:
            return
        head = self.heads.get(stream, 0)
        if frame["id"] <= head:
            return  # already forwarded (or in the snapshots, read after the head)
        if frame["prev"] > head:
            # Early: the event before it is still on its way (another request's push) or lost.
            self.early.setdefault(stream, {})[frame["prev"]] = frame
            self._fill_soon(stream, delay=HOLD_SECONDS)
            return
        await self._forward(stream, frame)
        await self._drain(stream)

    async def _drain(self, stream: str) -> None:
        early = self.early.get(stream)
        while early:
            frame = early.pop(self.heads.get(stream, 0), None)
            if frame is None:
                # Drop what the log already delivered past the head.
                for prev in [p for p, f in early.items() if f["id"] <= self.heads.get(stream, 0)]:
                    del early[prev]
                break
            await self._forward(stream, frame)

    async def _forward(self, stream: str, frame: dict[str, Any]) -> None:
        self.heads[stream] = frame["id"]
        text = frame_text(frame)
        recent = self.recent.get(stream)
        if recent is None:
            recent = self.recent[stream] = deque(maxlen=RECENT_FRAMES)
        recent.append((frame, text))
        for member in list(self.members.get(stream, ())):
            try:
                await member.stream_push(frame, text)
            except Disconnected:
                # daphne's socket closed while the frame was on its way (a client leaving mid-push,
                # 50 at once in a drop): not a fault; its disconnect takes it out of the members.
                logger.info("live hub: event %s not pushed: the socket had closed", frame.get("id"))
            except Exception:
                logger.exception("live hub: push of event %s to a socket failed", frame.get("id"))

    # --- bringing a joining socket up to date from memory ---------------------------------------------

    def frames_after(self, stream: str, after: int) -> list[tuple[dict[str, Any], str]] | None:
        """The frames this hub forwarded on `stream` after event `after`, in order; None when it
        cannot tell (not all of them are held: the socket must read the log or take a snapshot).

        The recent frames are contiguous along the stream's chain (forwarded strictly in `prev`
        order since the stream got its first socket), so they hold every event after `after` as
        soon as the oldest one's `prev` is at or before it."""
        head = self.heads.get(stream)
        if head is None:
            return None
        if after >= head:
            # Nothing forwarded after it yet (or `after` was read from the log ahead of this hub):
            # the pushes still to come bring the rest, and the socket drops what it holds.
            return []
        recent = self.recent.get(stream)
        if not recent or recent[0][0]["prev"] > after:
            return None
        return [(frame, text) for frame, text in recent if frame["id"] > after]

    def recent_fill(self, stream: str, frames: list[dict[str, Any]]) -> None:
        """Put frames a socket read from the log (contiguous along the stream's chain, oldest first)
        in front of the recent frames, when they join up with them (or with the hub's head), so the
        next sockets resuming from about the same id are answered from memory: after a restart,
        200 boards resuming from one id cost one log read, not 200. What does not join up is left
        out: a hole in the recent frames would lose events."""
        head = self.heads.get(stream)
        if stream not in self.members or head is None or not frames:
            return
        recent = self.recent.get(stream)
        joint = recent[0][0]["prev"] if recent else head  # the event just before what is held
        older = [frame for frame in frames if frame["id"] <= joint]
        if not older or older[-1]["id"] != joint:
            return
        if recent is None:
            recent = self.recent[stream] = deque(maxlen=RECENT_FRAMES)
        room = RECENT_FRAMES - len(recent)
        if room <= 0:
            return
        for frame in reversed(older[-room:]):
            recent.appendleft((frame, frame_text(frame)))

    async def snapshot(
        self, *, stream: str, key: str, build: Callable[[], Awaitable[dict[str, Any]]]
    ) -> tuple[SharedSnapshot, list[tuple[dict[str, Any], str]] | None]:
        """A snapshot of `stream` for a socket that has joined it, and the frames forwarded since
        (None: not all held; read them from the log).

        Sockets whose snapshot is the same for every user (`key`) share one build: while it runs,
        the others wait for it; for SNAPSHOT_SHARE_SECONDS after, they take it with the frames
        forwarded since its head. Correct at any age: the socket gets the snapshot at its head and
        then every event after it, exactly as if it had built its own."""
        shared = self.snapshots.get(key)
        if shared is not None and time.monotonic() - shared.built_at < SNAPSHOT_SHARE_SECONDS:
            frames = self.frames_after(stream, shared.head)
            if frames is not None:
                return shared, frames
        pending = self.building.get(key)
        if pending is None:
            pending = self.building[key] = asyncio.get_running_loop().create_future()
            try:
                data = await build()
                self.snapshot_builds += 1
                text = frame_text({"type": "snapshot", "stream": stream, **data})
                shared = SharedSnapshot(stream, data, text, data["last_event_id"], time.monotonic())
                if stream in self.members:
                    self.snapshots[key] = shared
                pending.set_result(shared)
            except BaseException as exc:
                pending.set_exception(exc)
                pending.exception()  # retrieved: no "never retrieved" warning when nobody waited
                raise
            finally:
                del self.building[key]
        else:
            shared = await asyncio.shield(pending)
        # None (rare: more than RECENT_FRAMES forwarded during the build): the socket reads the log.
        return shared, self.frames_after(stream, shared.head)

    # --- filling holes from the log ---------------------------------------------------------------------

    def _fill_soon(self, stream: str, *, delay: float) -> None:
        if stream in self.filling:
            return
        self.filling.add(stream)
        asyncio.get_running_loop().create_task(self._fill(stream, delay))

    async def _fill(self, stream: str, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            if stream not in self.members:
                return
            head = self.heads.get(stream, 0)
            early = self.early.get(stream) or {}
            # Read up to the earliest held event: it and what follows are already here.
            upto = min((f["id"] for f in early.values()), default=None)
            upto = upto - 1 if upto is not None else None
            if upto is not None and upto <= head:
                await self._drain(stream)
                return
            frames = await database_sync_to_async(_frames_after, thread_sensitive=False)(stream, head, upto)
            for frame in frames:
                if frame["id"] > self.heads.get(stream, 0):
                    self.filled += 1
                    await self._forward(stream, frame)
            self.last_fill_at = time.monotonic()
            await self._drain(stream)
        except Exception:
            logger.exception("live hub: filling %s from the log failed", stream)
        finally:
            self.filling.discard(stream)

    async def _catchup(self) -> None:
        while True:
            await asyncio.sleep(
                CATCHUP_DEGRADED_SECONDS if self.degraded or self.layer is None else CATCHUP_SECONDS
            )
            streams = list(self.members)
            if not streams:
                continue
            try:
                heads = await database_sync_to_async(_heads, thread_sensitive=False)(streams)
            except Exception:
                logger.exception("live hub: reading the stream heads failed")
                continue
            for stream in streams:
                if heads.get(stream, 0) > self.heads.get(stream, 0):
                    # Behind the log: a push lost, or the layer down. A healthy hub gives the push a
                    # moment more (it may be in flight); a degraded one reads at once.
                    self._fill_soon(stream, delay=0 if self.degraded else HOLD_SECONDS)

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(GROUP_REFRESH_SECONDS)
            async with self.lock:
                for stream in list(self.members):
                    await self._group_add(stream_group(stream))
                for user_id in list(self.users):
                    await self._group_add(user_group(user_id))


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, StreamHub] = weakref.WeakKeyDictionary()


def stream_hub() -> StreamHub:
    """The hub of the running event loop."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = StreamHub()
    return hub
