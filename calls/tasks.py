"""Background work of the calls app: the floor's timers (calls/timers.py) under Celery beat."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from calls.timers import kpi_cache_tick, timers_tick

# The sweep runs in well under a second (bench/sweep.py: 10,000 open calls); these limits stop a
# sweep stuck on a lock long before the broker's 300 s visibility timeout would redeliver it.
SWEEP_SOFT_TIME_LIMIT = 45  # seconds
SWEEP_TIME_LIMIT = 60  # seconds


@shared_task(
    name="calls.tasks.deadlines_sweep_task",
    # acks_late: a worker killed mid-sweep leaves the message for another worker; a second run is
    # harmless because every alert is unique in the database.
    acks_late=True,
    ignore_result=True,
    soft_time_limit=SWEEP_SOFT_TIME_LIMIT,
    time_limit=SWEEP_TIME_LIMIT,
)
def deadlines_sweep_task() -> dict[str, int]:
    """Run one deadline sweep at the current time. Takes no arguments: it reads the clocks itself."""
    return timers_tick(now=timezone.now())


@shared_task(name="calls.tasks.kpi_periods_build_task", ignore_result=True)
def kpi_periods_build_task() -> dict[str, int]:
    """Cache the KPI counts of the past days and months not cached yet (calls.timers.kpi_cache_tick)."""
    return kpi_cache_tick(now=timezone.now())
