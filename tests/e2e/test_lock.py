"""The idle lock (issue 12): when the session's idle limit passes, every screen hides its data under
a sign-in form and closes its socket; signing in again there keeps the page and resumes each stream
from its last event id, so what happened meanwhile shows up and nothing is lost.

A second daphne runs on the session database of `e2e_server` with an idle limit of a few seconds
(SESSION_IDLE_SECONDS), so the test waits seconds, not 30 minutes.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scripts.devserver import daphne_running, demo_totp, free_port
from tests.e2e.conftest import DEMO_PASSWORD, JsonApi

pytestmark = pytest.mark.e2e

IDLE_SECONDS = 8
LIVE_TIMEOUT = 15_000


@pytest.fixture(scope="module")
def short_idle_url(e2e_server):
    env = {**e2e_server.env, "SESSION_IDLE_SECONDS": str(IDLE_SECONDS)}
    port = free_port()
    with daphne_running(env=env, port=port, log_path=e2e_server.log_path.with_name("daphne-idle.log")) as url:
        yield url


def _token_api(base, username):
    status, data = JsonApi(base, None).post("auth/token", {"username": username, "password": DEMO_PASSWORD})
    assert status == 200, data
    return JsonApi(base, data["token"])


def _login(page, base, username):
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("domcontentloaded")


def test_it_locks_an_idle_board_and_resumes_it_after_signing_in_again(browser, short_idle_url, axe_check):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        _login(page, short_idle_url, "dispatcher")
        page.goto(short_idle_url + "/calls/board/")
        expect(page.locator("#live")).to_have_text("Live", timeout=LIVE_TIMEOUT)
        expect(page.locator("#queue-h")).to_be_visible()
        page.evaluate("window.__samePage = true")

        # Idle past the limit: the data is hidden (not dimmed) and the socket is closed.
        lock = page.locator("#lock-screen")
        expect(lock).to_be_visible(timeout=IDLE_SECONDS * 1000 + 15_000)
        expect(page.get_by_role("heading", name="Screen locked")).to_be_visible()
        for hidden in ("#main", "#queue", "#units", ".topbar nav"):
            expect(page.locator(hidden)).to_be_hidden()
        assert page.evaluate("window.ACSBoard.live.open") is False
        last_before = page.evaluate("window.ACSBoard.live.lastEventId")
        assert page.evaluate("sessionStorage.getItem('acs.live.last:/ws/dispatch/')") == str(last_before)
        expect(page.locator("#lock-username")).to_have_value("dispatcher")
        assert axe_check(page) == []

        # Meanwhile a call comes in.
        status, call = _token_api(short_idle_url, "calltaker").post(
            "calls", {"narrative": "man sleeping at the bus stop, no weapons", "address": "Central & 4th"}
        )
        assert status == 201, call

        # A wrong password says so and keeps the lock.
        page.locator("#lock-password").fill("not the password")
        page.get_by_role("button", name="Sign in and unlock").click()
        expect(page.locator("#lock-error")).to_have_text("Wrong username or password.", timeout=LIVE_TIMEOUT)
        expect(page.locator("#queue")).to_be_hidden()

        # Signing in again: same page, the socket resumes from its last id, the new call is there.
        page.locator("#lock-password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in and unlock").click()
        expect(lock).to_have_count(0, timeout=LIVE_TIMEOUT)
        expect(page.locator("#live")).to_have_text("Live", timeout=LIVE_TIMEOUT)
        expect(page.locator(f"#queue li[data-id='{call['id']}']")).to_contain_text(
            call["number"], timeout=LIVE_TIMEOUT
        )
        assert page.evaluate("window.__samePage") is True
        assert page.evaluate("window.ACSBoard.live.lastEventId") > last_before
        # The CSRF token rotated at sign-in; the page's requests still go through.
        result = page.evaluate(
            """(id) => ACSLive.api('POST', '/api/v1/calls/' + id + '/override',
                {agencies: ['ACS', 'POLICE'], lead: 'ACS', priority: 2, reason: 'e2e: after unlock'})""",
            call["id"],
        )
        assert result["ok"], result
    finally:
        context.close()


def test_it_locks_when_a_request_finds_the_session_gone(e2e_server, page_as):
    page = page_as("admin")
    page.goto(e2e_server.url + "/alerts/thresholds/")
    expect(page.get_by_role("heading", name="Alert thresholds")).to_be_visible()

    # The session ends on the server (another tab logged out, an admin ended it): the next request
    # gets 401/403, and the screen locks at once instead of failing with "credentials not provided".
    page.context.clear_cookies(name="sessionid")
    result = page.evaluate("ACSLive.api('GET', '/api/v1/units')")
    assert result["status"] in (401, 403)
    expect(page.locator("#lock-screen")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(page.locator("table.thresholds")).to_be_hidden()

    page.locator("#lock-password").fill(DEMO_PASSWORD)
    # An admin signs in with a second factor (issue 15): the lock asks for the code as well.
    page.get_by_role("button", name="Sign in and unlock").click()
    expect(page.locator("#lock-error")).to_have_text("Enter the code your authenticator app shows.")
    page.get_by_label("Authenticator code").fill(demo_totp("admin"))
    page.get_by_role("button", name="Sign in and unlock").click()
    expect(page.locator("#lock-screen")).to_have_count(0, timeout=LIVE_TIMEOUT)
    expect(page.locator("table.thresholds")).to_be_visible()
    assert page.evaluate("ACSLive.api('GET', '/api/v1/units')")["ok"]
