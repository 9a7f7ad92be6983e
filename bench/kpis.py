"""Every KPI (calls.selectors.kpis) over one year of calls with their assignments, backup requests
and events, on a scratch database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/kpis.py
    DATABASE_URL=... .venv/bin/python bench/kpis.py --calls 200000      # a smaller year
    .venv/bin/python bench/kpis.py --calls 20000                         # SQLite, a temporary file

The calls follow the real San Diego rhythm: the share of calls in each hour of each weekday is read
from data/sdpd_cfs_2023-01-01_to_01-20.csv (26,595 real calls), and the year's calls are spread over
the days and hours of 2025 (city clock, America/Denver, both DST changes) in those proportions.
Families: ~60 % police alone, 15 % fire/EMS, 14 % ACS alone, 3 % ACS leading with police staged, 5 %
police leading with ACS following (a weapon or violence guard), 3 % fire/EMS with police; 1 % of the
ACS calls overridden to police, ACS waived on some, kick-backs (ACS-HP), backup requests on ~6 % of
the ACS calls. Each call gets ~1.1 assignments (queue, acknowledge, en route, on scene and clear
times drawn from log-normal laws) and ~8 events (created, triaged, assigned, acknowledged, two
status changes, unassigned, closed), plus every unit going out of and back into service once a day.
Event payloads are trimmed to what the KPIs and the audit read (a real event carries the whole
call summary): the bench measures the queries, not the storage of payloads.

PostgreSQL rows are loaded with COPY; SQLite with bulk_create. Then ANALYZE, and each KPI is timed
over the whole year and over the last week (best of --repeat runs). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acs_dispatch.settings")
os.environ["TEST_DB_NAME"] = (
    f"bench_kpis_{os.getpid()}"
    if os.environ.get("DATABASE_URL")
    else str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
)

DENVER = ZoneInfo("America/Denver")
YEAR_START = dt.date(2025, 1, 1)
DAYS = 365
SD_CALLS = Path(__file__).resolve().parent.parent / "data" / "sdpd_cfs_2023-01-01_to_01-20.csv"
UNITS = {"POLICE": 180, "FIRE_EMS": 70, "ACS": 50}
ZONES = ["Northwest", "Southwest", "Valley", "Northeast", "Foothills", "University", "Southeast"]
# (lead, mode, agencies, share, acs_eligible, exclusion)
FAMILIES = [
    ("POLICE", "POLICE_ALONE", ["POLICE"], 0.60, False, ""),
    ("FIRE_EMS", "FIRE_EMS_ALONE", ["FIRE_EMS"], 0.15, False, ""),
    ("ACS", "ACS_ALONE", ["ACS"], 0.14, True, ""),
    ("ACS", "ACS_LEAD_POLICE_STAGED", ["ACS", "POLICE"], 0.03, True, ""),
    ("POLICE", "POLICE_LEAD_ACS_FOLLOW", ["POLICE", "ACS"], 0.05, False, "weapon"),
    ("FIRE_EMS", "FIRE_EMS_WITH_POLICE", ["FIRE_EMS", "POLICE"], 0.03, False, ""),
]
POLICE_DISPOSITIONS = ["K", "A", "O", "R", "U", "W"]
ACS_DISPOSITIONS = ["ACS-RA", "ACS-RD", "ACS-NPF", "ACS-TF", "ACS-988", "ACS-HF"]
BACKUP_REASONS = ["man became aggressive", "weapon seen", "medical emergency", "threats to staff", "crowd"]


def sd_rhythm():
    """The share of calls in each (weekday Mon=0, hour) of the real San Diego calls."""
    import numpy as np

    counts = np.zeros((7, 24))
    with SD_CALLS.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            moment = dt.datetime.fromisoformat(row["date_time"])
            counts[moment.weekday(), moment.hour] += 1
    return counts / counts.sum()


def call_times(n: int, rng) -> list[dt.datetime]:
    """n receive times over the year, in the San Diego proportions of weekday and hour."""
    import numpy as np

    rhythm = sd_rhythm()
    cells = []
    weights = []
    for d in range(DAYS):
        day = YEAR_START + dt.timedelta(days=d)
        for hour in range(24):
            cells.append((day, hour))
            weights.append(rhythm[day.weekday(), hour])
    weights = np.array(weights) / np.sum(weights)
    per_cell = rng.multinomial(n, weights)
    times: list[dt.datetime] = []
    for (day, hour), k in zip(cells, per_cell, strict=True):
        if not k:
            continue
        # Local hour start to UTC; 02:00 on the spring day does not exist and zoneinfo reads it as MST.
        start = dt.datetime.combine(day, dt.time(hour), tzinfo=DENVER).astimezone(dt.UTC)
        for s in np.sort(rng.uniform(0, 3600, k)):
            times.append(start + dt.timedelta(seconds=float(s)))
    times.sort()
    return times


AUTO = ("AutoField", "BigAutoField")


class Loader:
    """Rows into a table: COPY on PostgreSQL, bulk_create on SQLite."""

    def __init__(self, model, *, given_ids: bool = True):
        from django.db import connection

        self.model = model
        # An auto-increment id is left to the database unless the rows give it (calls, assignments).
        self.fields = [
            f for f in model._meta.concrete_fields if given_ids or f.get_internal_type() not in AUTO
        ]
        self.columns = [f.column for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.pg = connection.vendor == "postgresql"
        self.rows: list[dict] = []
        self.count = 0

    def add(self, **values):
        self.rows.append(values)
        if len(self.rows) >= 50_000:
            self.flush()

    def flush(self):
        from django.db import connection
        from psycopg.types.json import Jsonb

        if not self.rows:
            return
        self.count += len(self.rows)
        if self.pg:
            json_cols = {f.attname for f in self.fields if f.get_internal_type() == "JSONField"}
            with connection.cursor() as cursor:
                sql = f"COPY {self.model._meta.db_table} ({', '.join(self.columns)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in self.rows:
                        values = []
                        for f in self.fields:
                            v = row.get(f.attname, self.defaults[f.attname])
                            values.append(Jsonb(v) if f.attname in json_cols and v is not None else v)
                        copy.write_row(values)
        else:
            self.model.objects.bulk_create(
                [self.model(**{**self.defaults, **r}) for r in self.rows], batch_size=2000
            )
        self.rows = []


def populate(n: int, seed: int) -> dict[str, int]:
    import numpy as np
    from django.db import connection

    from calls.models import Assignment, BackupRequest, Call, CallAgencyWaiver
    from calls.services import dispositions_load
    from live.models import Event
    from responders.models import Unit, Zone
    from responders.services import agencies_ensure

    rng = np.random.default_rng(seed)
    agencies_ensure()
    dispositions_load()
    zones = [
        Zone.objects.create(name=name, geometry={"type": "Polygon", "coordinates": []}) for name in ZONES
    ]
    units: dict[str, list[int]] = {}
    for agency, k in UNITS.items():
        made = Unit.objects.bulk_create(
            Unit(call_sign=f"{agency[:3]}-{i:03d}", agency_id=agency) for i in range(k)
        )
        units[agency] = [u.pk for u in made]

    times = call_times(n, rng)
    shares = np.array([f[3] for f in FAMILIES])
    family_of = rng.choice(len(FAMILIES), size=n, p=shares / shares.sum())
    priority_of = rng.choice([1, 2, 3, 4], size=n, p=[0.1, 0.35, 0.4, 0.15])
    zone_of = rng.integers(0, len(zones), size=n)
    u = rng.random((n, 8))
    logn = rng.lognormal

    calls, asgs, events = Loader(Call), Loader(Assignment), Loader(Event)
    backups, waivers = Loader(BackupRequest, given_ids=False), Loader(CallAgencyWaiver, given_ids=False)
    ids = {"call": 0, "asg": 0, "event": 0}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Event._meta.db_table}")
        ids["event"] = cursor.fetchone()[0]

    def event(kind, at, call_id=None, unit_id=None, data=None):
        ids["event"] += 1
        events.add(
            id=ids["event"], kind=kind, call_id=call_id, unit_id=unit_id, data=data or {}, created_at=at
        )

    def seconds(median, sigma=0.6):
        return dt.timedelta(seconds=float(logn(np.log(median), sigma)))

    for i, received in enumerate(times):
        lead, mode, agencies, _, eligible, exclusion = FAMILIES[family_of[i]]
        ids["call"] += 1
        cid = ids["call"]
        row = {
            "id": cid, "number": f"B{cid:08d}", "received_at": received, "triaged_at": received,
            "lead": lead, "mode": mode, "agencies": list(agencies), "priority": int(priority_of[i]),
            "acs_eligible": eligible, "acs_exclusion": exclusion, "triage_guards": [exclusion] if exclusion else [],
            "ruleset_version": 1, "zone_id": zones[zone_of[i]].pk, "status": "CLOSED",
        }  # fmt: skip
        event("call.created", received, cid)
        event("call.triaged", received, cid)
        served_by = list(agencies)
        if lead == "ACS" and u[i, 0] < 0.01:  # a dispatcher overrides to police
            row.update(
                original_decision={"agencies": agencies, "lead": "ACS", "mode": mode},
                agencies=["POLICE"], lead="POLICE", mode="OVERRIDE", override_reason="caller known to be armed",
                overridden_at=received + dt.timedelta(seconds=30),
            )  # fmt: skip
            served_by = ["POLICE"]
            event(
                "call.overridden",
                received + dt.timedelta(seconds=30),
                cid,
                data={"reason": "caller known to be armed"},
            )
        elif "ACS" in agencies and u[i, 1] < 0.08:  # no ACS team free
            served_by = [a for a in agencies if a != "ACS"] or ["POLICE"]
            waivers.add(
                call_id=cid,
                agency="ACS",
                reason="no ACS team on shift",
                waived_at=received + dt.timedelta(minutes=2),
            )
        if u[i, 2] < 0.01:
            row.update(status="CANCELLED", disposition="CAN", closed_at=received + dt.timedelta(minutes=3))
            calls.add(**row)
            event("call.cancelled", row["closed_at"], cid)
            continue
        kicked = lead == "ACS" and "ACS" in served_by and u[i, 3] < 0.04
        last_clear = received
        for k, agency in enumerate(served_by):
            unit_id = int(rng.choice(units[agency]))
            assigned = received + seconds(90 if row["priority"] <= 2 else 240) + dt.timedelta(seconds=20 * k)
            ack = assigned + seconds(40)
            en_route = ack + seconds(20)
            on_scene = en_route + seconds(480)
            cleared = on_scene + seconds(2400 if agency == "ACS" else 1500)
            last_clear = max(last_clear, cleared)
            ids["asg"] += 1
            asgs.add(id=ids["asg"], call_id=cid, unit_id=unit_id, assigned_at=assigned, acknowledged_at=ack,
                     en_route_at=en_route, on_scene_at=on_scene, cleared_at=cleared,
                     cleared_reason="cleared: ACS-HP" if kicked and agency == "ACS" else "call closed")  # fmt: skip
            event("unit.assigned", assigned, cid, unit_id)
            event("assignment.acknowledged", ack, cid, unit_id)
            event(
                "unit.status_changed", en_route, cid, unit_id, {"before": "DISPATCHED", "after": "EN_ROUTE"}
            )
            event("unit.status_changed", on_scene, cid, unit_id, {"before": "EN_ROUTE", "after": "ON_SCENE"})
            event("unit.unassigned", cleared, cid, unit_id)
            if agency == "ACS" and u[i, 4] < 0.06:
                backups.add(call_id=cid, unit_id=unit_id, agency="POLICE" if u[i, 5] < 0.8 else "FIRE_EMS",
                            reason=BACKUP_REASONS[int(u[i, 6] * len(BACKUP_REASONS))],
                            requested_at=on_scene + dt.timedelta(minutes=5), handled_at=on_scene + dt.timedelta(minutes=9))  # fmt: skip
        if kicked:
            disposition = "ACS-HP"
        elif lead == "ACS" and "ACS" in served_by:
            disposition = ACS_DISPOSITIONS[int(u[i, 7] * len(ACS_DISPOSITIONS))]
        else:
            disposition = POLICE_DISPOSITIONS[int(u[i, 7] * len(POLICE_DISPOSITIONS))]
        row.update(disposition=disposition, closed_at=last_clear)
        calls.add(**row)
        event("call.closed", last_clear, cid)
    # Every unit goes out of service once a day for 30 minutes (shift change), and comes back.
    for agency_units in units.values():
        for unit_id in agency_units:
            for d in range(DAYS):
                out = dt.datetime.combine(YEAR_START + dt.timedelta(days=d), dt.time(6, 45), tzinfo=DENVER)
                event(
                    "unit.status_changed",
                    out,
                    None,
                    unit_id,
                    {"before": "AVAILABLE", "after": "OUT_OF_SERVICE"},
                )
                back = out + dt.timedelta(minutes=30)
                event(
                    "unit.status_changed",
                    back,
                    None,
                    unit_id,
                    {"before": "OUT_OF_SERVICE", "after": "AVAILABLE"},
                )
    for loader in (calls, asgs, events, backups, waivers):
        loader.flush()
    return {
        "calls": calls.count,
        "assignments": asgs.count,
        "events": events.count,
        "backup_requests": backups.count,
    }


def time_kpis(start: dt.date, end: dt.date, repeat: int, now: dt.datetime, live: bool) -> dict[str, float]:
    """Best-of-`repeat` milliseconds of each KPI over [start, end) as kpis_compute computes it (from
    the read model when complete, unless `live`), of the completeness check, and of all together."""
    from calls.selectors import kpis as k

    since, until = k.kpis_period(start=start, end=end)
    which = k._live_parts if live else k.kpis_parts

    def parts() -> dict:
        # Fresh each run: the counting KPIs share one read of the days' counts, which the first
        # of them to run pays for (volume), as in kpis_compute.
        fns = which(since=since, until=until, zone=None, now=now, missed_limit=k.MISSED_LIST_LIMIT)
        fns["facts_check"] = lambda: k.kpis_facts_complete(since=since, until=until, zone=None)
        if not live:
            fns["total"] = lambda: k.kpis_compute(start=start, end=end, now=now)
        return fns

    best: dict[str, float] = {}
    for _ in range(repeat):
        for name, fn in parts().items():
            t0 = time.perf_counter()
            if name == "total":
                fn()  # kpis_compute opens its own kpis_session
            else:
                with k.kpis_session():
                    fn()
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - t0)
    out = {name: round(seconds * 1000, 1) for name, seconds in best.items()}
    if live:
        out["total"] = round(sum(v for name, v in out.items() if name != "facts_check"), 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=700_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (its name on stderr)")
    parser.add_argument("--reuse", default="", help="time the KPIs on a database kept by --keep")
    parser.add_argument(
        "--live", action="store_true", help="time the live SQL, not the read model (CallFact, StepFact)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import setup_databases, teardown_databases

    if args.reuse:
        settings.DATABASES["default"]["NAME"] = args.reuse
        old = None
    else:
        old = setup_databases(verbosity=0, interactive=False)
    try:
        t0 = time.perf_counter()
        if args.reuse:
            from calls.models import Assignment, Call
            from live.models import Event

            counts = {"calls": Call.objects.count(), "assignments": Assignment.objects.count(),
                      "events": Event.objects.count()}  # fmt: skip
        else:
            # One transaction: the foreign keys (deferred) are checked at commit, whatever the COPY order.
            with transaction.atomic():
                counts = populate(args.calls, args.seed)
            # COPY writes calls around the services: their KPI facts are built as the backfill does.
            from calls.services.kpi_facts import call_facts_rebuild, kpi_periods_build

            t1 = time.perf_counter()
            with transaction.atomic():
                call_facts_rebuild()
            counts["facts_s"] = round(time.perf_counter() - t1, 1)
            # What the beat task does for the days that ended: the year is in the past.
            t1 = time.perf_counter()
            kpi_periods_build(before=YEAR_START + dt.timedelta(days=DAYS))
            counts["cache_s"] = round(time.perf_counter() - t1, 1)
            if connection.vendor == "postgresql":
                # What autovacuum does in service: statistics, and the visibility map index-only scans need.
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
        load_s = time.perf_counter() - t0
        print(f"loaded {counts} in {load_s:.0f} s", file=sys.stderr)
        now = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
        year = time_kpis(YEAR_START, YEAR_START + dt.timedelta(days=DAYS), args.repeat, now, args.live)
        print(f"year: {year}", file=sys.stderr)
        week = time_kpis(dt.date(2025, 12, 24), dt.date(2025, 12, 31), args.repeat, now, args.live)
        print(f"week: {week}", file=sys.stderr)
        result = {
            "database": connection.vendor,
            **counts,
            "load_s": round(load_s, 1),
            "year_total_ms": year["total"],
            "week_total_ms": week["total"],
            "year_ms": year,
            "week_ms": week,
            "goal_ms": 2000,
        }
    finally:
        if args.keep:
            print(f"kept database {settings.DATABASES['default']['NAME']}", file=sys.stderr)
        elif old is not None:
            teardown_databases(old, verbosity=0)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
