from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deploy_check_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="cad.example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_starts_without_a_secret_key_when_debug_is_off_on_a_private_key(tmp_path):
    result = _manage("check", DEBUG="False", SECRET_KEY_PATH=str(tmp_path / "key"))

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "key").read_text() != ""


def test_it_refuses_a_debug_value_that_is_not_true_or_false():
    result = _manage("check", DEBUG="0")

    assert result.returncode != 0
    assert "DEBUG must be True or False" in result.stderr
