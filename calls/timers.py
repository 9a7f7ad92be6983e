"""The one timer runtime of the floor: `timers_tick` checks every clock at `now`.

Two ways to run it, chosen by configuration (settings.TIMERS), never by guessing the process:
- "celery" (production): Celery beat queues calls.tasks.deadlines_sweep_task every
  DEADLINE_SWEEP_INTERVAL seconds and a worker runs timers_tick; and kpi_periods_build_task every
  KPI_CACHE_INTERVAL seconds, which runs kpi_cache_tick.
- "inprocess" (the embedded default of ./run.sh: no broker, no beat): the ASGI entry point
  (acs_dispatch/asgi.py) starts one thread per web process that runs timers_tick on the same
  interval, and kpi_cache_tick every KPI_CACHE_INTERVAL. Tests and management commands never start it: they do not load the ASGI entry point
  with TIMERS=inprocess.
- "off": nothing runs (a web node behind a cluster whose beat runs elsewhere).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from acs_dispatch.health import sweep_heartbeat
from calls.demo_loop import demo_loop_start
from calls.services.kpi_facts import kpi_periods_build
from calls.services.timers import deadlines_sweep

logger = logging.getLogger(__name__)

_started = threading.Lock()
_thread: threading.Thread | None = None
_stop = threading.Event()


def timers_tick(*, now: dt.datetime) -> dict[str, int]:
    """Check every clock at `now` (the deadline sweep). Idempotent: two at once raise nothing twice.
    Leaves a heartbeat that /readyz and /metrics read (acs_dispatch.health)."""
    with sweep_heartbeat():
        return deadlines_sweep(now=now)


def kpi_cache_tick(*, now: dt.datetime) -> dict[str, int]:
    """Cache the KPI counts of the past days and months not cached yet (today is always counted
    live). Idempotent: a period already cached is skipped, two runs at once collide on its key."""
    # An hour's margin: a transaction that stamped its event just before midnight has committed.
    ended = (now - dt.timedelta(hours=1)).astimezone(ZoneInfo(settings.CITY_TIME_ZONE)).date()
    return kpi_periods_build(before=ended)


def timers_loop(interval: float, stop: threading.Event) -> None:
    """Run timers_tick every `interval` seconds, and kpi_cache_tick every KPI_CACHE_INTERVAL,
    until `stop` is set. Each in its own try: a failing sweep never stops the cache, nor back."""
    kpi_due = time.monotonic()  # the first round caches what a restart left uncached
    while not stop.wait(interval):
        close_old_connections()
        try:
            timers_tick(now=timezone.now())
        except DatabaseError:
            # A locked SQLite file or a dropped connection: log it and try again next round; the
            # sweep is idempotent and the next one raises whatever this one missed.
            logger.exception("in-process timers failed; retrying in %s s", interval)
        if time.monotonic() >= kpi_due:
            kpi_due = time.monotonic() + float(settings.KPI_CACHE_INTERVAL)
            try:
                kpi_cache_tick(now=timezone.now())
            except DatabaseError:
                # The reports count what is not cached live: slower, never wrong.
                logger.exception("KPI cache build failed; retrying in %s s", settings.KPI_CACHE_INTERVAL)
        close_old_connections()


def timers_start() -> bool:
    """Start the in-process loop once per process when settings.TIMERS is "inprocess"."""
    global _thread
    if settings.TIMERS != "inprocess":
        return False
    with _started:
        if _thread is None:
            interval = float(settings.DEADLINE_SWEEP_INTERVAL)
            _thread = threading.Thread(
                target=timers_loop, args=(interval, _stop), name="floor-timers", daemon=True
            )
            _thread.start()
            logger.info("in-process timers every %s s", interval)
            # The living demo (./run.sh with DEMO=1): the units move inside the server too.
            if settings.DEMO_MOVE_UNITS:
                demo_loop_start(
                    time_scale=settings.DEMO_TIME_SCALE, dispatch=settings.DEMO_DISPATCH, stop=_stop
                )
    return True
