"""Shared fixtures of the browser tests (Playwright for Python driving /usr/bin/chromium).

Run them on their own: `.venv/bin/pytest -m e2e tests/e2e/` (install the browser with
`apt-get install -y chromium` if missing; never `playwright install`).

The app runs as it does in production: a real daphne process (HTTP + websockets, in-memory
channel layer) on a free port, against its own SQLite file, migrated and loaded with
`manage.py seed_demo` once per session. The test process never touches that database directly,
so there is no transaction isolation to fight: set state through the API or the pages.

Fixtures:
- `e2e_server` (session): `.url` ("http://127.0.0.1:PORT"), `.manage(*args, stdin=None)` runs a
  management command against the server's database (e.g. `add_user`), `.log_path` the server log.
- `browser_type_launch_args` (session): points pytest-playwright at /usr/bin/chromium with
  --no-sandbox, --disable-gpu, --disable-background-networking.
- `page_as(username)`: a new Page in its own browser context (own cookies), logged in through the
  real login form as a demo user; several can be open at once (dispatcher + responder + ...).
- `login(page, username, password=DEMO_PASSWORD)`: log an existing page in through the form.
- `e2e_api(username)`: a tiny JSON client over token auth: `.get(path)`, `.post(path, body)` ->
  (status, data); paths are relative to /api/v1/.
- `axe_check(page, exclude=())`: inject static/vendor/axe/axe.min.js and return the serious /
  critical WCAG 2.1 A/AA violations (a list; assert it is empty); `exclude` takes CSS selectors
  of regions another test owns.
- DEMO_PASSWORD and DEMO_USERS (username -> role) describe the seeded accounts: calltaker,
  dispatcher, supervisor, responder (crews ACS-12), officer, medic, admin.
- `demo_totp(username)`: a fresh authenticator code for a demo user with two-factor sign-in (admin
  and supervisor: seed_demo gives them DEMO_TOTP_SECRET). `login` and `e2e_api` send it by
  themselves when the server asks for it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.devserver import daphne_running, demo_totp, embedded_env, free_port

MFA_USERS = {"admin", "supervisor"}  # seed_demo gives them an authenticator (DEMO_TOTP_SECRET)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
DEMO_PASSWORD = "acs-demo-2026"
DEMO_USERS = {
    "calltaker": "call_taker",
    "dispatcher": "dispatcher",
    "supervisor": "acs_supervisor",
    "responder": "responder",
    "officer": "responder",
    "medic": "responder",
    "admin": "admin",
}


def pytest_collection_modifyitems(config, items):
    # Everything in this folder is a browser test, marked or not.
    for item in items:
        if str(item.fspath).startswith(str(Path(__file__).parent)):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _fresh_caches():
    """The app's caches live in the daphne process, not here: nothing to reset (overrides the
    root conftest's reset, which would import the app's selectors into the test process)."""
    yield


@dataclass
class E2EServer:
    url: str
    env: dict
    log_path: Path

    def manage(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return _run([sys.executable, "manage.py", *args], env=self.env, stdin=stdin)


def _run(argv: list[str], *, env: dict, stdin: str | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=300)
    if done.returncode:
        pytest.fail(
            f"{' '.join(argv[1:3])} failed ({done.returncode}):\n{done.stderr[-3000:]}", pytrace=False
        )
    return done


@contextlib.contextmanager
def e2e_instance(prefix: str = "acs-e2e-") -> Iterator[E2EServer]:
    """A running center of its own: a fresh SQLite file, migrated, the demo loaded, daphne on a
    free port until the block ends."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    env = embedded_env(sqlite_path=tmp / "e2e.sqlite3")
    port = free_port()
    server = E2EServer(url=f"http://127.0.0.1:{port}", env=env, log_path=tmp / "daphne.log")
    server.manage("migrate", "--noinput")
    server.manage("seed_demo")
    with daphne_running(env=env, port=port, log_path=server.log_path):
        yield server


@pytest.fixture(scope="session")
def e2e_server():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with e2e_instance() as server:
        yield server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture
def login(e2e_server):
    def do_login(page, username: str, password: str = DEMO_PASSWORD):
        page.goto(e2e_server.url + "/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("domcontentloaded")
        if "/login/verify/" in page.url:  # two-factor sign-in: the authenticator's code
            page.get_by_label("Code", exact=True).fill(demo_totp(username))
            page.get_by_role("button", name="Verify").click()
            page.wait_for_load_state("domcontentloaded")
        return page

    return do_login


@pytest.fixture
def page_as(browser, login):
    contexts = []

    def make(username: str, password: str = DEMO_PASSWORD):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        return login(page, username, password)

    yield make
    for context in contexts:
        context.close()


class JsonApi:
    def __init__(self, base: str, token: str | None):
        self.base = base
        self.token = token

    def _call(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + "/api/v1/" + path.lstrip("/"), data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=15) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def get(self, path: str):
        return self._call("GET", path)

    def post(self, path: str, body=None):
        return self._call("POST", path, body if body is not None else {})


def api_for(server: E2EServer, username: str | None, password: str = DEMO_PASSWORD) -> JsonApi:
    """The REST API of `server` as a demo user (a token of its own), or anonymous (None)."""
    if username is None:
        return JsonApi(server.url, None)
    body = {"username": username, "password": password}
    if username in MFA_USERS:
        body["otp"] = demo_totp(username)
    status, data = JsonApi(server.url, None).post("auth/token", body)
    assert status == 200, data
    return JsonApi(server.url, data["token"])


@pytest.fixture
def e2e_api(e2e_server):
    def make(username: str | None, password: str = DEMO_PASSWORD) -> JsonApi:
        return api_for(e2e_server, username, password)

    return make


@pytest.fixture
def axe_check():
    def check(page, *, impacts=("serious", "critical"), exclude=()):
        # From the app's own static files: the Content-Security-Policy refuses inline scripts,
        # injected ones included.
        page.add_script_tag(url=page.evaluate("location.origin") + "/static/vendor/axe/axe.min.js")
        result = page.evaluate(
            """async (exclude) => await axe.run(
                {include: [["html"]], exclude: exclude.map((s) => [s])},
                {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
            )""",
            list(exclude),
        )
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
            if v["impact"] in impacts
        ]

    return check
