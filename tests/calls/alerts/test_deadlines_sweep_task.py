"""The Celery task and the in-process loop of the embedded default."""

from __future__ import annotations

import datetime as dt
import threading

import time_machine

from acs_dispatch.celery import app
from calls import timers as calls_timers
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


def test_it_runs_the_in_process_loop_only_when_configured(settings, monkeypatch):
    started = []
    monkeypatch.setattr(calls_timers, "_thread", None)
    monkeypatch.setattr(calls_timers.threading, "Thread", lambda **kw: started.append(kw) or _NoThread())

    settings.TIMERS = "celery"
    assert calls_timers.timers_start() is False
    settings.TIMERS = "off"
    assert calls_timers.timers_start() is False
    assert started == []

    settings.TIMERS = "inprocess"
    assert calls_timers.timers_start() is True
    assert calls_timers.timers_start() is True  # once per process
    assert len(started) == 1


class _NoThread:
    def start(self) -> None:
        pass


def test_it_sweeps_on_the_in_process_loop(db, monkeypatch):
    stop = threading.Event()
    swept = []

    def fake_sweep(*, now):
        swept.append(now)
        stop.set()
        return {}

    monkeypatch.setattr(calls_timers, "deadlines_sweep", fake_sweep)

    calls_timers.timers_loop(0.01, stop)

    assert len(swept) == 1


def test_it_caches_the_kpi_periods_on_the_in_process_loop_too(db, monkeypatch):
    # One timer runtime: what beat runs in production (kpi_periods_build_task) runs here as well.
    stop = threading.Event()
    built = []

    def fake_build(*, before):
        built.append(before)
        stop.set()
        return {}

    monkeypatch.setattr(calls_timers, "deadlines_sweep", lambda *, now: {})
    monkeypatch.setattr(calls_timers, "kpi_periods_build", fake_build)

    calls_timers.timers_loop(0.01, stop)

    assert len(built) == 1


def test_it_leaves_the_last_hour_of_the_city_day_to_the_live_count(monkeypatch, settings):
    settings.CITY_TIME_ZONE = "America/Denver"
    built = []
    monkeypatch.setattr(calls_timers, "kpi_periods_build", lambda *, before: built.append(before) or {})

    # 07:30 UTC is 00:30 on the 15th in Albuquerque: the hour's margin still counts the 14th live.
    calls_timers.kpi_cache_tick(now=dt.datetime(2026, 1, 15, 7, 30, tzinfo=dt.UTC))
    calls_timers.kpi_cache_tick(now=dt.datetime(2026, 1, 15, 8, 30, tzinfo=dt.UTC))

    assert built == [dt.date(2026, 1, 14), dt.date(2026, 1, 15)]
