"""/healthz and /readyz: the probes, and the sweep heartbeat that /readyz watches."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import DatabaseError

from acs_dispatch.health import SWEEP, heartbeat_get
from calls.tasks import deadlines_sweep_task
from tests.conftest import CURRENT_TIME

INTERVAL = 5  # seconds (the test settings' DEADLINE_SWEEP_INTERVAL)


@pytest.fixture(autouse=True)
def _interval(settings):
    settings.DEADLINE_SWEEP_INTERVAL = INTERVAL
    settings.REDIS_URL = ""


def test_it_answers_healthz_whatever_the_host_header(client):
    response = client.get("/healthz", HTTP_HOST="10.0.3.7:8000")

    assert response.status_code == 200
    assert response.content == b"ok"


def test_it_is_not_ready_before_the_first_sweep(client, db):
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["sweep"]
    assert body["checks"]["database"]["ok"] is True
    assert "has not run yet" in body["checks"]["sweep"]["detail"]


def test_it_turns_red_within_three_intervals_after_the_sweep_stops(client, db):
    with time_machine.travel(CURRENT_TIME, tick=False) as clock:
        deadlines_sweep_task()
        assert heartbeat_get(name=SWEEP).at == CURRENT_TIME
        assert client.get("/readyz").status_code == 200

        # The sweep keeps running: still ready long after three intervals from the first run.
        for _ in range(5):
            clock.shift(dt.timedelta(seconds=INTERVAL))
            deadlines_sweep_task()
        assert client.get("/readyz").status_code == 200

        # Then it stops. Up to three intervals later it is still within its allowance...
        clock.shift(dt.timedelta(seconds=3 * INTERVAL))
        assert client.get("/readyz").status_code == 200
        # ...and a moment past three intervals /readyz is red, naming the sweep.
        clock.shift(dt.timedelta(seconds=1))
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["sweep"]
    assert "16 s ago (limit 15 s)" in response.json()["checks"]["sweep"]["detail"]


def test_it_records_no_heartbeat_when_the_sweep_fails(db, monkeypatch):
    def broken(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr("calls.timers.deadlines_sweep", broken)

    with pytest.raises(DatabaseError):
        deadlines_sweep_task()

    assert heartbeat_get(name=SWEEP) is None


def test_it_records_the_heartbeat_from_the_in_process_loop(db, monkeypatch):
    import threading

    from calls import timers

    stop = threading.Event()
    runs = []

    def sweep_once(**kwargs):
        runs.append(kwargs["now"])
        stop.set()  # one round, then the loop ends
        return {}

    monkeypatch.setattr(timers, "deadlines_sweep", sweep_once)
    monkeypatch.setattr(timers, "close_old_connections", lambda: None)

    timers.timers_loop(0.001, stop)

    assert len(runs) == 1
    assert heartbeat_get(name=SWEEP) is not None


def test_it_names_the_database_when_it_does_not_answer(client, db, monkeypatch):
    deadlines_sweep_task()
    monkeypatch.setattr(
        "acs_dispatch.health.check_database", lambda: (False, "database error: OperationalError")
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]


def test_it_names_redis_when_configured_and_not_answering(client, db, settings):
    deadlines_sweep_task()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["redis"]
    assert response.json()["checks"]["redis"]["detail"].startswith("redis error")


@pytest.mark.redis
def test_it_is_ready_with_redis_answering(client, db, settings):
    import os

    deadlines_sweep_task()
    settings.REDIS_URL = os.environ["REDIS_URL"]

    response = client.get("/readyz")

    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["redis"] == {"ok": True, "detail": "ok"}


def test_it_runs_an_in_process_sweep_under_its_own_request_id(db):
    from acs_dispatch.health import sweep_heartbeat
    from acs_dispatch.logs import request_id_get

    seen = []
    with sweep_heartbeat():
        seen.append(request_id_get())

    assert seen[0].startswith("sweep-")
    assert request_id_get() is None
