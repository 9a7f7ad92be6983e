from __future__ import annotations

import logging
import os
import sys
import threading

from django.apps import AppConfig

logger = logging.getLogger(__name__)


def serving_web() -> bool:
    """True in a web server process (daphne, or runserver's serving child), never in tests,
    management commands, Celery or the autoreloader's watching parent."""
    program = sys.argv[0] if sys.argv else ""
    # ".venv/bin/daphne" (run.sh), or ".../daphne/__main__.py" (python -m daphne).
    if (
        os.path.basename(program).startswith("daphne")
        or os.path.basename(os.path.dirname(program)) == "daphne"
    ):
        return True
    if "runserver" in sys.argv[1:2]:
        return os.environ.get("RUN_MAIN") == "true" or "--noreload" in sys.argv
    return False


def sweep_loop(interval: float, stop: threading.Event) -> None:
    """Run the deadline sweep every `interval` seconds until `stop` is set (embedded default)."""
    from django.db import DatabaseError, close_old_connections
    from django.utils import timezone

    from calls.services.alerts import deadlines_sweep

    while not stop.wait(interval):
        close_old_connections()
        try:
            deadlines_sweep(now=timezone.now())
        except DatabaseError:
            # A locked SQLite file or a dropped connection: log it and try again next round; the
            # sweep is idempotent and the next one raises whatever this one missed.
            logger.exception("in-process deadline sweep failed; retrying in %s s", interval)
        finally:
            close_old_connections()


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = "Calls"
    sweep_stop = threading.Event()

    def ready(self) -> None:
        from django.conf import settings

        # Without Celery beat (the embedded default: SQLite, eager Celery) the web process runs the
        # sweep itself so the demo's timers still fire. Only in the server: a test or a migrate
        # must never have a thread writing alerts behind its back.
        if settings.INPROCESS_SWEEP and serving_web():
            interval = float(settings.DEADLINE_SWEEP_INTERVAL)
            thread = threading.Thread(
                target=sweep_loop, args=(interval, self.sweep_stop), name="deadline-sweep", daemon=True
            )
            thread.start()
            logger.info("in-process deadline sweep every %s s", interval)
        # The living demo (issue 13): DEMO_MOVE_UNITS=True moves the units inside the server.
        if settings.DEMO_MOVE_UNITS and serving_web():
            from calls.demo_loop import demo_loop_start

            demo_loop_start(
                time_scale=settings.DEMO_TIME_SCALE, dispatch=settings.DEMO_DISPATCH, stop=self.sweep_stop
            )
