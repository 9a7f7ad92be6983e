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
    return _settings_run(SCRIPT, **env)


def _settings_run(script: str, **env: str) -> subprocess.CompletedProcess:
    # Outside pytest: without PYTEST_VERSION, as a server or a management command starts.
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "PYTEST_VERSION", "LOG_FORMAT"}
    }
    environ.update(env, DJANGO_SETTINGS_MODULE="acs_dispatch.settings")
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
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


def test_it_never_runs_the_development_key_with_debug_off(tmp_path):
    # No SECRET_KEY on a fresh checkout: a private random key is made once and kept, so the
    # README's commands work, and a public key is never used with DEBUG off.
    key_file = tmp_path / "secret_key"
    script = "from django.conf import settings; print(settings.SECRET_KEY == settings.DEV_SECRET_KEY, settings.SECRET_KEY)"
    first = _settings_run(script, SECRET_KEY_PATH=str(key_file))
    second = _settings_run(script, SECRET_KEY_PATH=str(key_file))

    assert first.returncode == 0, first.stderr
    public, key = first.stdout.split()
    assert public == "False" and len(key) >= 50
    assert second.stdout.split()[1] == key
    assert key_file.stat().st_mode & 0o077 == 0  # the owner's alone


def test_it_logs_text_when_developing():
    result = _settings(DEBUG="True")

    assert result.stdout.split() == ["True", "text"]


def test_it_refuses_an_unknown_log_format():
    result = _settings(DEBUG="True", LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be json or text" in result.stderr
