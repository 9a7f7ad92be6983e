"""Take the README screenshots of ACS Dispatch: docs/screenshots/*.png.

Run: .venv/bin/python scripts/screenshots.py

It starts the app the way the browser tests do (tests/e2e/conftest.py): a fresh SQLite file in a
temporary folder, `manage.py migrate`, `manage.py seed_demo`, then daphne on a free port. It takes
a few realistic calls through the REST API, assigns a unit to one of them, then logs in through
the real login form as each demo user with Playwright (Debian's /usr/bin/chromium, never
`playwright install`) and saves one PNG per screen:

- intake.png: the call-taker, after saving a call through the form (the triage decision shows);
- board.png: the dispatcher's board, with a pending call open and its recommended units;
- supervisor.png: the ACS supervisor's board and map;
- unit.png: the ACS-12 responder's unit dashboard, with the assignment;
- rules.png: the admin's triage rules;
- board-busy.png: the board at 1600x950 after a replayed busy hour (120 real San Diego calls, some
  assigned, the deadline sweep run ten minutes on): the queue stays in view under a one-line tray;
- lock.png: the board locked after its session ended (data hidden under the sign-in form);
- unit-phone.png: the ACS-12 unit dashboard at phone width (390 px).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devserver import daphne_running, demo_totp, embedded_env, free_port  # scripts/, this file's folder
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1400, "height": 900}
DEMO_PASSWORD = "acs-demo-2026"
LIVE_TIMEOUT = 15_000  # ms

# Calls taken through the API before the screenshots (Albuquerque, downtown and around).
CALLS = [
    {
        "call_type": "SLEEPER",
        "narrative": "man asleep in the doorway of the library, breathing, no weapons",
        "weapons": False,
        "violence": False,
        "medical": False,
        "caller_is_subject": False,
        "address": "501 Copper Ave NW",
        "lat": 35.0857,
        "lon": -106.6497,
        "caller_name": "Library security desk",
        "caller_phone": "505-555-0110",
    },
    {
        "call_type": "SUICTHRT",
        "narrative": "woman in crisis on the bridge, says she wants to die, no weapons",
        "weapons": False,
        "violence": False,
        "caller_is_subject": False,
        "address": "Central Ave SW & Rio Grande bridge",
        "lat": 35.0906,
        "lon": -106.6815,
        "caller_name": "Passing driver",
        "caller_phone": "505-555-0187",
    },
    {
        "call_type": "417",
        "narrative": "man with a knife threatening customers",
        "weapons": True,
        "address": "5001 Central Ave NE",
        "lat": 35.0799,
        "lon": -106.5905,
        "caller_name": "Store manager",
        "caller_phone": "505-555-0163",
    },
    {
        "call_type": "WELFARE",
        "narrative": "older man sitting at the bus stop for hours, seems confused, not aggressive, no weapons",
        "weapons": False,
        "violence": False,
        "medical": False,
        "address": "Wyoming Blvd NE & Menaul Blvd NE",
        "lat": 35.1103,
        "lon": -106.5516,
        "caller_name": "Bus driver",
        "caller_phone": "505-555-0121",
    },
]
# The call the dispatcher assigns: the one by ACS-12's home position, so ACS-12 (crewed by the
# `responder` demo user) is the first recommendation and the unit dashboard has a call.
ASSIGN_CALL = 3
PREFERRED_UNIT = "ACS-12"
# The call opened on the dispatch board for its recommendations.
OPEN_ON_BOARD = 2


def _manage(env: dict, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")


@contextmanager
def app_server() -> Iterator[tuple[str, dict]]:
    """A migrated, seeded app on daphne: yields its URL and environment; everything removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="acs-screens-"))
    env = embedded_env(sqlite_path=tmp / "screens.sqlite3")
    try:
        print("migrating and seeding the demo data ...", flush=True)
        _manage(env, "migrate", "--noinput")
        _manage(env, "seed_demo")
        with daphne_running(env=env, port=free_port(), log_path=tmp / "daphne.log") as url:
            print(f"app on {url}", flush=True)
            yield url, env
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class Api:
    """A tiny JSON client over token auth; paths are relative to /api/v1/."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.token = None
        self.token = self.call("POST", "auth/token", {"username": username, "password": DEMO_PASSWORD})[
            "token"
        ]

    def call(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}/api/v1/{path}", data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=15) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise SystemExit(f"{method} {path}: {exc.code} {exc.read()[:2000]!r}") from exc


def take_calls(url: str) -> list[dict]:
    calltaker = Api(url, "calltaker")
    dispatcher = Api(url, "dispatcher")
    calls = []
    for body in CALLS:
        call = calltaker.call("POST", "calls", body)
        triage = call["triage"]
        print(
            f"call {call['number']}: {'+'.join(triage['agencies'])} P{triage['priority']}  {body['narrative']}"
        )
        calls.append(call)
    chosen = calls[ASSIGN_CALL]
    recs = dispatcher.call("GET", f"calls/{chosen['id']}/recommendations")
    units = [u["call_sign"] for agency in recs for u in agency["units"] + agency["fallback"]]
    if not units:
        raise SystemExit(f"no unit recommended for call {chosen['number']}: {recs}")
    unit = PREFERRED_UNIT if PREFERRED_UNIT in units else units[0]
    dispatcher.call("POST", f"calls/{chosen['id']}/assignments", {"unit": unit})
    print(f"assigned {unit} to call {chosen['number']} (recommended: {', '.join(units[:5])})")
    return calls


def login(page: Page, url: str, username: str) -> None:
    page.goto(url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    if "/login/verify/" in page.url:  # two-factor sign-in (admin, supervisor): seed_demo's secret
        page.get_by_label("Code", exact=True).fill(demo_totp(username))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state("networkidle")


def wait_live(page: Page) -> None:
    expect(page.locator("#live")).to_have_text("Live", timeout=LIVE_TIMEOUT)


def open_screen(page: Page, url: str, username: str, path: str) -> None:
    """Sign in as `username` and open `path` with its socket live."""
    login(page, url, username)
    page.goto(url + path)
    wait_live(page)


def save(page: Page, name: str) -> None:
    page.wait_for_timeout(500)  # let transitions and map redraws settle
    path = OUT / name
    page.screenshot(path=str(path))
    print(f"wrote {path.relative_to(ROOT)}")


def shoot_intake(page: Page, url: str) -> None:
    """A second call at the library: the history panel shows the earlier one (CALLS[0])."""
    login(page, url, "calltaker")
    page.locator("#call_type").fill("CW")
    page.locator("#narrative").fill(
        "Man pacing and talking to himself at the library entrance, staff say he seems confused, "
        "no weapons seen."
    )
    page.locator("#address").fill("501 Copper Ave NW")
    page.locator("#lat").fill("35.0857")
    page.locator("#lon").fill("-106.6497")
    page.locator("#caller_name").fill("Ana Ortiz")
    page.locator("#caller_phone").fill("505-555-0142")
    page.locator("input[name=weapons][value=false]").check()
    page.locator("input[name=violence][value=false]").check()
    # Let the typed-in history lookup (debounced 300 ms) answer before saving, as it would for a
    # call-taker: a lookup landing after the save would list the new call as an "earlier" one.
    expect(page.locator("#history-body")).not_to_contain_text("Type an address", timeout=LIVE_TIMEOUT)
    page.wait_for_timeout(800)
    page.locator("#intake-submit").click()
    expect(page.locator("#result")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(page.locator("#result-status")).not_to_be_empty()
    page.wait_for_load_state("networkidle")
    save(page, "intake.png")


def shoot_board(page: Page, url: str, calls: list[dict]) -> None:
    open_screen(page, url, "dispatcher", "/calls/board/")
    opened = calls[OPEN_ON_BOARD]
    row = page.locator(f"#queue li[data-id='{opened['id']}']")
    expect(row).to_contain_text(opened["number"], timeout=LIVE_TIMEOUT)
    row.click()
    expect(page.locator("#recs")).not_to_be_empty(timeout=LIVE_TIMEOUT)
    page.wait_for_load_state("networkidle")
    save(page, "board.png")


def shoot_supervisor(page: Page, url: str) -> None:
    open_screen(page, url, "supervisor", "/units/supervisor/")
    expect(page.locator("#units tr").first).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(page.locator("#map [data-unit]").first).to_be_attached(timeout=LIVE_TIMEOUT)
    save(page, "supervisor.png")


def shoot_unit(page: Page, url: str) -> None:
    open_screen(page, url, "responder", "/units/me/")
    page.wait_for_load_state("networkidle")
    save(page, "unit.png")


def shoot_rules(page: Page, url: str) -> None:
    login(page, url, "admin")
    page.goto(url + "/triage/rules/")
    page.wait_for_load_state("networkidle")
    save(page, "rules.png")


# Ten minutes of clocks, run by one sweep in its own process: the alerts the board then loads.
SWEEP_LATER = (
    "import datetime as dt, django; django.setup(); from django.utils import timezone; "
    "from calls.services import deadlines_sweep; "
    "print(deadlines_sweep(now=timezone.now() + dt.timedelta(minutes=10)))"
)


def busy_hour(url: str, env: dict) -> None:
    """Replay real calls into the center, assign the first recommended unit to every fourth one,
    then let ten minutes of clocks run out."""
    _manage(env, "replay_calls", "--limit", "120", "--speed", "0")
    dispatcher = Api(url, "dispatcher")
    pending = dispatcher.call("GET", "calls?status=PENDING")
    assigned = 0
    for call in pending[::4]:
        recs = dispatcher.call("GET", f"calls/{call['id']}/recommendations")
        units = [u["call_sign"] for agency in recs for u in agency["units"]]
        if units:
            dispatcher.call(
                "POST", f"calls/{call['id']}/assignments", {"unit": units[0], "override_reason": "demo"}
            )
            assigned += 1
    done = subprocess.run(
        [sys.executable, "-c", SWEEP_LATER], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if done.returncode:
        raise SystemExit(f"sweep failed:\n{done.stderr[-3000:]}")
    print(f"busy hour: {len(pending)} calls waiting, {assigned} assigned; sweep {done.stdout.strip()}")


def shoot_board_busy(page: Page, url: str) -> None:
    page.set_viewport_size({"width": 1600, "height": 950})
    open_screen(page, url, "dispatcher", "/calls/board/")
    expect(page.locator("#queue li").first).to_be_visible(timeout=LIVE_TIMEOUT)
    page.wait_for_load_state("networkidle")
    save(page, "board-busy.png")


def shoot_lock(page: Page, url: str) -> None:
    open_screen(page, url, "dispatcher", "/calls/board/")
    page.wait_for_load_state("networkidle")
    # The session ends on the server (another tab logged out): the next request locks the screen.
    page.context.clear_cookies(name="sessionid")
    page.evaluate("ACSLive.api('GET', '/api/v1/units')")
    expect(page.locator("#lock-screen")).to_be_visible(timeout=LIVE_TIMEOUT)
    save(page, "lock.png")


def shoot_unit_phone(page: Page, url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_screen(page, url, "responder", "/units/me/")
    page.wait_for_load_state("networkidle")
    save(page, "unit-phone.png")


def main() -> None:
    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    OUT.mkdir(parents=True, exist_ok=True)
    with app_server() as (url, env):
        calls = take_calls(url)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for shoot in (
                    lambda page: shoot_intake(page, url),
                    lambda page: shoot_board(page, url, calls),
                    lambda page: shoot_supervisor(page, url),
                    lambda page: shoot_unit(page, url),
                    lambda page: shoot_rules(page, url),
                    lambda page: shoot_unit_phone(page, url),
                    lambda page: shoot_lock(page, url),
                    lambda page: (busy_hour(url, env), shoot_board_busy(page, url)),
                ):
                    context = browser.new_context(viewport=VIEWPORT)
                    try:
                        shoot(context.new_page())
                    finally:
                        context.close()
            finally:
                browser.close()


if __name__ == "__main__":
    main()
