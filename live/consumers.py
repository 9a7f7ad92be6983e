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
from importlib import import_module
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model

from live import metrics
from live.events import event_frame
from live.hub import stream_hub
from live.models import EventDelivery
from live.selectors import stream_head

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
REPLAY_LIMIT = 1000  # a client further behind than this gets a fresh snapshot instead


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

    # --- subclass hooks (run in a thread: they may query)
    def stream_for(self, user) -> str:
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        raise NotImplementedError

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
        code = await database_sync_to_async(self._admit)(user)
        if code:
            await self.close(code=code)
            return
        self.user_id = user.pk
        # Join the groups BEFORE reading the snapshot: an event committed in between is then
        # both pushed (queued behind this handler) and, maybe, in the snapshot; never neither.
        await stream_hub().join(self.stream, self)
        metrics.socket_opened(self.stream)
        self.socket_counted = True
        await self._send_snapshot()
        await self._release()
        self.heartbeat_task = asyncio.create_task(self._heartbeat())

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
        data = await database_sync_to_async(self.snapshot)()
        self.covered = data["last_event_id"]
        await self.send_json({"type": "snapshot", "stream": self.stream, **data})

    async def _heartbeat(self) -> None:
        interval = heartbeat_seconds()
        while True:
            await asyncio.sleep(interval)
            # One trip to the thread pool per beat: with hundreds of sockets per process, the pool
            # the API views also run on is the scarce resource, not the two small queries.
            code, head = await database_sync_to_async(self._heartbeat_check)()
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
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._error("bad_json", "the frame is not valid JSON")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self._error("bad_frame", "a frame is a JSON object with a type")
            return
        kind = content.get("type")
        if kind == "ping":
            head = await database_sync_to_async(stream_head)(stream=self.stream)
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
            await self._replay_send(after)
        finally:
            await self._release()

    async def _replay_send(self, after: int) -> None:
        replay = await database_sync_to_async(_replay)(stream=self.stream, after=after)
        if replay is None:
            await self._send_snapshot()
            return
        frames, head = replay
        for frame in frames:
            await self.send_json(self.frame_visible(frame))
        if frames:
            self.covered = max(self.covered, frames[-1]["id"])
        await self.send_json(
            {"type": "replayed", "after": after, "last_event_id": head, "count": len(frames)}
        )

    async def _error(self, code: str, detail: str) -> None:
        await self.send_json({"type": "error", "error": code, "detail": detail})
