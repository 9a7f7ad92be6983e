"""Push latency of the live dispatch stream: commit -> receipt at every connected board.

    REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/push_latency.py [--clients 10,100,500] [--calls 30]

It empties the Redis database of REDIS_URL before each run: give it one of its own.

What it does, per client count N:
1. starts daphne (one process) with channels-redis on the given Redis, against a fresh SQLite
   database (or DATABASE_URL when set), migrated and seeded with agencies, the default triage
   rules, a call-taker and a dispatcher;
2. connects N websocket clients to /ws/dispatch/ (token auth) and waits for their snapshots;
3. creates `--calls` calls through POST /api/v1/calls (each appends call.created and call.triaged
   events), one every `--gap` seconds;
4. each client stamps every event frame on receipt; latency = receipt - the commit, taken as the
   `created_at` of the call's last event (call.created and call.triaged share one transaction;
   the last one is stamped just before commit, so the figure slightly overstates commit ->
   receipt). A frame whose `prev` is not the client's last id, or an event a
   client never gets, counts as lost;
5. the floor: the same N subscribers on raw Redis pub/sub in this process, the same number of
   messages of the same size, publish -> receipt.

Prints one line per run and, last, one JSON object:
{"runs": [{"clients": n, "p50_ms": .., "p99_ms": .., "floor_p50_ms": .., "floor_p99_ms": ..,
           "ratio_p99": .., "events": .., "lost": 0}, ...]}
Goal (issue 5): p99 < 500 ms at 500 clients, within 3x of the floor, nothing lost.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.devserver import daphne_running, free_port  # noqa: E402

SEED = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from knox.models import AuthToken
from acs_dispatch.services import user_create
from acs_dispatch.models import User
from responders.services import agencies_ensure
from triage.services import ruleset_seed_default
agencies_ensure()
ruleset_seed_default()
tokens = {}
for name, role in (("bench_calltaker", "call_taker"), ("bench_dispatcher", "dispatcher")):
    user = User.objects.filter(username=name).first() or user_create(
        username=name, role=role, password="bench-password-2026", check_password=False
    )
    tokens[name] = AuthToken.objects.create(user=user)[1]
print("TOKENS " + __import__("json").dumps(tokens))
"""


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


# The project settings as they ship (channels-redis core layer, no socket read timeout, a pool of
# 4096 connections); --layer pubsub swaps in channels-redis's pub/sub layer to compare.
BENCH_SETTINGS = """
from acs_dispatch.settings import *  # noqa: F403
if {pubsub!r}:
    CHANNEL_LAYERS["default"]["BACKEND"] = "channels_redis.pubsub.RedisPubSubChannelLayer"  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"].pop("capacity", None)  # noqa: F405
"""


class Server:
    """daphne on a fresh database, channels-redis on REDIS_URL."""

    def __init__(self, redis_url: str, *, pubsub: bool = False):
        self.tmp = Path(tempfile.mkdtemp(prefix="acs-bench-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (self.tmp / "bench_settings.py").write_text(BENCH_SETTINGS.replace("{pubsub!r}", repr(pubsub)))
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": os.pathsep.join([str(self.tmp), str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "REDIS_URL": redis_url,
        }
        self.env.setdefault("SQLITE_PATH", str(self.tmp / "bench.sqlite3"))
        self.env["LOG_LEVEL"] = "WARNING"
        self.env["DEBUG"] = "True"
        self.env["CELERY_TASK_ALWAYS_EAGER"] = "True"
        self.running = contextlib.ExitStack()

    def start(self) -> dict[str, str]:
        done = subprocess.run(
            [sys.executable, "-c", SEED], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600
        )
        if done.returncode:
            raise SystemExit("seeding failed:\n" + done.stderr[-3000:])
        tokens = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("TOKENS "))[7:])
        self.running.enter_context(
            daphne_running(env=self.env, port=self.port, log_path=self.tmp / "daphne.log")
        )
        return tokens

    def stop(self) -> None:
        self.running.close()


def post_call(url: str, token: str, i: int) -> int:
    body = json.dumps(
        {
            "narrative": f"bench call {i}: man shouting at traffic, no weapons",
            "address": f"{100 + i} Central Ave SW",
            "lat": 35.0844,
            "lon": -106.6504,
        }
    ).encode()
    request = urllib.request.Request(url + "/api/v1/calls", data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.loads(resp.read())["id"]


# --- websocket clients (autobahn, asyncio) ---------------------------------------------------


def make_client_factory(server: Server, token: str, stats: dict):
    from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol

    class BoardClient(WebSocketClientProtocol):
        def onConnect(self, response):
            self.last = None
            self.stamps = []  # (call id, event created_at, received at)
            self.received = []
            self.gaps = 0
            self.ready = asyncio.get_running_loop().create_future()

        def onClose(self, wasClean, code, reason):
            if hasattr(self, "ready") and not self.ready.done():
                self.ready.set_result(False)

        def onMessage(self, payload, isBinary):
            now = time.time()
            frame = json.loads(payload)
            kind = frame.get("type")
            if kind == "snapshot":
                self.last = frame["last_event_id"]
                stats["clients"].append(self)
                self.ready.set_result(True)
            elif kind == "event" and self.last is not None:
                if frame["prev"] != self.last:
                    self.gaps += 1
                self.last = frame["id"]
                self.received.append(frame["id"])
                at = dt.datetime.fromisoformat(frame["at"]).timestamp()
                self.stamps.append((frame.get("call"), at, now))

    ws_url = f"ws://127.0.0.1:{server.port}/ws/dispatch/"
    factory = WebSocketClientFactory(
        ws_url, headers={"Authorization": f"Token {token}", "Origin": server.url}
    )
    factory.protocol = BoardClient
    return factory


async def run_websockets(server: Server, tokens: dict, n: int, calls: int, gap: float) -> dict:
    loop = asyncio.get_running_loop()
    stats: dict = {"clients": []}
    factory = make_client_factory(server, tokens["bench_dispatcher"], stats)
    # Connect in waves, each client holding its slot until its snapshot arrives: a burst of 500
    # handshakes at once on a 2-core box outlasts daphne's 5 s handshake timeout. A client refused
    # or dropped before its snapshot tries again (this measures pushes, not the connect storm).
    sem = asyncio.Semaphore(20)

    async def connect_one():
        async with sem:
            for _attempt in range(5):
                _, proto = await loop.create_connection(factory, "127.0.0.1", server.port)
                while not hasattr(proto, "ready"):
                    await asyncio.sleep(0.01)
                    if proto.transport is None or proto.transport.is_closing():
                        break
                if hasattr(proto, "ready"):
                    with contextlib.suppress(TimeoutError):
                        if await asyncio.wait_for(asyncio.shield(proto.ready), timeout=60):
                            return
                await asyncio.sleep(0.5)
            raise SystemExit("a client could not connect after 5 attempts")

    await asyncio.gather(*(connect_one() for _ in range(n)))
    for i in range(calls):
        await asyncio.to_thread(post_call, server.url, tokens["bench_calltaker"], i)
        await asyncio.sleep(gap)
    await asyncio.sleep(2.0)  # let the last pushes land
    # Lost: an event some client got and another did not, or a broken prev chain at a client.
    every = set().union(*(set(c.received) for c in stats["clients"]))
    lost = sum(len(every - set(c.received)) + c.gaps for c in stats["clients"])
    # call_create appends call.created then call.triaged in ONE transaction: the last event's
    # timestamp of a call is the closest proxy of that transaction's commit.
    commit_at: dict = {}
    for c in stats["clients"]:
        for call_id, at, _ in c.stamps:
            commit_at[call_id] = max(commit_at.get(call_id, at), at)
    latencies = [
        (received - (commit_at[call_id] if call_id is not None else at)) * 1000
        for c in stats["clients"]
        for call_id, at, received in c.stamps
    ]
    for c in stats["clients"]:
        c.sendClose()
    await asyncio.sleep(0.5)
    return {"latencies": latencies, "lost": lost, "events": len(every)}


async def run_floor(redis_url: str, n: int, messages: int, payload_size: int, gap: float) -> list[float]:
    import redis.asyncio as aioredis

    channel = f"bench.floor.{os.getpid()}.{n}"
    latencies: list[float] = []
    done = asyncio.Event()
    expected = n * messages
    subscribers = []

    async def subscriber():
        client = aioredis.from_url(redis_url)
        pubsub = client.pubsub()
        await pubsub.subscribe(channel)
        subscribers.append((client, pubsub))
        ready.append(1)
        async for message in pubsub.listen():
            if message["type"] != "message":
                continue
            now = time.time()
            sent = json.loads(message["data"])["t"]
            latencies.append((now - sent) * 1000)
            if len(latencies) >= expected:
                done.set()
                return

    ready: list[int] = []
    tasks = [asyncio.create_task(subscriber()) for _ in range(n)]
    while len(ready) < n:
        await asyncio.sleep(0.05)
    publisher = aioredis.from_url(redis_url)
    pad = "x" * max(0, payload_size - 40)
    for _ in range(messages):
        await publisher.publish(channel, json.dumps({"t": time.time(), "pad": pad}))
        await asyncio.sleep(gap)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), timeout=30)
    for t in tasks:
        t.cancel()
    for client, pubsub in subscribers:
        await pubsub.aclose()
        await client.aclose()
    await publisher.aclose()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="10,100,500")
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between calls")
    parser.add_argument(
        "--layer",
        choices=["core", "pubsub"],
        default="core",
        help="core: RedisChannelLayer (the project setting); pubsub: RedisPubSubChannelLayer",
    )
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/2"
    runs = []
    for n in [int(x) for x in args.clients.split(",")]:
        # Start each run from an empty Redis database (the bench's own; REDIS_URL defaults to db 2):
        # group members left by an earlier run's daphne stay for a day (group_expiry), and every
        # group_send would still push to each of them.
        redis.Redis.from_url(redis_url).flushdb()
        server = Server(redis_url, pubsub=args.layer == "pubsub")
        tokens = server.start()
        try:
            result = asyncio.run(run_websockets(server, tokens, n, args.calls, args.gap))
        finally:
            server.stop()
        # Same fan-out through raw Redis pub/sub: as many messages (events per call x calls),
        # of a typical frame's size (~2 KB: the call summary), at the same pace.
        events_per_call = max(1, round(result["events"] / max(1, args.calls)))
        floor = asyncio.run(
            run_floor(redis_url, n, result["events"] or args.calls, 2000, args.gap / events_per_call)
        )
        run = {
            "clients": n,
            "layer": args.layer,
            "p50_ms": round(percentile(result["latencies"], 50), 1),
            "p99_ms": round(percentile(result["latencies"], 99), 1),
            "floor_p50_ms": round(percentile(floor, 50), 1),
            "floor_p99_ms": round(percentile(floor, 99), 1),
            "events": result["events"],
            "lost": result["lost"],
        }
        run["ratio_p99"] = round(run["p99_ms"] / run["floor_p99_ms"], 2) if run["floor_p99_ms"] else None
        runs.append(run)
        print(
            f"{n:>4} clients: {run['events']} events each, p50 {run['p50_ms']} ms, p99 {run['p99_ms']} ms; "
            f"redis pub/sub floor p50 {run['floor_p50_ms']} ms, p99 {run['floor_p99_ms']} ms "
            f"(x{run['ratio_p99']}); lost {run['lost']}",
            flush=True,
        )
    print(json.dumps({"runs": runs}))


if __name__ == "__main__":
    main()
