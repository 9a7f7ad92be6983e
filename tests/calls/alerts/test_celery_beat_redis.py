"""A real Celery worker and beat against Redis raise an alert that arrives on a websocket.

Run with REDIS_URL=redis://127.0.0.1:6379/1 (and DATABASE_URL for PostgreSQL). The worker and
beat are subprocesses on the test database (the PostgreSQL test database, or the SQLite test file),
and on the same channels-redis layer as the socket opened here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]


def _worker_env() -> dict[str, str]:
    from django.conf import settings
    from django.db import connection

    env = {**os.environ, "DEADLINE_SWEEP_INTERVAL": "1", "CELERY_TASK_ALWAYS_EAGER": "False"}
    env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        base = settings.DATABASE_URL.rsplit("/", 1)[0]
        env["DATABASE_URL"] = f"{base}/{name}"
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(name)
    return env


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    celery = str(Path(sys.executable).with_name("celery"))
    return subprocess.Popen(
        [celery, "-A", "acs_dispatch", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _unacknowledged_assignment(zones, acs_12) -> None:
    """ACS-12 assigned 30 s ago and silent; the ACK clock of ACS P2 set to 10 s / 1 h."""
    from calls.models import Assignment, Call, DeadlineThreshold
    from responders.models import Unit

    DeadlineThreshold.objects.create(
        kind="ACK", agency="ACS", priority=2, warn_seconds=10, escalate_seconds=3600
    )
    assigned_at = timezone.now() - dt.timedelta(seconds=30)
    call = Call.objects.create(
        number="26-B00001",
        received_at=assigned_at,
        narrative="talking to himself, calm, no weapons",
        lat=35.0844,
        lon=-106.6504,
        zone=zones["Valley"],
        agencies=["ACS"],
        lead="ACS",
        priority=2,
        status=Call.Status.DISPATCHED,
    )
    Unit.objects.filter(pk=acs_12.pk).update(status=Unit.Status.DISPATCHED, status_since=assigned_at)
    Assignment.objects.create(call=call, unit=acs_12, assigned_at=assigned_at)


async def test_it_pushes_an_alert_raised_by_the_beat_and_worker_to_the_dispatch_board(
    zones, acs_12, dana, tmp_path
):
    from django.conf import settings
    from knox.models import AuthToken

    from acs_dispatch.asgi import application

    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    await database_sync_to_async(_unacknowledged_assignment)(zones, acs_12)
    _, key = await database_sync_to_async(AuthToken.objects.create)(user=dana)
    env = await database_sync_to_async(_worker_env)()
    ws = WebsocketCommunicator(
        application,
        "/ws/dispatch/",
        headers=[
            (b"origin", b"http://testserver"),
            (b"host", b"testserver"),
            (b"authorization", f"Token {key}".encode()),
        ],
    )
    connected, _ = await ws.connect()
    assert connected
    snapshot = await ws.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot"
    assert snapshot["alerts"] == []

    worker = _start(["worker", "--pool=solo", "--concurrency=1", "-l", "info"], env, tmp_path / "worker.log")
    beat = _start(
        ["beat", "-l", "info", "-s", str(tmp_path / "beat-schedule"), "--pidfile="],
        env,
        tmp_path / "beat.log",
    )
    try:
        frame = None
        deadline = asyncio.get_running_loop().time() + 60
        while asyncio.get_running_loop().time() < deadline:
            # One long wait per frame: a communicator that times out cancels the application.
            received = await ws.receive_json_from(timeout=60)
            if received.get("type") == "event" and received["kind"] == "alert.raised":
                frame = received
                break
        logs = "\n".join(p.read_text()[-3000:] for p in (tmp_path / "worker.log", tmp_path / "beat.log"))
        assert frame is not None, f"no alert.raised frame within 60 s; logs:\n{logs}"
    finally:
        _stop(beat)
        _stop(worker)
        await ws.disconnect()

    assert frame["data"]["alert"]["kind"] == "ACK"
    assert frame["data"]["alert"]["unit_call_sign"] == "ACS-12"
    assert frame["data"]["call"]["number"] == "26-B00001"
    assert frame["stream"] == "dispatch"
