"""The rule editor end to end: an admin changes a rule in the browser, proves the change on the
test bench and the what-if replay, publishes it, and the next call is triaged by the new version."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SLEEPER = "man sleeping in the doorway of the library, not bothering anyone"
ROOT = Path(__file__).resolve().parents[2]
SAVE_TIMEOUT = 10_000  # ms: debounce + save on a loaded box


def _rule_card(page, name):
    return page.locator("li.rule").filter(
        has=page.locator("h2", has_text=re.compile(rf": {re.escape(name)}$"))
    )


def test_it_edits_tests_replays_and_publishes_a_rule_that_then_triages_new_calls(
    e2e_server, page_as, e2e_api, axe_check
):
    admin_api = e2e_api("admin")
    status, sets = admin_api.get("rulesets")
    assert status == 200, sets
    live_before = sets["published"]["version"]
    status, case = admin_api.post(
        "triage-tests",
        {
            "name": "e2e sleeper gets staged police",
            "narrative": SLEEPER,
            "expected_agencies": ["ACS", "POLICE"],
            "expected_lead": "ACS",
        },
    )
    assert status == 201, case

    page = page_as("admin")
    page.goto(e2e_server.url + "/triage/rules/")
    page.get_by_role("button", name=f"New draft from v{live_before}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft #")
    expect(page.locator("#save-status")).to_contain_text("Saved (revision 0)")

    # Edit the sleeper rule with a malformed keyword: the error shows next to that field.
    card = _rule_card(page, "Sleeper or loitering")
    keywords = card.get_by_label("Any of these words or phrases")
    original = keywords.input_value()
    keywords.fill(original + "\nsleeping, outside")
    expect(page.locator("#save-status")).to_have_text(
        "Not saved: fix the problems marked below", timeout=SAVE_TIMEOUT
    )
    expect(card.locator('[data-err="conditions.keywords_any"]')).to_contain_text("holds clause punctuation")
    expect(keywords).to_have_attribute("aria-invalid", "true")

    # Fix it, and change who goes: ACS leads, police stage nearby. The overnight sleeper rule
    # (22:00-06:00) comes first and would decide the call at night: switch it off in this draft, so
    # the test passes at any hour.
    keywords.fill(original)
    _rule_card(page, "Sleeper outside overnight").get_by_label("Enabled").uncheck()
    card.get_by_label("Who goes").select_option("ACS_LEAD_POLICE_STAGED")
    expect(card.locator(".mode-info")).to_have_text("Agencies: ACS, POLICE · Lead: ACS")
    expect(page.locator("#save-status")).to_have_text(
        re.compile(r"Saved \(revision [1-9]\d*\)"), timeout=SAVE_TIMEOUT
    )
    expect(card.locator('[data-err="conditions.keywords_any"]')).to_have_text("")

    # Test bench: the saved case passes against the draft, and the try box shows the decision.
    page.get_by_role("button", name="Run saved tests against this draft").click()
    expect(page.locator("#test-results tr", has_text="e2e sleeper gets staged police")).to_contain_text(
        "PASS", timeout=SAVE_TIMEOUT
    )
    try_form = page.locator("#try-form")
    try_form.get_by_label("Narrative").fill(SLEEPER)
    try_form.get_by_role("button", name="Triage with this draft").click()
    expect(page.locator("#try-result")).to_contain_text("Sleeper or loitering", timeout=SAVE_TIMEOUT)
    expect(page.locator("#try-result .badge.ag-POLICE")).to_be_visible()

    # What-if replay over the San Diego calls: progress, counts, the from -> to table, the chart.
    page.get_by_label("Last N calls").fill("6000")
    page.get_by_role("button", name="Run replay").click()
    expect(page.locator("#whatif-progress-text")).to_have_text("6000 of 6000 calls replayed", timeout=60_000)
    expect(page.locator(".whatif-summary")).to_contain_text(re.compile(r"\d+ of 6000 calls change"))
    expect(page.locator("#whatif-result")).to_contain_text(
        "No call loses an agency the safety guards require."
    )
    expect(page.locator("table.transitions")).to_contain_text("ACS+POLICE (lead ACS)")
    expect(page.locator("svg.whatif-chart")).to_be_visible()
    # The editor's own regions (the shared header and messages are checked by their owners' tests).
    assert axe_check(page) == []

    # Publish with a note: the new version goes live at once.
    page.get_by_label("What changed and why").fill("Sleepers: police stage nearby (e2e)")
    page.get_by_role("button", name="Publish as the next version").click()
    expect(page.locator(".messages")).to_contain_text(f"v{live_before + 1} is live.")

    # A new call is triaged by the new version.
    status, call = e2e_api("calltaker").post("calls", {"narrative": SLEEPER, "address": "501 Copper Ave NW"})
    assert status == 201, call
    assert call["triage"]["ruleset_version"] == live_before + 1
    assert call["triage"]["rule"] == "Sleeper or loitering"
    assert call["triage"]["agencies"] == ["ACS", "POLICE"]
    assert call["triage"]["lead"] == "ACS"


def test_it_refuses_to_publish_a_draft_with_problems_and_publishes_what_is_on_screen(
    e2e_server, page_as, e2e_api
):
    """Issue 12: with "1 problem to fix before publishing" on screen, Publish made the last saved
    state live. Now the button counts the problems, the API answers 409 and nothing goes live; once
    fixed, Publish saves what is on screen first, even edits typed a moment ago."""
    admin_api = e2e_api("admin")
    live_before = admin_api.get("rulesets")[1]["published"]["version"]
    page = page_as("admin")
    page.goto(e2e_server.url + "/triage/rules/")
    page.get_by_role("button", name=f"New draft from v{live_before}").click()
    expect(page.locator("#save-status")).to_contain_text("Saved (revision 0)")

    card = _rule_card(page, "Sleeper or loitering")
    keywords = card.get_by_label("Any of these words or phrases")
    original = keywords.input_value()
    keywords.fill(original + "\nsleeping, outside")
    expect(page.locator("#save-status")).to_have_text(
        "Not saved: fix the problems marked below", timeout=SAVE_TIMEOUT
    )
    publish = page.get_by_role("button", name=re.compile(r"^Publish as the next version"))
    expect(publish).to_have_accessible_name("Publish as the next version (1 problem to fix first)")
    expect(page.locator("#issue-count")).to_contain_text("1 problem to fix before publishing")

    page.get_by_label("What changed and why").fill("e2e: must not go live")
    publish.click(force=True)  # aria-disabled, yet a person can still press it: the server refuses
    expect(page.locator("#publish-msg")).to_contain_text(
        "Not published: 1 problem to fix before publishing", timeout=SAVE_TIMEOUT
    )
    expect(keywords).to_be_focused()
    assert admin_api.get("rulesets")[1]["published"]["version"] == live_before

    # Fixed, plus an edit typed just before the click (no time for the autosave): both go live.
    keywords.fill(original)
    explanation = card.get_by_label("Explanation (dispatchers read it in the triage reasons)")
    explanation.fill(explanation.input_value() + " (e2e: published from the screen)")
    expect(publish).to_have_accessible_name("Publish as the next version", timeout=SAVE_TIMEOUT)
    explanation.fill(explanation.input_value() + " now")
    page.get_by_label("What changed and why").fill("e2e: explanation wording")
    publish.click()
    expect(page.locator(".messages")).to_contain_text(f"v{live_before + 1} is live.", timeout=SAVE_TIMEOUT)
    status, live = admin_api.get("rulesets")
    assert live["published"]["version"] == live_before + 1
    status, detail = admin_api.get(f"rulesets/{live['published']['id']}")
    assert status == 200, detail
    (sleeper,) = [r for r in detail["rules"] if r["name"] == "Sleeper or loitering"]
    assert sleeper["explanation"].endswith("(e2e: published from the screen) now")
