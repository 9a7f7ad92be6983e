"""The Celery task and the in-process loop of the embedded default."""

from __future__ import annotations

import datetime as dt
import threading

import time_machine

from acs_dispatch.celery import app
from calls import apps as calls_apps
from calls.models import Alert
from calls.tasks import deadlines_sweep_task
from tests.conftest import CURRENT_TIME


def test_it_runs_the_sweep_at_the_current_time(acs_call, acs_12, assign):
    assign(acs_call, acs_12)

    with time_machine.travel(CURRENT_TIME + dt.timedelta(seconds=90), tick=False):
        result = deadlines_sweep_task.apply().get()

    assert result == {"ACK.1": 1}
    assert Alert.objects.filter(kind="ACK").count() == 1


def test_it_acknowledges_late_and_takes_no_arguments():
    assert deadlines_sweep_task.acks_late is True
    assert deadlines_sweep_task.time_limit < 300  # well inside the broker's visibility timeout


def test_it_schedules_the_sweep_every_interval(settings):
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule["deadlines-sweep"]

    assert schedule["task"] == "calls.tasks.deadlines_sweep_task"
    assert schedule["schedule"] == float(settings.DEADLINE_SWEEP_INTERVAL)


def test_it_runs_the_in_process_sweep_only_in_a_web_server(monkeypatch):
    monkeypatch.setattr("sys.argv", ["/usr/bin/pytest", "tests"])
    assert calls_apps.serving_web() is False
    monkeypatch.setattr("sys.argv", [".venv/bin/daphne", "acs_dispatch.asgi:application"])
    assert calls_apps.serving_web() is True
    monkeypatch.setattr("sys.argv", ["manage.py", "runserver"])
    monkeypatch.delenv("RUN_MAIN", raising=False)
    assert calls_apps.serving_web() is False  # the autoreloader's parent
    monkeypatch.setenv("RUN_MAIN", "true")
    assert calls_apps.serving_web() is True
    monkeypatch.setattr("sys.argv", ["manage.py", "migrate"])
    assert calls_apps.serving_web() is False


def test_it_sweeps_on_the_in_process_loop(db, monkeypatch):
    stop = threading.Event()
    swept = []

    def fake_sweep(*, now):
        swept.append(now)
        stop.set()
        return {}

    monkeypatch.setattr("calls.services.alerts.deadlines_sweep", fake_sweep)

    calls_apps.sweep_loop(0.01, stop)

    assert len(swept) == 1
