"""Event appends per second: N threads each append M events, one transaction per event.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/event_append.py

Runs against the database of DATABASE_URL (SQLite when unset) in a scratch database it creates
and drops (PostgreSQL) or a temporary file (SQLite). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acs_dispatch.settings")
os.environ.setdefault("DEBUG", "True")  # a development run: the dev SECRET_KEY is refused with DEBUG off


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--events", type=int, default=500, help="events per thread")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import setup_databases, teardown_databases

    from live.events import DISPATCH, SUPERVISOR, event_append

    settings.DATABASES["default"]["TEST"]["NAME"] = "bench_event_append"
    old = setup_databases(verbosity=0, interactive=False)
    vendor = connection.vendor
    runs = []
    try:
        for n_threads in args.threads:
            latencies: list[float] = []
            lock = threading.Lock()
            barrier = threading.Barrier(n_threads + 1)

            def writer(barrier=barrier, lock=lock, latencies=latencies) -> None:
                mine = []
                barrier.wait()
                for i in range(args.events):
                    t0 = time.perf_counter()
                    with transaction.atomic():
                        event_append(
                            kind="bench.append", actor=None, data={"i": i}, streams=[DISPATCH, SUPERVISOR]
                        )
                    mine.append(time.perf_counter() - t0)
                with lock:
                    latencies.extend(mine)
                connection.close()

            threads = [threading.Thread(target=writer) for _ in range(n_threads)]
            for t in threads:
                t.start()
            barrier.wait()
            start = time.perf_counter()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - start
            latencies.sort()
            run = {
                "threads": n_threads,
                "events": len(latencies),
                "events_per_s": round(len(latencies) / elapsed, 1),
                "p50_ms": round(statistics.median(latencies) * 1000, 3),
                "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 3),
            }
            print(
                f"{vendor}: {n_threads} threads: {run['events_per_s']} events/s, "
                f"p50 {run['p50_ms']} ms, p99 {run['p99_ms']} ms"
            )
            runs.append(run)
    finally:
        teardown_databases(old, verbosity=0)
    print(json.dumps({"database": vendor, "runs": runs}))


if __name__ == "__main__":
    main()
