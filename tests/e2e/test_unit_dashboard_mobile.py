"""The unit dashboard on a phone (390 x 844) and a tablet: every button in reach, nothing to scroll
sideways, the caller's language in the pop-up, and a backup request that asks why.

Run: .venv/bin/pytest -m e2e tests/e2e/test_unit_dashboard_mobile.py   (fixtures: tests/e2e/conftest.py)
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

LIVE_TIMEOUT = 5_000  # ms
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
# A crew of its own (ACS-17 speaks Spanish in the demo roster), so other tests' units stay free.
USERNAME = "phone-responder"
PASSWORD = "tall-cactus-lantern-2026"
CALL_SIGN = "ACS-17"


@pytest.fixture(scope="module")
def phone_responder(e2e_server):
    e2e_server.manage(
        "add_user", USERNAME, "--role", "responder", "--unit", CALL_SIGN, "--password-stdin", stdin=PASSWORD
    )
    return USERNAME


def _unit(api, call_sign):
    status, units = api.get("units")
    assert status == 200, units
    return next(u for u in units if u["call_sign"] == call_sign)


@pytest.fixture
def assigned_call(e2e_api, phone_responder):
    """A Spanish-speaking caller's call, with ACS-17 assigned; closed again after the test."""
    dispatcher = e2e_api("dispatcher")
    unit = _unit(dispatcher, CALL_SIGN)
    if unit["assignment_id"]:
        dispatcher.post(f"assignments/{unit['assignment_id']}/unassign", {"reason": "e2e reset"})
    status, call = e2e_api("calltaker").post(
        "calls",
        {
            "narrative": "Woman sitting on the curb, confused and upset, talking to herself; no weapons, not violent",
            "weapons": False,
            "violence": False,
            "medical": False,
            "address": "1801 4th St NW, Albuquerque, NM 87102, under the long awning by the north entrance",
            "lat": unit["lat"],
            "lon": unit["lon"],
            "caller_language": "es",
            "interpreter_needed": True,
        },
    )
    assert status == 201, call
    status, data = dispatcher.post(f"calls/{call['id']}/assignments", {"unit": CALL_SIGN})
    assert status == 201, data
    yield call
    dispatcher.post(f"calls/{call['id']}/close", {"disposition": "ACS-RA"})


def _no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px screen"


def _in_reach(page, selector: str) -> None:
    """Every matching button is shown, inside the screen's width and at least 44 px high."""
    buttons = page.locator(selector)
    assert buttons.count() > 0
    width = page.viewport_size["width"]
    for i in range(buttons.count()):
        button = buttons.nth(i)
        expect(button).to_be_visible()
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (button.inner_text(), box)
        assert box["height"] >= 44, (button.inner_text(), box)


def test_it_fits_a_phone_with_every_button_in_reach(
    e2e_server, page_as, phone_responder, assigned_call, axe_check
):
    page = page_as(phone_responder, PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto(e2e_server.url + "/units/me/")
    expect(page.locator("#live")).to_have_text("Live", timeout=LIVE_TIMEOUT)

    # The pop-up names the caller's language and the interpreter, and fits the phone too.
    alert = page.locator("#assign-alert")
    expect(alert).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(alert).to_contain_text("Speaks Spanish")
    expect(alert).to_contain_text("Interpreter needed")
    _no_sideways_scroll(page)
    _in_reach(page, "#assign-alert-ack")
    assert axe_check(page) == []
    page.locator("#assign-alert-ack").click()
    expect(alert).to_be_hidden(timeout=LIVE_TIMEOUT)

    expect(page.locator("#call-body")).to_contain_text("Speaks Spanish")
    _no_sideways_scroll(page)
    _in_reach(page, "#actions button, #clear-btn, [data-action=AVAILABLE], [data-action=OUT_OF_SERVICE]")
    assert axe_check(page) == []


def test_it_fits_a_tablet(e2e_server, page_as, phone_responder, axe_check):
    page = page_as(phone_responder, PASSWORD)
    page.set_viewport_size(TABLET)
    page.goto(e2e_server.url + "/units/me/")
    expect(page.locator("#live")).to_have_text("Live", timeout=LIVE_TIMEOUT)

    _no_sideways_scroll(page)
    _in_reach(page, "#actions button, #clear-btn, [data-action=AVAILABLE], [data-action=OUT_OF_SERVICE]")
    assert axe_check(page) == []


def test_it_asks_why_before_requesting_backup(e2e_server, page_as, e2e_api, phone_responder, assigned_call):
    page = page_as(phone_responder, PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto(e2e_server.url + "/units/me/")
    expect(page.locator("#assign-alert")).to_be_visible(timeout=LIVE_TIMEOUT)
    page.locator("#assign-alert-ack").click()
    expect(page.locator("#assign-alert")).to_be_hidden(timeout=LIVE_TIMEOUT)

    # From the keyboard: Enter on the button opens the question, Esc closes it and goes back.
    police = page.get_by_role("button", name="Request police backup")
    police.focus()
    page.keyboard.press("Enter")
    reason = page.locator("#backup-reason")
    expect(reason).to_be_focused()
    expect(page.locator("#backup-reason-label")).to_have_text("Why do you need Police?")
    page.keyboard.press("Escape")
    expect(page.locator("#backup-form")).to_be_hidden()
    expect(police).to_be_focused()

    # An empty reason is refused on the spot; nothing is sent.
    page.keyboard.press("Enter")
    expect(reason).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#backup-reason-error")).to_contain_text("Give a reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    _no_sideways_scroll(page)
    _in_reach(page, "#backup-send, #backup-cancel")

    page.keyboard.type("she has a knife now")
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_contain_text("Police backup requested", timeout=LIVE_TIMEOUT)
    expect(page.locator("#backup-form")).to_be_hidden()
    expect(police).to_be_focused()
    status, call = e2e_api("dispatcher").get(f"calls/{assigned_call['id']}")
    assert status == 200, call
    assert [(b["agency"], b["reason"]) for b in call["backup_requests"]] == [
        ("POLICE", "she has a knife now")
    ]
