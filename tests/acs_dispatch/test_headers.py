"""Security headers (issue 15): a Content-Security-Policy with no inline script, and a deploy check
that passes with production settings."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _inline_scripts(html: str) -> list[str]:
    """<script> tags that run inline code: no src, and not a JSON data block."""
    return [
        attrs
        for attrs in SCRIPT_TAG.findall(html)
        if "src=" not in attrs and 'type="application/json"' not in attrs
    ]


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_it_sends_a_policy_that_refuses_inline_script(client):
    policy = _policy(client.get("/login/"))

    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["style-src"]


@pytest.mark.parametrize(
    "template", sorted(p.relative_to(ROOT) for p in (ROOT / "templates").rglob("*.html"))
)
def test_no_template_has_an_inline_script_or_handler(template):
    html = (ROOT / template).read_text()

    assert _inline_scripts(html) == []
    assert not INLINE_HANDLER.search(html)
    assert "style=" not in html


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("carla", "/calls/intake/"),
        ("dana", "/calls/board/"),
        ("sam", "/units/supervisor/"),
        ("riley", "/units/me/"),
        ("ada", "/triage/rules/"),
        ("ada", "/alerts/thresholds/"),
        ("ada", "/accounts/locked/"),
    ],
)
def test_no_screen_runs_inline_script(request, client_as, published_rules, persona, path):
    response = client_as(request.getfixturevalue(persona)).get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert _inline_scripts(html) == []
    assert not INLINE_HANDLER.search(html)
    assert "'unsafe-inline'" not in " ".join(_policy(response)["script-src"])


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_api_docs_load_their_scripts_from_files(client_as, dana, path):
    response = client_as(dana).get(path)

    assert response.status_code == 200
    assert _inline_scripts(response.content.decode()) == []
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in policy["style-src"]  # Swagger UI and ReDoc style inline; these pages only


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


def test_the_deploy_check_is_clean_behind_a_tls_proxy_with_every_issue_15_setting():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="cad.example.org",
        CSRF_TRUSTED_ORIGINS="https://cad.example.org",
        BEHIND_TLS_PROXY="True",
        TRUSTED_PROXY_COUNT="1",
        MFA_REQUIRED_ROLES="dispatcher,call_taker",
        API_TOKEN_MAX_HOURS="12",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_deploy_check_names_what_a_production_deploy_must_not_turn_off():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="cad.example.org",
        SESSION_COOKIE_SECURE="False",
        SECURE_HSTS_SECONDS="0",
    )

    assert result.returncode != 0
    assert "security.W010" in result.stderr + result.stdout  # SESSION_COOKIE_SECURE
    assert "security.W004" in result.stderr + result.stdout  # SECURE_HSTS_SECONDS
