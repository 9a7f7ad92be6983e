"""One clock (issue 12): every screen shows and formats times on the city's clock, 24-hour, whatever
the workstation's own time zone (this browser runs in Tokyo)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("username", "path"),
    [("dispatcher", "/calls/board/"), ("supervisor", "/units/supervisor/"), ("admin", "/triage/rules/")],
)
def test_it_shows_city_time_in_24_hours_on_every_screen(browser, login, e2e_server, username, path):
    context = browser.new_context(timezone_id="Asia/Tokyo", viewport={"width": 1400, "height": 900})
    page = login(context.new_page(), username)
    try:
        page.goto(e2e_server.url + path)
        assert page.evaluate("document.body.dataset.tz") == "America/Denver"
        expect(page.locator("#city-clock")).to_have_text(
            re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d M[SD]T$")
        )
        formatted = page.evaluate(
            """() => [
                ACSLive.clock('2026-11-25T14:30:05Z'),
                ACSLive.clock('2026-07-01T06:05:00Z'),
                ACSLive.clockShort('2026-11-25T23:59:00Z'),
                ACSLive.dateTime('2026-03-08T09:30:00Z'),
                ACSLive.zoneName('2026-07-01T06:05:00Z'),
                ACSLive.clock(null),
            ]"""
        )
        # 07:30 MST in November; 00:05 (never "24:05") MDT in July; the date of the city, not UTC's.
        assert formatted == ["07:30:05", "00:05:00", "16:59", "2026-03-08 03:30", "MDT", ""]
    finally:
        context.close()
