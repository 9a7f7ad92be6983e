"""The Celery app: broker from CELERY_BROKER_URL (Redis when REDIS_URL is set), eager when unset.

Run with PostgreSQL and Redis:
    celery -A acs_dispatch worker -l info
    celery -A acs_dispatch beat -l info     # exactly one beat; a second is harmless, only wasteful
Beat queues calls.tasks.deadlines_sweep_task every DEADLINE_SWEEP_INTERVAL seconds, and
calls.tasks.kpi_periods_build_task every KPI_CACHE_INTERVAL seconds.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acs_dispatch.settings")

app = Celery("acs_dispatch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def beat_schedule_add(sender: Celery, **kwargs) -> None:
    """The deadline sweep every DEADLINE_SWEEP_INTERVAL seconds (settings read when configured)."""
    from django.conf import settings

    interval = float(settings.DEADLINE_SWEEP_INTERVAL)
    sender.add_periodic_task(
        interval,
        sender.signature("calls.tasks.deadlines_sweep_task"),
        name="deadlines-sweep",
        # A sweep still queued when the next one is due is useless: the next one covers it.
        # Expiring it keeps a backlog from piling up while the workers are down.
        expires=interval,
    )
    # The KPI counts of the days that ended (and of the days a late change dropped).
    cache_interval = float(settings.KPI_CACHE_INTERVAL)
    sender.add_periodic_task(
        cache_interval,
        sender.signature("calls.tasks.kpi_periods_build_task"),
        name="kpi-periods-build",
        expires=cache_interval,
    )
