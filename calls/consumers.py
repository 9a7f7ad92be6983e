"""The floor's live sockets: /ws/dispatch/, /ws/supervisor/ and /ws/unit/ (DESIGN.md, public contract).

The protocol (snapshot, events, resume, heartbeat, close codes) is live.consumers.LiveConsumer's;
each screen here says which stream it reads, what its snapshot holds (calls/snapshots.py) and what
it may see of each frame (calls.policies.event_visible_to).
"""

from __future__ import annotations

from typing import Any

from acs_dispatch.roles import Role
from acs_dispatch.tokens import token_alive
from acs_dispatch.ws_auth import TOKEN_DIGEST_KEY
from calls import snapshots
from calls.policies import event_visible_to, may_read_clinical_notes
from live.consumers import CLOSE_UNAUTHENTICATED, LiveConsumer
from live.events import DISPATCH, SUPERVISOR, unit_stream


class _FloorConsumer(LiveConsumer):
    def _admit(self, user) -> int:
        code = super()._admit(user)
        if not code:
            # Decided once per socket, in the thread: the frames are then filtered with no query.
            self.clinical_reader = may_read_clinical_notes(user=user)
        return code

    def frame_visible(self, frame: dict[str, Any]) -> dict[str, Any]:
        return event_visible_to(frame, clinical_reader=self.clinical_reader)

    def _still_admitted(self) -> int:
        code = super()._still_admitted()
        # A socket opened with an API token closes once the token is revoked or expired (issue 15).
        digest = self.scope.get(TOKEN_DIGEST_KEY)
        if not code and digest and not token_alive(digest=digest, user_id=self.user_id):
            return CLOSE_UNAUTHENTICATED
        return code


class DispatchConsumer(_FloorConsumer):
    """/ws/dispatch/: the dispatch board. Never carries clinical notes."""

    roles = (Role.DISPATCHER, Role.ADMIN)

    def stream_for(self, user) -> str:
        return DISPATCH

    def _admit(self, user) -> int:
        code = super()._admit(user)
        # An admin may read notes elsewhere, but the dispatch stream never carries them.
        self.clinical_reader = False
        return code

    def snapshot(self) -> dict[str, Any]:
        return snapshots.dispatch_snapshot()

    def snapshot_key(self) -> str:
        return self.stream  # the same board for every dispatcher: built once, shared


class SupervisorConsumer(_FloorConsumer):
    """/ws/supervisor/: the ACS supervisor board and map (ACS calls and units, clinical notes)."""

    roles = (Role.ACS_SUPERVISOR, Role.ADMIN)

    def stream_for(self, user) -> str:
        return SUPERVISOR

    def snapshot(self) -> dict[str, Any]:
        return snapshots.supervisor_snapshot()

    def snapshot_key(self) -> str:
        # The same for every reader of the stream: supervisors and admins all may read the notes.
        return self.stream


class UnitConsumer(_FloorConsumer):
    """/ws/unit/: a responder's own unit. Clinical notes only when the unit is an ACS unit."""

    roles = (Role.RESPONDER,)

    def stream_for(self, user) -> str:
        return unit_stream(user.unit_id) if user.unit_id else ""

    def _admit(self, user) -> int:
        code = super()._admit(user)
        if not code:
            self.unit = user.unit
        return code

    def snapshot(self) -> dict[str, Any]:
        return snapshots.unit_snapshot(unit=self.unit, clinical_reader=self.clinical_reader)
