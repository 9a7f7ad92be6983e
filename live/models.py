"""The event log: a gap-free counter, the append-only Event table, and each stream's deliveries.

These tables were born in `acs_dispatch` and `calls` and keep their names (`db_table`), so the
move to this app changed no row. An Event points at its call and unit by id only: the log sits
under every domain app and knows none of their models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Counter(models.Model):
    """A named gap-free counter (event ids, call numbers): read and bumped under a row lock."""

    name = models.CharField(primary_key=True, max_length=40)
    value = models.BigIntegerField(default=0)

    class Meta:
        db_table = "acs_dispatch_counter"

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Event(models.Model):
    """Append-only log of every state change: audit trail and source of every push and catch-up.

    The id is NOT an auto-increment: it is taken from a counter row locked in the writing
    transaction, so ids are gap-free and in commit order (see live.events).
    """

    id = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Ids, not foreign keys: the log outlives and sits below the rows it describes.
    call_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    unit_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # The X-Request-ID of the request (or the task) that appended it: joins the logs to the audit trail.
    request_id = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001 (None: no request)

    class Meta:
        db_table = "calls_event"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["kind", "id"], name="calls_event_kind_2e134f_idx"),
            # Coverage (unit status changes by time) and the audit screen (by actor): issue 14.
            models.Index(fields=["kind", "created_at"], name="event_kind_created"),
            models.Index(fields=["actor", "id"], name="event_actor_id"),
            # Units going out of and back into service (coverage by hour): a year has ~2 M status
            # changes, a few hundred thousand of them these.
            models.Index(
                fields=["created_at"],
                include=["unit_id"],  # PostgreSQL: an index-only scan (ignored elsewhere)
                name="event_out_of_service",
                condition=models.Q(kind="unit.status_changed", data__after="OUT_OF_SERVICE"),
            ),
            models.Index(
                fields=["created_at"],
                include=["unit_id"],
                name="event_back_in_service",
                condition=models.Q(kind="unit.status_changed", data__before="OUT_OF_SERVICE"),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.kind}"


class EventDelivery(models.Model):
    """An event addressed to one stream (dispatch, supervisor, unit.<id>), with the id of the
    previous event on that stream, so a client of a filtered stream can prove it missed nothing."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    stream = models.CharField(max_length=40)
    prev_id = models.BigIntegerField(default=0)

    class Meta:
        db_table = "calls_eventdelivery"
        constraints = [models.UniqueConstraint(fields=["stream", "event"], name="event_delivery_unique")]

    def __str__(self) -> str:
        return f"{self.stream}: #{self.event_id} (prev {self.prev_id})"


class StreamHead(models.Model):
    """The last event id delivered on a stream; written under the event counter lock."""

    stream = models.CharField(primary_key=True, max_length=40)
    last_event_id = models.BigIntegerField(default=0)

    class Meta:
        db_table = "calls_streamhead"

    def __str__(self) -> str:
        return f"{self.stream}@{self.last_event_id}"
