"""Helpers of the fault tests (issue 16): real daphne processes on PostgreSQL and Redis, with faults injected by pid.

Nothing here touches the shared services' data: the tests make a PostgreSQL database of their own
on DATABASE_URL's server (migrated once per session) and start their OWN redis-server on a free
port for each test (killed, frozen and restarted by its pid; the shared Redis is never touched).

- `fault_db`: the URL of that database, with a call-taker and a dispatcher and their API tokens
  (`fault_db.tokens`).
- `redis_proc`: a `RedisServer` (start, kill -9, stop/cont, restart on the same port).
- `web`: a factory of `Web` daphne processes on that database and Redis (kill -9, restart on the
  same port).
- `Board`: a /ws/dispatch/ client that records every frame, and (like static/js/live.js)
  reconnects with jitter and resumes by id; `resume_on_gap=False` keeps it from resuming on a
  broken prev chain, so what the server skips shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from scripts.devserver import free_port

ROOT = Path(__file__).resolve().parents[2]

SEED = """
import json
import django
django.setup()
from knox.models import AuthToken
from acs_dispatch.models import User
from acs_dispatch.services import user_create
from responders.services import agencies_ensure
from triage.services import ruleset_seed_default
agencies_ensure()
ruleset_seed_default()
tokens = {}
for name, role in (("fault_calltaker", "call_taker"), ("fault_dispatcher", "dispatcher")):
    user = User.objects.filter(username=name).first() or user_create(
        username=name, role=role, password="fault-password-2026", check_password=False)
    tokens[role] = AuthToken.objects.create(user=user)[1]
print("TOKENS " + json.dumps(tokens))
"""


def _admin_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/postgres"


class FaultDb(str):
    tokens: dict[str, str]


def app_env(database_url: str, redis_url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL", "TEST_DB_NAME", "SQLITE_PATH")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="acs_dispatch.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="False",
        SECRET_KEY="fault-tests-secret-key-not-for-production-0123456789abcdef",
        SECURE_SSL_REDIRECT="False",
        TIMERS="off",
        LOG_LEVEL="WARNING",
        LOG_FORMAT="text",
        PYTHONUNBUFFERED="1",
    )
    return env


def log_head(database_url: str, stream: str = "dispatch") -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT last_event_id FROM calls_streamhead WHERE stream = %s", [stream]
        ).fetchone()
    return row[0] if row else 0


def log_ids(database_url: str, after: int, stream: str = "dispatch") -> list[int]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT event_id FROM calls_eventdelivery WHERE stream = %s AND event_id > %s ORDER BY event_id",
            [stream, after],
        ).fetchall()
    return [r[0] for r in rows]


class RedisServer:
    def __init__(self, tmp: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail(
                "the fault tests start their own redis-server: install it (apt-get install redis-server)"
            )
        self.binary = binary
        self.port = free_port()
        self.dir = tmp
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        import redis

        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if redis.Redis(port=self.port, socket_timeout=1).ping():
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def freeze(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGCONT)
                self.proc.kill()
            self.proc.wait()


class Web:
    """One daphne process on 127.0.0.1:port, started and killed by its pid."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.port = free_port()
        self.log = log
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "acs_dispatch.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.log, "a"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, OSError),
                urllib.request.urlopen(self.url + "/healthz", timeout=2) as resp,
            ):
                if resp.status == 200:
                    return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"daphne did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def exceptions(self) -> int:
        return self.log.read_text().count("Exception inside application")


def post_call(base_url: str, token: str, i: int) -> tuple[int, float]:
    """POST /api/v1/calls; (status, seconds taken)."""
    body = json.dumps(
        {
            "narrative": f"fault test call {i}: man shouting at traffic, no weapons seen",
            "address": f"{100 + i} Central Ave SW",
            "lat": 35.0844,
            "lon": -106.6504,
        }
    ).encode()
    request = urllib.request.Request(base_url + "/api/v1/calls", data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", f"Token {token}")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            status = resp.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.monotonic() - started


class Board:
    """A /ws/dispatch/ client. Records each event frame's id once, counts duplicates and breaks of
    the prev chain; reconnects (jittered) and resumes by id, like static/js/live.js."""

    def __init__(self, base_url: str, token: str, *, resume_on_gap: bool = True) -> None:
        self.url = base_url.replace("http://", "ws://") + "/ws/dispatch/"
        self.origin = base_url
        self.token = token
        self.resume_on_gap = resume_on_gap
        self.baseline: int | None = None
        self.last: int | None = None
        self.ids: list[int] = []
        self.duplicates = 0
        self.breaks = 0
        self.connects = 0
        self.closes: list[int | None] = []
        self.resuming = False
        self.ready = asyncio.Event()
        self.stopped = False
        self.ws = None
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.stopped = False
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        self.stopped = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task

    async def _run(self) -> None:
        from websockets.asyncio.client import connect

        attempt = 0
        while not self.stopped:
            try:
                async with connect(
                    self.url,
                    additional_headers={"Authorization": f"Token {self.token}"},
                    origin=self.origin,
                    max_size=None,
                    open_timeout=10,
                    ping_interval=None,
                ) as ws:
                    self.ws = ws
                    self.connects += 1
                    async for text in ws:
                        await self._frame(ws, json.loads(text))
                        attempt = 0
                    self.closes.append(ws.close_code)
            except asyncio.CancelledError:
                raise
            except Exception:
                self.closes.append(None)
            self.ws = None
            if self.stopped:
                return
            attempt += 1
            await asyncio.sleep(0.1 + random.random() * min(2.0, 0.2 * 2**attempt))

    async def _frame(self, ws, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "snapshot":
            if self.last is None:
                self.baseline = self.last = frame["last_event_id"]
                self.ready.set()
            else:
                # A reconnect: keep what we hold and fetch exactly what was missed.
                self.resuming = True
                await ws.send(json.dumps({"type": "resume", "after": self.last}))
        elif kind == "replayed":
            self.resuming = False
        elif kind == "event":
            if frame["id"] in self.ids:
                self.duplicates += 1
                return
            if frame["id"] < (self.last or 0):
                self.duplicates += 1  # older than what we hold: out of order
                return
            if frame["prev"] != self.last:
                self.breaks += 1
                if self.resume_on_gap and not self.resuming:
                    self.resuming = True
                    await ws.send(json.dumps({"type": "resume", "after": self.last}))
                return
            self.ids.append(frame["id"])
            self.last = frame["id"]


async def boards_open(urls_tokens: list[tuple[str, str]], **kwargs) -> list[Board]:
    boards = [Board(url, token, **kwargs) for url, token in urls_tokens]
    for board in boards:
        board.start()
    await asyncio.wait_for(asyncio.gather(*(b.ready.wait() for b in boards)), timeout=30)
    return boards


async def until_caught_up(boards: list[Board], database_url: str, timeout: float = 30) -> int:
    """Wait until every board holds the log's head; returns the head."""
    deadline = time.monotonic() + timeout
    while True:
        head = await asyncio.to_thread(log_head, database_url)
        if all(b.last == head for b in boards) or time.monotonic() > deadline:
            return head
        await asyncio.sleep(0.2)


async def intake(
    base_url: str, token: str, *, seconds: float, every: float, start: int = 0
) -> list[tuple[int, float]]:
    """POST calls one after another, one per `every` s, for `seconds`; each (status, seconds)."""
    results: list[tuple[int, float]] = []
    end = time.monotonic() + seconds
    i = start
    while time.monotonic() < end:
        results.append(await asyncio.to_thread(post_call, base_url, token, i))
        i += 1
        await asyncio.sleep(every)
    return results
