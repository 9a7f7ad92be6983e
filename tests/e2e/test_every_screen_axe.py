"""Every screen, at desktop and at phone width, with axe: no serious or critical WCAG 2.1 AA violation
(issue 12). One persona per screen, as a floor would open it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SCREENS = [
    ("calltaker", "/calls/intake/", "#intake-form"),
    ("dispatcher", "/calls/board/", "#queue"),
    ("supervisor", "/units/supervisor/", "#units"),
    ("responder", "/units/me/", "#live"),
    ("admin", "/triage/rules/", "main"),
    ("admin", "/alerts/thresholds/", "main"),
    ("admin", "/accounts/locked/", "main"),
]
WIDTHS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize(("username", "path", "ready"), SCREENS)
def test_it_passes_axe_on_every_screen(browser, login, e2e_server, axe_check, username, path, ready, width):
    context = browser.new_context(viewport=WIDTHS[width])
    try:
        page = login(context.new_page(), username)
        page.goto(e2e_server.url + path)
        expect(page.locator(ready).first).to_be_attached()
        page.wait_for_load_state("networkidle")

        violations = axe_check(page)

        assert violations == [], f"{path} at {width} width: {violations}"
        if width == "phone":
            # The top bar wraps: "Log out" stays on a phone's screen on every page.
            box = page.get_by_role("button", name="Log out").bounding_box()
            assert box is not None and box["x"] + box["width"] <= WIDTHS["phone"]["width"], box
        if width == "phone" and path == "/units/me/":
            # The screen made for a phone never scrolls sideways (the consoles are wall and desk
            # screens: their wide tables may scroll on a phone).
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is {overflow}px wider than a phone"
    finally:
        context.close()
