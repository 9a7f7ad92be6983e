"""Fixtures of the fault tests (issue 16); the helpers and what they do: fault_kit.py."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings
from fault_kit import ROOT, SEED, FaultDb, RedisServer, Web, _admin_url, app_env


@pytest.fixture(scope="session")
def fault_db(request):
    # Session-scoped, so it runs before the markers' autouse check: the same rule here (skip
    # locally without the services, fail when CI is set).
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql") or not settings.REDIS_URL:
        why = "the fault tests need PostgreSQL and Redis: set DATABASE_URL and REDIS_URL"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(why + " (CI is set: a missing service is a failure, not a skip)")
        pytest.skip(why)
    admin = _admin_url()
    name = f"acs_faults_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = FaultDb(re.sub(r"/[^/]*$", f"/{name}", admin))
    env = app_env(url, "")
    env.pop("REDIS_URL")
    py = sys.executable
    subprocess.run(
        [py, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    out = subprocess.run(
        [py, "-c", SEED], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    url.tokens = json.loads(next(line for line in out.splitlines() if line.startswith("TOKENS "))[7:])
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_proc(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def web(fault_db, redis_proc, tmp_path):
    started: list[Web] = []

    def make() -> Web:
        server = Web(app_env(fault_db, redis_proc.url), tmp_path / f"daphne{len(started)}.log")
        server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
