"""The base of every live socket (DESIGN.md, public contract); the screens' consumers subclass it
(calls/consumers.py: /ws/dispatch/, /ws/supervisor/, /ws/unit/).

One socket = one stream. The protocol, server to client (JSON text frames):
- `{"type": "snapshot", "stream": s, "last_event_id": n, ...}` first (calls/snapshots.py), and again
  whenever a resume asks for more than REPLAY_LIMIT events (the client replaces its state).
- `{"type": "event", "id": n, "prev": p, "stream": s, "kind": k, "data": {...}, ...}` for each event
  on the stream (live.events.event_frame). `prev` is the previous event id ON THIS STREAM:
  a client that holds `last` and receives prev != last missed something and sends a resume.
- `{"type": "replayed", "after": a, "last_event_id": n, "count": c}` closes the replay of a resume.
- `{"type": "heartbeat", "last_event_id": n}` every LIVE_HEARTBEAT_SECONDS (default 10): a client
  that hears nothing for ~2.5 intervals treats the socket as dead and reconnects; one whose last
  id stays behind `last_event_id` across two heartbeats lost a push and resumes.
- `{"type": "pong", "last_event_id": n}` answers a client `{"type": "ping"}`.
- `{"type": "error", "error": code, "detail": message}` answers a bad frame; the socket stays open.
  A frame longer than MAX_FRAME_CHARS (`frame_too_large`) or nested deeper than MAX_FRAME_DEPTH
  (`frame_too_deep`) is refused before it is parsed.
- `{"type": "retry", "retry_after_ms": n, "detail": message}`, then close code 4503 (try again
  later; daphne lets an application close only with 1000 or 3000-4999, so not RFC 6455's 1013):
  the process is already building SNAPSHOT_CONCURRENCY snapshots and this socket's could not start
  within SNAPSHOT_WAIT_SECONDS (a reconnect storm after a restart). The client reconnects after
  `retry_after_ms` (already jittered by the server) plus its own jitter, and resumes by id if it
  holds a last id. The answer comes well inside daphne's 5 s handshake timeout, so a storm becomes
  a spread-out queue instead of a wave of timed-out handshakes.
Client to server: `{"type": "resume", "after": n}` and `{"type": "ping"}`.

Close codes: 4401 not logged in (or the session ended: logout, expiry), 4403 the role does not
allow this stream (checked at connect and again at every heartbeat, so a role taken away closes
the socket within one interval; a service may also close it at once with
live.events.user_sockets_close).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import weakref
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model

from live import metrics
from live.events import event_frame, frame_text
from live.hub import stream_hub
from live.models import EventDelivery
from live.selectors import stream_head

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TRY_AGAIN_LATER = (
    4503  # busy: reconnect later (after a `retry` frame; daphne allows only 1000, 3000-4999)
)
REPLAY_LIMIT = 1000  # a client further behind than this gets a fresh snapshot instead
MAX_FRAME_CHARS = 4096  # a client frame is a ping or a resume: a few dozen characters
MAX_FRAME_DEPTH = 16  # nesting of objects and arrays, checked before json.loads (RecursionError)


def snapshot_concurrency() -> int:
    """How many snapshots and replays one process builds at once (each holds a thread and a query)."""
    return int(getattr(settings, "LIVE_SNAPSHOT_CONCURRENCY", 4))


def snapshot_wait_seconds() -> float:
    """How long a new socket waits for a snapshot slot before it is told to retry."""
    return float(getattr(settings, "LIVE_SNAPSHOT_WAIT_SECONDS", 3.0))


_snapshot_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def snapshot_slots() -> asyncio.Semaphore:
    """The running event loop's bound on concurrent snapshot and replay work."""
    loop = asyncio.get_running_loop()
    slots = _snapshot_slots.get(loop)
    if slots is None:
        slots = _snapshot_slots[loop] = asyncio.Semaphore(snapshot_concurrency())
    return slots


def frame_depth_exceeds(text: str, limit: int) -> bool:
    """True if the JSON text nests objects/arrays deeper than `limit` (brackets in strings ignored).

    A linear scan, so a hostile frame costs its length, never Python's recursion limit."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def heartbeat_seconds() -> float:
    return float(getattr(settings, "LIVE_HEARTBEAT_SECONDS", 10))


def _replay(*, stream: str, after: int) -> tuple[list[dict[str, Any]], int] | None:
    """The frames of `stream` after `after`, in id order, and the stream head; None if too many."""
    deliveries = list(
        EventDelivery.objects.filter(stream=stream, event_id__gt=after)
        .select_related("event")
        .order_by("event_id")[: REPLAY_LIMIT + 1]
    )
    if len(deliveries) > REPLAY_LIMIT:
        return None
    frames = [event_frame(d.event, stream=stream, prev_id=d.prev_id) for d in deliveries]
    return frames, stream_head(stream=stream)


def _session_alive(scope: dict[str, Any], user_id: int) -> bool:
    """True unless the socket came in on a session that has since ended (logout, idle expiry)."""
    session = scope.get("session")
    key = getattr(session, "session_key", None)
    if not key:
        return True  # token-authenticated: the token stays valid until revoked
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    return store.load().get(SESSION_KEY) == str(user_id)


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """A socket on one stream: admit, join the hub, snapshot, then forward pushes and replays."""

    roles: tuple[str, ...] = ()
    # No channel of its own: the process's StreamHub is the socket's only link to the channel layer,
    # so a layer that fails (Redis restarting) never crashes a socket (live/hub.py).
    channel_layer_alias = "live.no-layer"

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        # Every frame in the one encoding of live.events.frame_text, as the hub's shared texts.
        return frame_text(content)

    # --- subclass hooks (run in a thread: they may query)
    def stream_for(self, user) -> str:
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        raise NotImplementedError

    def snapshot_key(self) -> str | None:
        """A key when this socket's snapshot is the same for every user of the stream: sockets of
        one process then share a build (live.hub.StreamHub.snapshot). None: built per socket."""
        return None

    def frame_visible(self, frame: dict[str, Any]) -> dict[str, Any]:
        """The frame as this socket may see it (the domain's audience policy); `frame` itself
        when nothing is withheld. Runs on the event loop: no query."""
        return frame

    # --- connection
    async def connect(self) -> None:
        self.stream: str | None = None
        self.covered = 0  # every event id <= covered is already in the client's hands
        # While a snapshot or a replay is being sent, pushes wait here (in order) instead of
        # overtaking it; they are flushed, minus what the snapshot or replay already covered.
        self.holding: list[tuple[dict[str, Any], str]] | None = []
        self.heartbeat_task: asyncio.Task | None = None
        # Accept first: a close code sent during the handshake never reaches the browser.
        await self.accept()
        user = self.scope.get("user")
        code = await database_sync_to_async(self._admit, thread_sensitive=False)(user)
        if code:
            await self.close(code=code)
            return
        self.user_id = user.pk
        slots = snapshot_slots()
        try:
            await asyncio.wait_for(slots.acquire(), timeout=snapshot_wait_seconds())
        except TimeoutError:
            await self._retry_later()
            return
        try:
            # Join the groups BEFORE reading the snapshot: an event committed in between is then
            # both pushed (queued behind this handler) and, maybe, in the snapshot; never neither.
            await stream_hub().join(self.stream, self)
            metrics.socket_opened(self.stream)
            self.socket_counted = True
            after = self._after_from_query()
            if after is None:
                await self._send_snapshot()
            else:
                # A reconnecting client that holds events up to `after`: only what it missed,
                # from the hub's memory or the log; a snapshot only when it is too far behind.
                await self._replay_send(after)
        finally:
            slots.release()
        await self._release()
        self.heartbeat_task = asyncio.create_task(self._heartbeat())

    def _after_from_query(self) -> int | None:
        """`?after=N` on the socket's URL: the client already holds every event up to N."""
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        values = query.get("after") or []
        if len(values) != 1 or not values[0].isdigit() or len(values[0]) > 18:
            return None  # absent or not an event id: a snapshot, as for a first connection
        return int(values[0])

    async def _retry_later(self) -> None:
        """Too many snapshots in progress: tell the client when to come back, and close."""
        wait = snapshot_wait_seconds()
        delay_ms = int(1000 * (wait / 2 + random.random() * wait))  # jittered: spread the storm
        await self.send_json(
            {
                "type": "retry",
                "retry_after_ms": delay_ms,
                "detail": "the server is busy sending screens their state; reconnect after retry_after_ms",
            }
        )
        await self.close(code=CLOSE_TRY_AGAIN_LATER)

    def _admit(self, user) -> int:
        """0 if `user` may open this socket, else the close code. Sets the stream."""
        if user is None or not user.is_authenticated or not user.is_active:
            return CLOSE_UNAUTHENTICATED
        if user.role not in self.roles:
            return CLOSE_FORBIDDEN
        self.user = user
        self.stream = self.stream_for(user)
        return 0 if self.stream else CLOSE_FORBIDDEN

    def _still_admitted(self) -> int:
        """Re-check the user at each heartbeat: 0 if still allowed, else the close code."""
        user = get_user_model().objects.filter(pk=self.user_id, is_active=True).select_related("unit").first()
        if user is None or not _session_alive(self.scope, self.user_id):
            return CLOSE_UNAUTHENTICATED
        if user.role not in self.roles or self.stream_for(user) != self.stream:
            return CLOSE_FORBIDDEN
        return 0

    async def disconnect(self, code: int) -> None:
        if getattr(self, "heartbeat_task", None) is not None:
            self.heartbeat_task.cancel()
        if getattr(self, "socket_counted", False):
            metrics.socket_closed(self.stream)
            self.socket_counted = False
        if getattr(self, "stream", None):
            await stream_hub().leave(self.stream, self)

    async def _send_snapshot(self) -> None:
        # Not thread-sensitive: snapshots of one process run side by side on the thread pool (bounded
        # by snapshot_slots), instead of queueing on the one thread every socket's auth uses.
        build = database_sync_to_async(self.snapshot, thread_sensitive=False)
        key = self.snapshot_key()
        if key is None:
            data = await build()
            self.covered = data["last_event_id"]
            await self.send_json({"type": "snapshot", "stream": self.stream, **data})
            return
        shared, frames = await stream_hub().snapshot(stream=self.stream, key=key, build=build)
        self.covered = shared.head
        await self.send(text_data=shared.text)
        if frames is None:
            await self._replay_from_log(shared.head, announce=False)
            return
        for frame, text in frames:
            await self._forward(frame, text)

    async def _heartbeat(self) -> None:
        interval = heartbeat_seconds()
        while True:
            await asyncio.sleep(interval)
            # One trip to the thread pool per beat, and not the thread-sensitive one: that single
            # thread also runs every sync API view of the process (asgiref), so hundreds of
            # sockets' beats queued there would hold up intake.
            code, head = await database_sync_to_async(self._heartbeat_check, thread_sensitive=False)()
            if code:
                await self.close(code=code)
                return
            await self.send_json({"type": "heartbeat", "last_event_id": head})

    def _heartbeat_check(self) -> tuple[int, int]:
        code = self._still_admitted()
        return code, (0 if code else stream_head(stream=self.stream))

    # --- pushes from the channel layer
    async def stream_push(self, frame: dict[str, Any], text: str) -> None:
        """Forward a pushed frame (from the hub), already encoded: no query, no re-encoding."""
        if self.holding is not None:
            self.holding.append((frame, text))
            return
        await self._forward(frame, text)

    async def _forward(self, frame: dict[str, Any], text: str) -> None:
        if frame.get("stream") != self.stream or frame["id"] <= self.covered:
            return  # already in the snapshot or a replay the client holds
        self.covered = frame["id"]
        visible = self.frame_visible(frame)
        if visible is frame:
            await self.send(text_data=text)
        else:
            await self.send_json(visible)

    async def _release(self) -> None:
        """Send the pushes held during a snapshot or replay, then forward pushes directly again."""
        while self.holding:
            frame, text = self.holding.pop(0)
            await self._forward(frame, text)
        self.holding = None

    async def session_end(self, message: dict[str, Any]) -> None:
        """The user logged out (acs_dispatch.services.user_logout_record) or lost the role."""
        await self.close(code=CLOSE_UNAUTHENTICATED)

    # --- client frames
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self._error("bad_frame", "send JSON text frames")
            return
        if len(text_data) > MAX_FRAME_CHARS:
            await self._error("frame_too_large", f"a frame is at most {MAX_FRAME_CHARS} characters")
            return
        if frame_depth_exceeds(text_data, MAX_FRAME_DEPTH):
            await self._error("frame_too_deep", f"a frame nests at most {MAX_FRAME_DEPTH} levels")
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            await self._error("bad_json", "the frame is not valid JSON")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self._error("bad_frame", "a frame is a JSON object with a type")
            return
        kind = content.get("type")
        if kind == "ping":
            head = await database_sync_to_async(stream_head, thread_sensitive=False)(stream=self.stream)
            await self.send_json({"type": "pong", "last_event_id": head})
        elif kind == "resume":
            await self._resume(content.get("after"))
        else:
            await self._error("unknown_type", "type must be 'resume' or 'ping'")

    async def _resume(self, after: Any) -> None:
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            await self._error("bad_after", "after must be an event id (an integer >= 0)")
            return
        self.holding = []
        try:
            async with snapshot_slots():
                await self._replay_send(after)
        finally:
            await self._release()

    async def _replay_send(self, after: int) -> None:
        """What the client missed after `after`: from the hub's recent frames when it holds them
        (no query: a reconnect storm costs memory reads), else from the log."""
        frames = stream_hub().frames_after(self.stream, after)
        if frames is None:
            await self._replay_from_log(after, announce=True)
            return
        # Everything after `after`, even what this socket sent before: the client asks again
        # because it does not hold it.
        for frame, text in frames:
            visible = self.frame_visible(frame)
            await (self.send(text_data=text) if visible is frame else self.send_json(visible))
        self.covered = max(self.covered, after, frames[-1][0]["id"] if frames else 0)
        await self.send_json(
            {"type": "replayed", "after": after, "last_event_id": self.covered, "count": len(frames)}
        )

    async def _replay_from_log(self, after: int, *, announce: bool) -> None:
        replay = await database_sync_to_async(_replay, thread_sensitive=False)(
            stream=self.stream, after=after
        )
        if replay is None:
            await self._send_snapshot()
            return
        frames, head = replay
        stream_hub().recent_fill(self.stream, frames)  # the next resumes from about here: memory
        for frame in frames:
            await self.send_json(self.frame_visible(frame))
        if frames:
            self.covered = max(self.covered, frames[-1]["id"])
        if announce:
            await self.send_json(
                {"type": "replayed", "after": after, "last_event_id": head, "count": len(frames)}
            )

    async def _error(self, code: str, detail: str) -> None:
        await self.send_json({"type": "error", "error": code, "detail": detail})
