"""Request ids and log lines.

Every HTTP request gets an id: the caller's `X-Request-ID` when it is a sane token, a fresh one
otherwise. It is kept in a context variable for the whole request, written on every log line
(`RequestIdFilter`), returned in the `X-Request-ID` response header, stored on every Event the
request appends (live.events) and sent along with every Celery task the request queues
(a task header; the worker takes it up before the task runs). A task queued by beat, with no
request behind it, runs under its own task id.

Log lines are JSON objects (`JsonFormatter`) or plain text, per LOG_FORMAT.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun

from live.request_id import _request_id, request_id_get  # noqa: F401 (request_id_get re-exported)

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
# An incoming id is echoed into logs and headers: only a short token of safe characters is
# taken, so a caller cannot forge log lines or split headers with it.
VALID_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

# The context variable itself lives in live/request_id.py (the event log reads it).


def request_id_new() -> str:
    return uuid.uuid4().hex


@contextmanager
def request_id_bound(request_id: str) -> Iterator[str]:
    """Serve the block under `request_id` (background work with no request: the in-process sweep)."""
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)


def request_id_from_header(value: str | None) -> str:
    """The caller's id when it is a sane token, else a fresh one."""
    if value and VALID_ID.match(value):
        return value
    return request_id_new()


class RequestIdMiddleware:
    """First in MIDDLEWARE: sets the request id for everything after it and answers with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from_header(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Put the current request id on every record (`-` outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_get() or "-"
        return True


# Attributes every LogRecord has; anything else on a record came from `extra=` and is kept.
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, the
    `extra=` fields, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_get(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


# --- Celery: carry the id from the request that queues a task to the worker that runs it
@before_task_publish.connect
def request_id_to_task(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = request_id_get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


@task_prerun.connect
def request_id_from_task(task: Any = None, **kwargs: Any) -> None:
    # Eager tasks (the embedded default) run inside the request: keep its id. A worker's task
    # has the header; a task from beat has neither and runs under its own task id.
    request = getattr(task, "request", None)
    headers = getattr(request, "headers", None) or {}  # `task.apply(headers=...)` nests them here
    request_id = (
        getattr(request, TASK_HEADER, None)  # a worker's task: message headers become attributes
        or headers.get(TASK_HEADER)
        or request_id_get()
        or getattr(request, "id", None)
    )
    token = _request_id.set(request_id)
    if request is not None:
        request._request_id_token = token


@task_postrun.connect
def request_id_task_done(task: Any = None, **kwargs: Any) -> None:
    token = getattr(getattr(task, "request", None), "_request_id_token", None)
    if token is not None:
        try:
            _request_id.reset(token)
        except ValueError:
            # Set in another context (a worker pool thread switched): clear it instead.
            _request_id.set(None)
