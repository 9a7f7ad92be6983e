"""Looking back (issue 14): search closed and open calls, one call's full timeline, the audit trail.

- `calls_search`: calls by date range (received, city clock), type, zone, agency, disposition, unit,
  state and free text, newest first; a QuerySet the API paginates.
- `call_timeline`: every event of one call, oldest first, each with who, when, what changed and the
  rule set that decided; a clinical note's text only for readers of clinical notes.
- `events_audit`: the event log filtered by user, kind, call, unit and time, newest first, with
  the actor's username; logins, failed logins, lockouts, rule publications and overrides included.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from calls.models import OPEN_STATUSES, Assignment, Call
from calls.policies import may_read_clinical_notes
from calls.selectors.kpis import kpis_period
from live.models import Event
from responders.models import Unit

STATES = ("open", "closed", "all")


def calls_search(
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    call_type: str = "",
    zone: str = "",
    agency: str = "",
    disposition: str = "",
    unit: str = "",
    text: str = "",
    state: str = "all",
) -> QuerySet[Call]:
    """Calls matching every filter given, newest first. `agency`: among the call's agencies or a unit
    of it worked the call; `unit`: a call sign that worked it; `text`: in the number, narrative,
    address or caller's name; `state`: open, closed (any final state) or all. Raises
    ValidationFailed for a bad range."""
    calls = Call.objects.all()
    if start or end:
        since, until = kpis_period(start=start or dt.date(2000, 1, 1), end=end or dt.date(2100, 1, 1))
        calls = calls.filter(received_at__gte=since, received_at__lt=until)
    if call_type.strip():
        calls = calls.filter(call_type__code__iexact=call_type.strip())
    if zone.strip():
        calls = calls.filter(zone__name__iexact=zone.strip())
    if agency.strip():
        code = agency.strip().upper()
        # A JSON list compared as text: '"ACS"' in '["ACS", "POLICE"]' (SQLite and PostgreSQL).
        calls = calls.annotate(agencies_text=Cast("agencies", TextField())).filter(
            Q(agencies_text__contains=f'"{code}"') | Q(pk__in=_calls_worked_by(agency=code))
        )
    if disposition.strip():
        calls = calls.filter(disposition__iexact=disposition.strip())
    if unit.strip():
        calls = calls.filter(pk__in=_calls_worked_by(call_sign=unit.strip()))
    if text.strip():
        words = text.strip()
        calls = calls.filter(
            Q(number__icontains=words)
            | Q(narrative__icontains=words)
            | Q(address__icontains=words)
            | Q(caller_name__icontains=words)
        )
    if state == "open":
        calls = calls.filter(status__in=OPEN_STATUSES)
    elif state == "closed":
        calls = calls.exclude(status__in=OPEN_STATUSES)
    return (
        calls.select_related("call_type", "zone")
        .defer("zone__geometry")
        .prefetch_related("assignments__unit")
        .order_by("-received_at", "-pk")
    )


def _calls_worked_by(*, agency: str = "", call_sign: str = "") -> QuerySet:
    assignments = Assignment.objects.all()
    if agency:
        assignments = assignments.filter(unit__agency_id=agency)
    if call_sign:
        assignments = assignments.filter(unit__call_sign__iexact=call_sign)
    return assignments.values("call_id")


def call_search_row(call: Call) -> dict[str, Any]:
    """One call of a search result (display fields; no caller details beyond the name)."""
    return {
        "id": call.pk,
        "number": call.number,
        "received_at": call.received_at.isoformat(),
        "status": call.status,
        "call_type": {"code": call.call_type.code, "name": call.call_type.name}
        if call.call_type_id
        else None,
        "address": call.address,
        "zone": call.zone.name if call.zone_id else None,
        "lead": call.lead,
        "agencies": list(call.agencies),
        "priority": call.priority,
        "disposition": call.disposition,
        "closed_at": call.closed_at.isoformat() if call.closed_at else None,
        "units": sorted({a.unit.call_sign for a in call.assignments.all()}),
        "narrative": call.narrative[:200],
    }


# --- what an event changed, in words --------------------------------------------------------------


def _summary(data: dict[str, Any], key: str) -> dict[str, Any]:
    """`data[key]` when it is an entity summary. User events carry a plain call sign under "unit"
    (acs_dispatch.services), so reading every event as a summary crashed the audit's first page."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def event_changes(event: Event, *, clinical: bool) -> list[str]:
    """What an event changed, as short lines a person reads ("status PENDING -> DISPATCHED")."""
    data = event.data or {}
    call = _summary(data, "call")
    unit = _summary(data, "unit")
    lines: list[str] = []
    kind = event.kind
    if "before" in data and "after" in data:
        lines.append(f"status {data['before']} -> {data['after']}")
    if kind in ("call.created", "call.triaged") and call:
        lines.append(
            f"decision: {call.get('mode', '')} lead {call.get('lead', '')}, "
            f"agencies {', '.join(call.get('agencies') or [])}, P{call.get('priority')}"
        )
        if call.get("rule"):
            lines.append(f"rule: {call['rule']}")
        if call.get("ruleset_version") is not None:
            lines.append(f"rule set v{call['ruleset_version']}")
    if kind == "call.overridden":
        original = call.get("original_decision") or {}
        lines.append(
            f"override: lead {original.get('lead', '?')} -> {call.get('lead', '?')}, agencies "
            f"{', '.join(original.get('agencies') or [])} -> {', '.join(call.get('agencies') or [])}"
        )
    if data.get("reason"):
        lines.append(f"reason: {data['reason']}")
    if kind in ("unit.assigned", "unit.unassigned", "assignment.acknowledged") and unit:
        lines.append(f"unit {unit.get('call_sign', '')}")
    override = _summary(data, "override")
    if override.get("reason"):
        lines.append(f"assigned despite the order of arrival: {override['reason']}")
    disposition = data.get("disposition")
    if isinstance(disposition, dict):
        lines.append(f"disposition {disposition.get('code')}: {disposition.get('description', '')}")
    destination = data.get("destination")
    if destination:
        name = destination.get("name", "") if isinstance(destination, dict) else destination
        lines.append(f"destination: {name}")
    if data.get("note") and kind != "note.added":
        lines.append(f"note: {data['note']}")
    backup = _summary(data, "backup_request")
    if backup:
        lines.append(f"{backup.get('unit')} asks for {backup.get('agency')}: {backup.get('reason', '')}")
    if kind == "call.agency_waived":
        lines.append(f"{data.get('agency', '')} waived: {data.get('reason', '')}")
    if kind == "note.added":
        note = _summary(data, "note")
        lines.append(
            f"clinical note: {note.get('text', '')}" if clinical else "clinical note (ACS staff only)"
        )
    alert = _summary(data, "alert")
    if alert:
        lines.append(f"alert {alert.get('kind_label', alert.get('kind'))}: {alert.get('message', '')}")
    if kind.startswith("user.") or kind.startswith("ruleset.") or kind.endswith(".loaded"):
        lines += [f"{k}: {v}" for k, v in data.items() if isinstance(v, str | int | float) and k != "reason"]
    return lines


def event_row(event: Event, *, clinical: bool) -> dict[str, Any]:
    """An event as the timeline and the audit show it."""
    data = event.data or {}
    call = _summary(data, "call")
    unit = _summary(data, "unit")
    return {
        "id": event.pk,
        "at": event.created_at.isoformat(),
        "kind": event.kind,
        "actor": event.actor.username if event.actor_id else None,
        "call_id": event.call_id,
        "call_number": call.get("number"),
        "unit_id": event.unit_id,
        # a user event names the unit by its call sign
        "unit": unit.get("call_sign") or (data["unit"] if isinstance(data.get("unit"), str) else None),
        "ruleset_version": call.get("ruleset_version"),
        "changes": event_changes(event, clinical=clinical),
    }


def call_timeline(*, call: Call, user: Any) -> list[dict[str, Any]]:
    """Every event of `call`, oldest first (who, when, what changed, which rule set)."""
    clinical = may_read_clinical_notes(user=user, call=call)
    events = Event.objects.filter(call_id=call.pk).select_related("actor").order_by("id")
    return [event_row(e, clinical=clinical) for e in events]


# --- the audit trail --------------------------------------------------------------------------------


def events_audit(
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    username: str = "",
    kind: str = "",
    call: str = "",
    unit: str = "",
) -> QuerySet[Event]:
    """The event log, newest first. `username`: the actor, or the user a login/lockout event names;
    `kind`: exact ("call.overridden") or a prefix ending in "." ("user."); `call`: id or number;
    `unit`: call sign."""
    events = Event.objects.all()
    if since:
        events = events.filter(created_at__gte=since)
    if until:
        events = events.filter(created_at__lt=until)
    if username.strip():
        name = username.strip()
        events = events.filter(Q(actor__username__iexact=name) | Q(data__username__iexact=name))
    if kind.strip():
        k = kind.strip()
        events = events.filter(kind__startswith=k) if k.endswith(".") else events.filter(kind=k)
    if call.strip():
        ref = call.strip()
        events = (
            events.filter(call_id=int(ref))
            if ref.isdigit()
            else events.filter(call_id__in=Call.objects.filter(number__iexact=ref).values("pk"))
        )
    if unit.strip():
        events = events.filter(unit_id__in=Unit.objects.filter(call_sign__iexact=unit.strip()).values("pk"))
    return events.select_related("actor").order_by("-id")


def event_kinds() -> list[str]:
    """The event kinds recorded so far (the audit screen's filter list)."""
    return sorted(Event.objects.values_list("kind", flat=True).distinct())
