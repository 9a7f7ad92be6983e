"""Liveness, readiness and the heartbeat of the deadline sweep.

- `/healthz`: the process answers (nothing else is checked: a restart would not fix a database).
- `/readyz`: the database answers, Redis answers when REDIS_URL is set, and the deadline sweep
  finished less than three sweep intervals ago. 503 naming the failed check otherwise: if the timer
  loop dies, no acknowledgement or queue alert is ever raised again, and nobody would notice.

The sweep records its heartbeat (`sweep_heartbeat`) in the database, so the web process sees a
sweep run by a Celery worker on another machine as well as the in-process loop of the embedded
default.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from acs_dispatch.logs import request_id_bound, request_id_get, request_id_new
from acs_dispatch.models import Heartbeat
from live import metrics

logger = logging.getLogger(__name__)

SWEEP = "deadline_sweep"  # the Heartbeat row of the deadline sweep
STALE_INTERVALS = 3  # readiness fails when the sweep is older than this many intervals
REDIS_TIMEOUT = 1.0  # seconds: a probe must answer fast, whatever Redis does


def heartbeat_record(*, name: str, at: dt.datetime, duration: float) -> None:
    """Store that the loop `name` finished at `at` after `duration` seconds (upsert, one row)."""
    Heartbeat.objects.update_or_create(name=name, defaults={"at": at, "duration": duration})


def heartbeat_get(*, name: str) -> Heartbeat | None:
    return Heartbeat.objects.filter(name=name).first()


@contextmanager
def sweep_heartbeat() -> Iterator[None]:
    """Time one run of the deadline sweep; on success record its heartbeat and its duration.

    A sweep that raises records nothing: a sweep failing every time must turn /readyz red as
    surely as a sweep that no longer runs.
    """
    started = time.perf_counter()
    # A sweep from beat runs under its task id; the in-process loop gets an id per run, so its
    # log lines and the alerts it raises can be told apart and joined.
    with request_id_bound(request_id_get() or f"sweep-{request_id_new()}"):
        yield
    duration = time.perf_counter() - started
    heartbeat_record(name=SWEEP, at=timezone.now(), duration=duration)
    metrics.SWEEP_DURATION.observe(duration)


def sweep_interval() -> float:
    return float(settings.DEADLINE_SWEEP_INTERVAL)


# --- checks: each returns (ok, detail)
def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("readiness: database check failed: %s", exc)
        return False, f"database error: {exc.__class__.__name__}"
    return True, "ok"


def check_redis() -> tuple[bool, str]:
    url = settings.REDIS_URL
    if not url:
        return True, "not configured"
    import redis  # only needed when REDIS_URL is set; the embedded default runs without it

    client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
    try:
        client.ping()
    except redis.RedisError as exc:
        logger.warning("readiness: redis check failed: %s", exc)
        return False, f"redis error: {exc.__class__.__name__}"
    finally:
        client.close()
    return True, "ok"


def check_sweep(*, now: dt.datetime | None = None) -> tuple[bool, str]:
    now = now or timezone.now()
    limit = STALE_INTERVALS * sweep_interval()
    try:
        beat = heartbeat_get(name=SWEEP)
    except DatabaseError:
        return False, "heartbeat unreadable"
    if beat is None:
        return False, "the deadline sweep has not run yet"
    age = (now - beat.at).total_seconds()
    if age > limit:
        return False, f"last deadline sweep {age:.0f} s ago (limit {limit:.0f} s)"
    return True, f"last deadline sweep {max(age, 0):.1f} s ago"


def readiness() -> tuple[bool, dict[str, Any]]:
    checks = {}
    for name, check in (("database", check_database), ("redis", check_redis), ("sweep", check_sweep)):
        ok, detail = check()
        checks[name] = {"ok": ok, "detail": detail}
    ready = all(c["ok"] for c in checks.values())
    failed = [name for name, c in checks.items() if not c["ok"]]
    return ready, {"status": "ok" if ready else "unavailable", "failed": failed, "checks": checks}


def healthz(request: HttpRequest) -> HttpResponse:
    """Alive: the process answers. Checks nothing else on purpose."""
    return HttpResponse("ok", content_type="text/plain")


def readyz(request: HttpRequest) -> JsonResponse:
    ready, body = readiness()
    return JsonResponse(body, status=200 if ready else 503)
