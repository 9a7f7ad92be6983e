"""Sustained load on several daphne processes behind HAProxy, on PostgreSQL and Redis (issue 16).

    .venv/bin/python bench/load.py --procs 2 --rate 10 --duration 60 --boards 50 --units 100
    .venv/bin/python bench/load.py --procs 2 --rate 5 --duration 100 --boards 50 --units 100 \
        --drop-boards 50 --drop-after 15 --drop-for 60
    .venv/bin/python bench/load.py --procs 2 --rate 5 --duration 60 --boards 200 --units 50 \
        --open-calls 600 --restart-after 20

What it does:
1. makes a PostgreSQL database of its own (`--db`, dropped and created again on
   DATABASE_ADMIN_URL's server, default postgres://postgres@127.0.0.1:5432/postgres), migrates it,
   runs seed_demo, adds `--units` bench units each crewed by a responder user (user_create, in one
   process: `manage.py add_user NAME --role responder --unit CALL_SIGN` does the same one at a time)
   and takes API tokens for them, the demo call-taker and the demo dispatcher;
2. empties Redis database `--redis-db` (the bench's own: never the app's) and starts `--procs`
   daphne processes (DEBUG=False, TIMERS=off) and HAProxy (deploy/haproxy.cfg, its bind and server
   lines rewritten for this run's ports) in front of them;
3. opens `--boards` /ws/dispatch/ sockets (the dispatcher's token) and `--units` /ws/unit/ sockets
   (one responder each) through the proxy, which spreads them over the processes (leastconn);
4. POSTs calls to /api/v1/calls through the proxy at `--rate` per second for `--duration`
   seconds (open loop: each call starts on its schedule whatever the earlier ones do), and assigns
   a `--assign` share of them to a bench unit (each unit once: its socket gets events too);
5. meanwhile, for 20 s, measures the raw Redis pub/sub floor with as many subscribers as sockets:
   one redis-py publish, received by every subscriber; same machine, same load;
6. with `--drop-boards K`: at `--drop-after` s closes K boards, reopens them `--drop-for` s later
   (all at once, 0-0.5 s jitter) and measures how long each takes to be back in sync: it reconnects
   with ?after=<its last id>, as live.js does, and is in sync at the `replayed` frame that ends the
   missed events, or at a fresh snapshot when it is more than REPLAY_LIMIT events behind (then, as
   in live.js, it takes the snapshot's state; the events it covers count as delivered, and
   `snapshot_resyncs` says how often that happened).
7. with `--restart-after S` (and `--open-calls N` waiting before the sockets open): S s into the
   intake, SIGKILLs web process 0 and starts it again; reports how many sockets the kill closed and
   how long after the kill each was back in sync (reconnected through the proxy with ?after, up to
   its `replayed`): issue 16's "200 screens back in sync within 10 s of a daphne restart".

Figures: the intake rate achieved (created calls / intake seconds); API latency of POST /calls
from each call's scheduled start (so a slow server is not hidden by a late client); commit-to-screen
per event frame at every socket, as receive time minus the event's `at` (stamped in the committing
transaction just before commit, so it slightly overstates) and, for call.created at boards,
receive time minus the POST's response time (understates: the commit precedes the response; may
be negative); per socket, events lost (in the log for its stream after its first snapshot, never
received) and duplicated (received twice), and breaks of the prev chain (an event whose `prev` is
not the last id the socket holds; what makes a browser resume). Sockets never resume on a break
here, so what the server skips shows.

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import redis
from websockets.asyncio.client import connect as ws_connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.devserver import free_port  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
DAPHNE = str(ROOT / ".venv" / "bin" / "daphne")
DEMO_PASSWORD = "acs-demo-2026"

SEED_UNITS = """
import json, sys
import django
django.setup()
from knox.models import AuthToken
from acs_dispatch.models import User
from acs_dispatch.services import user_create
from responders.models import Zone
from responders.services import unit_ensure
n = int(sys.argv[1])
zone = Zone.objects.filter(kind=Zone.Kind.SERVICE).order_by("pk").first()
units = {}
for i in range(n):
    sign = f"BENCH-{i:03d}"
    unit, _ = unit_ensure(call_sign=sign, agency="ACS", capabilities=["behavioral_health"],
                          home_zone=zone, lat=35.08 + i * 1e-4, lon=-106.65)
    name = f"bench_resp_{i:03d}"
    user = User.objects.filter(username=name).first() or user_create(
        username=name, role="responder", unit=unit, password="bench-password-2026", check_password=False)
    units[sign] = AuthToken.objects.create(user=user)[1]
# --open-calls: calls already waiting when the sockets open, through the real intake service
from calls.services import call_create
calltaker = User.objects.get(username="calltaker")
for i in range(int(sys.argv[2])):
    call_create(actor=calltaker, narrative=f"bench open call {i}: man yelling at cars, no weapons",
                address="400 Marquette Ave NW", lat=35.0844 + (i % 50) * 1e-4, lon=-106.6504)
tokens = {}
for name in ("calltaker", "dispatcher"):
    tokens[name] = AuthToken.objects.create(user=User.objects.get(username=name))[1]
print("SEED " + json.dumps({"units": units, "tokens": tokens}))
"""


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[k], 1)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": pct(values, 50), "p99": pct(values, 99), "max": pct(values, 100)}


# --- setup ------------------------------------------------------------------------------------------


def database_make(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return re.sub(r"/[^/]*$", f"/{name}", admin_url)


def app_env(database_url: str, redis_url: str, conn_max_age: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="acs_dispatch.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="False",
        SECRET_KEY="bench-load-secret-key-not-for-production-0123456789abcdef",
        SECURE_SSL_REDIRECT="False",
        TIMERS="off",
        DB_CONN_MAX_AGE=str(conn_max_age),
        LOG_LEVEL="WARNING",
        LOG_FORMAT="text",
        PYTHONUNBUFFERED="1",
    )
    return env


def seed(env: dict[str, str], units: int, open_calls: int) -> dict:
    run = lambda *cmd: subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True)  # noqa: E731
    run(PYTHON, "manage.py", "migrate", "--noinput")
    run(PYTHON, "manage.py", "seed_demo")
    out = run(PYTHON, "-c", SEED_UNITS, str(units), str(open_calls)).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("SEED "))[5:])


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, OSError),
            urllib.request.urlopen(url, timeout=2) as resp,
        ):
            if resp.status == 200:
                return
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer; log:\n{log.read_text()[-3000:]}")


def haproxy_config(port: int, backends: list[int]) -> str:
    """deploy/haproxy.cfg with its BENCH lines (bind, HTTP and websocket servers) at this run's ports."""
    out = []
    for line in (ROOT / "deploy" / "haproxy.cfg").read_text().splitlines():
        if "# BENCH: bind" in line:
            line = f"    bind 127.0.0.1:{port}"
        elif "# BENCH: servers" in line:
            out.extend(f"    server web{i} 127.0.0.1:{p}" for i, p in enumerate(backends))
            continue
        elif "# BENCH: ws servers" in line:
            out.extend(f"    server ws{i} 127.0.0.1:{p}" for i, p in enumerate(backends))
            continue
        out.append(line)
    return "\n".join(out) + "\n"


# --- clients ----------------------------------------------------------------------------------------


class Sock:
    def __init__(self, kind: str, token: str) -> None:
        self.kind = kind
        self.token = token
        self.baseline: int | None = None  # last_event_id of the first snapshot
        self.last: int | None = None
        self.ids: set[int] = set()
        self.dups = 0
        self.breaks = 0
        self.lat_at: list[float] = []
        self.created_at_recv: dict[int, float] = {}  # call id -> receive time of call.created
        self.connects = 0
        self.retries = 0
        self.unexpected_closes = 0
        self.ws = None
        self.ready = asyncio.Event()
        self.synced = asyncio.Event()
        self.stop = False
        self.resuming = False
        self.covered: list[tuple[int, int]] = []  # (after, head] ranges a later snapshot brought
        self.closed_at: list[float] = []  # monotonic times of unexpected closes
        self.synced_at: list[float] = []  # monotonic times of being in sync (snapshot, replayed)

    def on_frame(self, frame: dict, now: float) -> None:
        kind = frame.get("type")
        if kind == "snapshot":
            if self.last is None:
                self.baseline = self.last = frame["last_event_id"]
            else:
                # A reconnect the server answered with a snapshot (more than REPLAY_LIMIT events
                # behind): like live.js, the screen takes the snapshot's state and goes on from its
                # head. The events in between are in the snapshot, not lost: counted as covered.
                self.covered.append((self.last, frame["last_event_id"]))
                self.last = max(self.last, frame["last_event_id"])
                self.resuming = False
            self.synced.set()
            self.synced_at.append(time.monotonic())
            self.ready.set()
        elif kind == "event":
            if frame["id"] in self.ids:
                self.dups += 1
                return
            if self.resuming and frame["prev"] != self.last:
                return  # a live push overtaking the replay: dropped, the replay brings it (live.js)
            if self.last is not None and frame["prev"] != self.last:
                self.breaks += 1
            self.ids.add(frame["id"])
            self.last = max(self.last or 0, frame["id"])
            if self.resuming:
                return  # a replayed event: old by design, not a push latency
            self.lat_at.append((now - dt.datetime.fromisoformat(frame["at"]).timestamp()) * 1000)
            if frame.get("kind") == "call.created" and frame.get("call"):
                self.created_at_recv[frame["call"]] = now
        elif kind == "replayed":
            self.resuming = False
            self.synced.set()
            self.synced_at.append(time.monotonic())
        elif kind == "retry":
            self.retries += 1


async def sock_run(sock: Sock, url: str, origin: str) -> None:
    """Keep one socket open until sock.stop: reconnect (jittered) with ?after=<last id>, like live.js."""
    attempt = 0
    while not sock.stop:
        reconnect = sock.last is not None
        if reconnect:
            sock.resuming = True  # ?after=last: the server sends what was missed, then "replayed"
        try:
            async with ws_connect(
                f"{url}?after={sock.last}" if reconnect else url,
                additional_headers={"Authorization": f"Token {sock.token}"},
                origin=origin,
                max_size=None,
                open_timeout=20,
                ping_interval=None,
                compression=None,
            ) as ws:
                sock.ws = ws
                sock.connects += 1
                async for text in ws:
                    now = time.time()
                    frame = json.loads(text)
                    sock.on_frame(frame, now)
                    if frame.get("type") == "snapshot":
                        attempt = 0
                if not sock.stop:
                    sock.unexpected_closes += 1
                    sock.closed_at.append(time.monotonic())
        except asyncio.CancelledError:
            raise
        except Exception:
            if not sock.stop:
                sock.unexpected_closes += 1
                sock.closed_at.append(time.monotonic())
        sock.ws = None
        if sock.stop:
            return
        attempt += 1
        await asyncio.sleep(0.25 + random.random() * min(8.0, 0.5 * 2**attempt))


class Intake:
    """POST /api/v1/calls on a schedule, from a thread pool (keep-alive connection per thread)."""

    def __init__(self, port: int, calltaker: str, dispatcher: str) -> None:
        self.port = port
        self.calltaker = calltaker
        self.dispatcher = dispatcher
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=128)
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.created: dict[int, float] = {}  # call id -> response time
        self.assigned = 0
        self.assign_failed = 0

    def _request(self, method: str, path: str, body: dict, token: str) -> tuple[int, dict]:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(
                method,
                path,
                body=json.dumps(body),
                headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
            )
            resp = conn.getresponse()
            data = resp.read()
        except Exception:
            self.local.conn = None
            conn.close()
            raise
        if resp.status >= 300:
            return resp.status, {}  # a proxy's 503/504 page is not JSON
        return resp.status, (json.loads(data) if data else {})

    def call(self, i: int, scheduled: float, assign_to: str | None) -> None:
        try:
            status, data = self._request(
                "POST",
                "/api/v1/calls",
                {
                    "narrative": f"bench call {i}: man shouting at traffic, no weapons seen",
                    "address": f"{100 + i % 900} Central Ave SW",
                    "lat": 35.0844 + (i % 50) * 1e-4,
                    "lon": -106.6504,
                },
                self.calltaker,
            )
        except Exception as exc:
            self.errors[type(exc).__name__] = self.errors.get(type(exc).__name__, 0) + 1
            return
        now = time.time()
        if status != 201:
            self.errors[str(status)] = self.errors.get(str(status), 0) + 1
            return
        self.latencies.append((now - scheduled) * 1000)
        self.created[data["id"]] = now
        if assign_to:
            try:
                status, _ = self._request(
                    "POST",
                    f"/api/v1/calls/{data['id']}/assignments",
                    {"unit": assign_to, "override_reason": "load bench"},
                    self.dispatcher,
                )
            except Exception:
                status = 0
            if status == 201:
                self.assigned += 1
            else:
                self.assign_failed += 1


async def redis_floor(redis_url: str, n: int, rate: float, seconds: float) -> list[float]:
    """Publish -> receipt on raw Redis pub/sub, n subscribers, one message per 1/rate s."""
    import redis.asyncio as aioredis

    channel = f"bench.load.floor.{os.getpid()}"
    latencies: list[float] = []
    clients = [aioredis.from_url(redis_url) for _ in range(n)]
    pubsubs = [c.pubsub() for c in clients]
    for p in pubsubs:
        await p.subscribe(channel)

    async def listen(p) -> None:
        async for message in p.listen():
            if message["type"] == "message":
                latencies.append((time.time() - json.loads(message["data"])["t"]) * 1000)

    tasks = [asyncio.create_task(listen(p)) for p in pubsubs]
    publisher = aioredis.from_url(redis_url)
    pad = "x" * 900  # about the size of a call event frame
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        await publisher.publish(channel, json.dumps({"t": time.time(), "pad": pad}))
        await asyncio.sleep(1 / rate)
    await asyncio.sleep(2)
    for t in tasks:
        t.cancel()
    for p, c in zip(pubsubs, clients, strict=True):
        with contextlib.suppress(Exception):
            await p.aclose()
            await c.aclose()
    await publisher.aclose()
    return latencies


def restart_figures(socks: list[Sock], killed_at: float) -> dict:
    """The sockets the kill closed, and how long after the kill each was back in sync."""
    hit = [s for s in socks if any(t >= killed_at for t in s.closed_at)]
    back = []
    for sock in hit:
        first_close = min(t for t in sock.closed_at if t >= killed_at)
        synced = [t for t in sock.synced_at if t > first_close]
        if synced:
            back.append((synced[0] - killed_at) * 1000)
    return {
        "closed_by_kill": len(hit),
        "back_in_sync": len(back),
        "within_10_s": sum(1 for ms in back if ms <= 10_000),
        "sync_ms_from_kill": summary(back),
    }


async def drive(args, port: int, seeded: dict, redis_url: str, database_url: str, restart=None) -> dict:
    url = f"ws://127.0.0.1:{port}"
    origin = f"http://127.0.0.1:{port}"
    boards = [Sock("board", seeded["tokens"]["dispatcher"]) for _ in range(args.boards)]
    unit_signs = list(seeded["units"])
    units = [Sock("unit", seeded["units"][s]) for s in unit_signs]
    tasks: dict[Sock, asyncio.Task] = {}

    # Open the sockets 20 at a time, each slot held until its snapshot (a fair start, not a storm).
    sem = asyncio.Semaphore(20)

    async def open_one(sock: Sock, path: str) -> None:
        async with sem:
            tasks[sock] = asyncio.create_task(sock_run(sock, url + path, origin))
            await asyncio.wait_for(sock.ready.wait(), timeout=120)

    started = time.monotonic()
    await asyncio.gather(
        *(open_one(s, "/ws/dispatch/") for s in boards), *(open_one(s, "/ws/unit/") for s in units)
    )
    connect_seconds = time.monotonic() - started
    print(f"{len(boards)} boards + {len(units)} units connected in {connect_seconds:.1f} s", flush=True)

    intake = Intake(port, seeded["tokens"]["calltaker"], seeded["tokens"]["dispatcher"])
    loop = asyncio.get_running_loop()
    floor_task = asyncio.create_task(
        redis_floor(redis_url, len(boards) + len(units), max(args.rate, 1), min(20.0, args.duration / 2))
    )
    drop: dict = {}

    async def dropper() -> None:
        await asyncio.sleep(args.drop_after)
        dropped = boards[: args.drop_boards]
        for sock in dropped:
            sock.stop = True
            if sock.ws is not None:
                await sock.ws.close()
            tasks[sock].cancel()
        await asyncio.sleep(args.drop_for)
        times: list[float] = []

        async def back(sock: Sock) -> None:
            await asyncio.sleep(random.random() * 0.5)
            t0 = time.monotonic()
            sock.stop = False
            sock.synced.clear()
            sock.ready.clear()
            tasks[sock] = asyncio.create_task(sock_run(sock, url + "/ws/dispatch/", origin))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sock.synced.wait(), timeout=60)
                times.append((time.monotonic() - t0) * 1000)

        await asyncio.gather(*(back(s) for s in dropped))
        drop.update(dropped=len(dropped), back_in_sync=len(times), sync_ms=summary(times))

    restarted: dict = {}

    async def restarter() -> None:
        await asyncio.sleep(args.restart_after)
        restarted["killed_at"] = time.monotonic()
        await loop.run_in_executor(None, restart)  # SIGKILL web process 0, start it again
        restarted["started_s"] = round(time.monotonic() - restarted["killed_at"], 2)

    drop_task = asyncio.create_task(dropper()) if args.drop_boards else None
    restart_task = asyncio.create_task(restarter()) if args.restart_after else None
    t0 = time.time()
    futures = []
    free_units = list(unit_signs)
    total = int(args.rate * args.duration)
    for i in range(total):
        scheduled = t0 + i / args.rate
        delay = scheduled - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        assign_to = free_units.pop() if free_units and random.random() < args.assign else None
        futures.append(loop.run_in_executor(intake.pool, intake.call, i, scheduled, assign_to))
    await asyncio.gather(*futures)
    intake_seconds = time.time() - t0
    if drop_task is not None:
        await drop_task
    if restart_task is not None:
        await restart_task
    floor = await floor_task
    await asyncio.sleep(5)  # the last pushes (and the hubs' catch-up) land

    # What each socket should hold: its stream's events after its first snapshot, from the log.
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT stream, event_id FROM calls_eventdelivery").fetchall()
    by_stream: dict[str, list[int]] = {}
    for stream, event_id in rows:
        by_stream.setdefault(stream, []).append(event_id)
    with psycopg.connect(database_url) as conn:
        unit_ids = dict(
            conn.execute(
                "SELECT call_sign, id FROM responders_unit WHERE call_sign LIKE 'BENCH-%%'"
            ).fetchall()
        )

    def check(sock: Sock, stream: str) -> tuple[int, int]:
        expected = {
            e
            for e in by_stream.get(stream, [])
            if e > (sock.baseline or 0) and not any(a < e <= b for a, b in sock.covered)
        }
        return len(expected - sock.ids), len(expected)

    per_socket = []
    for sock in boards:
        per_socket.append((sock, *check(sock, "dispatch")))
    for sign, sock in zip(unit_signs, units, strict=True):
        per_socket.append((sock, *check(sock, f"unit.{unit_ids[sign]}")))
    for sock in boards + units:
        sock.stop = True
        if sock.ws is not None:
            with contextlib.suppress(Exception):
                await sock.ws.close()
    for task in tasks.values():
        task.cancel()

    board_lat = [x for s in boards for x in s.lat_at]
    unit_lat = [x for s in units for x in s.lat_at]
    from_response = [
        (recv - intake.created[call_id]) * 1000
        for s in boards
        for call_id, recv in s.created_at_recv.items()
        if call_id in intake.created
    ]
    lost = [lost for _, lost, _ in per_socket]
    return {
        "procs": args.procs,
        "conn_max_age": args.conn_max_age,
        "rate_target": args.rate,
        "duration_s": args.duration,
        "boards": len(boards),
        "units": len(units),
        "connect_s": round(connect_seconds, 1),
        "calls_created": len(intake.created),
        "intake_rate": round(len(intake.created) / intake_seconds, 2),
        "api_errors": intake.errors,
        "api_ms": summary(intake.latencies),
        "assigned": intake.assigned,
        "assign_failed": intake.assign_failed,
        "board_commit_to_screen_ms": summary(board_lat),
        "board_from_post_response_ms": summary(from_response),
        "unit_commit_to_screen_ms": summary(unit_lat),
        "events_dispatch_stream": max((exp for s, _, exp in per_socket if s.kind == "board"), default=0),
        "events_lost_total": sum(lost),
        "sockets_with_lost": sum(1 for x in lost if x),
        "events_duplicated_total": sum(s.dups for s in boards + units),
        "prev_chain_breaks_total": sum(s.breaks for s in boards + units),
        "sockets_with_breaks": sum(1 for s in boards + units if s.breaks),
        "unexpected_closes": sum(s.unexpected_closes for s in boards + units),
        "retry_frames": sum(s.retries for s in boards + units),
        "snapshot_resyncs": sum(len(s.covered) for s in boards + units),
        "redis_floor_ms": summary(floor),
        "drop": drop or None,
        "restart": (
            {
                "web_process_back_s": restarted["started_s"],
                "boards": restart_figures(boards, restarted["killed_at"]),
                "units": restart_figures(units, restarted["killed_at"]),
            }
            if restarted
            else None
        ),  # fmt: skip
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--rate", type=float, default=10, help="calls per second")
    parser.add_argument("--duration", type=float, default=60, help="seconds of intake")
    parser.add_argument("--boards", type=int, default=50)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--assign", type=float, default=0.2, help="share of calls assigned (each unit once)")
    parser.add_argument("--drop-boards", type=int, default=0)
    parser.add_argument("--drop-after", type=float, default=15)
    parser.add_argument("--drop-for", type=float, default=60)
    parser.add_argument("--open-calls", type=int, default=0, help="calls waiting before the sockets open")
    parser.add_argument(
        "--restart-after",
        type=float,
        default=0,
        help="s into intake: SIGKILL web process 0 and start it again",
    )
    # 0 by default: under ASGI, Django runs each request in a thread of its own, so with
    # CONN_MAX_AGE > 0 every request thread keeps its connection open (Django's docs: disable
    # persistent connections under ASGI, pool instead); at 10 calls/s that exhausted PostgreSQL's
    # 100 connections within seconds here.
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=0,
        help="DB_CONN_MAX_AGE of the web processes (0: a connection per request)",
    )
    parser.add_argument("--db", default="acs_bench_load")
    parser.add_argument("--redis-db", type=int, default=11)
    args = parser.parse_args()
    # A plain kill still stops the daphne processes and the proxy (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if args.drop_boards and args.drop_after + args.drop_for + 5 > args.duration:
        parser.error("--duration must cover --drop-after + --drop-for + 5 s")

    admin_url = os.environ.get("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    redis_base = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
    redis_url = f"{redis_base}/{args.redis_db}"
    database_url = database_make(admin_url, args.db)
    env = app_env(database_url, redis_url, args.conn_max_age)
    print("seeding", database_url, flush=True)
    seeded = seed(env, args.units, args.open_calls)
    redis.Redis.from_url(redis_url).flushdb()

    logdir = Path(tempfile.mkdtemp(prefix="acs-load-"))
    procs: list[subprocess.Popen] = []
    try:
        ports = [free_port() for _ in range(args.procs)]

        def web_start(i: int, mode: str = "w") -> subprocess.Popen:
            log = logdir / f"daphne{i}.log"
            proc = subprocess.Popen(
                [DAPHNE, "-b", "127.0.0.1", "-p", str(ports[i]), "acs_dispatch.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=open(log, mode),  # noqa: SIM115
                stderr=subprocess.STDOUT,
            )
            wait_http(f"http://127.0.0.1:{ports[i]}/healthz", proc, log)
            return proc

        for i in range(len(ports)):
            procs.append(web_start(i))

        def restart() -> None:
            """A web process dies (SIGKILL: no goodbye to its sockets) and is started again."""
            procs[0].kill()
            procs[0].wait()
            procs[0] = web_start(0, mode="a")

        proxy_port = free_port()
        cfg = logdir / "haproxy.cfg"
        cfg.write_text(haproxy_config(proxy_port, ports))
        proxy_log = logdir / "haproxy.log"
        proxy = subprocess.Popen(
            ["haproxy", "-db", "-f", str(cfg)],
            stdout=open(proxy_log, "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        procs.append(proxy)
        wait_http(f"http://127.0.0.1:{proxy_port}/healthz", proxy, proxy_log)
        print(f"{args.procs} daphne behind haproxy :{proxy_port}; logs in {logdir}", flush=True)
        result = asyncio.run(drive(args, proxy_port, seeded, redis_url, database_url, restart))
        result["server_exceptions"] = sum(
            (logdir / f"daphne{i}.log").read_text().count("Traceback") for i in range(args.procs)
        )
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
