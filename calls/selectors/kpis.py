"""The figures ACS supervisors and the city report on, computed by SQL aggregation (SQLite and
PostgreSQL alike) over the calls received in a date range of the city's clock.

Definitions (one place; the screen, the API, the CSV and the bench all read them from here):

- **Range**: calls *received* in [from, to), two dates on the city's clock (settings.CITY_TIME_ZONE),
  each starting at local midnight; a range across a DST change is 1 hour shorter or longer. A call
  that crosses midnight counts on the day it was received. `zone` keeps the calls placed in that
  service zone (by name).
- **Call family**: the lead agency of the decision in force (POLICE, FIRE_EMS, ACS) and its mode.
- **ACS-eligible**: the triage engine found the call ACS-eligible (`Call.acs_eligible`), or a safety
  guard ruled ACS out of a call the engine sent ACS to (ACS among the engine's agencies, i.e. the
  original decision's when a dispatcher overrode it, and `acs_exclusion` names the signal).
  Cancelled and duplicate calls are left out: nobody could serve them.
- **Served by ACS**: an ACS unit was assigned to the call and the call was not sent back to police.
  **Led by ACS**: served by ACS with ACS leading the decision in force.
- **Kick-back (sent back to police)**: a call ACS led (in force or originally) that an ACS unit
  worked and that ended with police: closed as ACS-HP ("ACS: handed to police"), or every ACS unit
  left before the end (not released by the close itself) and a police unit was assigned.
- **Why an eligible call was not served**, first that applies: `sent_back_to_police` (a kick-back,
  with the ACS unit's reason); `overridden` (a dispatcher's override took ACS off, with the
  reason); `guard` (a safety guard ruled ACS out, with the signal); `open` (still waiting);
  `no_acs_unit` (no ACS unit was assigned, with the dispatcher's waiver reason when one was
  recorded, e.g. "no ACS team on shift").
- **Time per step**, median and 90th percentile (nearest rank, as percentile_disc) in seconds:
  `queue` received -> first unit assigned (by the call's priority and lead agency); `acknowledge`
  assigned -> acknowledged, `en_route` en route -> on scene, `on_scene` on scene -> cleared (each by
  the call's priority and the unit's agency); `close` received -> closed (closed calls, by priority
  and lead agency). Rows with `priority`/`agency` null are the step over all calls.
- **Backup-request rate**: calls with at least one backup request over the calls a unit of the
  requesting agency worked; reasons grouped as typed (trimmed, case folded).
- **Unit utilisation**: the share of the period each unit spent committed to calls (assignment
  from assigned to cleared, clipped to the period; an open assignment runs to now), calls in
  `zone` only when given.
- **Coverage by hour**: at the start of each hour of the period, the calls waiting in the queue
  (received, not yet given a unit nor ended), the units on duty (not out of service, from the
  unit.status_changed events) and the units committed to a call, all and ACS.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, ExtractHour, Lower, Trim, TruncDate, TruncHour
from django.utils import timezone

from acs_dispatch.exceptions import ValidationFailed
from calls.models import OPEN_STATUSES, BackupRequest, Call, CallAgencyWaiver, Disposition, Event
from responders.models import Assignment, Unit, Zone

ACS = "ACS"
POLICE = "POLICE"
KICKBACK_DISPOSITION = "ACS-HP"  # "ACS: handed to police"
# Calls nobody could serve: left out of eligibility.
NOT_SERVABLE = (Call.Status.CANCELLED, Call.Status.DUPLICATE)
# Exclusions that are not a safety guard: no_rule is "nothing recognised", never ACS's call.
NON_GUARD_EXCLUSIONS = ("", "no_rule")
MAX_RANGE_DAYS = 400
MISSED_LIST_LIMIT = 500  # eligible-not-served calls listed in the JSON (the CSV lists them all)
REASONS_LIMIT = 20
STEPS = ("queue", "acknowledge", "en_route", "on_scene", "close")
MISSED_REASONS = {
    "sent_back_to_police": "Sent back to police",
    "overridden": "Overridden by a dispatcher",
    "guard": "Excluded by a safety guard",
    "no_acs_unit": "No ACS unit free",
    "open": "Still waiting",
}


# --- the period ---------------------------------------------------------------------------------


def kpis_period(*, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) on the city's clock as two aware instants (local midnight to local midnight).

    Raises ValidationFailed for an empty or reversed range, or one longer than MAX_RANGE_DAYS.
    """
    errors: dict[str, list[str]] = {}
    if end <= start:
        errors["to"] = ["'to' must be after 'from' (the range is [from, to))."]
    elif (end - start).days > MAX_RANGE_DAYS:
        errors["to"] = [f"The range is at most {MAX_RANGE_DAYS} days."]
    if errors:
        raise ValidationFailed("The date range is invalid.", errors=errors)
    tz = ZoneInfo(settings.CITY_TIME_ZONE)
    # Midnight exists on both DST change days in America/Denver (the clocks move at 02:00).
    return (
        dt.datetime.combine(start, dt.time(0), tzinfo=tz),
        dt.datetime.combine(end, dt.time(0), tzinfo=tz),
    )


def _zone_check(zone: str | None) -> str | None:
    zone = (zone or "").strip() or None
    if zone and not Zone.objects.filter(name=zone).exists():
        raise ValidationFailed("Unknown zone.", errors={"zone": [f"No zone named {zone!r}."]})
    return zone


def _calls(since: dt.datetime, until: dt.datetime, zone: str | None) -> QuerySet[Call]:
    calls = Call.objects.filter(received_at__gte=since, received_at__lt=until)
    return calls.filter(zone__name=zone) if zone else calls


# --- volume -------------------------------------------------------------------------------------


def kpis_volume(*, calls: QuerySet[Call]) -> dict[str, Any]:
    """Calls by local day, by local hour of the day (0-23), and by family (lead agency and mode)."""
    tz = ZoneInfo(settings.CITY_TIME_ZONE)
    by_day = (
        calls.annotate(day=TruncDate("received_at", tzinfo=tz))
        .values("day")
        .annotate(calls=Count("id"))
        .order_by("day")
    )
    by_hour = dict(
        calls.annotate(hour=ExtractHour("received_at", tzinfo=tz))
        .values("hour")
        .annotate(calls=Count("id"))
        .values_list("hour", "calls")
    )
    by_family = calls.values("lead", "mode").annotate(calls=Count("id")).order_by("-calls", "lead", "mode")
    by_status = dict(calls.values("status").annotate(n=Count("id")).values_list("status", "n"))
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_day": [{"date": r["day"].isoformat(), "calls": r["calls"]} for r in by_day],
        "by_hour": [{"hour": h, "calls": by_hour.get(h, 0)} for h in range(24)],
        "by_family": [
            {"lead": r["lead"] or "NONE", "mode": r["mode"] or "", "calls": r["calls"]} for r in by_family
        ],
    }


# --- ACS eligibility, service and what was missed -----------------------------------------------


def _agency_assigned(agency: str) -> Exists:
    return Exists(Assignment.objects.filter(call=OuterRef("pk"), unit__agency_id=agency))


def calls_acs_annotated(*, calls: QuerySet[Call]) -> QuerySet[Call]:
    """`calls` with the eligibility columns of the module docstring computed in SQL: eligible,
    acs_assigned, kicked_back, served, led, missed_reason, missed_detail."""
    # The engine's agencies: the original decision's when a dispatcher overrode it. JSON arrays are
    # compared as text ('"ACS"' is in '["ACS", "POLICE"]'), which SQLite and PostgreSQL both do.
    engine_agencies = Coalesce(
        Cast(KeyTextTransform("agencies", "original_decision"), TextField()), Cast("agencies", TextField())
    )
    original_lead = Cast(KeyTextTransform("lead", "original_decision"), CharField())
    acs_units = Assignment.objects.filter(call=OuterRef("pk"), unit__agency_id=ACS)
    # An ACS unit still there at the end: not cleared, or released by the close itself (within a
    # second of closed_at, in the same transaction).
    acs_at_end = Exists(
        acs_units.filter(
            Q(cleared_at__isnull=True) | Q(cleared_at__gte=OuterRef("closed_at") - dt.timedelta(seconds=1))
        )
    )
    annotated = calls.annotate(
        engine_agencies=engine_agencies,
        current_agencies=Cast("agencies", TextField()),
        original_lead=original_lead,
        acs_assigned=Exists(acs_units),
        police_assigned=_agency_assigned(POLICE),
        acs_at_end=acs_at_end,
        waiver_reason=Subquery(
            CallAgencyWaiver.objects.filter(call=OuterRef("pk"), agency=ACS).values("reason")[:1]
        ),
        acs_left_reason=Subquery(
            acs_units.filter(cleared_at__isnull=False).order_by("-cleared_at").values("cleared_reason")[:1]
        ),
    )
    acs_led = Q(lead=ACS) | Q(original_lead=ACS)
    kicked_back = (
        acs_led
        & Q(acs_assigned=True)
        & (
            Q(disposition=KICKBACK_DISPOSITION)
            | (Q(acs_at_end=False) & Q(police_assigned=True) & ~Q(status__in=OPEN_STATUSES))
        )
    )
    guard = ~Q(acs_exclusion__in=NON_GUARD_EXCLUSIONS)
    eligible = ~Q(status__in=NOT_SERVABLE) & (
        Q(acs_eligible=True) | (guard & Q(engine_agencies__contains='"ACS"'))
    )
    served = Q(acs_assigned=True) & ~kicked_back
    overridden_off = Q(overridden_at__isnull=False) & ~Q(current_agencies__contains='"ACS"')
    as_bool = IntegerField()
    return annotated.annotate(
        eligible=Case(When(eligible, then=1), default=0, output_field=as_bool),
        kicked_back=Case(When(kicked_back, then=1), default=0, output_field=as_bool),
        served=Case(When(served, then=1), default=0, output_field=as_bool),
        led=Case(When(served & Q(lead=ACS), then=1), default=0, output_field=as_bool),
        missed_reason=Case(
            When(served, then=Value("")),
            When(kicked_back, then=Value("sent_back_to_police")),
            When(overridden_off, then=Value("overridden")),
            When(guard, then=Value("guard")),
            When(status__in=OPEN_STATUSES, then=Value("open")),
            default=Value("no_acs_unit"),
            output_field=CharField(),
        ),
        missed_detail=Case(
            When(served, then=Value("")),
            When(
                kicked_back,
                then=Case(
                    When(disposition=KICKBACK_DISPOSITION, then=Value("closed as ACS-HP: handed to police")),
                    default=Coalesce("acs_left_reason", Value("")),
                ),
            ),
            When(overridden_off, then=F("override_reason")),
            When(guard, then=F("acs_exclusion")),
            When(status__in=OPEN_STATUSES, then=Value("")),
            default=Coalesce("waiver_reason", Value("")),
            output_field=CharField(),
        ),
    )


def kpis_acs(*, calls: QuerySet[Call], missed_limit: int | None = MISSED_LIST_LIMIT) -> dict[str, Any]:
    """Eligible calls, the share served and led by ACS, the eligible calls missed with their reason,
    and the kick-backs to police."""
    rows = calls_acs_annotated(calls=calls)
    eligible = rows.filter(eligible=1)
    # Grouped, not aggregate(): Django's aggregate() over these Exists annotations loses them.
    totals = {"eligible": 0, "served": 0, "led": 0}
    for row in eligible.values("served", "led").annotate(n=Count("id")):
        totals["eligible"] += row["n"]
        totals["served"] += row["n"] if row["served"] else 0
        totals["led"] += row["n"] if row["led"] else 0
    missed = eligible.filter(served=0)
    by_reason = dict(missed.values("missed_reason").annotate(n=Count("id")).values_list("missed_reason", "n"))
    guards = dict(
        missed.filter(missed_reason="guard")
        .values("acs_exclusion")
        .annotate(n=Count("id"))
        .values_list("acs_exclusion", "n")
    )
    missed_calls = missed.select_related("zone").order_by("received_at", "pk")
    if missed_limit is not None:
        missed_calls = missed_calls[:missed_limit]
    kickbacks = rows.filter(kicked_back=1)
    acs_led_worked = rows.filter(Q(lead=ACS) | Q(original_lead=ACS), acs_assigned=True).count()
    n_kick = kickbacks.count()
    n = totals["eligible"]
    return {
        "eligible": n,
        "served": totals["served"],
        "led": totals["led"],
        "share_served": _share(totals["served"], n),
        "share_led": _share(totals["led"], n),
        "missed": n - totals["served"],
        "missed_by_reason": [
            {"reason": key, "label": label, "calls": by_reason.get(key, 0)}
            for key, label in MISSED_REASONS.items()
        ],
        "missed_by_guard": [
            {"signal": k, "calls": v} for k, v in sorted(guards.items(), key=lambda kv: -kv[1])
        ],
        "missed_calls": [_missed_row(c) for c in missed_calls],
        "kickbacks": {
            "calls": n_kick,
            "acs_led_worked": acs_led_worked,
            "rate": _share(n_kick, acs_led_worked),
            "list": [
                {
                    "id": c.pk,
                    "number": c.number,
                    "received_at": c.received_at.isoformat(),
                    "detail": c.missed_detail,
                    "disposition": c.disposition,
                }
                for c in kickbacks.order_by("received_at", "pk")[:MISSED_LIST_LIMIT]
            ],  # fmt: skip
        },
    }


def _missed_row(call: Call) -> dict[str, Any]:
    return {
        "id": call.pk,
        "number": call.number,
        "received_at": call.received_at.isoformat(),
        "zone": call.zone.name if call.zone_id else None,
        "status": call.status,
        "lead": call.lead,
        "priority": call.priority,
        "reason": call.missed_reason,
        "reason_label": MISSED_REASONS[call.missed_reason],
        "detail": call.missed_detail,
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- time per step --------------------------------------------------------------------------------


def _seconds_sql(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def _dt_param(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _calls_where(zone: str | None) -> str:
    sql = "c.received_at >= %s AND c.received_at < %s"
    if zone:
        sql += f" AND c.zone_id IN (SELECT id FROM {Zone._meta.db_table} WHERE name = %s)"
    return sql


def kpis_step_times(*, since: dt.datetime, until: dt.datetime, zone: str | None) -> list[dict[str, Any]]:
    """Median and 90th percentile of each step (module docstring), by priority and agency and over all.

    Percentiles are nearest-rank (the smallest duration whose cumulative share reaches p, as
    PostgreSQL's percentile_disc), computed with CUME_DIST so one SQL text serves both databases.
    """
    call_t, asg_t, unit_t = Call._meta.db_table, Assignment._meta.db_table, Unit._meta.db_table
    where = _calls_where(zone)
    base = [_dt_param(since), _dt_param(until)] + ([zone] if zone else [])
    s = _seconds_sql
    durations = f"""
        SELECT 'queue' AS step, c.priority AS priority, c.lead AS agency,
               {s("f.first_at", "c.received_at")} AS d
        FROM {call_t} c
        JOIN (SELECT call_id, MIN(assigned_at) AS first_at FROM {asg_t} GROUP BY call_id) f
          ON f.call_id = c.id
        WHERE {where}
      UNION ALL
        SELECT 'acknowledge', c.priority, u.agency_id, {s("a.acknowledged_at", "a.assigned_at")}
        FROM {asg_t} a JOIN {call_t} c ON c.id = a.call_id JOIN {unit_t} u ON u.id = a.unit_id
        WHERE {where} AND a.acknowledged_at IS NOT NULL
      UNION ALL
        SELECT 'en_route', c.priority, u.agency_id, {s("a.on_scene_at", "a.en_route_at")}
        FROM {asg_t} a JOIN {call_t} c ON c.id = a.call_id JOIN {unit_t} u ON u.id = a.unit_id
        WHERE {where} AND a.en_route_at IS NOT NULL AND a.on_scene_at IS NOT NULL
      UNION ALL
        SELECT 'on_scene', c.priority, u.agency_id, {s("a.cleared_at", "a.on_scene_at")}
        FROM {asg_t} a JOIN {call_t} c ON c.id = a.call_id JOIN {unit_t} u ON u.id = a.unit_id
        WHERE {where} AND a.on_scene_at IS NOT NULL AND a.cleared_at IS NOT NULL
      UNION ALL
        SELECT 'close', c.priority, c.lead, {s("c.closed_at", "c.received_at")}
        FROM {call_t} c
        WHERE {where} AND c.status = 'CLOSED' AND c.closed_at IS NOT NULL
    """
    params = base * 5

    def percentiles(group: str) -> str:
        cols = ", ".join(group.split(", "))
        return f"""
            SELECT {cols}, COUNT(*) AS n,
                   MIN(CASE WHEN cd >= 0.5 THEN d END) AS p50,
                   MIN(CASE WHEN cd >= 0.9 THEN d END) AS p90
            FROM (SELECT step, priority, agency, d,
                         CUME_DIST() OVER (PARTITION BY {cols} ORDER BY d) AS cd
                  FROM durations) t
            GROUP BY {cols}
        """

    sql = f"""
        WITH durations AS ({durations})
        SELECT step, priority, agency, n, p50, p90 FROM ({percentiles("step, priority, agency")}) g
        UNION ALL
        SELECT step, NULL, NULL, n, p50, p90 FROM ({percentiles("step")}) o
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    order = {step: i for i, step in enumerate(STEPS)}
    rows = [
        {
            "step": step,
            "priority": priority,
            "agency": agency,
            "count": n,
            "median_s": _round(p50),
            "p90_s": _round(p90),
        }
        for step, priority, agency, n, p50, p90 in found
    ]
    rows.sort(
        key=lambda r: (order[r["step"]], r["priority"] is not None, r["priority"] or 0, r["agency"] or "")
    )
    return rows


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


# --- backups, dispositions --------------------------------------------------------------------------


def kpis_backups(*, calls: QuerySet[Call]) -> dict[str, Any]:
    """Backup requests: how many, the rate by the requesting unit's agency, what was asked, and why."""
    requests = BackupRequest.objects.filter(call__in=calls.values("pk"))
    by_requester = {
        r["unit__agency_id"]: r
        for r in requests.values("unit__agency_id").annotate(
            requests=Count("id"), calls_with_request=Count("call_id", distinct=True)
        )
    }
    worked = dict(
        Assignment.objects.filter(call__in=calls.values("pk"))
        .values("unit__agency_id")
        .annotate(n=Count("call_id", distinct=True))
        .values_list("unit__agency_id", "n")
    )
    by_agency = []
    for agency in sorted(set(worked) | set(by_requester)):
        asked = by_requester.get(agency, {})
        with_request = asked.get("calls_with_request", 0)
        by_agency.append(
            {
                "agency": agency,
                "calls_worked": worked.get(agency, 0),
                "requests": asked.get("requests", 0),
                "calls_with_request": with_request,
                "rate": _share(with_request, worked.get(agency, 0)),
            }
        )
    reasons = (
        requests.annotate(text=Lower(Trim("reason")))
        .values("text", "agency")
        .annotate(requests=Count("id"))
        .order_by("-requests", "text", "agency")[:REASONS_LIMIT]
    )
    asked_for = dict(requests.values("agency").annotate(n=Count("id")).values_list("agency", "n"))
    return {
        "requests": sum(asked_for.values()),
        "asked_for": asked_for,
        "by_requesting_agency": by_agency,
        "reasons": [{"reason": r["text"], "agency": r["agency"], "requests": r["requests"]} for r in reasons],
    }


def kpis_dispositions(*, calls: QuerySet[Call]) -> list[dict[str, Any]]:
    """Closed calls by disposition code, most frequent first, with the lead agency."""
    descriptions = Disposition.objects.filter(code=OuterRef("disposition"))
    rows = (
        calls.filter(status=Call.Status.CLOSED)
        .values("disposition", "lead")
        .annotate(
            calls=Count("id"),
            description=Subquery(descriptions.values("description")[:1]),
            acs_outcome=Subquery(descriptions.values("acs_outcome")[:1]),
        )
        .order_by("-calls", "disposition", "lead")
    )
    return [
        {
            "code": r["disposition"],
            "description": r["description"] or "",
            "acs_outcome": bool(r["acs_outcome"]),
            "lead": r["lead"],
            "calls": r["calls"],
        }
        for r in rows
    ]


# --- units: utilisation and coverage ------------------------------------------------------------


def kpis_utilisation(
    *, since: dt.datetime, until: dt.datetime, zone: str | None, now: dt.datetime
) -> list[dict[str, Any]]:
    """Per unit: seconds committed to calls within the period and that share of the period."""
    asg_t, unit_t, call_t = Assignment._meta.db_table, Unit._meta.db_table, Call._meta.db_table
    end = min(until, now)
    if end <= since:
        return []
    greatest, least = ("GREATEST", "LEAST") if connection.vendor == "postgresql" else ("MAX", "MIN")
    committed = _seconds_sql(f"{least}(COALESCE(a.cleared_at, %s), %s)", f"{greatest}(a.assigned_at, %s)")
    zone_sql = ""
    params: list[Any] = [_dt_param(now), _dt_param(end), _dt_param(since), _dt_param(end), _dt_param(since)]
    if zone:
        zone_sql = (
            f" AND a.call_id IN (SELECT c.id FROM {call_t} c JOIN {Zone._meta.db_table} z"
            " ON z.id = c.zone_id WHERE z.name = %s)"
        )
        params.append(zone)
    sql = f"""
        SELECT u.call_sign, u.agency_id, SUM({committed}) AS busy, COUNT(*) AS assignments
        FROM {asg_t} a JOIN {unit_t} u ON u.id = a.unit_id
        WHERE a.assigned_at < %s AND (a.cleared_at IS NULL OR a.cleared_at > %s){zone_sql}
        GROUP BY u.call_sign, u.agency_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    period = (end.astimezone(dt.UTC) - since.astimezone(dt.UTC)).total_seconds()  # real seconds across DST
    busy = {sign: (agency, float(b or 0), n) for sign, agency, b, n in found}
    rows = []
    for sign, agency in Unit.objects.order_by("agency_id", "call_sign").values_list("call_sign", "agency_id"):
        _, seconds, n = busy.get(sign, (agency, 0.0, 0))
        rows.append(
            {
                "unit": sign,
                "agency": agency,
                "assignments": n,
                "committed_s": round(seconds, 1),
                "utilisation": round(seconds / period, 4),
            }
        )
    return rows


def _hour_counts(qs: QuerySet, field: str, since: dt.datetime, until: dt.datetime) -> dict[dt.datetime, int]:
    """Rows of `qs` whose `field` falls in each UTC hour of [since, until) (hour start -> count)."""
    rows = (
        qs.filter(**{f"{field}__gte": since, f"{field}__lt": until})
        .annotate(bucket=TruncHour(field, tzinfo=dt.UTC))
        .values("bucket")
        .annotate(n=Count("pk"))
        .values_list("bucket", "n")
    )
    # Every offset of the city is a whole number of hours: a UTC hour is a local hour.
    return {b.astimezone(dt.UTC): n for b, n in rows}


def _running(initial: int, plus: dict, minus: dict, hours: list[dt.datetime]) -> list[int]:
    """The level at the start of each hour: the initial level plus what came and went before it."""
    level, out = initial, []
    for hour in hours:
        out.append(level)
        level += plus.get(hour, 0) - minus.get(hour, 0)
    return out


def kpis_coverage(
    *, since: dt.datetime, until: dt.datetime, zone: str | None, now: dt.datetime
) -> list[dict[str, Any]]:
    """At the start of each hour of the period (up to now): calls waiting, units on duty, units busy."""
    tz = ZoneInfo(settings.CITY_TIME_ZONE)
    start = since.astimezone(dt.UTC)
    end = min(until, now).astimezone(dt.UTC)
    hours: list[dt.datetime] = []
    hour = start
    while hour < end:
        hours.append(hour)
        hour += dt.timedelta(hours=1)
    if not hours:
        return []
    # Calls: in the queue from received until the first unit is assigned or the call ends.
    calls = Call.objects.filter(zone__name=zone) if zone else Call.objects.all()
    calls = calls.annotate(
        left_queue=Coalesce(
            Subquery(
                Assignment.objects.filter(call=OuterRef("pk"))
                .values("call")
                .annotate(first=Min("assigned_at"))
                .values("first")[:1]
            ),
            "closed_at",
        )
    )
    waiting_at_start = (
        calls.filter(received_at__lt=start)
        .filter(Q(left_queue__isnull=True) | Q(left_queue__gte=start))
        .count()
    )
    arrived = _hour_counts(calls, "received_at", start, end)
    left = _hour_counts(calls.filter(left_queue__isnull=False), "left_queue", start, end)
    waiting = _running(waiting_at_start, arrived, left, hours)

    series: dict[str, list[int]] = {"calls_waiting": waiting}
    for label, units in (("", Unit.objects.all()), ("acs_", Unit.objects.filter(agency_id=ACS))):
        total = units.count()
        status = Event.objects.filter(kind="unit.status_changed", unit__in=units)
        went_out = status.filter(data__after=Unit.Status.OUT_OF_SERVICE)
        came_back = status.filter(data__before=Unit.Status.OUT_OF_SERVICE)
        out_at_start = (
            went_out.filter(created_at__lt=start).count() - came_back.filter(created_at__lt=start).count()
        )
        out = _running(
            out_at_start,
            _hour_counts(went_out, "created_at", start, end),
            _hour_counts(came_back, "created_at", start, end),
            hours,
        )
        series[f"{label}units_on_duty"] = [total - o for o in out]
        assignments = Assignment.objects.filter(unit__in=units)
        busy_at_start = (
            assignments.filter(assigned_at__lt=start)
            .filter(Q(cleared_at__isnull=True) | Q(cleared_at__gte=start))
            .count()
        )
        series[f"{label}units_busy"] = _running(
            busy_at_start,
            _hour_counts(assignments, "assigned_at", start, end),
            _hour_counts(assignments.filter(cleared_at__isnull=False), "cleared_at", start, end),
            hours,
        )
    return [
        {"hour": h.astimezone(tz).isoformat(), **{key: values[i] for key, values in series.items()}}
        for i, h in enumerate(hours)
    ]


# --- all of them ------------------------------------------------------------------------------------


def kpis_compute(
    *,
    start: dt.date,
    end: dt.date,
    zone: str | None = None,
    now: dt.datetime | None = None,
    missed_limit: int | None = MISSED_LIST_LIMIT,
) -> dict[str, Any]:
    """Every KPI of the module docstring for calls received in [start, end) (city clock), in `zone`.

    Raises ValidationFailed for a bad range or an unknown zone.
    """
    since, until = kpis_period(start=start, end=end)
    zone = _zone_check(zone)
    now = now or timezone.now()
    calls = _calls(since, until, zone)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "zone": zone,
        "time_zone": settings.CITY_TIME_ZONE,
        "volume": kpis_volume(calls=calls),
        "acs": kpis_acs(calls=calls, missed_limit=missed_limit),
        "step_times": kpis_step_times(since=since, until=until, zone=zone),
        "backups": kpis_backups(calls=calls),
        "dispositions": kpis_dispositions(calls=calls),
        "utilisation": kpis_utilisation(since=since, until=until, zone=zone, now=now),
        "coverage": kpis_coverage(since=since, until=until, zone=zone, now=now),
    }


def kpis_csv_rows(kpis: dict[str, Any]) -> list[list[Any]]:
    """The KPIs as CSV rows: section, key columns, value; one table a spreadsheet can filter."""
    rows: list[list[Any]] = [["section", "key", "subkey", "detail", "value"]]
    period = f"{kpis['from']}..{kpis['to']}" + (f" zone {kpis['zone']}" if kpis["zone"] else "")
    rows.append(["period", "range", kpis["time_zone"], period, ""])
    volume = kpis["volume"]
    rows.append(["volume", "total", "", "", volume["total"]])
    rows += [["volume_by_day", r["date"], "", "", r["calls"]] for r in volume["by_day"]]
    rows += [["volume_by_hour", f"{r['hour']:02d}", "", "", r["calls"]] for r in volume["by_hour"]]
    rows += [["volume_by_family", r["lead"], r["mode"], "", r["calls"]] for r in volume["by_family"]]
    acs = kpis["acs"]
    for key in ("eligible", "served", "led", "share_served", "share_led", "missed"):
        rows.append(["acs", key, "", "", acs[key]])
    rows += [
        ["acs_missed_by_reason", r["reason"], "", r["label"], r["calls"]] for r in acs["missed_by_reason"]
    ]
    rows += [["acs_missed_by_guard", r["signal"], "", "", r["calls"]] for r in acs["missed_by_guard"]]
    rows += [
        ["acs_missed_call", c["number"], c["reason"], c["detail"], c["received_at"]]
        for c in acs["missed_calls"]
    ]
    kick = acs["kickbacks"]
    rows += [["kickbacks", "calls", "", "", kick["calls"]], ["kickbacks", "rate", "", "", kick["rate"]]]
    rows += [
        ["kickback_call", c["number"], c["disposition"], c["detail"], c["received_at"]] for c in kick["list"]
    ]
    for r in kpis["step_times"]:
        key = f"{r['step']} P{r['priority'] or 'all'} {r['agency'] or 'all'}"
        rows.append(["step_time_median_s", key, "", f"n={r['count']}", r["median_s"]])
        rows.append(["step_time_p90_s", key, "", f"n={r['count']}", r["p90_s"]])
    backups = kpis["backups"]
    rows.append(["backups", "requests", "", "", backups["requests"]])
    rows += [["backup_rate", r["agency"], "", f"{r['calls_with_request']}/{r['calls_worked']}", r["rate"]]
             for r in backups["by_requesting_agency"]]  # fmt: skip
    rows += [["backup_reason", r["reason"], r["agency"], "", r["requests"]] for r in backups["reasons"]]
    rows += [
        ["disposition", r["code"], r["lead"], r["description"], r["calls"]] for r in kpis["dispositions"]
    ]
    rows += [["utilisation", r["unit"], r["agency"], f"{r['committed_s']} s", r["utilisation"]]
             for r in kpis["utilisation"]]  # fmt: skip
    for r in kpis["coverage"]:
        rows.append(["coverage", r["hour"], "calls_waiting", "", r["calls_waiting"]])
        rows.append(
            ["coverage", r["hour"], "units_on_duty", f"ACS {r['acs_units_on_duty']}", r["units_on_duty"]]
        )
        rows.append(["coverage", r["hour"], "units_busy", f"ACS {r['acs_units_busy']}", r["units_busy"]])
    return rows


def zones_for_kpis() -> list[str]:
    """The service zone names a KPI range may be narrowed to."""
    return list(Zone.objects.filter(kind=Zone.Kind.SERVICE).order_by("name").values_list("name", flat=True))


__all__ = [
    "MISSED_REASONS",
    "STEPS",
    "calls_acs_annotated",
    "kpis_acs",
    "kpis_backups",
    "kpis_compute",
    "kpis_coverage",
    "kpis_csv_rows",
    "kpis_dispositions",
    "kpis_period",
    "kpis_step_times",
    "kpis_utilisation",
    "kpis_volume",
    "zones_for_kpis",
]
