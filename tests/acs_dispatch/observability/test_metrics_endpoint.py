"""/metrics: who may read it, and the figures it answers with."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from calls.services import assignment_acknowledge
from calls.tasks import deadlines_sweep_task
from live.events import pusher_get
from tests.calls.support import assign
from tests.conftest import CURRENT_TIME


def _samples(response) -> dict[tuple[str, tuple], float]:
    text = response.content.decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_it_refuses_a_scrape_from_another_address(client, db):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 403


def test_it_answers_loopback(client, db):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")


def test_it_answers_another_address_with_the_token(client, db, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"

    good = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    bad = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer guess")

    assert good.status_code == 200
    assert bad.status_code == 403


def test_it_answers_an_allowed_network(client, db, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]

    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_it_reports_the_queue_the_ack_times_and_the_sweep(client, make_call, acs_12, dana, riley, settings):
    settings.DEADLINE_SWEEP_INTERVAL = 5
    with time_machine.travel(CURRENT_TIME, tick=False) as clock:
        waiting = make_call(narrative="man yelling at cars, no weapons")  # police, pending
        clock.shift(dt.timedelta(seconds=30))
        welfare = make_call(call_type="WELCK", narrative="elderly woman confused, no weapons")
        assignment = assign(welfare, acs_12, dana)
        clock.shift(dt.timedelta(seconds=42))
        assignment_acknowledge(assignment=assignment, actor=riley)
        deadlines_sweep_task()
        clock.shift(dt.timedelta(seconds=3))
        response = client.get("/metrics")

    samples = _samples(response)
    agency_of_waiting = waiting.lead
    assert samples[("acs_queue_depth", (("agency", agency_of_waiting),))] >= 1
    assert samples[("acs_oldest_pending_call_age_seconds", (("agency", agency_of_waiting),))] == 75.0
    assert samples[("acs_time_to_acknowledge_seconds_count", ())] == 1
    assert samples[("acs_time_to_acknowledge_seconds_sum", ())] == 42.0
    assert samples[("acs_time_to_acknowledge_seconds_bucket", (("le", "30.0"),))] == 0
    assert samples[("acs_time_to_acknowledge_seconds_bucket", (("le", "45.0"),))] == 1
    assert samples[("acs_sweep_lag_seconds", ())] == 3.0
    assert ("acs_sweep_last_duration_seconds", ()) in samples
    assert samples[("acs_event_log_last_id", ())] > 0


def test_it_counts_committed_events_and_times_their_push(make_call, django_capture_on_commit_callbacks):
    def value(name, labels=None):
        return REGISTRY.get_sample_value(name, labels or {}) or 0.0

    created_before = value("acs_events_appended_total", {"kind": "call.created"})
    pushes_before = value("acs_push_latency_seconds_count")

    # The real push (the in-memory layer of the tests, sent inline), so its time is measured.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_call()
    assert pusher_get().drain()  # with Redis the push runs on the pusher thread

    assert callbacks
    assert value("acs_events_appended_total", {"kind": "call.created"}) == created_before + 1
    assert value("acs_push_latency_seconds_count") > pushes_before


@pytest.mark.django_db
def test_it_still_answers_the_process_figures_when_the_database_fails(client, monkeypatch):
    from django.db import DatabaseError

    def broken(self):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("acs_dispatch.metrics_views.DatabaseCollector.collect", broken)

    response = client.get("/metrics")

    assert response.status_code == 200
    assert b"acs_push_latency_seconds" in response.content
    assert b"# database figures unavailable" in response.content
