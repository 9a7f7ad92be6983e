"""The one timer runtime of the floor: `timers_tick` checks every clock at `now`.

Two ways to run it, chosen by configuration (settings.TIMERS), never by guessing the process:
- "celery" (production): Celery beat queues calls.tasks.deadlines_sweep_task every
  DEADLINE_SWEEP_INTERVAL seconds and a worker runs timers_tick.
- "inprocess" (the embedded default of ./run.sh: no broker, no beat): the ASGI entry point
  (acs_dispatch/asgi.py) starts one thread per web process that runs timers_tick on the same
  interval. Tests and management commands never start it: they do not load the ASGI entry point
  with TIMERS=inprocess.
- "off": nothing runs (a web node behind a cluster whose beat runs elsewhere).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from acs_dispatch.health import sweep_heartbeat
from calls.demo_loop import demo_loop_start
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


def timers_loop(interval: float, stop: threading.Event) -> None:
    """Run timers_tick every `interval` seconds until `stop` is set."""
    while not stop.wait(interval):
        close_old_connections()
        try:
            timers_tick(now=timezone.now())
        except DatabaseError:
            # A locked SQLite file or a dropped connection: log it and try again next round; the
            # sweep is idempotent and the next one raises whatever this one missed.
            logger.exception("in-process timers failed; retrying in %s s", interval)
        finally:
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
