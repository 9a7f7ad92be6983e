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


# --- screening from the keyboard --------------------------------------------------------------------


def test_it_answers_each_screening_question_with_y_n_u_and_moves_to_the_next(page_as):
    page = page_as("calltaker")
    keyboard = page.keyboard

    keyboard.press("Alt+w")
    keyboard.press("y")
    expect(page.locator("input[name=weapons][value=true]")).to_be_checked()
    expect(page.locator("input[name=violence][value='']")).to_be_focused()  # the next question
    keyboard.press("n")
    expect(page.locator("input[name=violence][value=false]")).to_be_checked()
    expect(page.locator("input[name=medical][value='']")).to_be_focused()
    keyboard.press("u")
    expect(page.locator("input[name=medical][value='']")).to_be_checked()
    expect(page.locator("input[name=caller_is_subject][value='']")).to_be_focused()
    keyboard.press("n")
    expect(page.locator("input[name=caller_is_subject][value=false]")).to_be_checked()
    # After the last question: the save button, so Enter saves.
    expect(page.locator("#intake-submit")).to_be_focused()


def test_it_answers_with_1_2_3_too(page_as):
    page = page_as("calltaker")

    page.keyboard.press("Alt+v")
    page.keyboard.press("2")
    expect(page.locator("input[name=violence][value=false]")).to_be_checked()
    page.keyboard.press("1")
    expect(page.locator("input[name=medical][value=true]")).to_be_checked()
    page.keyboard.press("Alt+v")
    expect(page.locator("input[name=violence][value=false]")).to_be_focused()
    page.keyboard.press("3")
    expect(page.locator("input[name=violence][value='']")).to_be_checked()
    expect(page.locator("input[name=medical][value=true]")).to_be_focused()


def test_it_never_wraps_the_arrows_round_to_yes(page_as):
    page = page_as("calltaker")
    keyboard = page.keyboard
    weapons = "input[name=weapons]"

    keyboard.press("Alt+w")
    expect(page.locator(f"{weapons}[value='']")).to_be_focused()
    keyboard.press("ArrowRight")  # natively: round to Yes
    keyboard.press("ArrowDown")
    expect(page.locator(f"{weapons}[value='']")).to_be_checked()
    expect(page.locator(f"{weapons}[value='']")).to_be_focused()
    expect(page.locator(f"{weapons}[value=true]")).not_to_be_checked()

    keyboard.press("ArrowLeft")
    keyboard.press("ArrowLeft")
    keyboard.press("ArrowLeft")  # natively: round to Unknown
    keyboard.press("ArrowUp")
    expect(page.locator(f"{weapons}[value=true]")).to_be_checked()
    expect(page.locator(f"{weapons}[value=true]")).to_be_focused()


def test_it_keeps_space_checking_the_focused_answer(page_as):
    page = page_as("calltaker")
    no = page.locator("input[name=medical][value=false]")

    no.focus()  # focused, not yet checked
    expect(no).not_to_be_checked()
    page.keyboard.press("Space")

    expect(no).to_be_checked()
    expect(no).to_be_focused()


def test_it_says_how_to_answer_with_the_keys_on_screen(page_as):
    page = page_as("calltaker")
    keys = page.locator("#intake-keys")

    expect(keys).to_contain_text("Y yes, N no, U unknown (or 1/2/3)")
    expect(keys).to_contain_text("never wrap round to Yes")
    expect(keys).to_contain_text("Space checks the focused answer")
    expect(keys).to_contain_text("↓ highlights the first match")


# --- the call-type type-ahead -------------------------------------------------------------------------


def test_it_highlights_nothing_until_the_first_arrow_down_picks_the_first_type(page_as):
    page = page_as("calltaker")
    page.keyboard.type("party")
    options = page.locator("#call_type-list li")
    expect(options.first).to_contain_text("PARTY")
    expect(page.locator("#call_type-list li[aria-selected=true]")).to_have_count(0)
    expect(page.locator("#call_type")).not_to_have_attribute("aria-activedescendant", re.compile(".+"))

    page.keyboard.press("ArrowDown")

    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(page.locator("#call_type-list li[aria-selected=true]")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#call_type")).to_have_value("PARTY")
    expect(page.locator("#call_type-chosen")).to_have_text("PARTY: LOUD PARTY")


def test_it_picks_the_second_type_with_two_arrow_downs(page_as):
    page = page_as("calltaker")
    page.keyboard.type("party")

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    expect(page.locator("#call_type")).to_have_value("PARTY-CR")


def test_it_picks_the_exact_code_typed_with_enter_when_nothing_is_highlighted(page_as):
    page = page_as("calltaker")
    page.keyboard.type("party")
    expect(page.locator("#call_type-list")).to_be_visible()

    page.keyboard.press("Enter")

    expect(page.locator("#call_type")).to_have_value("PARTY")
    expect(page.locator("#call_type-list")).to_be_hidden()
    expect(page.locator("#result")).to_be_hidden()  # Enter picked; it did not save


def test_it_picks_the_first_match_with_enter_when_no_code_is_typed(page_as):
    page = page_as("calltaker")
    page.keyboard.type("loud party")  # a name, not a code: PARTY, then PARTY-CR
    expect(page.locator("#call_type-list li").first).to_contain_text("PARTY LOUD PARTY")

    page.keyboard.press("Enter")

    expect(page.locator("#call_type")).to_have_value("PARTY")
    expect(page.locator("#call_type-chosen")).to_have_text("PARTY: LOUD PARTY")


# --- the caller's language ------------------------------------------------------------------------------


def test_it_takes_the_callers_language_and_the_interpreter_flag_from_the_keyboard(page_as, e2e_api):
    page = page_as("calltaker")
    keyboard = page.keyboard
    keyboard.type("check the wel")
    keyboard.press("Enter")  # CW CHECK THE WELFARE
    keyboard.press("Alt+n")
    keyboard.type("Señora dice que su hijo está muy agitado, no weapons.")

    keyboard.press("Alt+l")
    expect(page.locator("#caller_language")).to_be_focused()
    expect(page.locator("#caller_language option").nth(1)).to_have_text("Spanish")  # first after Unknown
    keyboard.press("ArrowDown")  # Unknown -> Spanish
    expect(page.locator("#caller_language")).to_have_value("es")
    keyboard.press("Tab")
    expect(page.locator("#interpreter_needed")).to_be_focused()
    keyboard.press("Space")
    expect(page.locator("#interpreter_needed")).to_be_checked()
    page.locator("#narrative").press("Control+Enter")

    expect(page.locator("#result")).to_be_visible()
    number = page.locator("#result-number").inner_text().removeprefix("Call ").strip()
    status, calls = e2e_api("dispatcher").get("calls")
    assert status == 200
    saved = next(c for c in calls if c["number"] == number)
    assert saved["caller_language"] == "es"
    assert saved["interpreter_needed"] is True
