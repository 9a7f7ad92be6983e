"""Issue 4 end to end: the call-taker enters a call with the keyboard only, the dispatcher finds it
on the board, assigns the recommended unit, and the call shows DISPATCHED.

Run: .venv/bin/pytest -m e2e tests/e2e/test_dispatch_flow.py   (fixtures: tests/e2e/conftest.py)
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_it_takes_a_keyboard_call_to_a_dispatched_unit(page_as, e2e_api):
    # An earlier call at the same corner: the board shows it as history of the new one.
    status, earlier = e2e_api("calltaker").post(
        "calls",
        {
            "narrative": "woman crying on the curb",
            "address": "Central Ave SE & Yale Blvd SE",
            "lat": 35.0801,
            "lon": -106.6210,
        },
    )
    assert status == 201, earlier
    intake = page_as("calltaker")
    expect(intake.locator("#call_type")).to_be_focused()
    keys = intake.keyboard
    keys.type("welfare")
    keys.press("Enter")  # the highlighted call type from the type-ahead
    keys.press("Tab")
    keys.type("Woman sitting on the curb crying, says she has nowhere to go, not aggressive, no weapons.")
    keys.press("Tab")
    keys.type("Central Ave SE & Yale Blvd SE")
    keys.press("Tab")
    keys.type("35.0801")
    keys.press("Tab")
    keys.type("-106.6210")
    keys.press("Enter")
    expect(intake.locator("#result-number")).to_contain_text(re.compile(r"Call \d\d-\d{6}"))
    number = intake.locator("#result-number").inner_text().removeprefix("Call ").strip()
    expect(intake.locator("#result-agencies")).to_contain_text("ACS")

    board = page_as("dispatcher")
    row = board.locator("#queue li", has_text=number)
    expect(row).to_have_count(1)
    row.click()
    expect(board.locator("#history")).to_contain_text(earlier["number"])
    first_assign = board.locator("#recs button", has_text=re.compile(r"^Assign ")).first
    expect(first_assign).to_be_visible()
    unit = first_assign.inner_text().removeprefix("Assign ").strip()
    first_assign.click()

    active = board.locator("#active tr", has_text=number)
    expect(active).to_contain_text("Dispatched")
    expect(active).to_contain_text(unit)
    status, calls = e2e_api("dispatcher").get("calls?status=DISPATCHED")
    assert status == 200
    assert number in [c["number"] for c in calls]


def test_it_opens_a_call_of_the_snapshot_in_full_and_assigns_it(page_as, e2e_api):
    # Entered before the board opens: the board gets it as a brief row of its snapshot (issue 16).
    narrative = "Man asleep in the bus shelter on 4th St, not aggressive, no weapons, asks for a blanket."
    status, call = e2e_api("calltaker").post(
        "calls",
        {"narrative": narrative, "address": "4th St NW & Central Ave", "lat": 35.0853, "lon": -106.6511},
    )
    assert status == 201, call

    board = page_as("dispatcher")
    row = board.locator(f"#q-{call['id']}")
    expect(row).to_have_count(1)
    snapshot_row = board.evaluate(f"window.ACSBoard.state().calls[{call['id']}]")
    assert snapshot_row["brief"] is True
    assert "narrative" not in snapshot_row
    # The queue row's reasons come with the brief row.
    expect(row.locator("[data-slot=reasons] li").first).to_be_visible()

    row.click()
    info = board.locator("#detail-info")
    expect(info).to_contain_text(narrative)
    expect(info).to_contain_text("Needs ")
    expect(info).to_contain_text("Triage")
    assert board.evaluate(f"window.ACSBoard.state().calls[{call['id']}].brief") is None
    first_assign = board.locator("#recs button", has_text=re.compile(r"^Assign ")).first
    expect(first_assign).to_be_visible()
    unit = first_assign.inner_text().removeprefix("Assign ").strip()
    first_assign.click()

    active = board.locator("#active tr", has_text=call["number"])
    expect(active).to_contain_text("Dispatched")
    expect(active).to_contain_text(unit)
    expect(info).to_contain_text(narrative)
