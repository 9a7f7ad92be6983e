"""Issue part B end to end: dispatch carries the triage decision through.

"Brother is suicidal and has a gun": police lead, ACS follows. On the board, ACS first is refused
with a plain message; the dispatcher goes ahead with a reason, which is recorded; the call stays in
the queue, partly dispatched, until police are on it; the ACS unit's pop-up names the weapon and
tells the team to wait; police report the scene safe and the ACS dashboard says so at once.

Run: .venv/bin/pytest -m e2e tests/e2e/test_safe_dispatch.py   (fixtures: tests/e2e/conftest.py)
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

LIVE_TIMEOUT = 5_000  # ms


def _units(api) -> dict[str, dict]:
    status, units = api.get("units")
    assert status == 200, units
    return {u["call_sign"]: u for u in units}


def _free(api, *call_signs: str) -> dict[str, dict]:
    """Take the units off whatever call an earlier test left them on (the server lives for the session)."""
    for sign in call_signs:
        unit = _units(api)[sign]
        if unit["assignment_id"]:
            status, data = api.post(f"assignments/{unit['assignment_id']}/unassign", {"reason": "e2e reset"})
            assert status == 200, data
    units = _units(api)
    assert all(units[s]["status"] == "AVAILABLE" for s in call_signs), units
    return units


@pytest.fixture
def free_units(e2e_api):
    """ACS-12 and APD-2A31 free before the test and again after it, for the tests that follow."""
    api = e2e_api("dispatcher")
    yield _free(api, "ACS-12", "APD-2A31")
    _free(api, "ACS-12", "APD-2A31")


def _assign_by_call_sign(board, call_sign: str) -> None:
    board.locator("#as-unit").fill(call_sign)
    board.locator("#as-submit").click()


def test_it_keeps_acs_behind_police_on_a_gun_call(e2e_server, page_as, e2e_api, axe_check, free_units):
    dispatcher_api = e2e_api("dispatcher")
    units = free_units
    board = page_as("dispatcher")
    board.goto(e2e_server.url + "/calls/board/")
    acs = page_as("responder")  # crews ACS-12
    acs.goto(e2e_server.url + "/units/me/")
    officer = page_as("officer")  # crews APD-2A31
    officer.goto(e2e_server.url + "/units/me/")
    for page in (board, acs, officer):
        expect(page.locator("#live")).to_have_text("Live", timeout=LIVE_TIMEOUT)

    # Weapons answered yes: police lead whatever the state of the narrative reading.
    status, call = e2e_api("calltaker").post(
        "calls",
        {
            "narrative": "brother is suicidal and has a gun",
            "weapons": True,
            "address": "501 Copper Ave NW",
            "lat": units["ACS-12"]["lat"],
            "lon": units["ACS-12"]["lon"],
        },
    )
    assert status == 201, call
    assert call["triage"]["lead"] == "POLICE", call["triage"]
    number = call["number"]

    row = board.locator(f"#queue li[data-id='{call['id']}']")
    expect(row).to_contain_text(number, timeout=LIVE_TIMEOUT)
    row.click()
    expect(board.locator("#detail-info")).to_contain_text("Police must be on this call before ACS: weapon")
    expect(board.locator("#detail-info")).to_contain_text("Dangers: Weapon")
    if "ACS" in call["triage"]["agencies"]:
        # ACS is not offered as a one-click Assign while police, the lead, have no unit.
        expect(board.locator("#recs [data-ahead]").first).to_be_visible(timeout=LIVE_TIMEOUT)
        expect(board.locator("#recs [data-assign='ACS-12']")).to_have_count(0)

    # ACS first, by call sign: refused, plainly, on the screen.
    _assign_by_call_sign(board, "ACS-12")
    refusal = board.locator("#as-refusal")
    expect(refusal).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(refusal).to_contain_text("Police must be on this call before ACS: weapon")
    expect(refusal).to_contain_text("Assign a police unit first, or give a reason to go ahead.")
    expect(board.locator("#as-reason")).to_be_focused()

    # The dispatcher goes ahead with a reason (keyboard: type it, Enter).
    board.keyboard.type("family waiting outside, police 20 minutes out")
    board.keyboard.press("Enter")
    expect(board.locator("#detail-flash")).to_contain_text("ACS-12 assigned", timeout=LIVE_TIMEOUT)
    status, detail = dispatcher_api.get(f"calls/{call['id']}")
    assert status == 200, detail
    (acs_on_call,) = [u for u in detail["units"] if u["unit"] == "ACS-12"]
    assert acs_on_call["override_reason"] == "family waiting outside, police 20 minutes out"
    assert detail["missing_agencies"] == ["POLICE"]

    # Still in the queue, partly dispatched, naming the missing agency.
    expect(row).to_contain_text("Partly dispatched", timeout=LIVE_TIMEOUT)
    expect(row).to_contain_text("still needs Police")

    # The ACS team's pop-up names the weapon and tells them to wait for police.
    alert = acs.locator("#assign-alert")
    expect(alert).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(alert).to_contain_text(number)
    expect(alert).to_contain_text("Weapon")
    expect(alert).not_to_contain_text("None reported")
    expect(alert).to_contain_text("Wait for police")
    expect(alert).to_contain_text("still to be sent: Police")
    acs.locator("#assign-alert-ack").click()
    expect(alert).to_be_hidden(timeout=LIVE_TIMEOUT)

    # Police by call sign: the call leaves the queue; the ACS dashboard lists them.
    _assign_by_call_sign(board, "APD-2A31")
    expect(board.locator("#detail-flash")).to_contain_text("APD-2A31 assigned", timeout=LIVE_TIMEOUT)
    expect(board.locator(f"#queue li[data-id='{call['id']}']")).to_have_count(0, timeout=LIVE_TIMEOUT)
    expect(acs.locator("#call-body")).to_contain_text("APD-2A31", timeout=LIVE_TIMEOUT)

    # One tap on the officer's dashboard; the ACS dashboard hears it at once.
    officer.locator("#assign-alert-ack").click()
    officer.get_by_role("button", name="Scene safe").click()
    expect(acs.locator("#call-body")).to_contain_text("report the scene safe", timeout=LIVE_TIMEOUT)
    expect(acs.locator("#flash")).to_contain_text("APD-2A31", timeout=LIVE_TIMEOUT)

    for page in (board, acs, officer):
        assert axe_check(page) == [], page.url
