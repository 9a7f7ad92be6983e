"""Benchmark of the geocoder and of AVL ingest (issue 13).

    .venv/bin/python bench/geocode.py [--points 250000] [--queries 5000] [--units 600] [--rounds 6]

Geocoder: the demo's centerlines (data/abq_streets_approx.geojson.gz) and gazetteer, plus
`--points` address points: a fifth placed along the demo segments' ranges (numbers drawn from
them), the rest on a synthetic grid of 2,000 streets with made-up names (synthetic, said so: no
real Albuquerque address points could be had, see data/SOURCES.md). The index is built through the same selector the API uses
(geocoder_get, from a throw-away SQLite database), then timed per query as GET /geocode runs it
(geocode_search: search + the zone of each candidate) over a mix of address points, interpolated
addresses, intersections in every spelling, misspellings, quadrants and place names; and reverse
geocoding (geocode_reverse) at random points in the city.

AVL: `--units` units each post a batch of 5 fixes (one a second) every 5 s for `--rounds` rounds,
through unit_positions_record (the service behind POST units/{call_sign}/positions), the clock
advanced with time_machine. It measures the batch's service time and the pushes it makes: at most
one "unit.moved" per unit per AVL_PUSH_INTERVAL, to the dispatch board and (ACS units) the
supervisor's map. Set DATABASE_URL for PostgreSQL.

The last line is JSON: {"points", "index_build_s", "lookup_p50_ms", "lookup_p99_ms",
"reverse_p50_ms", "reverse_p99_ms", "avl_batches", "avl_batch_p50_ms", "avl_batch_p99_ms",
"avl_fixes_per_s", "pushes_per_s", "push_bound_per_s", "fixes_per_s_offered"}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import gzip
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acs_dispatch.settings")
os.environ["TEST_DB_NAME"] = ""  # an in-memory SQLite test database (unless DATABASE_URL is set)

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from shapely.geometry import LineString, shape  # noqa: E402

GRID_STREETS = 2000  # distinct synthetic street names: the fuzzy matcher searches them all
DEMO_SHARE = 0.2  # at most this share of the points on the demo's (approximate) streets
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "be",
    "ru",
    "ta",
    "san",
    "del",
    "ve",
    "no",
    "ar",
    "ci",
    "to",
    "pa",
    "ma",
    "ri",
    "el",
    "on",
]


def street_name(s: int) -> str:
    r = random.Random(s)
    return "".join(r.choice(SYLLABLES) for _ in range(r.randint(2, 4))).upper() + f" {s % 7}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def address_rows(points: int, rng: random.Random) -> list:
    """Address points along the demo segments' ranges, then on a synthetic grid, up to `points`."""
    from responders.models import AddressPoint

    data = json.loads(gzip.decompress((ROOT / "data" / "abq_streets_approx.geojson.gz").read_bytes()))
    rows = []
    for f in data["features"]:
        p = f["properties"]
        line = LineString(f["geometry"]["coordinates"])
        for lo, hi in ((p["FromAddr_L"], p["ToAddr_L"]), (p["FromAddr_R"], p["ToAddr_R"])):
            if lo is None or hi is None or lo == hi:
                continue
            step = 2 if hi > lo else -2
            for n in range(lo, hi + step, step):
                pt = line.interpolate((n - lo) / (hi - lo), normalized=True)
                rows.append(
                    AddressPoint(add_number=n, st_name=p["St_Name"].upper(), st_postyp=p["St_PosTyp"],
                                 st_posdir=p["St_PosDir"], lat=pt.y + rng.uniform(-5e-5, 5e-5),
                                 lon=pt.x + rng.uniform(-5e-5, 5e-5), source="bench")
                )  # fmt: skip
    rng.shuffle(rows)
    rows = rows[: int(points * DEMO_SHARE)]
    per_street = max(1, (points - len(rows)) // GRID_STREETS + 1)
    for s in range(GRID_STREETS):
        name = street_name(s)
        lat = 35.00 + 0.2 * s / GRID_STREETS
        for k in range(per_street):
            if len(rows) >= points:
                break
            rows.append(
                AddressPoint(add_number=100 + 2 * k, st_name=name, st_postyp="ST", st_posdir="NE",
                             lat=lat, lon=-106.75 + 0.3 * k / per_street, source="bench")
            )  # fmt: skip
    return rows[:points]


QUERIES = [
    "{n} {street}",
    "{n} {street}, Albuquerque NM 87110",
    "Central & Louisiana",
    "Central/Louisiana",
    "central and louisiana blvd ne",
    "Menaul at San Mateo",
    "Lousiana & Menal",
    "Montgomry & Wyoming",
    "UNM Hospital",
    "presbyterian",
    "westside emergency",
    "Alvarado",
    "{n} Central Ave SE",
    "{n} san mateo blvd ne",
    "Central & Lou",
    "{n} {grid} ST NE",
    "{n} {grid_typo} ST",
    "{grid} & {grid2}",
]


def bench_geocoder(args, rng: random.Random) -> dict:
    from responders.gis_seed import geocoder_seed
    from responders.gis_selectors import geocode_reverse, geocode_search, geocoder_clear, geocoder_get
    from responders.models import AddressPoint

    geocoder_seed(data=ROOT / "data")
    rows = address_rows(args.points, rng)
    AddressPoint.objects.bulk_create(rows, batch_size=5000)
    geocoder_clear()
    t0 = time.perf_counter()
    index = geocoder_get()
    build_s = time.perf_counter() - t0
    gc.freeze()
    streets = [f"{r.st_name.title()} {r.st_postyp.title()} {r.st_posdir}" for r in rows[:2000]]
    texts = []
    for _ in range(args.queries):
        template = rng.choice(QUERIES)
        grid = street_name(rng.randrange(GRID_STREETS))
        texts.append(
            template.format(n=rng.randrange(100, 9000, 2), street=rng.choice(streets), grid=grid,
                            grid_typo=grid[:2] + grid[3:], grid2=street_name(rng.randrange(GRID_STREETS)))
        )  # fmt: skip
    for q in texts[:50]:  # warm up
        geocode_search(q=q)
    lookups = []
    for q in texts:
        t = time.perf_counter()
        geocode_search(q=q)
        lookups.append((time.perf_counter() - t) * 1000)
    reverses = []
    for _ in range(args.queries):
        lat, lon = rng.uniform(35.02, 35.17), rng.uniform(-106.74, -106.49)
        t = time.perf_counter()
        geocode_reverse(lat=lat, lon=lon)
        reverses.append((time.perf_counter() - t) * 1000)
    gc.unfreeze()
    print(f"geocoder: {index.counts}, built in {build_s:.1f} s")
    print(
        f"lookup p50 {percentile(lookups, 0.5):.2f} ms, p99 {percentile(lookups, 0.99):.2f} ms, max {max(lookups):.1f} ms"
    )
    print(f"reverse p50 {percentile(reverses, 0.5):.2f} ms, p99 {percentile(reverses, 0.99):.2f} ms")
    return {
        "points": index.counts["addresses"],
        "index_build_s": round(build_s, 2),
        "lookup_p50_ms": round(percentile(lookups, 0.5), 3),
        "lookup_p99_ms": round(percentile(lookups, 0.99), 3),
        "reverse_p50_ms": round(percentile(reverses, 0.5), 3),
        "reverse_p99_ms": round(percentile(reverses, 0.99), 3),
    }


def bench_avl(args, rng: random.Random) -> dict:
    from live.models import Event
    from responders.avl_services import unit_positions_record
    from responders.geography import point_inside
    from responders.models import Agency, Unit, Zone
    from responders.services import agencies_ensure

    agencies_ensure()
    zones = list(Zone.objects.filter(kind=Zone.Kind.SERVICE))
    if not zones:
        from responders.geography import albuquerque_area_commands, read_geojson
        from responders.services import zones_import

        limits = read_geojson(ROOT / "data" / "abq_city_limits.geojson")
        zones_import(
            zones=albuquerque_area_commands(shape(limits["features"][0]["geometry"])), city="albuquerque"
        )
        zones = list(Zone.objects.filter(kind=Zone.Kind.SERVICE))
    codes = [Agency.Code.POLICE, Agency.Code.FIRE_EMS, Agency.Code.ACS]
    units = []
    for i in range(args.units):
        zone = zones[i % len(zones)]
        lat, lon = point_inside(zone.geometry, rng)
        units.append(Unit(call_sign=f"AVL-{i:04d}", agency_id=codes[i % 3], home_zone=zone, lat=lat, lon=lon))
    Unit.objects.bulk_create(units)
    units = list(Unit.objects.filter(call_sign__startswith="AVL-"))
    start = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    first_event = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    times = []
    fixes = 0
    wall = time.perf_counter()
    with time_machine.travel(start, tick=False) as traveller:
        for r in range(args.rounds):
            now = start + dt.timedelta(seconds=5 * (r + 1))
            traveller.move_to(now)
            for u in units:
                batch = [
                    {"lat": u.lat + rng.uniform(-1e-3, 1e-3), "lon": u.lon + rng.uniform(-1e-3, 1e-3),
                     "at": now - dt.timedelta(seconds=4 - k), "speed": 10.0, "heading": 90.0}
                    for k in range(5)
                ]  # fmt: skip
                t = time.perf_counter()
                unit_positions_record(unit=u, fixes=batch)
                times.append((time.perf_counter() - t) * 1000)
                fixes += len(batch)
    elapsed = time.perf_counter() - wall
    moved = Event.objects.filter(id__gt=first_event, kind="unit.moved")
    pushes = moved.count()
    simulated_s = 5 * args.rounds
    bound = args.units / settings.AVL_PUSH_INTERVAL
    print(
        f"AVL: {len(times)} batches ({fixes} fixes) in {elapsed:.1f} s; batch p50 {percentile(times, 0.5):.2f} ms, "
        f"p99 {percentile(times, 0.99):.2f} ms; {pushes} unit.moved in {simulated_s} simulated s "
        f"= {pushes / simulated_s:.0f}/s (bound {bound:.0f}/s; {fixes / simulated_s:.0f} fixes/s offered)"
    )
    return {
        "avl_units": args.units,
        "avl_batches": len(times),
        "avl_batch_p50_ms": round(percentile(times, 0.5), 3),
        "avl_batch_p99_ms": round(percentile(times, 0.99), 3),
        "avl_fixes_per_s": round(fixes / elapsed),
        "fixes_per_s_offered": round(fixes / simulated_s),
        "pushes_per_s": round(pushes / simulated_s, 1),
        "push_bound_per_s": round(bound, 1),
        "database": connection.vendor,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=250_000)
    parser.add_argument("--queries", type=int, default=5000)
    parser.add_argument("--units", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=6, help="5-second rounds of AVL reports")
    args = parser.parse_args()
    rng = random.Random(13)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    result = {**bench_geocoder(args, rng), **bench_avl(args, rng)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
