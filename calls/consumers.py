"""The live sockets: /ws/dispatch/, /ws/supervisor/ and /ws/unit/ (DESIGN.md, public contract).

One socket = one stream. The protocol, server to client (JSON text frames):
- `{"type": "snapshot", "stream": s, "last_event_id": n, ...}` first (calls/snapshots.py), and again
  whenever a resume asks for more than REPLAY_LIMIT events (the client replaces its state).
- `{"type": "event", "id": n, "prev": p, "stream": s, "kind": k, "data": {...}, ...}` for each event
  on the stream (acs_dispatch.events.event_frame). `prev` is the previous event id ON THIS STREAM:
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
acs_dispatch.events.user_sockets_close).
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from importlib import import_module
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model

from acs_dispatch.events import DISPATCH, SUPERVISOR, event_frame, stream_group, unit_stream, user_group
from acs_dispatch.roles import Role
from acs_dispatch.tokens import token_alive
from acs_dispatch.ws_auth import TOKEN_DIGEST_KEY
from calls import snapshots
from calls.models import EventDelivery

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
REPLAY_LIMIT = 1000  # a client further behind than this gets a fresh snapshot instead
CLINICAL_KINDS = frozenset({"note.added"})  # events whose payload is ACS health information


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
    return frames, snapshots.stream_head(stream=stream)


def _session_alive(scope: dict[str, Any], user_id: int) -> bool:
    """True unless the socket came in on a session or a token that has since ended (logout,
    revocation, idle expiry)."""
    digest = scope.get(TOKEN_DIGEST_KEY)  # issue 15: knox tokens expire and are revoked
    if digest:
        return token_alive(digest=digest, user_id=user_id)
    session = scope.get("session")
    key = getattr(session, "session_key", None)
    if not key:
        return True  # no session, no token: nothing to end
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    return store.load().get(SESSION_KEY) == str(user_id)


GROUP_REFRESH_SECONDS = 3600  # channels-redis forgets a group member after a day (group_expiry)


class StreamHub:
    """One channel-layer subscription per stream per process, fanned out to that process's sockets.

    channels-redis delivers a group message once per member channel, and a process takes those
    off Redis one round trip at a time: with 500 boards on one daphne process, every event cost
    500 round trips and seconds of lag (bench/push_latency.py). The hub's single channel receives
    each event once, encodes it once, and hands it to its local sockets in memory. Events still
    travel through the channel layer (DESIGN.md: the doorbell after commit); only the last hop,
    inside the process, is ours. One hub per event loop (daphne runs one; each test has its own).
    """

    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.members: dict[str, set[LiveConsumer]] = {}
        self.channel: str | None = None
        self.tasks: list[asyncio.Task] = []
        self.lock = asyncio.Lock()

    async def join(self, stream: str, consumer: LiveConsumer) -> None:
        async with self.lock:
            if self.channel is None:
                # The default "specific" prefix on purpose: channels-redis reads every process-local
                # channel of that prefix from one Redis list; another prefix would be a second list
                # that only gets read when the sockets' reader happens to let go of the lock.
                self.channel = await self.layer.new_channel()
                loop = asyncio.get_running_loop()
                self.tasks = [loop.create_task(self._receive()), loop.create_task(self._refresh())]
            # Added on every join, not only the first: it also renews the membership's expiry.
            await self.layer.group_add(stream_group(stream), self.channel)
            self.members.setdefault(stream, set()).add(consumer)

    async def leave(self, stream: str, consumer: LiveConsumer) -> None:
        async with self.lock:
            members = self.members.get(stream)
            if members is None:
                return
            members.discard(consumer)
            if members:
                return
            del self.members[stream]
            await self.layer.group_discard(stream_group(stream), self.channel)
            if not self.members:
                # No socket left: stop listening, so an idle process (or a finished test) holds
                # no receive open on the layer.
                for task in self.tasks:
                    task.cancel()
                self.tasks, self.channel = [], None

    async def _receive(self) -> None:
        channel = self.channel
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis restarted or the connection dropped: the screens notice the gap at their
                # next heartbeat and resume from the Event table; keep listening.
                logger.exception("live hub: receive failed; retrying")
                await asyncio.sleep(1)
                continue
            if message.get("type") != "stream.event":
                continue
            frame = message["event"]
            text = json.dumps(frame)
            for consumer in list(self.members.get(frame.get("stream"), ())):
                try:
                    await consumer.stream_push(frame, text)
                except Exception:
                    logger.exception("live hub: push of event %s to a socket failed", frame.get("id"))

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(GROUP_REFRESH_SECONDS)
            async with self.lock:
                for stream in list(self.members):
                    await self.layer.group_add(stream_group(stream), self.channel)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, StreamHub] = weakref.WeakKeyDictionary()


def stream_hub() -> StreamHub:
    """The hub of the running event loop."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = StreamHub()
    return hub


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """A socket on one stream: admit, join groups, snapshot, then forward pushes and replays."""

    roles: tuple[str, ...] = ()

    # --- subclass hooks (run in a thread: they may query)
    def stream_for(self, user) -> str:
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        raise NotImplementedError

    def reads_clinical_notes(self) -> bool:
        return False

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
        await self.channel_layer.group_add(user_group(self.user_id), self.channel_name)
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
        if getattr(self, "stream", None):
            await stream_hub().leave(self.stream, self)
            await self.channel_layer.group_discard(user_group(self.user_id), self.channel_name)

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
        return code, (0 if code else snapshots.stream_head(stream=self.stream))

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
        if frame["kind"] in CLINICAL_KINDS and not self.reads_clinical_notes():
            await self.send_json(self._visible(frame))
        else:
            await self.send(text_data=text)

    async def _release(self) -> None:
        """Send the pushes held during a snapshot or replay, then forward pushes directly again."""
        while self.holding:
            frame, text = self.holding.pop(0)
            await self._forward(frame, text)
        self.holding = None

    async def session_end(self, message: dict[str, Any]) -> None:
        """The user logged out (acs_dispatch.services.user_logout_record) or lost the role."""
        await self.close(code=CLOSE_UNAUTHENTICATED)

    def _visible(self, frame: dict[str, Any]) -> dict[str, Any]:
        # Defence in depth: services never address a clinical note to a stream that may not read
        # it, but if one ever did, the text stops here. The frame itself still goes, so the
        # client's prev/id chain stays whole and it does not resume forever.
        if frame["kind"] in CLINICAL_KINDS and not self.reads_clinical_notes():
            return {**frame, "data": {"redacted": True}}
        return frame

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
            head = await database_sync_to_async(snapshots.stream_head)(stream=self.stream)
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
            await self.send_json(self._visible(frame))
        if frames:
            self.covered = max(self.covered, frames[-1]["id"])
        await self.send_json(
            {"type": "replayed", "after": after, "last_event_id": head, "count": len(frames)}
        )

    async def _error(self, code: str, detail: str) -> None:
        await self.send_json({"type": "error", "error": code, "detail": detail})


class DispatchConsumer(LiveConsumer):
    """/ws/dispatch/: the dispatch board. Never carries clinical notes."""

    roles = (Role.DISPATCHER, Role.ADMIN)

    def stream_for(self, user) -> str:
        return DISPATCH

    def snapshot(self) -> dict[str, Any]:
        return snapshots.dispatch_snapshot()


class SupervisorConsumer(LiveConsumer):
    """/ws/supervisor/: the ACS supervisor board and map (ACS calls and units, clinical notes)."""

    roles = (Role.ACS_SUPERVISOR, Role.ADMIN)

    def stream_for(self, user) -> str:
        return SUPERVISOR

    def snapshot(self) -> dict[str, Any]:
        return snapshots.supervisor_snapshot()

    def reads_clinical_notes(self) -> bool:
        return True


class UnitConsumer(LiveConsumer):
    """/ws/unit/: a responder's own unit. Clinical notes only when the unit is an ACS unit."""

    roles = (Role.RESPONDER,)

    def stream_for(self, user) -> str:
        return unit_stream(user.unit_id) if user.unit_id else ""

    def _admit(self, user) -> int:
        code = super()._admit(user)
        if not code:
            self.unit = user.unit
            self.unit_is_acs = self.unit.agency_id == "ACS"
        return code

    def snapshot(self) -> dict[str, Any]:
        return snapshots.unit_snapshot(unit=self.unit)

    def reads_clinical_notes(self) -> bool:
        return self.unit_is_acs
