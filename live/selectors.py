"""Reads of the event log."""

from __future__ import annotations

from live.models import StreamHead


def stream_head(*, stream: str) -> int:
    """The id of the last event delivered on `stream` (0 when none yet)."""
    head = StreamHead.objects.filter(stream=stream).values_list("last_event_id", flat=True).first()
    return int(head or 0)
