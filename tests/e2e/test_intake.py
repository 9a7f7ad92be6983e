"""A call-taker enters a call with the keyboard only and sees the triage decision at once.

Run: .venv/bin/pytest -m e2e tests/e2e/test_intake.py   (fixtures: tests/e2e/conftest.py)
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_it_takes_a_call_with_the_keyboard_only_and_shows_the_decision(page_as, e2e_api):
    page = page_as("calltaker")
    expect(page).to_have_url(re.compile(r"/calls/intake/$"))
    expect(page.locator("#call_type")).to_be_focused()
    keyboard = page.keyboard

    # Call type by type-ahead over the name; Enter picks the highlighted "CW CHECK THE WELFARE".
    keyboard.type("check the wel")
    expect(page.locator("#call_type-list")).to_be_visible()
    keyboard.press("Enter")
    expect(page.locator("#call_type")).to_have_value("CW")
    expect(page.locator("#call_type-chosen")).to_contain_text("CHECK THE WELFARE")
    keyboard.press("Tab")
    expect(page.locator("#narrative")).to_be_focused()
    keyboard.type("Man sleeping in the bus shelter for hours, not aggressive, no weapons seen.")
    keyboard.press("Tab")
    keyboard.type("1st St NW & Central Ave")
    keyboard.press("Tab")
    keyboard.type("35.0853")
    keyboard.press("Tab")
    keyboard.type("-106.6490")
    keyboard.press("Tab")
    keyboard.type("Ana Ortiz")
    keyboard.press("Tab")
    keyboard.type("505-555-0142")
    # Screening: Alt+W jumps to "Weapons involved?"; the arrow keys move within a yes/no/unknown group.
    keyboard.press("Alt+w")
    expect(page.locator("input[name=weapons][value='']")).to_be_focused()  # the checked "Unknown"
    keyboard.press("ArrowLeft")  # Unknown -> No
    expect(page.locator("input[name=weapons][value=false]")).to_be_checked()
    keyboard.press("Enter")

    result = page.locator("#result")
    expect(result).to_be_visible()
    expect(page.locator("#result-title")).to_be_focused()
    expect(page.locator("#result-number")).to_contain_text(re.compile(r"Call \d\d-\d{6}"))
    expect(page.locator("#result-status")).to_have_text("PENDING")
    expect(page.locator("#result-agencies")).to_contain_text("ACS")
    expect(page.locator("#result-reasons li").first).to_be_visible()
    expect(page.locator("#history-body")).not_to_contain_text("Type an address")

    number = page.locator("#result-number").inner_text().removeprefix("Call ").strip()
    status, calls = e2e_api("dispatcher").get("calls?status=PENDING")
    assert status == 200
    saved = next(c for c in calls if c["number"] == number)
    assert saved["weapons"] == "NO"
    assert saved["call_type"]["code"] == "CW"
    assert saved["caller_name"] == "Ana Ortiz"
    assert saved["caller_phone"] == "5055550142"
    assert saved["zone"] is not None


def test_it_shows_field_errors_by_the_field_and_keeps_the_input(page_as):
    page = page_as("calltaker")
    page.keyboard.press("Alt+n")
    page.keyboard.type("someone yelling")
    page.keyboard.press("Alt+a")
    page.keyboard.type("12 Elm St SE")
    page.keyboard.press("Tab")
    page.keyboard.type("95")
    page.keyboard.press("Enter")

    expect(page.locator("#lat-error")).to_be_visible()
    expect(page.locator("#lat-error")).to_contain_text("90")
    expect(page.locator("#lat")).to_be_focused()
    expect(page.locator("#lat")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#narrative")).to_have_value("someone yelling")
    expect(page.locator("#address")).to_have_value("12 Elm St SE")
    expect(page.locator("#result")).to_be_hidden()


def test_it_has_no_serious_accessibility_violations(page_as, axe_check):
    page = page_as("calltaker")

    assert axe_check(page) == []


def test_it_asks_before_saving_a_call_in_which_nothing_was_recognised(page_as):
    page = page_as("calltaker")
    page.locator("#narrative").fill("zzqx blorp")
    page.locator("#narrative").press("Control+Enter")

    expect(page.locator("#unrecognised")).to_be_visible()
    expect(page.locator("#result")).to_be_hidden()
    expect(page.locator("#intake-submit")).to_be_focused()

    page.keyboard.press("Enter")  # save it as it is

    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#result-unrecognised")).to_contain_text("Not recognised")
    expect(page.locator("#unrecognised")).to_be_hidden()
