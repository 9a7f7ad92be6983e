"""Run the app on daphne in a subprocess, for the browser tests, the screenshots and the benches.

One place for "start daphne on a free port, wait until /healthz answers, stop it afterwards".
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# seed_demo's authenticator secret for the demo users whose role needs two-factor sign-in (admin,
# supervisor); published in the README (demo only).
DEMO_TOTP_SECRET = "ACSDEMOTOTPSECRETKEYACSDEMOTOTPS"
_totp_steps: dict[str, int] = {}  # the last time step sent per user: the server takes each once


def totp_at(step: int, secret: str = DEMO_TOTP_SECRET) -> str:
    """RFC 6238 (SHA-1, 6 digits, 30 s) at time step `step`: what an authenticator app shows."""
    mac = hmac.new(base64.b32decode(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def demo_totp(username: str) -> str:
    """A code for `username` the server has not accepted yet: the current step or the next (both
    within django-otp's tolerance); a third sign-in within 30 s waits for the clock."""
    while True:
        now = int(time.time()) // 30
        step = max(now, _totp_steps.get(username, -1) + 1)
        if step <= now + 1:
            break
        time.sleep(30 - time.time() % 30 + 0.2)
    _totp_steps[username] = step
    return totp_at(step)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def embedded_env(*, sqlite_path: Path) -> dict[str, str]:
    """This process's environment on the embedded default (SQLite file, in-memory layer, no Redis)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "acs_dispatch.settings",
            "SQLITE_PATH": str(sqlite_path),
            "DEBUG": "True",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            # Every browser and API client of a test run signs in from 127.0.0.1: the per-address
            # sign-in throttle (acs_dispatch.throttles) is tested on its own, not here.
            "AUTH_THROTTLE_RATE": "600/min",
        }
    )
    return env


@contextlib.contextmanager
def daphne_running(*, env: dict[str, str], port: int, log_path: Path) -> Iterator[str]:
    """Run daphne on 127.0.0.1:`port` with `env` until the block ends; yields its base URL.

    Raises RuntimeError with the server's log if it does not answer /healthz within 30 s.
    """
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "acs_dispatch.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, OSError):
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("daphne did not start:\n" + log_path.read_text())
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
