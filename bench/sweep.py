"""The deadline sweep's time with 10,000 open calls and 6,000 units.

    .venv/bin/python bench/sweep.py                      # SQLite, a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/sweep.py

Bulk-creates the rows in a scratch database (a temporary SQLite file, or a PostgreSQL database
it creates and drops): 5,000 calls waiting in the queue and 5,000 with a unit (2,000 units
dispatched and not yet acknowledged, 1,500 en route, 1,500 on scene), 1,000 units available.
About 1 % of each clock is past its warning limit. The first sweep raises those alerts; the
following sweeps find nothing new (the steady state every few seconds). The last line is one
JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acs_dispatch.settings")
os.environ.setdefault("DEBUG", "True")  # a development run: the dev SECRET_KEY is refused with DEBUG off
os.environ["TEST_DB_NAME"] = (
    f"bench_sweep_{os.getpid()}"
    if os.environ.get("DATABASE_URL")
    else str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
)


def populate(*, calls: int, units: int, due_fraction: float, now: dt.datetime, rng: random.Random) -> None:
    from calls.models import Assignment, Call
    from calls.policies import DEFAULT_THRESHOLDS
    from responders.models import Unit
    from responders.services import agencies_ensure

    agencies_ensure()
    agencies = ["POLICE", "FIRE_EMS", "ACS"]

    def started(kind: str, agency: str, priority: int) -> dt.datetime:
        warn, escalate = DEFAULT_THRESHOLDS[(kind, agency, priority)]
        if rng.random() < due_fraction:
            elapsed = warn + rng.uniform(1, min(60, escalate - warn - 1))  # warned, not escalated
        else:
            elapsed = rng.uniform(0, warn - 1)
        return now - dt.timedelta(seconds=elapsed)

    unit_rows = [
        Unit(
            call_sign=f"B-{i:05d}",
            agency_id=agencies[i % 3],
            capabilities=["patrol"],
            lat=35.08 + rng.uniform(-0.1, 0.1),
            lon=-106.65 + rng.uniform(-0.1, 0.1),
            status=Unit.Status.AVAILABLE,
            status_since=now - dt.timedelta(hours=1),
        )
        for i in range(units)
    ]
    Unit.objects.bulk_create(unit_rows, batch_size=2000)
    pools: dict[str, list[Unit]] = {a: [] for a in agencies}
    for unit in Unit.objects.order_by("id"):
        pools[unit.agency_id].append(unit)
    call_rows = []
    for i in range(calls):
        agency, priority = agencies[i % 3], 1 + (i % 4)
        call_rows.append(
            Call(
                number=f"26-{i:07d}",
                received_at=started("QUEUE", agency, priority)
                if i < calls // 2
                else now - dt.timedelta(hours=2),
                narrative="bench",
                lat=35.08,
                lon=-106.65,
                agencies=[agency],
                lead=agency,
                priority=priority,
                status=Call.Status.PENDING,
            )
        )
    Call.objects.bulk_create(call_rows, batch_size=2000)
    pending, assigned = calls // 2, list(Call.objects.order_by("id"))[calls // 2 :]
    assignments, unit_updates, call_updates = [], [], []
    plan = [Unit.Status.DISPATCHED] * 2000 + [Unit.Status.EN_ROUTE] * 1500 + [Unit.Status.ON_SCENE] * 1500
    for call, status in zip(assigned, plan, strict=False):
        unit = pools[call.lead].pop()
        kind = {"DISPATCHED": "ACK", "EN_ROUTE": "EN_ROUTE", "ON_SCENE": "ON_SCENE"}[status]
        at = started(kind, unit.agency_id, call.priority)
        assignments.append(
            Assignment(
                call=call,
                unit=unit,
                assigned_at=at,
                acknowledged_at=None if status == Unit.Status.DISPATCHED else at,
            )
        )
        unit.status, unit.status_since = status, at
        unit_updates.append(unit)
        call.status = Call.Status.ON_SCENE if status == Unit.Status.ON_SCENE else Call.Status.DISPATCHED
        call_updates.append(call)
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    Unit.objects.bulk_update(unit_updates, ["status", "status_since"], batch_size=2000)
    Call.objects.bulk_update(call_updates, ["status"], batch_size=2000)
    assert pending + len(call_updates) == calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=6_000)
    parser.add_argument("--sweeps", type=int, default=20, help="steady-state sweeps after the first")
    parser.add_argument("--due", type=float, default=0.01, help="fraction of clocks past their warning")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from django.utils import timezone

    from calls.models import Alert, Call
    from calls.services.timers import deadlines_sweep

    old = setup_databases(verbosity=0, interactive=False)
    try:
        now = timezone.now()
        t0 = time.perf_counter()
        populate(calls=args.calls, units=args.units, due_fraction=args.due, now=now, rng=random.Random(7))
        if connection.vendor == "postgresql":
            # Fresh bulk-loaded tables have no statistics yet; autovacuum would gather them in service.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"populated in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        open_calls = Call.objects.exclude(status__in=["CLOSED", "CANCELLED", "DUPLICATE"]).count()

        t0 = time.perf_counter()
        first = deadlines_sweep(now=now)
        first_ms = (time.perf_counter() - t0) * 1000
        steady = []
        for _ in range(args.sweeps):
            t0 = time.perf_counter()
            again = deadlines_sweep(now=now)
            steady.append((time.perf_counter() - t0) * 1000)
            assert again == {}, again
        print(f"first sweep raised {first}", file=sys.stderr)
        result = {
            "database": connection.vendor,
            "open_calls": open_calls,
            "units": args.units,
            "alerts_raised": Alert.objects.count(),
            "sweep_ms_first": round(first_ms, 1),
            "sweep_ms_p50": round(statistics.median(steady), 1),
            "sweep_ms_max": round(max(steady), 1),
            "sweeps": args.sweeps,
        }
    finally:
        teardown_databases(old, verbosity=0)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
