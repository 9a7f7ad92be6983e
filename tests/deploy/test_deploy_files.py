"""The locked install and the container files (issue 15): guards that fail when the lock falls
behind pyproject.toml or the deploy files lose a safety property. Docker is not on the development
machines, so the image itself is not built here."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEV_LOCK = ROOT / "requirements" / "dev.lock"
RUNTIME_LOCK = ROOT / "requirements" / "runtime.lock"
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def _name(requirement: str) -> str:
    name = re.split(r"[<>=!~\[;\s]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lock: Path) -> dict[str, set[str]]:
    pins: dict[str, set[str]] = {}
    for line in lock.read_text().splitlines():
        match = PIN.match(line)
        if match:
            pins.setdefault(_name(match[1]), set()).add(match[2])
    return pins


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pending() -> list[str]:
    lines = (ROOT / "requirements" / "pending.in").read_text().splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def test_it_locks_every_dependency_of_pyproject():
    runtime = [*_pyproject()["dependencies"], *_pending()]
    dev = [*runtime, *_pyproject()["optional-dependencies"]["dev"]]

    missing_dev = sorted({_name(r) for r in dev} - set(_pins(DEV_LOCK)))
    missing_runtime = sorted({_name(r) for r in runtime} - set(_pins(RUNTIME_LOCK)))

    assert missing_dev == [], "run scripts/lock.sh"
    assert missing_runtime == [], "run scripts/lock.sh"


def test_it_pins_the_runtime_at_the_versions_of_the_dev_lock():
    dev, runtime = _pins(DEV_LOCK), _pins(RUNTIME_LOCK)

    assert {name: versions for name, versions in runtime.items() if dev.get(name) != versions} == {}
    assert not any(name in runtime for name in ("pytest", "playwright", "ruff"))


def test_it_gives_every_pinned_package_its_hashes():
    for lock in (DEV_LOCK, RUNTIME_LOCK):
        blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.read_text().split("\n", 2)[2])
        for block in blocks:
            assert PIN.match(block), block[:80]
            assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), f"{lock.name}: {block[:60]}"


def test_it_installs_only_from_the_lock_with_hashes():
    bootstrap = (ROOT / "scripts" / "bootstrap.sh").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "LOCK=requirements/dev.lock" in bootstrap
    assert re.search(r"pip install .*--require-hashes --no-deps .*-r \"\$LOCK\"", bootstrap)
    assert re.search(r"pip install --require-hashes --no-deps .*-r requirements/runtime.lock", dockerfile)
    assert "pip install ." not in dockerfile + bootstrap  # the old unpinned install


def test_it_runs_the_image_as_a_user_with_a_healthcheck_without_curl():
    dockerfile = (ROOT / "Dockerfile").read_text()

    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.M)
    assert users and users[-1] not in ("root", "0")
    [healthcheck] = re.findall(r"^HEALTHCHECK .*\n\s+CMD (\[.*\])$", dockerfile, flags=re.M)
    command = json.loads(healthcheck)
    assert command[:2] == ["python", "-c"]
    assert "curl" not in command[2] and "apt-get" not in dockerfile


def test_it_runs_the_image_healthcheck_against_a_live_server(live_server):
    dockerfile = (ROOT / "Dockerfile").read_text()
    [healthcheck] = re.findall(r"^HEALTHCHECK .*\n\s+CMD (\[.*\])$", dockerfile, flags=re.M)
    script = json.loads(healthcheck)[2].replace("http://127.0.0.1:8000", live_server.url)

    ok = subprocess.run([sys.executable, "-c", script], timeout=30)
    down = subprocess.run(
        [sys.executable, "-c", script.replace(live_server.url, "http://127.0.0.1:9")], timeout=30
    )

    assert ok.returncode == 0
    assert down.returncode != 0


def test_it_migrates_once_before_anything_starts_with_debug_off():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    assert services["migrate"]["restart"] == "no"
    assert "migrate --noinput" in " ".join(services["migrate"]["command"])
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert service["depends_on"]["db"] == {"condition": "service_healthy"}, name
        assert service["restart"] == "unless-stopped", name
        assert service["environment"]["DEBUG"] == "${DEBUG:-False}", name
    assert services["beat"]["depends_on"]["worker"] == {"condition": "service_healthy"}
    assert services["migrate"]["environment"]["DEBUG"] == "${DEBUG:-False}"


def test_it_puts_the_proxy_in_front_of_the_web_replicas_with_the_committed_config():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    proxy = compose["services"]["proxy"]
    config = (ROOT / "deploy" / "haproxy.cfg").read_text()

    assert "./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in proxy["volumes"]
    assert re.search(r"^\s*server-template web \d+ web:8000 ", config, flags=re.M)
    assert re.search(r"^\s*server-template ws \d+ web:8000 ", config, flags=re.M)
    assert "maxconn 8" in config  # API requests in flight per process, the rest queue in the proxy
    assert re.search(r"^\s*timeout tunnel ", config, flags=re.M)  # upgraded websockets stay open
    assert "option httpchk GET /healthz" in config  # not /readyz: a Redis restart is no outage
    # bench/load.py rewrites these lines with its own ports.
    assert [config.count(f"# BENCH: {what}") for what in ("bind", "servers", "ws servers")] == [1, 1, 1]


def test_it_writes_a_proxy_config_haproxy_accepts(tmp_path):
    import shutil

    if shutil.which("haproxy") is None:
        why = "haproxy is not installed (apt-get install haproxy)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(why + " (CI is set: .ci/run installs it, so its absence is a failure)")
        pytest.skip(why)
    sys.path.insert(0, str(ROOT / "bench"))
    from load import haproxy_config

    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config(18080, [18001, 18002]))
    checked = subprocess.run(["haproxy", "-c", "-f", str(config)], capture_output=True, text=True)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "server web1 127.0.0.1:18002" in config.read_text()
    assert "server ws1 127.0.0.1:18002" in config.read_text()
