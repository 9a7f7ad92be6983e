"""A call-taker types an intersection, picks it from the keyboard, saves, and sees the zone: no
coordinates typed (issue 13).

Run: .venv/bin/pytest -m e2e tests/e2e/test_geocode_intake.py   (fixtures: tests/e2e/conftest.py)
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_it_places_a_call_at_an_intersection_picked_from_the_keyboard(page_as, e2e_api, axe_check):
    page = page_as("calltaker")
    expect(page).to_have_url(re.compile(r"/calls/intake/$"))
    keyboard = page.keyboard
    page.locator("#narrative").focus()
    keyboard.type("Man sleeping in a doorway for hours, not aggressive, no weapons seen.")
    keyboard.press("Alt+a")
    expect(page.locator("#address")).to_be_focused()
    keyboard.type("central & louis")

    options = page.locator("#address-list [role=option]")
    expect(options.first).to_be_visible()
    expect(options.first).to_contain_text("Corner")  # the kind in words, not by colour
    expect(options.first).to_contain_text("Louisiana")
    assert axe_check(page) == []
    keyboard.press("ArrowDown")
    expect(page.locator("#address")).to_have_attribute("aria-activedescendant", "address-list-opt-0")
    keyboard.press("Enter")

    expect(page.locator("#address")).to_have_value(re.compile(r"^Central Ave \w\w & Louisiana Blvd \w\w$"))
    expect(page.locator("#address-list")).to_be_hidden()
    expect(page.locator("#address-found")).to_contain_text("zone Southeast")
    expect(page.locator("#lat")).to_have_value(re.compile(r"^35\.08"))
    expect(page.locator("#lon")).to_have_value(re.compile(r"^-106\.56"))

    keyboard.press("Enter")  # the list is closed: Enter saves the call
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#result-body")).to_contain_text("zone Southeast")

    number = page.locator("#result-number").inner_text().removeprefix("Call ").strip()
    status, calls = e2e_api("dispatcher").get("calls?status=PENDING")
    assert status == 200
    saved = next(c for c in calls if c["number"] == number)
    assert saved["zone"] == "Southeast" and saved["location_unverified"] is False
    assert saved["address"].startswith("Central Ave") and saved["lat"] == pytest.approx(35.0815, abs=0.001)
    status, recs = e2e_api("dispatcher").get(f"calls/{saved['id']}/recommendations")
    assert status == 200 and any(entry["units"] for entry in recs)  # nearest units, no coordinates typed


def test_it_keeps_an_address_that_resolves_nowhere_and_places_it_by_a_map_pick(page_as, e2e_api):
    page = page_as("calltaker")
    page.locator("#narrative").fill("Woman asking for a ride to a shelter, calm, no weapons.")
    page.locator("#address").fill("behind the old feed store by the ditch")
    expect(page.locator("#address-found")).to_contain_text("No match")
    page.locator("#narrative").focus()
    page.keyboard.press("Control+Enter")

    expect(page.locator("#result-unverified")).to_contain_text("Location not verified")
    page.locator("#intake-map").click()  # the centre of the map: inside the city
    expect(page.locator("#result-unverified")).to_contain_text("Placed by map pick")

    number = page.locator("#result-number").inner_text().removeprefix("Call ").strip()
    _, calls = e2e_api("dispatcher").get("calls?status=PENDING")
    saved = next(c for c in calls if c["number"] == number)
    assert saved["location_unverified"] is False and saved["lat"] is not None
    assert saved["address"] == "behind the old feed store by the ditch"
