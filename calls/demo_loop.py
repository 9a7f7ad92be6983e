"""The living demo inside the web process (issue 13): with DEMO_MOVE_UNITS=True (./run.sh demo mode)
a thread moves the units every second, as `manage.py simulate_units` does from outside. Inside the
web process the "unit.moved" pushes reach the screens at once on the embedded in-memory layer."""

from __future__ import annotations

import logging
import threading
import time

from django.db import DatabaseError, close_old_connections

from acs_dispatch.exceptions import DispatchError
from calls.demo import calls_autodispatch, demo_actor
from calls.simulation import units_simulate_step

logger = logging.getLogger(__name__)
TICK_S = 1.0


def demo_loop(*, time_scale: float, dispatch: bool, stop: threading.Event) -> None:
    last = time.monotonic()
    while not stop.wait(TICK_S):
        close_old_connections()
        try:
            now = time.monotonic()
            actor = demo_actor()
            if dispatch:
                calls_autodispatch(actor=actor)
            units_simulate_step(seconds=now - last, actor=actor, time_scale=time_scale)
            last = now
        except (DatabaseError, DispatchError):
            # A locked SQLite file, a lost race with a dispatcher: the next tick carries on.
            logger.exception("demo simulation step failed; retrying")
        finally:
            close_old_connections()


def demo_loop_start(*, time_scale: float, dispatch: bool, stop: threading.Event) -> None:
    thread = threading.Thread(
        target=demo_loop, kwargs={"time_scale": time_scale, "dispatch": dispatch, "stop": stop},
        name="demo-simulation", daemon=True,
    )  # fmt: skip
    thread.start()
    logger.info("demo simulation: units move (time scale %s, dispatch %s)", time_scale, dispatch)
