"""Benchmark of responders.selectors.units_recommend at 60, 600 and 6,000 units.

    .venv/bin/python bench/recommend.py [--queries 2000]

Builds a throw-away in-memory database: the Albuquerque zones, n available units spread over the
city (a third per agency, with the demo roster's capabilities) and calls of the usual agency mixes,
then times units_recommend per call after gc.freeze() of the setup objects: one query for the
units already on the call, then the cached STRtree of available units per agency. Timed again
with those assignments prefetched, as the dispatch board calls it. The index rebuild after a unit
changes is timed apart.
The last line is JSON: {"sizes": [{"units": n, "p50_ms": .., "p99_ms": .., "prefetched_p50_ms": ..,
"prefetched_p99_ms": .., "rebuild_ms": ..}, ...]}; prefetched = as the board calls it, no query.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acs_dispatch.settings")
os.environ.setdefault("DEBUG", "True")  # a development run: the dev SECRET_KEY is refused with DEBUG off
os.environ["TEST_DB_NAME"] = ""  # an in-memory SQLite test database (unless DATABASE_URL is set)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from shapely.geometry import Point, shape  # noqa: E402

SIZES = (60, 600, 6000)
CAPS = {
    "ACS": [["behavioral_health"], ["behavioral_health", "homeless_outreach"], ["homeless_outreach"]],
    "POLICE": [["patrol", "cit"], ["patrol"], ["patrol"]],
    "FIRE_EMS": [["als"], ["engine", "bls"], ["als", "engine"]],
}
MIXES = [["ACS"], ["POLICE"], ["FIRE_EMS"], ["ACS", "POLICE"], ["FIRE_EMS", "POLICE"]]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=2000, help="recommendations timed per size")
    args = parser.parse_args()

    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    from calls.models import Call, CallType
    from responders import selectors
    from responders.geography import albuquerque_area_commands, read_geojson, shared_data_dir
    from responders.models import Unit, Zone
    from responders.services import agencies_ensure, zones_import

    # Timing a warm cache: the TTL (other processes' changes) must not fire mid-run.
    selectors.UNITS_INDEX_TTL_S = 1e9
    agencies_ensure()
    limits = read_geojson(shared_data_dir() / "abq_city_limits.geojson")
    zones_import(
        zones=albuquerque_area_commands(shape(limits["features"][0]["geometry"])), city="albuquerque"
    )
    zones = list(Zone.objects.filter(kind=Zone.Kind.SERVICE))
    shapes = [(z, shape(z.geometry)) for z in zones]
    rng = random.Random(7)

    def point_in_city() -> tuple[Zone, float, float]:
        zone, geom = rng.choice(shapes)
        minx, miny, maxx, maxy = geom.bounds
        while True:
            p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if geom.contains(p):
                return zone, p.y, p.x

    mental = CallType.objects.create(code="5150", name="MENTALLY ILL PERSON")
    calls = []
    for i in range(200):
        zone, lat, lon = point_in_city()
        agencies = MIXES[i % len(MIXES)]
        calls.append(
            Call.objects.create(
                number=f"B-{i:05d}",
                call_type=mental if "ACS" in agencies else None,
                lat=lat,
                lon=lon,
                zone=zone,
                agencies=agencies,
                lead=agencies[0],
                priority=2,
                medical="YES" if "FIRE_EMS" in agencies else "UNKNOWN",
                status=Call.Status.PENDING,
            )
        )

    results = []
    made = 0
    for size in SIZES:
        batch = []
        while made < size:
            agency = ("ACS", "POLICE", "FIRE_EMS")[made % 3]
            zone, lat, lon = point_in_city()
            caps = CAPS[agency][(made // 3) % 3]
            batch.append(
                Unit(
                    call_sign=f"U-{made:05d}",
                    agency_id=agency,
                    capabilities=caps,
                    home_zone=zone,
                    lat=lat,
                    lon=lon,
                )
            )
            made += 1
        Unit.objects.bulk_create(batch)

        selectors.units_index_clear()
        started = time.perf_counter()
        selectors.units_index_get()
        rebuild_ms = (time.perf_counter() - started) * 1000

        for call in calls[:50]:  # warm-up: filtered per-capability indexes, query plans
            selectors.units_recommend(call=call, on_call={})
        # The setup's objects (zones, calls, rows) are long-lived in a server process too: keep
        # them out of the collector's scans, as a long-running worker would after warm-up.
        gc.collect()
        gc.freeze()
        timings = []
        for i in range(args.queries):
            call = calls[i % len(calls)]
            started = time.perf_counter()
            recommendation = selectors.units_recommend(call=call, on_call={})
            timings.append((time.perf_counter() - started) * 1000)
            assert all(entry["units"] for entry in recommendation), recommendation
        # As the dispatch board calls it: calls.selectors prefetches each call's active assignments,
        # so the selector runs no query of its own. Timed apart, so both figures are visible.
        prefetched = []
        for i in range(args.queries):
            call = calls[i % len(calls)]
            call.active_assignments = []
            started = time.perf_counter()
            selectors.units_recommend(call=call, on_call={})
            prefetched.append((time.perf_counter() - started) * 1000)
            del call.active_assignments
        gc.unfreeze()
        row = {
            "units": size,
            "p50_ms": round(statistics.median(timings), 3),
            "p99_ms": round(percentile(timings, 0.99), 3),
            "prefetched_p50_ms": round(statistics.median(prefetched), 3),
            "prefetched_p99_ms": round(percentile(prefetched, 0.99), 3),
            "rebuild_ms": round(rebuild_ms, 2),
        }
        results.append(row)
        print(
            f"{size:>6} units: p50 {row['p50_ms']:.3f} ms, p99 {row['p99_ms']:.3f} ms per call "
            f"({args.queries} calls, one query each for the units already on the call); "
            f"with assignments prefetched as the board does: p50 {row['prefetched_p50_ms']:.3f} ms, "
            f"p99 {row['prefetched_p99_ms']:.3f} ms; index rebuild {row['rebuild_ms']:.1f} ms"
        )
    print(json.dumps({"sizes": results}))


if __name__ == "__main__":
    main()
