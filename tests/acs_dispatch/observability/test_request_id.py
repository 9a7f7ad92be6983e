"""Request ids: taken or made per request, answered, logged as JSON, stored on events, carried into
Celery tasks (acs_dispatch/logs.py)."""

from __future__ import annotations

import json
import logging
import re

import pytest
from celery import shared_task
from celery.signals import before_task_publish

from acs_dispatch import probes
from acs_dispatch.celery import app
from acs_dispatch.logs import JsonFormatter, RequestIdFilter, request_id_get
from live.models import Event

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def test_it_answers_with_a_new_request_id(client, db):
    response = client.get("/healthz")

    assert HEX_ID.match(response["X-Request-ID"])


def test_it_answers_with_the_callers_request_id(client, db):
    response = client.get("/login/", HTTP_X_REQUEST_ID="lb-7f3a-0001")

    assert response["X-Request-ID"] == "lb-7f3a-0001"


@pytest.mark.parametrize("junk", ["two\nlines", "x" * 200, 'quote"d', ""])
def test_it_replaces_a_request_id_that_is_not_a_sane_token(client, db, junk):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=junk)

    assert HEX_ID.match(response["X-Request-ID"])


def test_it_stores_the_request_id_on_the_events_the_request_appends(api_as, carla, zones, call_types, rules):
    response = api_as(carla).post(
        "/api/v1/calls",
        {"narrative": "man yelling at cars, no weapons", "lat": 35.0844, "lon": -106.6504},
        format="json",
        HTTP_X_REQUEST_ID="req-intake-42",
    )

    assert response.status_code == 201, response.content
    events = Event.objects.filter(call_id=response.json()["id"])
    assert events.exists()
    assert set(events.values_list("request_id", flat=True)) == {"req-intake-42"}


def test_it_leaves_the_request_id_empty_on_events_outside_a_request(make_call):
    call = make_call()

    assert set(Event.objects.filter(call_id=call.pk).values_list("request_id", flat=True)) == {None}


def _json_line(logger_name: str, emit) -> dict:
    """Run `emit(logger)` with a JSON handler (the production LOGGING's filter and formatter)."""
    lines: list[str] = []

    class ListHandler(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = ListHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    assert len(lines) == 1
    return json.loads(lines[0])


def test_it_writes_the_request_id_on_every_log_line_of_a_request(client, db, monkeypatch):
    import acs_dispatch.health as health

    def readyz_logging(request):
        logging.getLogger("acs.test").warning("probe for %s", "readiness", extra={"probe": "readyz"})
        return health.healthz(request)

    monkeypatch.setitem(probes.PROBES, "/readyz", readyz_logging)
    line = {}

    def emit(logger):
        line["response"] = client.get("/readyz", HTTP_X_REQUEST_ID="trace-abc")

    entry = _json_line("acs.test", emit)

    assert entry["request_id"] == "trace-abc"
    assert entry["message"] == "probe for readiness"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "acs.test"
    assert entry["probe"] == "readyz"
    assert entry["time"].endswith("+00:00")


def test_it_writes_a_traceback_as_one_json_field():
    def emit(logger):
        try:
            raise ValueError("bad frame")
        except ValueError:
            logger.exception("socket frame rejected")

    entry = _json_line("acs.test", emit)

    assert entry["request_id"] == "-"
    assert "ValueError: bad frame" in entry["exc_info"]


@shared_task(name="tests.request_id_seen")
def request_id_seen() -> str | None:
    return request_id_get()


def test_it_sends_the_request_id_with_a_task_queued_during_a_request(client, db, monkeypatch):
    published: list[dict] = []

    def record(headers=None, **kwargs):
        published.append(dict(headers or {}))

    before_task_publish.connect(record)
    # Published for real up to the broker, which is stubbed: no worker would take the message.
    monkeypatch.setattr("kombu.messaging.Producer.publish", lambda self, *args, **kwargs: None)
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False

    def queue_task(request):
        request_id_seen.delay()
        from django.http import HttpResponse

        return HttpResponse("queued")

    monkeypatch.setitem(probes.PROBES, "/readyz", queue_task)
    try:
        client.get("/readyz", HTTP_X_REQUEST_ID="req-queue-7")
    finally:
        before_task_publish.disconnect(record)
        app.conf.task_always_eager = eager

    assert [h.get("request_id") for h in published] == ["req-queue-7"]


def test_it_runs_a_task_under_the_request_id_it_was_sent_with():
    assert request_id_seen.apply(headers={"request_id": "req-queue-7"}).get() == "req-queue-7"


def test_it_runs_a_task_from_beat_under_its_own_task_id():
    result = request_id_seen.apply(task_id="beat-sweep-1")

    assert result.get() == "beat-sweep-1"
    assert request_id_get() is None  # reset after the task
