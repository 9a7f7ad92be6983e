"""Snapshot selectors of the live screens: what a socket sends first, before any event.

Each returns plain JSON-ready data built with the same builders as the events
(`calls.events.call_summary`, `responders.events.unit_summary`), so a screen applies a snapshot
and the events after it with one reducer: "replace my copy of this call / unit by id".

The dispatch board is the exception for calls: its snapshot holds every open call, thousands on a
busy night, so each is a brief row (`calls.events.call_board_row`, marked `"brief": true`) with
what the queue and active rows show; a full summary would not fit one websocket frame (issue 16).
Its events still carry full summaries, which replace the brief rows by id as before; the board
fetches a brief call in full (GET /api/v1/calls/<id>) when a dispatcher opens it.

Each snapshot carries `last_event_id`: the head of its stream, read FIRST. Rows read after the
head may already include changes of later events; the socket delivers those events too, and
replacing a call by its summary is idempotent, so the screen converges. Reading the head last
instead would let the snapshot claim events whose changes it does not hold (lost for good).

Privacy: ACS clinical notes appear only in `supervisor_snapshot` and in `unit_snapshot` of an
ACS unit; never in the dispatch snapshot or a police / fire unit's.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from calls.events import alert_summary, call_summary
from calls.models import Assignment, BackupRequest, Call, ClinicalNote
from calls.selectors.alerts import alerts_open
from calls.selectors.calls import calls_open_acs, calls_open_for_board, calls_with_details
from live.events import DISPATCH, SUPERVISOR, unit_stream
from live.models import EventDelivery
from live.selectors import stream_head
from responders.events import unit_summary
from responders.models import Agency, Unit, Zone

ACS = Agency.Code.ACS.value
HISTORY_LENGTH = 30  # status changes shown on a unit's dashboard


def _calls_with_related(calls) -> list[Call]:
    return list(calls_with_details(calls))


def _call_summaries(calls: list[Call]) -> list[dict[str, Any]]:
    return [
        call_summary(
            c,
            assignments=c.active_assignments,
            backup_requests=list(c.backup_requests.all()),
            waivers=list(c.agency_waivers.all()),
        )
        for c in calls
    ]


def _active_assignments_by_unit() -> dict[int, Assignment]:
    return {a.unit_id: a for a in Assignment.objects.filter(cleared_at__isnull=True).select_related("call")}


def units_summaries(*, agency: str | None = None) -> list[dict[str, Any]]:
    """Every unit (or one agency's) with its current call."""
    units = (
        Unit.objects.select_related("home_zone")
        .defer("home_zone__geometry")
        .order_by("agency_id", "call_sign")
    )
    if agency:
        units = units.filter(agency_id=agency)
    active = _active_assignments_by_unit()
    return [unit_summary(u, active_assignment=active.get(u.id)) for u in units]


def alerts_open_summaries(*, stream: str) -> list[dict[str, Any]]:
    """Unacknowledged alerts pushed to `stream` (the same rule as the alert events), escalated first."""
    return [alert_summary(a) for a in alerts_open(stream=stream)]


def note_summary(note: ClinicalNote) -> dict[str, Any]:
    """An ACS clinical note: for ACS streams only."""
    return {
        "id": note.id,
        "call_id": note.call_id,
        "author": note.author.username if note.author_id else None,
        "text": note.text,
        "created_at": note.created_at.isoformat(),
    }


def dispatch_snapshot() -> dict[str, Any]:
    """The dispatch board: open calls as brief rows (with their units and open backup requests),
    every unit, open alerts. No clinical notes, no narratives."""
    last_event_id = stream_head(stream=DISPATCH)  # first: see the module docstring
    return {
        "last_event_id": last_event_id,
        "calls": calls_open_for_board(),
        "units": units_summaries(),
        "alerts": alerts_open_summaries(stream=DISPATCH),
    }


def today_start() -> dt.datetime:
    """Midnight today in the city's time zone, as an aware datetime."""
    local = timezone.now().astimezone(ZoneInfo(settings.CITY_TIME_ZONE))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def acs_figures_today() -> dict[str, Any]:
    """Today's ACS figures, as id sets so a screen can keep counting from events without double
    counting: calls taken, seconds from receipt to the first ACS unit on scene, backups requested."""
    since = today_start()
    acs_unit_call_ids = set(
        Assignment.objects.filter(unit__agency_id=ACS, call__received_at__gte=since).values_list(
            "call_id", flat=True
        )
    )
    calls = [
        c
        for c in Call.objects.filter(received_at__gte=since).only("id", "agencies", "received_at")
        if ACS in (c.agencies or []) or c.id in acs_unit_call_ids
    ]
    received = {c.id: c.received_at for c in calls}
    on_scene: dict[str, float] = {}
    first_on_scene = (
        Assignment.objects.filter(call_id__in=received, on_scene_at__isnull=False)
        .order_by("on_scene_at")
        .values_list("call_id", "on_scene_at")
    )
    for call_id, at in first_on_scene:
        on_scene.setdefault(str(call_id), max(0.0, (at - received[call_id]).total_seconds()))
    backups = list(BackupRequest.objects.filter(requested_at__gte=since).values_list("id", flat=True))
    return {
        "since": since.isoformat(),
        "calls": sorted(received),
        "on_scene_seconds": on_scene,
        "median_on_scene_seconds": statistics.median(on_scene.values()) if on_scene else None,
        "backups": sorted(backups),
    }


def supervisor_snapshot() -> dict[str, Any]:
    """The ACS supervisor board and map: open ACS calls, ACS units, their alerts, the clinical
    notes of those calls (the supervisor reads them) and today's figures."""
    last_event_id = stream_head(stream=SUPERVISOR)  # first: see the module docstring
    calls = _call_summaries(calls_open_acs())
    units = units_summaries(agency=ACS)
    call_ids = {c["id"] for c in calls}
    notes = (
        ClinicalNote.objects.filter(call_id__in=call_ids)
        .select_related("author")
        .order_by("created_at", "id")
    )
    return {
        "last_event_id": last_event_id,
        "calls": calls,
        "units": units,
        "alerts": alerts_open_summaries(stream=SUPERVISOR),
        "notes": [note_summary(n) for n in notes],
        "figures": acs_figures_today(),
    }


def unit_history(*, unit: Unit, limit: int = HISTORY_LENGTH) -> list[dict[str, Any]]:
    """The unit's recent status changes, newest first, from the events of its stream.

    An event counts when the unit's status or call differs from the event before it: the rule
    unit.js applies to the events it receives, so a dashboard that resumed by id and one that
    took a fresh snapshot list the same history (tests/calls/test_snapshot_apply_events.py)."""
    deliveries = (
        EventDelivery.objects.filter(stream=unit_stream(unit.id), event__unit_id=unit.id)
        .select_related("event")
        .order_by("-event_id")[: limit * 3]
    )
    newest_first = [
        (d, d.event.data["unit"])
        for d in deliveries
        if isinstance(d.event.data, dict)
        and isinstance(d.event.data.get("unit"), dict)
        and d.event.data["unit"].get("id") == unit.id
    ]
    history = []
    for i, (d, summary) in enumerate(newest_first):
        before = newest_first[i + 1][1] if i + 1 < len(newest_first) else None
        if before is not None and (before.get("status"), before.get("call_id")) == (
            summary.get("status"),
            summary.get("call_id"),
        ):
            continue
        history.append(
            {
                "event_id": d.event_id,
                "kind": d.event.kind,
                "at": d.event.created_at.isoformat(),
                "status": summary.get("status"),
                "call_number": summary.get("call_number"),
            }
        )
        if len(history) >= limit:
            break
    return history


def unit_snapshot(*, unit: Unit, clinical_reader: bool) -> dict[str, Any]:
    """A unit's dashboard: the unit, its current call (if any) with the other units on it, open
    alerts about it, its status history; the call's clinical notes only for a crew that may read
    them (`clinical_reader`: calls.policies.may_read_clinical_notes of the socket's user)."""
    last_event_id = stream_head(stream=unit_stream(unit.id))  # first: see the module docstring
    unit = Unit.objects.select_related("home_zone").defer("home_zone__geometry").get(pk=unit.pk)
    assignment = Assignment.objects.filter(unit=unit, cleared_at__isnull=True).select_related("call").first()
    call = None
    notes: list[dict[str, Any]] = []
    if assignment is not None:
        call = _call_summaries(_calls_with_related(Call.objects.filter(pk=assignment.call_id)))[0]
        if clinical_reader:
            notes = [
                note_summary(n)
                for n in ClinicalNote.objects.filter(call_id=assignment.call_id)
                .select_related("author")
                .order_by("created_at", "id")
            ]
    return {
        "last_event_id": last_event_id,
        "unit": unit_summary(unit, active_assignment=assignment),
        "call": call,
        "notes": notes,
        "alerts": alerts_open_summaries(stream=unit_stream(unit.id)),
        "history": unit_history(unit=unit),
    }


def zones_for_map() -> list[dict[str, Any]]:
    """The service zones with their GeoJSON geometry, for maps and zone filters."""
    return [
        {"id": z.id, "name": z.name, "approximate": z.approximate, "geometry": z.geometry}
        for z in Zone.objects.filter(kind=Zone.Kind.SERVICE).order_by("name")
    ]
