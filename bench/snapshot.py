"""The live screens' snapshots at 600 and 2,000 open calls: server time and size.

    .venv/bin/python bench/snapshot.py                     # SQLite, a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/snapshot.py

Loads the demo (zones with their real polygons, units, rules: seed_demo), takes N calls through
call_create (so each is triaged and placed in its zone like a real one) from the San Diego call
types, with points across the city, a third of them with a unit. Then times the dispatch and
supervisor snapshots (median of --reps after one warm-up) and measures the JSON a socket would
get (live.events.frame_text, the sockets' own encoding). Goals (issue 16): dispatch snapshot < 100 ms at 600 open calls, < 1 MiB at 2,000.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
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
os.environ.setdefault("DEBUG", "True")
os.environ["TEST_DB_NAME"] = (
    f"bench_snapshot_{os.getpid()}"
    if os.environ.get("DATABASE_URL")
    else str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
)


def timed(fn, reps: int) -> tuple[float, dict]:
    fn()  # warm-up: caches, first query plans
    times, data = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        data = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, nargs="+", default=[600, 2000])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from calls import snapshots
    from calls.models import Call, CallType
    from calls.services import call_create, unit_assign
    from live.events import frame_text
    from responders.models import Unit, Zone

    old = setup_databases(verbosity=0, interactive=False)
    results = []
    try:
        call_command("seed_demo", verbosity=0)
        actor = None
        rng = random.Random(11)
        types = list(CallType.objects.filter(active=True).values_list("code", flat=True))
        zones = list(Zone.objects.filter(kind=Zone.Kind.SERVICE).values_list("geometry", flat=True))
        from shapely.geometry import shape

        points = []
        for geometry in zones:
            poly = shape(geometry)
            minx, miny, maxx, maxy = poly.bounds
            for _ in range(20):
                x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
                if poly.contains(shape({"type": "Point", "coordinates": [x, y]})):
                    points.append((y, x))
        units = list(Unit.objects.order_by("id"))
        made = 0
        for target in sorted(args.calls):
            t0 = time.perf_counter()
            while made < target:
                lat, lon = rng.choice(points)
                call = call_create(
                    actor=actor, call_type=rng.choice(types), narrative="bench call", lat=lat, lon=lon
                )
                if made % 3 == 0 and units:
                    unit = units.pop()
                    # A unit of an agency the call does not need, or already covered, is refused: fine.
                    with contextlib.suppress(Exception):
                        unit_assign(call=call, unit=unit, actor=actor, override_reason="bench")
                made += 1
            print(f"{made} calls in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            open_calls = Call.objects.exclude(status__in=["CLOSED", "CANCELLED", "DUPLICATE"]).count()
            dispatch_ms, dispatch = timed(snapshots.dispatch_snapshot, args.reps)
            supervisor_ms, supervisor = timed(snapshots.supervisor_snapshot, args.reps)
            results.append(
                {
                    "open_calls": open_calls,
                    "dispatch_ms": round(dispatch_ms, 1),
                    "dispatch_bytes": len(frame_text({"type": "snapshot", "stream": "dispatch", **dispatch})),
                    "supervisor_ms": round(supervisor_ms, 1),
                    "supervisor_bytes": len(
                        frame_text({"type": "snapshot", "stream": "supervisor", **supervisor})
                    ),
                }
            )
            print(results[-1], file=sys.stderr)
    finally:
        teardown_databases(old, verbosity=0)
    print(json.dumps({"database": connection.vendor, "runs": results}))


if __name__ == "__main__":
    main()
