"""The KPI read model (issue 14). CallFact and StepFact are rewritten for a call in the transaction
that changes it, from the live KPIs' own SQL (calls.selectors.kpis) run for that call. KpiCount
caches the counts of past days (and the step counts of past months) for the year-long reports:
built in the background (kpi_periods_build), dropped in the transaction that changes a call
received in that day or month, so a report counts that period's facts instead."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from calls.models import Assignment, Call, CallFact, KpiCount, KpiPeriod, StepFact
from calls.selectors.kpis import (
    CALL_FACT_COLUMNS,
    STEP_FACT_COLUMNS,
    call_counts,
    kpis_call_counts_sql,
    kpis_call_facts_sql,
    kpis_step_counts_sql,
    kpis_step_facts_sql,
    kpis_unit_counts_sql,
    kpis_unit_month_sql,
)

COUNT_COLUMNS = "kind, start, metric, k1, k2, k3, k4, n"


def _facts_write(*, where: str, params: list) -> None:
    """Delete, then insert again, the facts of the calls `c` matching `where` (one %s each time)."""
    call_t, fact_t, step_t = Call._meta.db_table, CallFact._meta.db_table, StepFact._meta.db_table
    calls = f"SELECT c.id FROM {call_t} c WHERE {where}"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {step_t} WHERE call_id IN ({calls})", params)
        cursor.execute(f"DELETE FROM {fact_t} WHERE call_id IN ({calls})", params)
        columns = ", ".join(CALL_FACT_COLUMNS)
        cursor.execute(f"INSERT INTO {fact_t} ({columns}) {kpis_call_facts_sql(where=where)}", params * 2)
        columns = ", ".join(STEP_FACT_COLUMNS)
        cursor.execute(f"INSERT INTO {step_t} ({columns}) {kpis_step_facts_sql(where=where)}", params * 4)


def _as_date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _fact_day(cursor: Any, call_id: int, *, lock: bool) -> dt.date | None:
    # FOR UPDATE: waits for a kpi_periods_build reading this day (FOR SHARE) to commit its counts,
    # so the drop below sees them.
    lock_sql = " FOR UPDATE" if lock and connection.vendor == "postgresql" else ""
    cursor.execute(f"SELECT day FROM {CallFact._meta.db_table} WHERE call_id = %s{lock_sql}", [call_id])
    row = cursor.fetchone()
    return _as_date(row[0]) if row else None


def _periods_drop(cursor: Any, days: set[dt.date]) -> None:
    """Drop the cached counts of these days and of their months."""
    for day in sorted(days):
        for kind, start in ((KpiPeriod.Kind.DAY, day), (KpiPeriod.Kind.MONTH, day.replace(day=1))):
            cursor.execute(
                f"DELETE FROM {KpiPeriod._meta.db_table} WHERE kind = %s AND start = %s", [kind, start]
            )
            cursor.execute(
                f"DELETE FROM {KpiCount._meta.db_table} WHERE kind = %s AND start = %s", [kind, start]
            )


def _assignment_months(cursor: Any, call_id: int) -> set[dt.date]:
    """The first days of the months (city clock) the call's assignments ran through, to now if open."""
    cursor.execute(
        f"SELECT MIN(assigned_at), MAX(COALESCE(cleared_at, %s)) FROM {Assignment._meta.db_table}"
        " WHERE call_id = %s",
        [connection.ops.adapt_datetimefield_value(timezone.now()), call_id],
    )
    first, last = cursor.fetchone()
    if first is None:
        return set()
    tz = ZoneInfo(settings.CITY_TIME_ZONE)
    first, last = (_as_datetime(v).astimezone(tz).date().replace(day=1) for v in (first, last))
    months = set()
    while first <= last:
        months.add(first)
        first = _month_after(first)
    return months


def _as_datetime(value: Any) -> dt.datetime:
    """A timestamp read by raw SQL: aware on PostgreSQL, naive UTC text on SQLite."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _months_drop(cursor: Any, months: set[dt.date]) -> None:
    for month in sorted(months):
        kind = KpiPeriod.Kind.MONTH
        cursor.execute(
            f"DELETE FROM {KpiPeriod._meta.db_table} WHERE kind = %s AND start = %s", [kind, month]
        )
        cursor.execute(f"DELETE FROM {KpiCount._meta.db_table} WHERE kind = %s AND start = %s", [kind, month])


def call_facts_refresh(*, call: Call) -> None:
    """Rewrite the KPI facts of `call` from its rows as this transaction sees them, and drop the
    cached counts of its day. Call it after the change, with the call row locked (every service
    that appends a call event holds it): two consoles acting on one call write its facts one after
    the other, each from the other's result."""
    with connection.cursor() as cursor:
        before = _fact_day(cursor, call.pk, lock=True)
        _facts_write(where="c.id = %s", params=[call.pk])
        after = _fact_day(cursor, call.pk, lock=False)
        _periods_drop(cursor, {d for d in (before, after) if d is not None})
        # A month's cached unit time has only the assignments cleared when it was built: one that
        # ran through it and changed now drops it (usually this month, never cached).
        _months_drop(cursor, _assignment_months(cursor, call.pk))


def call_facts_rebuild() -> int:
    """Rewrite the KPI facts of every call and drop every cached count (the backfill migration; the
    bench after a bulk load, which writes calls around the services). Returns the number of calls."""
    _facts_write(where="1 = %s", params=[1])
    KpiCount.objects.all().delete()
    KpiPeriod.objects.all().delete()
    return CallFact.objects.count()


def _month_after(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@transaction.atomic
def _period_build(*, kind: str, start: dt.date, end: dt.date) -> bool:
    """Count the facts of [start, end) into KpiCount under (kind, start), with its KpiPeriod.
    A day with calls that have no facts (written around the services) is left uncached: False."""
    fact_t, count_t = CallFact._meta.db_table, KpiCount._meta.db_table
    tz = ZoneInfo(settings.CITY_TIME_ZONE)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A call of this period changing now waits (call_facts_refresh locks its fact row), then
            # drops what this transaction counted.
            cursor.execute(f"SELECT 1 FROM {fact_t} WHERE day >= %s AND day < %s FOR SHARE", [start, end])
        if kind == KpiPeriod.Kind.DAY:
            received = Call.objects.filter(
                received_at__gte=dt.datetime.combine(start, dt.time(0), tzinfo=tz),
                received_at__lt=dt.datetime.combine(end, dt.time(0), tzinfo=tz),
            )
            # The readers trust a cached day without counting its calls again (kpis_facts_complete).
            if received.count() != CallFact.objects.filter(day__gte=start, day__lt=end).count():
                return False
        KpiPeriod.objects.create(kind=kind, start=start)
        if kind == KpiPeriod.Kind.DAY:
            counted = kpis_call_counts_sql(where="f.day >= %s AND f.day < %s")
            params = [start, end] * len(call_counts())
            # The units' changes of the day, by the instants of its local midnights.
            since = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
            until = dt.datetime.combine(end, dt.time(0), tzinfo=tz)
            bounds = [connection.ops.adapt_datetimefield_value(t) for t in (since, until)]
            cursor.execute(
                f"INSERT INTO {count_t} ({COUNT_COLUMNS}) SELECT %s, %s, metric, k1, k2, k3, k4, COUNT(*)"
                f" FROM ({kpis_unit_counts_sql()}) t GROUP BY metric, k1, k2, k3, k4",
                [kind, start, *bounds * 4],
            )
        else:
            counted = kpis_step_counts_sql(where="s.day >= %s AND s.day < %s")
            params = [start, end]
            # The units' time on calls in the month, by the instants of its local midnights.
            ms, me = (
                connection.ops.adapt_datetimefield_value(dt.datetime.combine(d, dt.time(0), tzinfo=tz))
                for d in (start, end)
            )
            cursor.execute(
                f"INSERT INTO {count_t} ({COUNT_COLUMNS}) SELECT %s, %s, t.* FROM ({kpis_unit_month_sql()}) t",
                [kind, start, me, ms, me, ms, ms, me],
            )
        cursor.execute(
            f"INSERT INTO {count_t} ({COUNT_COLUMNS}) SELECT %s, %s, metric, k1, k2, k3, k4, COUNT(*)"
            f" FROM ({counted}) t GROUP BY metric, k1, k2, k3, k4",
            [kind, start, *params],
        )
    return True


def kpi_periods_build(*, before: dt.date) -> dict[str, int]:
    """Cache the counts of every day before `before` (city clock) from the first call's on, and the
    step counts of every month ended by then whose days are all cached, that are not cached yet. One
    transaction each: a report never waits for the whole backlog. Returns how many days and months
    were built, and how many days were left out (calls without facts)."""
    first = CallFact.objects.order_by("day").values_list("day", flat=True).first()
    built = {"days": 0, "months": 0, "days_left_out": 0}
    if first is None:
        return built
    cached = {
        (kind, start)
        for kind, start in KpiPeriod.objects.filter(start__gte=first.replace(day=1)).values_list(
            "kind", "start"
        )
    }
    day = first
    while day < before:
        if (KpiPeriod.Kind.DAY, day) not in cached:
            if _period_build(kind=KpiPeriod.Kind.DAY, start=day, end=day + dt.timedelta(days=1)):
                built["days"] += 1
                cached.add((KpiPeriod.Kind.DAY, day))
            else:
                built["days_left_out"] += 1
        day += dt.timedelta(days=1)
    month = first.replace(day=1)
    while _month_after(month) <= before:
        days = [month + dt.timedelta(days=i) for i in range((_month_after(month) - month).days)]
        whole = all((KpiPeriod.Kind.DAY, d) in cached for d in days if d >= first)
        if whole and (KpiPeriod.Kind.MONTH, month) not in cached:
            _period_build(kind=KpiPeriod.Kind.MONTH, start=month, end=_month_after(month))
            built["months"] += 1
        month = _month_after(month)
    return built
