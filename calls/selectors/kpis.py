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

**Where they are read from** (issue 14: a year in well under 2 s; kpis_parts picks). The live SQL
(kpis_volume, kpis_acs, ...) is the definition. Its per-call results are kept as a read model:
CallFact (one row per call) and StepFact (one per timed step), rewritten from this SQL by
calls.services.call_facts_refresh in the transaction of every call event. Past days' counts (and
past months' step counts by duration bucket and unit time) are cached in KpiCount by
calls.services.kpi_periods_build and dropped when a call of that day or month changes; the days
not cached are counted from the facts at read time. Step percentiles count by bucket, then read
the exact value among one bucket's steps. When a call of the range has no facts (rows written
around the services) the live SQL answers; every answer is the live SQL's (tests compare them).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import functools
import math
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Count,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import ExtractHour, Lower, Trim, TruncDate
from django.utils import timezone

from acs_dispatch.exceptions import ValidationFailed
from calls.models import (
    OPEN_STATUSES,
    Assignment,
    BackupRequest,
    Call,
    CallAgencyWaiver,
    CallFact,
    Disposition,
    KpiCount,
    KpiPeriod,
    StepFact,
)
from live.models import Event
from responders.models import Facility, Unit, Zone

ACS = "ACS"
POLICE = "POLICE"
KICKBACK_DISPOSITION = "ACS-HP"  # "ACS: handed to police"
# Calls nobody could serve: left out of eligibility.
NOT_SERVABLE = (Call.Status.CANCELLED, Call.Status.DUPLICATE)
# Exclusions that are not a safety guard: no_rule is "nothing recognised", never ACS's call.
NON_GUARD_EXCLUSIONS = ("", "no_rule")
MAX_RANGE_DAYS = 400
KPI_WORK_MEM = "256MB"  # PostgreSQL work_mem of the KPI transaction (see kpis_session)
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


def _json_sql(column: str, key: str, *, as_text: bool) -> str:
    """A key of a JSON column as text: an array as its JSON text ('["ACS", "POLICE"]'), a string
    unquoted. NULL when the column or the key is."""
    if connection.vendor == "postgresql":
        return f"({column} ->> '{key}')" if as_text else f"(({column} -> '{key}')::text)"
    return f"json_extract({column}, '$.{key}')"


def _json_text_sql(column: str) -> str:
    return f"({column})::text" if connection.vendor == "postgresql" else column


def _before_sql(later: str, earlier: str, seconds: int) -> str:
    """SQL true when `later` >= `earlier` - `seconds`."""
    if connection.vendor == "postgresql":
        return f"{later} >= {earlier} - interval '{int(seconds)} seconds'"
    return f"julianday({later}) >= julianday({earlier}) - {int(seconds)} / 86400.0"


def _acs_flags_sql(where: str) -> str:
    """One row per call `c` matching `where` (the range: _calls_where; one call: the facts) with the columns of the module docstring: eligible, served,
    led, kicked_back (0/1), missed_reason and the raw fields its detail comes from. Set-based (one
    GROUP BY over the assignments, no per-call subquery), so a year of calls reads in one pass."""
    call_t, asg_t, unit_t = Call._meta.db_table, Assignment._meta.db_table, Unit._meta.db_table
    waiver_t = CallAgencyWaiver._meta.db_table
    open_list = ", ".join(f"'{s}'" for s in sorted(OPEN_STATUSES))
    not_servable = ", ".join(f"'{s}'" for s in NOT_SERVABLE)
    non_guard = ", ".join(f"'{s}'" for s in NON_GUARD_EXCLUSIONS)
    engine_agencies = f"COALESCE({_json_sql('c.original_decision', 'agencies', as_text=False)}, {_json_text_sql('c.agencies')})"
    original_lead = _json_sql("c.original_decision", "lead", as_text=True)
    at_end = _before_sql("a.cleared_at", "c.closed_at", 1)
    calls_in_range = f"SELECT c.id FROM {call_t} c WHERE {where}"
    # No CTE of the calls referenced twice: PostgreSQL would materialise it without statistics and
    # pick nested loops; each part reads the calls table (and its received_at index) itself.
    return f"""
        af AS (
            SELECT a.call_id,
                   MAX(CASE WHEN u.agency_id = 'ACS' THEN 1 ELSE 0 END) AS acs_assigned,
                   MAX(CASE WHEN u.agency_id = 'POLICE' THEN 1 ELSE 0 END) AS police_assigned,
                   MAX(CASE WHEN u.agency_id = 'FIRE_EMS' THEN 1 ELSE 0 END) AS fire_ems_assigned,
                   MIN(a.assigned_at) AS first_assigned_at,
                   -- An ACS unit still there at the end: not cleared, or released by the close
                   -- itself (within a second of closed_at, in the same transaction).
                   MAX(CASE WHEN u.agency_id = 'ACS' AND (a.cleared_at IS NULL OR {at_end}) THEN 1 ELSE 0 END)
                       AS acs_at_end
            FROM {asg_t} a JOIN {unit_t} u ON u.id = a.unit_id JOIN {call_t} c ON c.id = a.call_id
            WHERE a.call_id IN ({calls_in_range})
            GROUP BY a.call_id
        ),
        rc AS (
            SELECT c.id, c.number, c.received_at, c.status, c.lead, c.mode, c.priority, c.zone_id, c.disposition,
                   c.acs_eligible, c.acs_exclusion, c.override_reason, c.overridden_at, c.closed_at,
                   c.destination_id,
                   {engine_agencies} AS engine_agencies, {_json_text_sql("c.agencies")} AS current_agencies,
                   COALESCE({original_lead}, '') AS original_lead
            FROM {call_t} c WHERE {where}
        ),
        f1 AS (
            SELECT rc.*, COALESCE(af.acs_assigned, 0) AS acs_assigned,
                   COALESCE(af.police_assigned, 0) AS police_assigned,
                   COALESCE(af.fire_ems_assigned, 0) AS fire_ems_assigned, af.first_assigned_at,
                   CASE WHEN rc.status NOT IN ({not_servable}) AND (rc.acs_eligible
                        OR (rc.acs_exclusion NOT IN ({non_guard}) AND rc.engine_agencies LIKE '%%"ACS"%%'))
                        THEN 1 ELSE 0 END AS eligible,
                   CASE WHEN (rc.lead = 'ACS' OR rc.original_lead = 'ACS') THEN 1 ELSE 0 END AS acs_led,
                   CASE WHEN (rc.lead = 'ACS' OR rc.original_lead = 'ACS') AND COALESCE(af.acs_assigned, 0) = 1
                        AND (rc.disposition = '{KICKBACK_DISPOSITION}'
                             OR (COALESCE(af.acs_at_end, 0) = 0 AND COALESCE(af.police_assigned, 0) = 1
                                 AND rc.status NOT IN ({open_list})))
                        THEN 1 ELSE 0 END AS kicked_back,
                   w.reason AS waiver_reason
            FROM rc LEFT JOIN af ON af.call_id = rc.id
                    LEFT JOIN {waiver_t} w ON w.call_id = rc.id AND w.agency = 'ACS'
        ),
        flags AS (
            SELECT f1.*,
                   CASE WHEN acs_assigned = 1 AND kicked_back = 0 THEN 1 ELSE 0 END AS served,
                   CASE WHEN acs_assigned = 1 AND kicked_back = 0 AND lead = 'ACS' THEN 1 ELSE 0 END AS led,
                   CASE WHEN acs_assigned = 1 AND kicked_back = 0 THEN ''
                        WHEN kicked_back = 1 THEN 'sent_back_to_police'
                        WHEN overridden_at IS NOT NULL AND current_agencies NOT LIKE '%%"ACS"%%' THEN 'overridden'
                        WHEN acs_exclusion NOT IN ({non_guard}) THEN 'guard'
                        WHEN status IN ({open_list}) THEN 'open'
                        ELSE 'no_acs_unit' END AS missed_reason
            FROM f1
        )
    """


def _detail_sql() -> str:
    """The detail of a missed or kicked-back call, over the columns of _acs_flags_sql."""
    asg_t, unit_t = Assignment._meta.db_table, Unit._meta.db_table
    # The ACS unit's own words when it left a call it handed to police (read for those rows only).
    left_reason = (
        f"(SELECT a.cleared_reason FROM {asg_t} a JOIN {unit_t} u ON u.id = a.unit_id"
        f" WHERE a.call_id = flags.id AND u.agency_id = 'ACS' AND a.cleared_at IS NOT NULL"
        f" ORDER BY a.cleared_at DESC LIMIT 1)"
    )
    return f"""CASE WHEN missed_reason = 'sent_back_to_police' THEN
                     CASE WHEN disposition = '{KICKBACK_DISPOSITION}' THEN 'closed as ACS-HP: handed to police'
                          ELSE COALESCE({left_reason}, '') END
                 WHEN missed_reason = 'overridden' THEN override_reason
                 WHEN missed_reason = 'guard' THEN acs_exclusion
                 WHEN missed_reason = 'no_acs_unit' THEN COALESCE(waiver_reason, '')
                 ELSE '' END"""


def _acs_params(since: dt.datetime, until: dt.datetime, zone: str | None) -> list[Any]:
    # The range appears twice in _acs_flags_sql (the assignments' calls, then the calls).
    return ([_dt_param(since), _dt_param(until)] + ([zone] if zone else [])) * 2


def kpis_acs(
    *, since: dt.datetime, until: dt.datetime, zone: str | None, missed_limit: int | None = MISSED_LIST_LIMIT
) -> dict[str, Any]:
    """Eligible calls, the share served and led by ACS, the eligible calls missed with their reason
    (module docstring), and the kick-backs to police."""
    flags = _acs_flags_sql(_calls_where(zone))
    params = _acs_params(since, until, zone)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH {flags}
            SELECT eligible, served, led, kicked_back, acs_led, acs_assigned, missed_reason,
                   CASE WHEN missed_reason = 'guard' THEN acs_exclusion ELSE '' END, COUNT(*)
            FROM flags
            GROUP BY eligible, served, led, kicked_back, acs_led, acs_assigned, missed_reason,
                     CASE WHEN missed_reason = 'guard' THEN acs_exclusion ELSE '' END""",
            params,
        )
        groups = cursor.fetchall()
    limit = "" if missed_limit is None else f" LIMIT {int(missed_limit)}"
    detail = _detail_sql()
    zone_t = Zone._meta.db_table
    listing = f"""WITH {flags}
        SELECT flags.id, number, received_at, z.name, status, lead, priority, missed_reason, {detail}, disposition
        FROM flags LEFT JOIN {zone_t} z ON z.id = flags.zone_id
        WHERE %s"""
    with connection.cursor() as cursor:
        cursor.execute(
            listing.replace(
                "WHERE %s", "WHERE eligible = 1 AND served = 0 ORDER BY received_at, flags.id" + limit
            ),
            params,
        )
        missed = cursor.fetchall()
        cursor.execute(
            listing.replace(
                "WHERE %s", f"WHERE kicked_back = 1 ORDER BY received_at, flags.id LIMIT {MISSED_LIST_LIMIT}"
            ),
            params,
        )
        kicked_rows = cursor.fetchall()
    return _acs_answer(groups, missed, kicked_rows)


def _acs_answer(groups: list[tuple], missed: list[tuple], kicked_rows: list[tuple]) -> dict[str, Any]:
    """kpis_acs's answer from the counts by flags and the two lists (columns as in kpis_acs)."""
    n = served = led = kicked = acs_led_worked = 0
    by_reason: dict[str, int] = {}
    guards: dict[str, int] = {}
    for eligible, is_served, is_led, is_kicked, acs_led, acs_assigned, reason, signal, count in groups:
        kicked += count if is_kicked else 0
        acs_led_worked += count if acs_led and acs_assigned else 0
        if not eligible:
            continue
        n += count
        served += count if is_served else 0
        led += count if is_led else 0
        if not is_served:
            by_reason[reason] = by_reason.get(reason, 0) + count
            if reason == "guard":
                guards[signal] = guards.get(signal, 0) + count
    return {
        "eligible": n,
        "served": served,
        "led": led,
        "share_served": _share(served, n),
        "share_led": _share(led, n),
        "missed": n - served,
        "missed_by_reason": [
            {"reason": key, "label": label, "calls": by_reason.get(key, 0)}
            for key, label in MISSED_REASONS.items()
        ],
        "missed_by_guard": [
            {"signal": k, "calls": v} for k, v in sorted(guards.items(), key=lambda kv: -kv[1])
        ],
        "missed_calls": [_missed_row(r) for r in missed],
        "kickbacks": {
            "calls": kicked,
            "acs_led_worked": acs_led_worked,
            "rate": _share(kicked, acs_led_worked),
            "list": [
                {"id": r[0], "number": r[1], "received_at": _iso(r[2]), "detail": r[8], "disposition": r[9]}
                for r in kicked_rows
            ],
        },
    }


def _iso(value: Any) -> str:
    """A datetime read by raw SQL (aware on PostgreSQL, naive UTC text on SQLite) as ISO 8601 UTC."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def _missed_row(row: tuple) -> dict[str, Any]:
    call_id, number, received_at, zone, status, lead, priority, reason, detail, _ = row
    return {
        "id": call_id,
        "number": number,
        "received_at": _iso(received_at),
        "zone": zone,
        "status": status,
        "lead": lead,
        "priority": priority,
        "reason": reason,
        "reason_label": MISSED_REASONS[reason],
        "detail": detail,
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


def _durations_sql(where: str) -> str:
    """Every timed step of the calls `c` matching `where` (four times in the SQL): call_id,
    received_at, zone_id, step, priority, agency, d (seconds)."""
    call_t, asg_t, unit_t = Call._meta.db_table, Assignment._meta.db_table, Unit._meta.db_table
    s = _seconds_sql
    # The three per-assignment steps come from one scan of the assignments (a row per step, the
    # duration picked by CASE): a year has ~800,000 assignments, read once instead of three times.
    steps = "(SELECT 'acknowledge' AS step UNION ALL SELECT 'en_route' UNION ALL SELECT 'on_scene')"
    per_assignment = f"""CASE st.step
            WHEN 'acknowledge' THEN {s("a.acknowledged_at", "a.assigned_at")}
            WHEN 'en_route' THEN {s("a.on_scene_at", "a.en_route_at")}
            ELSE {s("a.cleared_at", "a.on_scene_at")} END"""
    return f"""
        SELECT c.id AS call_id, c.received_at AS received_at, c.zone_id AS zone_id, 'queue' AS step,
               c.priority AS priority, c.lead AS agency, {s("f.first_at", "c.received_at")} AS d
        FROM {call_t} c
        JOIN (SELECT a.call_id, MIN(a.assigned_at) AS first_at FROM {asg_t} a
              WHERE a.call_id IN (SELECT c.id FROM {call_t} c WHERE {where}) GROUP BY a.call_id) f
          ON f.call_id = c.id
        WHERE {where}
      UNION ALL
        SELECT call_id, received_at, zone_id, step, priority, agency, d FROM (
            SELECT c.id AS call_id, c.received_at AS received_at, c.zone_id AS zone_id, st.step AS step,
                   c.priority AS priority, u.agency_id AS agency, {per_assignment} AS d
            FROM {asg_t} a JOIN {call_t} c ON c.id = a.call_id JOIN {unit_t} u ON u.id = a.unit_id
            CROSS JOIN {steps} st
            WHERE {where}
        ) per_step WHERE d IS NOT NULL
      UNION ALL
        SELECT c.id, c.received_at, c.zone_id, 'close', c.priority, c.lead, {s("c.closed_at", "c.received_at")}
        FROM {call_t} c
        WHERE {where} AND c.status = 'CLOSED' AND c.closed_at IS NOT NULL
    """


def kpis_step_times(*, since: dt.datetime, until: dt.datetime, zone: str | None) -> list[dict[str, Any]]:
    """Median and 90th percentile of each step (module docstring), by priority and agency and over all.

    Percentiles are nearest-rank (the smallest duration whose cumulative share reaches p, as
    PostgreSQL's percentile_disc), computed with CUME_DIST so one SQL text serves both databases.
    """
    base = [_dt_param(since), _dt_param(until)] + ([zone] if zone else [])
    # The range: twice in the queue step, once in the others.
    return _step_percentiles(_durations_sql(_calls_where(zone)), base * 4)


def _step_percentiles(durations: str, params: list[Any]) -> list[dict[str, Any]]:
    """The rows of kpis_step_times from `durations`, SQL with the columns step, priority, agency, d."""
    if connection.vendor == "postgresql":
        # One pass: percentile_disc over both groupings at once.
        sql = f"""
            SELECT step, priority, agency, COUNT(*),
                   percentile_disc(0.5) WITHIN GROUP (ORDER BY d), percentile_disc(0.9) WITHIN GROUP (ORDER BY d)
            FROM ({durations}) t
            GROUP BY GROUPING SETS ((step, priority, agency), (step))
        """
    else:
        # SQLite has no percentile aggregate: the same nearest rank, from CUME_DIST.
        def percentiles(cols: str) -> str:
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
    return _step_rows(found)


def _step_rows(found: list) -> list[dict[str, Any]]:
    """kpis_step_times's rows from (step, priority, agency, count, p50, p90), in their order."""
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
    worked = dict(
        Assignment.objects.filter(call__in=calls.values("pk"))
        .values("unit__agency_id")
        .annotate(n=Count("call_id", distinct=True))
        .values_list("unit__agency_id", "n")
    )
    return _backups_answer(requests, worked)


def _backups_answer(requests: QuerySet[BackupRequest], worked: dict[str, int]) -> dict[str, Any]:
    """kpis_backups's answer from the range's requests and the calls each agency worked."""
    by_requester = {
        r["unit__agency_id"]: (r["requests"], r["calls_with_request"])
        for r in requests.values("unit__agency_id").annotate(
            requests=Count("id"), calls_with_request=Count("call_id", distinct=True)
        )
    }
    reasons = {
        (r["text"], r["agency"]): r["requests"]
        for r in requests.annotate(text=Lower(Trim("reason")))
        .values("text", "agency")
        .annotate(requests=Count("id"))
    }
    asked_for = dict(requests.values("agency").annotate(n=Count("id")).values_list("agency", "n"))
    return _backups_rows(by_requester, worked, reasons, asked_for)


def _backups_rows(
    by_requester: dict[str, tuple[int, int]],
    worked: dict[str, int],
    reasons: dict[tuple[str, str], int],
    asked_for: dict[str, int],
) -> dict[str, Any]:
    """kpis_backups's answer from {requesting agency: (requests, calls with one)}, {agency: calls
    worked}, {(reason as typed, trimmed and case folded; agency asked for): requests} and
    {agency asked for: requests}."""
    by_agency = []
    for agency in sorted(set(worked) | set(by_requester)):
        requests, with_request = by_requester.get(agency, (0, 0))
        by_agency.append(
            {
                "agency": agency,
                "calls_worked": worked.get(agency, 0),
                "requests": requests,
                "calls_with_request": with_request,
                "rate": _share(with_request, worked.get(agency, 0)),
            }
        )
    top = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))[:REASONS_LIMIT]
    return {
        "requests": sum(asked_for.values()),
        "asked_for": asked_for,
        "by_requesting_agency": by_agency,
        "reasons": [{"reason": text, "agency": agency, "requests": n} for (text, agency), n in top],
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


def kpis_destinations(*, calls: QuerySet[Call]) -> list[dict[str, Any]]:
    """Where ACS teams took people (the destination recorded with an ACS outcome), most first."""
    rows = (
        calls.filter(destination__isnull=False)
        .values("destination__name", "destination__kind")
        .annotate(calls=Count("id"))
        .order_by("-calls", "destination__name")
    )
    return [
        {"name": r["destination__name"], "kind": r["destination__kind"], "calls": r["calls"]} for r in rows
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
    return _utilisation_rows(since, end, {sign: (float(b or 0), n) for sign, _, b, n in found})


def _utilisation_rows(
    since: dt.datetime, end: dt.datetime, busy: dict[str, tuple[float, int]]
) -> list[dict[str, Any]]:
    """kpis_utilisation's rows, every unit, from {call sign: (seconds committed, assignments)}."""
    period = (end.astimezone(dt.UTC) - since.astimezone(dt.UTC)).total_seconds()  # real seconds across DST
    rows = []
    for sign, agency in Unit.objects.order_by("agency_id", "call_sign").values_list("call_sign", "agency_id"):
        seconds, n = busy.get(sign, (0.0, 0))
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


def _running(initial: int, plus: dict, minus: dict, hours: list[dt.datetime]) -> list[int]:
    """The level at the start of each hour: the initial level plus what came and went before it."""
    level, out = initial, []
    for hour in hours:
        out.append(level)
        level += plus.get(hour, 0) - minus.get(hour, 0)
    return out


def _hour_sql(column: str) -> str:
    """The UTC hour a timestamp column falls in (date_trunc on PostgreSQL: cheaper than epoch maths)."""
    if connection.vendor == "postgresql":
        return f"date_trunc('hour', {column})"
    return f"strftime('%%Y-%%m-%%d %%H:00:00', {column})"


def _hour_value(value: Any) -> dt.datetime:
    """An hour read back from _hour_sql as an aware UTC datetime."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _calls_waiting_counts(
    start: dt.datetime, end: dt.datetime, zone: str | None
) -> tuple[int, dict[dt.datetime, int], dict[dt.datetime, int]]:
    """Calls waiting at `start`, and per UTC hour the calls that joined and left the queue. A call
    waits from received until its first unit is assigned or it ends (closed, cancelled, duplicate)."""
    call_t, asg_t = Call._meta.db_table, Assignment._meta.db_table
    zone_sql = f" AND c.zone_id IN (SELECT id FROM {Zone._meta.db_table} WHERE name = %s)" if zone else ""
    s, e = _dt_param(start), _dt_param(end)
    sql = f"""
        WITH cand AS (
            SELECT c.id, c.received_at, c.closed_at FROM {call_t} c
            WHERE c.received_at < %s AND (c.closed_at IS NULL OR c.closed_at >= %s){zone_sql}
        ),
        fa AS (
            SELECT a.call_id, MIN(a.assigned_at) AS first_at
            FROM {asg_t} a JOIN cand ON cand.id = a.call_id GROUP BY a.call_id
        ),
        q AS (
            SELECT cand.received_at AS came, COALESCE(fa.first_at, cand.closed_at) AS went
            FROM cand LEFT JOIN fa ON fa.call_id = cand.id
        )
        SELECT 'start', NULL, COUNT(*) FROM q WHERE came < %s AND (went IS NULL OR went >= %s)
        UNION ALL
        SELECT 'came', {_hour_sql("came")}, COUNT(*) FROM q WHERE came >= %s GROUP BY {_hour_sql("came")}
        UNION ALL
        SELECT 'went', {_hour_sql("went")}, COUNT(*) FROM q WHERE went >= %s AND went < %s
        GROUP BY {_hour_sql("went")}
    """
    params = [e, s] + ([zone] if zone else []) + [s, s, s, s, e]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    at_start = 0
    came: dict[dt.datetime, int] = {}
    went: dict[dt.datetime, int] = {}
    for what, hour, n in found:
        if what == "start":
            at_start = n
        else:
            (came if what == "came" else went)[_hour_value(hour)] = n
    return at_start, came, went


def _out_of_service_sql() -> tuple[str, str]:
    """SQL true for an event `e` of a unit going out of service, and of one coming back."""
    if connection.vendor == "postgresql":
        # The same predicates as the partial indexes of calls.models.Event.
        return (
            "(e.data -> 'after') = '\"OUT_OF_SERVICE\"'::jsonb",
            "(e.data -> 'before') = '\"OUT_OF_SERVICE\"'::jsonb",
        )
    return (
        "json_extract(e.data, '$.after') = 'OUT_OF_SERVICE'",
        "json_extract(e.data, '$.before') = 'OUT_OF_SERVICE'",
    )


def _unit_change_sources() -> list[tuple[str, str, str, str, str]]:
    """The units' changes the coverage counts, each as (what, table, time column, condition, unit
    column): out of service and back (status events), assigned and cleared (assignments). Read by
    the live count (_unit_counts) and the day cache (kpis_unit_counts_sql) alike."""
    event_t, asg_t = Event._meta.db_table, Assignment._meta.db_table
    went_out, came_back = _out_of_service_sql()
    status_changed = "e.kind = 'unit.status_changed'"
    return [
        ("out", f"{event_t} e", "e.created_at", f"{status_changed} AND {went_out}", "e.unit_id"),
        ("back", f"{event_t} e", "e.created_at", f"{status_changed} AND {came_back}", "e.unit_id"),
        ("assigned", f"{asg_t} a", "a.assigned_at", "1 = 1", "a.unit_id"),
        ("cleared", f"{asg_t} a", "a.cleared_at", "a.cleared_at IS NOT NULL", "a.unit_id"),
    ]


def _unit_counts(
    start: dt.datetime, end: dt.datetime
) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str, dt.datetime], int]]:
    """By the unit's agency: how many times units went out of service ("out"), came back ("back"),
    were assigned ("assigned") and cleared ("cleared") before `start`, and in each UTC hour of
    [start, end). One scan of each source, grouped in SQL."""
    unit_t = Unit._meta.db_table
    sources = _unit_change_sources()
    parts, params = [], []
    s, e = _dt_param(start), _dt_param(end)
    for what, table, column, where, unit in sources:
        parts.append(
            f"SELECT '{what}', u.agency_id, NULL, COUNT(*) FROM {table} JOIN {unit_t} u ON u.id = {unit}"
            f" WHERE {where} AND {column} < %s GROUP BY u.agency_id"
        )
        parts.append(
            f"SELECT '{what}', u.agency_id, {_hour_sql(column)}, COUNT(*) FROM {table} JOIN {unit_t} u ON u.id = {unit}"
            f" WHERE {where} AND {column} >= %s AND {column} < %s GROUP BY u.agency_id, {_hour_sql(column)}"
        )
        params += [s, s, e]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        found = cursor.fetchall()
    levels: dict[tuple[str, str], int] = {}
    changes: dict[tuple[str, str, dt.datetime], int] = {}
    for what, agency, hour, n in found:
        if hour is None:
            levels[(what, agency)] = n
        else:
            changes[(what, agency, _hour_value(hour))] = n
    return levels, changes


def kpis_coverage(
    *, since: dt.datetime, until: dt.datetime, zone: str | None, now: dt.datetime
) -> list[dict[str, Any]]:
    """At the start of each hour of the period (up to now): calls waiting, units on duty, units busy."""
    return _coverage(
        since=since,
        until=until,
        now=now,
        waiting=lambda start, end: _calls_waiting_counts(start, end, zone),
        units=_unit_counts,
    )


def _coverage(
    *, since: dt.datetime, until: dt.datetime, now: dt.datetime, waiting, units
) -> list[dict[str, Any]]:
    """kpis_coverage from `waiting(start, end)` -> (calls waiting at start, came by UTC hour, went by
    UTC hour) and `units(start, end)` -> (levels at start, changes by UTC hour) as _unit_counts."""
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
    waiting_at_start, arrived, left = waiting(start, end)
    series: dict[str, list[int]] = {"calls_waiting": _running(waiting_at_start, arrived, left, hours)}
    levels, changes = units(start, end)
    totals = dict(Unit.objects.values("agency_id").annotate(n=Count("id")).values_list("agency_id", "n"))
    for label, agencies in (("", None), ("acs_", {ACS})):

        def pick(what: str, agencies=agencies) -> tuple[int, dict[dt.datetime, int]]:
            at_start = sum(
                n for (w, agency), n in levels.items() if w == what and (not agencies or agency in agencies)
            )
            per_hour: dict[dt.datetime, int] = {}
            for (w, agency, hour), n in changes.items():
                if w == what and (not agencies or agency in agencies):
                    per_hour[hour] = per_hour.get(hour, 0) + n
            return at_start, per_hour

        total = sum(n for agency, n in totals.items() if not agencies or agency in agencies)
        out_start, went_out = pick("out")
        back_start, came_back = pick("back")
        out = _running(out_start - back_start, went_out, came_back, hours)
        series[f"{label}units_on_duty"] = [total - o for o in out]
        busy_start, assigned = pick("assigned")
        cleared_start, cleared = pick("cleared")
        series[f"{label}units_busy"] = _running(busy_start - cleared_start, assigned, cleared, hours)
    return [
        {"hour": h.astimezone(tz).isoformat(), **{key: values[i] for key, values in series.items()}}
        for i, h in enumerate(hours)
    ]


# --- the read model (calls.models.CallFact, StepFact) -----------------------------------------------

CALL_FACT_COLUMNS = (
    "call_id", "number", "received_at", "day", "hour", "zone_id", "status", "lead", "mode", "priority",
    "disposition", "destination_id", "closed_at", "first_assigned_at", "eligible", "served", "led",
    "kicked_back", "acs_led", "acs_assigned", "police_assigned", "fire_ems_assigned", "missed_reason",
    "guard_signal", "detail", "left_queue_at", "long_wait",
)  # fmt: skip
LONG_WAIT = dt.timedelta(days=1)  # CallFact.long_wait: in the queue longer than this, or still there
STEP_FACT_COLUMNS = (
    "call_id",
    "received_at",
    "zone_id",
    "day",
    "step",
    "priority",
    "agency",
    "seconds",
    "bucket",
)


def _local_sql(column: str, part: str) -> str:
    """The date ("day") or the hour ("hour") of a timestamp column on the city's clock."""
    tz = settings.CITY_TIME_ZONE
    ZoneInfo(tz)  # a real zone name: safe to quote into the SQL
    if connection.vendor == "postgresql":
        local = f"({column} AT TIME ZONE '{tz}')"
        return f"({local})::date" if part == "day" else f"(EXTRACT(HOUR FROM {local}))::int"
    # The functions Django registers on every SQLite connection for TruncDate and ExtractHour.
    if part == "day":
        return f"django_datetime_cast_date({column}, '{tz}', 'UTC')"
    return f"django_datetime_extract('hour', {column}, '{tz}', 'UTC')"


def kpis_call_facts_sql(*, where: str) -> str:
    """A SELECT of the CallFact rows (CALL_FACT_COLUMNS) of the calls `c` matching `where` (twice in
    the SQL): the same definitions as the live KPIs, so the facts cannot drift from them."""
    return f"""WITH {_acs_flags_sql(where)}
        SELECT id, number, received_at, {_local_sql("received_at", "day")}, {_local_sql("received_at", "hour")},
               zone_id, status, lead, mode, priority, disposition, destination_id, closed_at,
               first_assigned_at, eligible, served, led, kicked_back, acs_led, acs_assigned,
               police_assigned, fire_ems_assigned, missed_reason,
               CASE WHEN missed_reason = 'guard' THEN acs_exclusion ELSE '' END, {_detail_sql()},
               COALESCE(first_assigned_at, closed_at),
               CASE WHEN COALESCE(first_assigned_at, closed_at) IS NULL
                         OR NOT ({_before_sql("received_at", "COALESCE(first_assigned_at, closed_at)", int(LONG_WAIT.total_seconds()))})
                    THEN 1 ELSE 0 END
        FROM flags"""


def kpis_step_facts_sql(*, where: str) -> str:
    """A SELECT of the StepFact rows (STEP_FACT_COLUMNS) of the calls `c` matching `where` (four
    times in the SQL)."""
    return f"""SELECT call_id, received_at, zone_id, {_local_sql("received_at", "day")}, step, priority, agency, d,
                      {_bucket_sql("d")}
               FROM ({_durations_sql(where)}) t"""


def _bucket_sql(seconds: str) -> str:
    """StepFact.bucket: 1 s wide under a minute, 5 s to 10 minutes, 30 s to an hour, 5 minutes
    above. Only its order matters (a monotone function of the seconds: percentiles find their
    bucket by counting, then read the exact value among that bucket's rows); a year's bucket
    near a median holds a few thousand steps."""
    x = seconds
    return f"""CAST(CASE WHEN {x} < 60 THEN {x} WHEN {x} < 600 THEN 60 + ({x} - 60) / 5
                    WHEN {x} < 3600 THEN 168 + ({x} - 600) / 30 ELSE 268 + ({x} - 3600) / 300 END AS INTEGER)"""


def _day_start(day: dt.date) -> dt.datetime:
    """Local midnight of `day` on the city's clock (it exists on both DST change days)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(settings.CITY_TIME_ZONE))


def _local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(ZoneInfo(settings.CITY_TIME_ZONE)).date()


def _utc_hour_text_sql(column: str) -> str:
    """The UTC hour of a timestamp column as text, 'YYYY-MM-DDTHH:00:00' (SQL run with parameters)."""
    if connection.vendor == "postgresql":
        return f"""to_char(date_trunc('hour', {column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24":00:00"')"""
    return f"strftime('%%Y-%%m-%%dT%%H:00:00', {column})"


def _hour_text_value(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def call_counts() -> tuple[tuple[str, ...], ...]:
    """Each metric a call counts under in KpiCount: (metric, k1, k2, k3, which rows, from where),
    over CallFact f (and its backup requests b, by the requesting unit u)."""
    fact_t, backup_t, unit_t = CallFact._meta.db_table, BackupRequest._meta.db_table, Unit._meta.db_table
    facts = f"{fact_t} f"
    requests = f"{backup_t} b JOIN {fact_t} f ON f.call_id = b.call_id JOIN {unit_t} u ON u.id = b.unit_id"
    asking = (
        f"(SELECT DISTINCT b.call_id, u.agency_id FROM {backup_t} b JOIN {unit_t} u ON u.id = b.unit_id) bc"
        f" JOIN {fact_t} f ON f.call_id = bc.call_id"
    )
    flags = " || ".join(
        f"CAST(f.{flag} AS TEXT)"
        for flag in ("eligible", "served", "led", "kicked_back", "acs_led", "acs_assigned")
    )
    return (
        ("status", "f.status", "''", "''", "", facts),
        ("hour", "CAST(f.hour AS TEXT)", "''", "''", "", facts),
        ("family", "f.lead", "f.mode", "''", "", facts),
        ("acs", flags, "f.missed_reason", "f.guard_signal", "", facts),
        ("disposition", "f.disposition", "f.lead", "''", f" AND f.status = '{Call.Status.CLOSED}'", facts),
        (
            "destination",
            "CAST(f.destination_id AS TEXT)",
            "''",
            "''",
            " AND f.destination_id IS NOT NULL",
            facts,
        ),
        ("worked", "'ACS'", "''", "''", " AND f.acs_assigned = 1", facts),
        ("worked", "'POLICE'", "''", "''", " AND f.police_assigned = 1", facts),
        ("worked", "'FIRE_EMS'", "''", "''", " AND f.fire_ems_assigned = 1", facts),
        # Coverage: the calls joining the queue, and leaving it (first unit, or the end), by UTC hour.
        ("came", _utc_hour_text_sql("f.received_at"), "''", "''", "", facts),
        (
            "went",
            _utc_hour_text_sql("f.left_queue_at"),
            "''",
            "''",
            " AND f.left_queue_at IS NOT NULL",
            facts,
        ),
        # Backups: requests by the requesting unit's agency, calls with one, reasons, agencies asked for.
        ("backup", "u.agency_id", "''", "''", "", requests),
        ("backup_calls", "bc.agency_id", "''", "''", "", asking),
        ("backup_reason", "LOWER(TRIM(b.reason))", "b.agency", "''", "", requests),
        ("backup_asked", "b.agency", "''", "''", "", requests),
    )


def kpis_call_counts_sql(*, where: str) -> str:
    """(day, metric, k1, k2, k3, k4): a row for each metric of call_counts() each CallFact `f`
    matching `where` (len(call_counts()) times in the SQL) counts under."""
    return " UNION ALL ".join(
        f"SELECT f.day AS day, '{metric}' AS metric, {k1} AS k1, {k2} AS k2, {k3} AS k3, '' AS k4"
        f" FROM {source} WHERE {where}{only}"
        for metric, k1, k2, k3, only, source in call_counts()
    )


def kpis_unit_counts_sql() -> str:
    """(metric, k1, k2, k3, k4) of the units' changes in [%s, %s) (four times in the SQL): out of
    service, back, assigned, cleared, with "ACS" or "" (other agencies) and the UTC hour."""
    unit_t = Unit._meta.db_table
    sources = _unit_change_sources()
    return " UNION ALL ".join(
        f"SELECT '{what}' AS metric, CASE WHEN u.agency_id = '{ACS}' THEN '{ACS}' ELSE '' END AS k1,"
        f" {_utc_hour_text_sql(column)} AS k2, '' AS k3, '' AS k4"
        f" FROM {table} JOIN {unit_t} u ON u.id = {unit} WHERE {where} AND {column} >= %s AND {column} < %s"
        for what, table, column, where, unit in sources
    )


def kpis_step_counts_sql(*, where: str) -> str:
    """(day, metric, k1..k4): each StepFact `s` matching `where` as ("step", step, priority, agency, bucket)."""
    return f"""SELECT s.day AS day, 'step' AS metric, s.step AS k1, COALESCE(CAST(s.priority AS TEXT), '') AS k2,
                      s.agency AS k3, CAST(s.bucket AS TEXT) AS k4
               FROM {StepFact._meta.db_table} s WHERE {where}"""


def _as_date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _day_counts(since: dt.datetime, until: dt.datetime) -> list[tuple]:
    """(day, metric, k1, k2, k3, k4, n) of every call of the range (all zones): the cached days'
    KpiCount rows, the other days' facts counted now (today, and days changed since their cache)."""
    d0, d1 = _local_date(since), _local_date(until)
    period_t, count_t = KpiPeriod._meta.db_table, KpiCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT start FROM {period_t} WHERE kind = 'day' AND start >= %s AND start < %s", [d0, d1]
        )
        cached = {_as_date(r[0]) for r in cursor.fetchall()}
        cursor.execute(
            f"SELECT start, metric, k1, k2, k3, k4, n FROM {count_t} WHERE kind = 'day' AND start >= %s AND start < %s",
            [d0, d1],
        )
        rows = cursor.fetchall()
        missing = [d0 + dt.timedelta(days=i) for i in range((d1 - d0).days)]
        missing = [d for d in missing if d not in cached]
        for chunk in range(0, len(missing), 100):
            days = missing[chunk : chunk + 100]
            where = f"f.day IN ({', '.join(['%s'] * len(days))})"
            cursor.execute(
                f"SELECT day, metric, k1, k2, k3, k4, COUNT(*) FROM ({kpis_call_counts_sql(where=where)}) t"
                " GROUP BY day, metric, k1, k2, k3, k4",
                days * len(call_counts()),
            )
            rows += cursor.fetchall()
        # The units' changes of the days not cached, one run of consecutive days at a time.
        runs: list[list[dt.date]] = []
        for day in missing:
            if runs and runs[-1][-1] + dt.timedelta(days=1) == day:
                runs[-1].append(day)
            else:
                runs.append([day])
        for run in runs:
            s, e = _day_start(run[0]), _day_start(run[-1] + dt.timedelta(days=1))
            cursor.execute(
                f"SELECT NULL, metric, k1, k2, k3, k4, COUNT(*) FROM ({kpis_unit_counts_sql()}) t"
                " GROUP BY metric, k1, k2, k3, k4",
                [_dt_param(s), _dt_param(e)] * 4,
            )
            rows += cursor.fetchall()
    return rows


def _step_counts(since: dt.datetime, until: dt.datetime) -> dict[tuple, dict[int, int]]:
    """{(step, priority, agency): {bucket: steps}} of the range (all zones): cached whole months
    from KpiCount, the other days from StepFact."""
    d0, d1 = _local_date(since), _local_date(until)
    period_t, count_t, step_t = KpiPeriod._meta.db_table, KpiCount._meta.db_table, StepFact._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT start FROM {period_t} WHERE kind = 'month' AND start >= %s AND start < %s", [d0, d1]
        )
        months = sorted(m for m in (_as_date(r[0]) for r in cursor.fetchall()) if _month_after(m) <= d1)
        found: list[tuple] = []
        if months:
            cursor.execute(
                f"SELECT k1, k2, k3, k4, SUM(n) FROM {count_t} WHERE kind = 'month' AND metric = 'step'"
                f" AND start IN ({', '.join(['%s'] * len(months))}) GROUP BY k1, k2, k3, k4",
                months,
            )
            found += [
                (step, int(p) if p else None, agency, int(b), n)
                for step, p, agency, b, n in cursor.fetchall()
            ]
        gaps, at = [], d0
        for month in months:
            if at < month:
                gaps.append((at, month))
            at = _month_after(month)
        if at < d1:
            gaps.append((at, d1))
        if gaps:
            where = " OR ".join(["(s.day >= %s AND s.day < %s)"] * len(gaps))
            cursor.execute(
                f"SELECT step, priority, agency, bucket, COUNT(*) FROM {step_t} s WHERE {where}"
                " GROUP BY step, priority, agency, bucket",
                [d for gap in gaps for d in gap],
            )
            found += cursor.fetchall()
    counts: dict[tuple, dict[int, int]] = {}
    for step, priority, agency, bucket, n in found:
        for key in ((step, priority, agency), (step, None, None)):
            per_bucket = counts.setdefault(key, {})
            per_bucket[bucket] = per_bucket.get(bucket, 0) + int(n)
    return counts


def _month_after(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _nearest_rank(p: float, n: int) -> int:
    """The 1-based rank of the p-th percentile of n values, as each database's live SQL has it."""
    if connection.vendor == "postgresql":
        return max(1, math.ceil(p * n))  # percentile_disc: ceil(p * n) in double precision
    rank = max(1, math.ceil(p * n))  # CUME_DIST: the smallest rank whose rank / n reaches p
    while rank > 1 and (rank - 1) / n >= p:
        rank -= 1
    while rank < n and rank / n < p:
        rank += 1
    return rank


def _step_times_from_counts(*, since: dt.datetime, until: dt.datetime) -> list[dict[str, Any]]:
    """kpis_step_times over all zones without sorting a year of steps: the counts by bucket give
    each percentile's bucket and its rank there; one indexed read of that bucket gives the value."""
    counts = _step_counts(since, until)
    d0, d1 = _local_date(since), _local_date(until)
    step_t = StepFact._meta.db_table
    targets: list[tuple] = []
    parts: list[tuple[str, list[Any]]] = []
    for (step, priority, agency), per_bucket in counts.items():
        n = sum(per_bucket.values())
        for p in (0.5, 0.9):
            rank, before = _nearest_rank(p, n), 0
            for bucket in sorted(per_bucket):
                if before + per_bucket[bucket] >= rank:
                    break
                before += per_bucket[bucket]
            where = "s.step = %s AND s.bucket = %s AND s.day >= %s AND s.day < %s"
            args: list[Any] = [step, bucket, d0, d1]
            if agency is not None:  # a (step, priority, agency) group, not the step over all
                where += " AND s.agency = %s" + (
                    " AND s.priority = %s" if priority is not None else " AND s.priority IS NULL"
                )
                args += [agency] + ([priority] if priority is not None else [])
            sql = (
                f"SELECT {len(targets)}, (SELECT s.seconds FROM {step_t} s WHERE {where}"
                f" ORDER BY s.seconds LIMIT 1 OFFSET {rank - before - 1})"
            )
            parts.append((sql, args))
            targets.append((step, priority, agency, n, p))
    values: dict[int, Any] = {}
    with connection.cursor() as cursor:
        for chunk in range(0, len(parts), 200):  # a few hundred subqueries per statement
            batch = parts[chunk : chunk + 200]
            cursor.execute(
                " UNION ALL ".join(sql for sql, _ in batch), [a for _, args in batch for a in args]
            )
            values.update(dict(cursor.fetchall()))
    found: dict[tuple, list] = {}
    for i, (step, priority, agency, n, p) in enumerate(targets):
        row = found.setdefault((step, priority, agency), [step, priority, agency, n, None, None])
        row[4 if p == 0.5 else 5] = values[i]
    return _step_rows(list(found.values()))


def _facts(since: dt.datetime, until: dt.datetime, zone: str | None) -> QuerySet[CallFact]:
    facts = CallFact.objects.filter(received_at__gte=since, received_at__lt=until)
    return facts.filter(zone__name=zone) if zone else facts


def kpis_facts_complete(*, since: dt.datetime, until: dt.datetime, zone: str | None) -> bool:
    """Whether every call of the range has its facts. Calls written around the services (a bulk
    load, a test's rows) have none until calls.services.call_facts_rebuild: then the live SQL answers.
    Over all zones only the days not cached are counted: kpi_periods_build caches a day only when
    its calls all have their facts. Coverage's calls still waiting at the start were received
    before the range: they are read from their facts, unchecked."""
    if zone:
        return _calls(since, until, zone).count() == _facts(since, until, zone).count()
    d0, d1 = _local_date(since), _local_date(until)
    cached = set(
        KpiPeriod.objects.filter(kind=KpiPeriod.Kind.DAY, start__gte=d0, start__lt=d1).values_list(
            "start", flat=True
        )
    )
    runs: list[list[dt.date]] = []
    for day in (d0 + dt.timedelta(days=i) for i in range((d1 - d0).days)):
        if day in cached:
            continue
        if runs and runs[-1][-1] + dt.timedelta(days=1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    for run in runs:
        first, after = run[0], run[-1] + dt.timedelta(days=1)
        calls = Call.objects.filter(received_at__gte=_day_start(first), received_at__lt=_day_start(after))
        if calls.count() != CallFact.objects.filter(day__gte=first, day__lt=after).count():
            return False
    return True


def _counted(counts: list[tuple], metric: str) -> dict[tuple, int]:
    """{(k1, k2, k3): n} of one metric of _day_counts' rows, over the days."""
    out: dict[tuple, int] = {}
    for _, m, k1, k2, k3, _k4, n in counts:
        if m == metric:
            out[(k1, k2, k3)] = out.get((k1, k2, k3), 0) + int(n)
    return out


def kpis_volume_from_counts(*, counts: list[tuple]) -> dict[str, Any]:
    """kpis_volume from _day_counts' rows."""
    by_status = {k1: n for (k1, _, _), n in _counted(counts, "status").items()}
    by_day: dict[dt.date, int] = {}
    for day, metric, *_, n in counts:
        if metric == "status":
            by_day[_as_date(day)] = by_day.get(_as_date(day), 0) + int(n)
    by_hour = {int(k1): n for (k1, _, _), n in _counted(counts, "hour").items()}
    families = sorted(_counted(counts, "family").items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_day": [{"date": day.isoformat(), "calls": n} for day, n in sorted(by_day.items())],
        "by_hour": [{"hour": h, "calls": by_hour.get(h, 0)} for h in range(24)],
        "by_family": [
            {"lead": lead or "NONE", "mode": mode or "", "calls": n} for (lead, mode, _), n in families
        ],
    }


def kpis_dispositions_from_counts(*, counts: list[tuple]) -> list[dict[str, Any]]:
    """kpis_dispositions from _day_counts' rows."""
    known = {d.code: d for d in Disposition.objects.all()}
    mix = sorted(_counted(counts, "disposition").items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))
    return [
        {
            "code": code,
            "description": known[code].description if code in known else "",
            "acs_outcome": bool(known[code].acs_outcome) if code in known else False,
            "lead": lead,
            "calls": n,
        }
        for (code, lead, _), n in mix
    ]


def kpis_destinations_from_counts(*, counts: list[tuple]) -> list[dict[str, Any]]:
    """kpis_destinations from _day_counts' rows."""
    taken = {int(k1): n for (k1, _, _), n in _counted(counts, "destination").items()}
    places = Facility.objects.filter(pk__in=taken).values_list("pk", "name", "kind")
    rows = [{"name": name, "kind": kind, "calls": taken[pk]} for pk, name, kind in places]
    return sorted(rows, key=lambda r: (-r["calls"], r["name"]))


def kpis_coverage_from_facts(
    *,
    since: dt.datetime,
    until: dt.datetime,
    zone: str | None,
    now: dt.datetime,
    counts: list[tuple] | None = None,
) -> list[dict[str, Any]]:
    """kpis_coverage from the CallFact rows, and from _day_counts' rows when given (all zones)."""
    fact_t = CallFact._meta.db_table
    zone_sql = f" AND f.zone_id IN (SELECT id FROM {Zone._meta.db_table} WHERE name = %s)" if zone else ""
    zone_params = [zone] if zone else []

    def waiting(start: dt.datetime, end: dt.datetime) -> tuple[int, dict, dict]:
        s, e = _dt_param(start), _dt_param(end)
        went_hour = _utc_hour_text_sql("f.left_queue_at")
        # The calls received before the period and still in the queue at its start, and when they
        # left. Those received the day before, or that waited long (few): not every call before.
        before = "((f.received_at >= %s OR f.long_wait = 1) AND f.received_at < %s)"
        day_before = _dt_param(start - LONG_WAIT)
        sql = f"""
            SELECT 'start', NULL, COUNT(*) FROM {fact_t} f
            WHERE {before} AND (f.left_queue_at IS NULL OR f.left_queue_at >= %s){zone_sql}
            UNION ALL
            SELECT 'went', {went_hour}, COUNT(*) FROM {fact_t} f
            WHERE {before} AND f.left_queue_at >= %s AND f.left_queue_at < %s{zone_sql}
            GROUP BY {went_hour}
        """
        params = [day_before, s, s, *zone_params, day_before, s, s, e, *zone_params]
        if counts is None:
            came_hour = _utc_hour_text_sql("f.received_at")
            sql += f"""
                UNION ALL
                SELECT 'came', {came_hour}, COUNT(*) FROM {fact_t} f
                WHERE f.received_at >= %s AND f.received_at < %s{zone_sql} GROUP BY {came_hour}
                UNION ALL
                SELECT 'went', {went_hour}, COUNT(*) FROM {fact_t} f
                WHERE f.received_at >= %s AND f.received_at < %s AND f.left_queue_at < %s{zone_sql}
                GROUP BY {went_hour}
            """
            params += [s, e, *zone_params, s, e, e, *zone_params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = [(what, hour, n) for what, hour, n in cursor.fetchall()]
        if counts is not None:
            found += [(m, k1, n) for _, m, k1, _k2, _k3, _k4, n in counts if m in ("came", "went")]
        at_start, came, went = 0, {}, {}
        for what, hour, n in found:
            if what == "start":
                at_start = n
                continue
            per_hour = came if what == "came" else went
            moment = _hour_text_value(hour)
            per_hour[moment] = per_hour.get(moment, 0) + int(n)
        return at_start, came, went

    def units(start: dt.datetime, end: dt.datetime) -> tuple[dict, dict]:
        levels = _unit_levels(start)
        found = counts
        if found is None:  # a zone's report: the units' changes of the period (all zones) read now
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT NULL, metric, k1, k2, k3, k4, COUNT(*) FROM ({kpis_unit_counts_sql()}) t"
                    " GROUP BY metric, k1, k2, k3, k4",
                    [_dt_param(start), _dt_param(end)] * 4,
                )
                found = cursor.fetchall()
        changes: dict[tuple[str, str, dt.datetime], int] = {}
        for _, metric, k1, k2, _k3, _k4, n in found:
            if metric in ("out", "back", "assigned", "cleared"):
                key = (metric, k1, _hour_text_value(k2))
                changes[key] = changes.get(key, 0) + int(n)
        return levels, changes

    return _coverage(since=since, until=until, now=now, waiting=waiting, units=units)


def _unit_levels(start: dt.datetime) -> dict[tuple[str, str], int]:
    """By "ACS" or "" (other agencies): the units' out-of-service and back events before `start`,
    and ("assigned") the assignments open at `start`; the levels _coverage starts from."""
    event_t, asg_t, unit_t = Event._meta.db_table, Assignment._meta.db_table, Unit._meta.db_table
    went_out, came_back = _out_of_service_sql()
    group = f"CASE WHEN u.agency_id = '{ACS}' THEN '{ACS}' ELSE '' END"
    sql = f"""
        SELECT 'out', {group}, COUNT(*) FROM {event_t} e JOIN {unit_t} u ON u.id = e.unit_id
        WHERE e.kind = 'unit.status_changed' AND {went_out} AND e.created_at < %s GROUP BY {group}
        UNION ALL
        SELECT 'back', {group}, COUNT(*) FROM {event_t} e JOIN {unit_t} u ON u.id = e.unit_id
        WHERE e.kind = 'unit.status_changed' AND {came_back} AND e.created_at < %s GROUP BY {group}
        UNION ALL
        SELECT 'assigned', {group}, COUNT(*) FROM {asg_t} a JOIN {unit_t} u ON u.id = a.unit_id
        WHERE a.assigned_at < %s AND (a.cleared_at IS NULL OR a.cleared_at >= %s) GROUP BY {group}
    """
    s = _dt_param(start)
    with connection.cursor() as cursor:
        cursor.execute(sql, [s, s, s, s])
        return {(what, group_key): n for what, group_key, n in cursor.fetchall()}


def _micro_sql(later: str, earlier: str) -> str:
    """Whole microseconds from `earlier` to `later` (exact on PostgreSQL, whose epoch is numeric)."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) * 1000000 AS BIGINT)"
    return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400000000.0) AS INTEGER)"


def kpis_unit_month_sql() -> str:
    """(metric, k1, k2, k3, k4, n) of the assignments of a month (parameters: end, start, end, start,
    start, end): per unit, "util_started" the assignments started in it and "util_us" the
    microseconds committed in it by the cleared ones (the open ones run to now: read live)."""
    asg_t = Assignment._meta.db_table
    greatest, least = ("GREATEST", "LEAST") if connection.vendor == "postgresql" else ("MAX", "MIN")
    committed = _micro_sql(f"{least}(a.cleared_at, %s)", f"{greatest}(a.assigned_at, %s)")
    return f"""
        SELECT 'util_us', CAST(a.unit_id AS TEXT), '', '', '', SUM({committed}) FROM {asg_t} a
        WHERE a.cleared_at IS NOT NULL AND a.assigned_at < %s AND a.cleared_at > %s GROUP BY a.unit_id
        UNION ALL
        SELECT 'util_started', CAST(a.unit_id AS TEXT), '', '', '', COUNT(*) FROM {asg_t} a
        WHERE a.assigned_at >= %s AND a.assigned_at < %s GROUP BY a.unit_id
    """


def kpis_utilisation_from_counts(
    *, since: dt.datetime, until: dt.datetime, now: dt.datetime
) -> list[dict[str, Any]]:
    """kpis_utilisation over all zones: the cached whole months of the period from KpiCount, the
    rest (and the assignments open at its start or still open) live, by the same arithmetic."""
    end = min(until, now)
    if end <= since:
        return []
    d0, d1 = _local_date(since), _local_date(end)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT start FROM {KpiPeriod._meta.db_table} WHERE kind = 'month' AND start >= %s AND start < %s",
            [d0, d1],
        )
        months = sorted(
            m for m in (_as_date(r[0]) for r in cursor.fetchall()) if _day_start(_month_after(m)) <= end
        )
        micro: dict[int, int] = {}
        started: dict[int, int] = {}
        if months:
            cursor.execute(
                f"SELECT metric, k1, SUM(n) FROM {KpiCount._meta.db_table} WHERE kind = 'month'"
                f" AND metric IN ('util_us', 'util_started') AND start IN ({', '.join(['%s'] * len(months))})"
                " GROUP BY metric, k1",
                months,
            )
            for metric, unit_id, n in cursor.fetchall():
                (micro if metric == "util_us" else started)[int(unit_id)] = int(n)
        gaps, at = [], since
        for month in months:
            if at < _day_start(month):
                gaps.append((at, _day_start(month)))
            at = _day_start(_month_after(month))
        if at < end:
            gaps.append((at, end))
        asg_t = Assignment._meta.db_table
        greatest, least = ("GREATEST", "LEAST") if connection.vendor == "postgresql" else ("MAX", "MIN")
        seconds: dict[int, Any] = {}
        # The assignments still open now ran through the cached months too (the cache has the cleared).
        open_in = _seconds_sql(f"{least}(%s, %s)", f"{greatest}(a.assigned_at, %s)")
        for month in months:
            ms, me = _day_start(month), _day_start(_month_after(month))
            cursor.execute(
                f"SELECT a.unit_id, SUM({open_in}) FROM {asg_t} a"
                " WHERE a.cleared_at IS NULL AND a.assigned_at < %s GROUP BY a.unit_id",
                [_dt_param(now), _dt_param(me), _dt_param(ms), _dt_param(me)],
            )
            for unit_id, busy in cursor.fetchall():
                seconds[unit_id] = seconds.get(unit_id, 0) + (busy or 0)
        for a, b in gaps:
            committed = _seconds_sql(
                f"{least}(COALESCE(a.cleared_at, %s), %s)", f"{greatest}(a.assigned_at, %s)"
            )
            cursor.execute(
                f"""SELECT a.unit_id, SUM({committed}), SUM(CASE WHEN a.assigned_at >= %s THEN 1 ELSE 0 END)
                    FROM {asg_t} a WHERE a.assigned_at < %s AND (a.cleared_at IS NULL OR a.cleared_at > %s)
                    GROUP BY a.unit_id""",
                [_dt_param(now), _dt_param(b), _dt_param(a), _dt_param(a), _dt_param(b), _dt_param(a)],
            )
            for unit_id, busy, n in cursor.fetchall():
                seconds[unit_id] = seconds.get(unit_id, 0) + (busy or 0)
                started[unit_id] = started.get(unit_id, 0) + int(n)
        # Started before the period and still committed at its start: counted once, as live.
        cursor.execute(
            f"SELECT a.unit_id, COUNT(*) FROM {asg_t} a WHERE a.assigned_at < %s"
            " AND (a.cleared_at IS NULL OR a.cleared_at > %s) GROUP BY a.unit_id",
            [_dt_param(since), _dt_param(since)],
        )
        for unit_id, n in cursor.fetchall():
            started[unit_id] = started.get(unit_id, 0) + n
    signs = dict(Unit.objects.values_list("pk", "call_sign"))
    busy: dict[str, tuple[float, int]] = {}
    for unit_id in set(micro) | set(seconds) | set(started):
        # Microseconds and the live SQL's numeric seconds add up exactly before the one rounding.
        total = decimal.Decimal(micro.get(unit_id, 0)) / 1000000 + decimal.Decimal(
            str(seconds.get(unit_id, 0))
        )
        if not micro.get(unit_id):
            total = seconds.get(unit_id, 0)  # nothing cached: the live SQL's own number
        busy[signs[unit_id]] = (float(total), started.get(unit_id, 0))
    return _utilisation_rows(since, end, busy)


def kpis_volume_from_facts(*, since: dt.datetime, until: dt.datetime, zone: str | None) -> dict[str, Any]:
    """kpis_volume from the CallFact rows of the range."""
    facts = _facts(since, until, zone)
    by_day = facts.values("day").annotate(calls=Count("call_id")).order_by("day")
    by_hour = dict(facts.values("hour").annotate(calls=Count("call_id")).values_list("hour", "calls"))
    by_family = (
        facts.values("lead", "mode").annotate(calls=Count("call_id")).order_by("-calls", "lead", "mode")
    )
    by_status = dict(facts.values("status").annotate(n=Count("call_id")).values_list("status", "n"))
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_day": [{"date": r["day"].isoformat(), "calls": r["calls"]} for r in by_day],
        "by_hour": [{"hour": h, "calls": by_hour.get(h, 0)} for h in range(24)],
        "by_family": [
            {"lead": r["lead"] or "NONE", "mode": r["mode"] or "", "calls": r["calls"]} for r in by_family
        ],
    }


def kpis_acs_from_facts(
    *,
    since: dt.datetime,
    until: dt.datetime,
    zone: str | None,
    missed_limit: int | None = MISSED_LIST_LIMIT,
    counts: list[tuple] | None = None,
) -> dict[str, Any]:
    """kpis_acs from the CallFact rows of the range (the counts from _day_counts' rows when given)."""
    facts = _facts(since, until, zone)
    keys = (
        "eligible",
        "served",
        "led",
        "kicked_back",
        "acs_led",
        "acs_assigned",
        "missed_reason",
        "guard_signal",
    )
    if counts is None:
        groups = list(facts.values(*keys).annotate(n=Count("call_id")).values_list(*keys, "n"))
    else:
        groups = [
            (*(int(flag) for flag in flags), reason, signal, n)
            for (flags, reason, signal), n in _counted(counts, "acs").items()
        ]
    listed = ("call_id", "number", "received_at", "zone__name", "status", "lead", "priority", "missed_reason",
              "detail", "disposition")  # fmt: skip
    missed = facts.filter(eligible=1, served=0).order_by("received_at", "call_id").values_list(*listed)
    if missed_limit is not None:
        missed = missed[: int(missed_limit)]
    kicked = facts.filter(kicked_back=1).order_by("received_at", "call_id").values_list(*listed)
    return _acs_answer(groups, list(missed), list(kicked[:MISSED_LIST_LIMIT]))


def kpis_step_times_from_facts(
    *, since: dt.datetime, until: dt.datetime, zone: str | None
) -> list[dict[str, Any]]:
    """kpis_step_times from the StepFact rows of the range."""
    if not zone:
        return _step_times_from_counts(since=since, until=until)
    where = "f.day >= %s AND f.day < %s"
    params = [_local_date(since), _local_date(until)]
    if zone:  # the zone's steps are a few: sorted, as live
        where += f" AND f.zone_id IN (SELECT id FROM {Zone._meta.db_table} WHERE name = %s)"
        params.append(zone)
    durations = f"SELECT step, priority, agency, seconds AS d FROM {StepFact._meta.db_table} f WHERE {where}"
    return _step_percentiles(durations, params)


def kpis_backups_from_facts(
    *, since: dt.datetime, until: dt.datetime, zone: str | None, counts: list[tuple] | None = None
) -> dict[str, Any]:
    """kpis_backups from the CallFact rows of the range, or _day_counts' rows when given (the
    requests themselves are few: read live)."""
    requests = BackupRequest.objects.filter(call__received_at__gte=since, call__received_at__lt=until)
    if zone:
        requests = requests.filter(call__zone__name=zone)
    if counts is None:
        sums = _facts(since, until, zone).aggregate(
            ACS=Sum("acs_assigned"), POLICE=Sum("police_assigned"), FIRE_EMS=Sum("fire_ems_assigned")
        )
        return _backups_answer(requests, {agency: n for agency, n in sums.items() if n})
    calls_with = {k1: n for (k1, _, _), n in _counted(counts, "backup_calls").items()}
    return _backups_rows(
        {k1: (n, calls_with.get(k1, 0)) for (k1, _, _), n in _counted(counts, "backup").items()},
        {k1: n for (k1, _, _), n in _counted(counts, "worked").items() if n},
        {(k1, k2): n for (k1, k2, _), n in _counted(counts, "backup_reason").items()},
        {k1: n for (k1, _, _), n in _counted(counts, "backup_asked").items()},
    )


def kpis_dispositions_from_facts(
    *, since: dt.datetime, until: dt.datetime, zone: str | None
) -> list[dict[str, Any]]:
    """kpis_dispositions from the CallFact rows of the range."""
    rows = (
        _facts(since, until, zone)
        .filter(status=Call.Status.CLOSED)
        .values("disposition", "lead")
        .annotate(calls=Count("call_id"))
        .order_by("-calls", "disposition", "lead")
    )
    known = {d.code: d for d in Disposition.objects.all()}
    return [
        {
            "code": r["disposition"],
            "description": known[r["disposition"]].description if r["disposition"] in known else "",
            "acs_outcome": bool(known[r["disposition"]].acs_outcome) if r["disposition"] in known else False,
            "lead": r["lead"],
            "calls": r["calls"],
        }
        for r in rows
    ]


def kpis_destinations_from_facts(
    *, since: dt.datetime, until: dt.datetime, zone: str | None
) -> list[dict[str, Any]]:
    """kpis_destinations from the CallFact rows of the range."""
    rows = (
        _facts(since, until, zone)
        .filter(destination__isnull=False)
        .values("destination__name", "destination__kind")
        .annotate(calls=Count("call_id"))
        .order_by("-calls", "destination__name")
    )
    return [
        {"name": r["destination__name"], "kind": r["destination__kind"], "calls": r["calls"]} for r in rows
    ]


@contextlib.contextmanager
def kpis_session() -> Iterator[None]:
    """One read transaction for all the KPIs (one snapshot of the log); on PostgreSQL with room to
    sort and hash a year of durations in memory instead of spilling to disk (SET LOCAL: this
    transaction only, the connection's other work keeps the server's default)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{KPI_WORK_MEM}'")
                # The read model's queries are short: compiling them (JIT, ~100 ms for a statement
                # of many subqueries) costs more than it saves.
                cursor.execute("SET LOCAL jit = off")
        yield


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
    with kpis_session():
        return _kpis_all(start, end, since, until, zone, now, missed_limit)


def _kpis_all(start, end, since, until, zone, now, missed_limit) -> dict[str, Any]:
    parts = kpis_parts(since=since, until=until, zone=zone, now=now, missed_limit=missed_limit)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "zone": zone,
        "time_zone": settings.CITY_TIME_ZONE,
        **{name: compute() for name, compute in parts.items()},
    }


def kpis_parts(
    *, since: dt.datetime, until: dt.datetime, zone: str | None, now: dt.datetime, missed_limit: int | None
) -> dict[str, Any]:
    """Each KPI as a function to call (in a kpis_session), by its key in kpis_compute's answer: from
    the read model when every call of the range has its facts, else live. The bench times these."""
    if kpis_facts_complete(since=since, until=until, zone=zone):
        return _facts_parts(since=since, until=until, zone=zone, now=now, missed_limit=missed_limit)
    return _live_parts(since=since, until=until, zone=zone, now=now, missed_limit=missed_limit)


def _facts_parts(*, since, until, zone, now, missed_limit) -> dict[str, Any]:
    if zone:
        return {
            "volume": lambda: kpis_volume_from_facts(since=since, until=until, zone=zone),
            "acs": lambda: kpis_acs_from_facts(
                since=since, until=until, zone=zone, missed_limit=missed_limit
            ),
            "step_times": lambda: kpis_step_times_from_facts(since=since, until=until, zone=zone),
            "backups": lambda: kpis_backups_from_facts(since=since, until=until, zone=zone),
            "dispositions": lambda: kpis_dispositions_from_facts(since=since, until=until, zone=zone),
            "destinations": lambda: kpis_destinations_from_facts(since=since, until=until, zone=zone),
            "utilisation": lambda: kpis_utilisation(since=since, until=until, zone=zone, now=now),
            "coverage": lambda: kpis_coverage_from_facts(since=since, until=until, zone=zone, now=now),
        }
    # All zones: the counting KPIs share one read of the days' counts (the first to ask pays).
    counts = functools.cache(lambda: _day_counts(since, until))
    return {
        "volume": lambda: kpis_volume_from_counts(counts=counts()),
        "acs": lambda: kpis_acs_from_facts(
            since=since, until=until, zone=zone, missed_limit=missed_limit, counts=counts()
        ),
        "step_times": lambda: kpis_step_times_from_facts(since=since, until=until, zone=zone),
        "backups": lambda: kpis_backups_from_facts(since=since, until=until, zone=zone, counts=counts()),
        "dispositions": lambda: kpis_dispositions_from_counts(counts=counts()),
        "destinations": lambda: kpis_destinations_from_counts(counts=counts()),
        "utilisation": lambda: kpis_utilisation_from_counts(since=since, until=until, now=now),
        "coverage": lambda: kpis_coverage_from_facts(
            since=since, until=until, zone=zone, now=now, counts=counts()
        ),
    }


def _live_parts(*, since, until, zone, now, missed_limit) -> dict[str, Any]:
    calls = _calls(since, until, zone)
    return {
        "volume": lambda: kpis_volume(calls=calls),
        "acs": lambda: kpis_acs(since=since, until=until, zone=zone, missed_limit=missed_limit),
        "step_times": lambda: kpis_step_times(since=since, until=until, zone=zone),
        "backups": lambda: kpis_backups(calls=calls),
        "dispositions": lambda: kpis_dispositions(calls=calls),
        "destinations": lambda: kpis_destinations(calls=calls),
        "utilisation": lambda: kpis_utilisation(since=since, until=until, zone=zone, now=now),
        "coverage": lambda: kpis_coverage(since=since, until=until, zone=zone, now=now),
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
    rows += [["destination", r["name"], r["kind"], "", r["calls"]] for r in kpis.get("destinations", [])]
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
    "kpis_acs",
    "kpis_backups",
    "kpis_compute",
    "kpis_coverage",
    "kpis_csv_rows",
    "kpis_destinations",
    "kpis_dispositions",
    "kpis_parts",
    "kpis_period",
    "kpis_step_times",
    "kpis_utilisation",
    "kpis_volume",
    "zones_for_kpis",
]
