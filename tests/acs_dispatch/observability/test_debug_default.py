"""DEBUG is off unless asked for; LOG_FORMAT takes json or text (acs_dispatch/settings.py)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = "from django.conf import settings; print(settings.DEBUG, settings.LOG_FORMAT)"


def _settings(**env: str) -> subprocess.CompletedProcess:
    # Outside pytest: without PYTEST_VERSION, as a server or a management command starts.
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "PYTEST_VERSION", "LOG_FORMAT"}
    }
    environ.update(env, DJANGO_SETTINGS_MODULE="acs_dispatch.settings")
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {SCRIPT}"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_turns_debug_off_by_default_and_logs_json():
    result = _settings(SECRET_KEY=secrets.token_urlsafe(50))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "json"]


def test_it_refuses_the_development_key_when_debug_is_not_set():
    result = _settings()

    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


def test_it_logs_text_when_developing():
    result = _settings(DEBUG="True")

    assert result.stdout.split() == ["True", "text"]


def test_it_refuses_an_unknown_log_format():
    result = _settings(DEBUG="True", LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be json or text" in result.stderr
