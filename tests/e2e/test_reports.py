"""Issue 14 screens in a browser: the KPI page draws its charts and figures and links its CSV; the
history search finds a call and opens its printable record; the audit finds who overrode a call;
the supervisor sees beds free and saves them; all pass axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def overridden_call(e2e_api):
    status, call = e2e_api("dispatcher").post(
        "calls",
        {
            "narrative": "man asleep in a doorway, no weapons",
            "address": "400 Marquette Ave NW",
            "lat": 35.0844,
            "lon": -106.6504,
        },  # fmt: skip
    )
    assert status == 201, call
    status, body = e2e_api("dispatcher").post(
        f"calls/{call['id']}/override",
        {"agencies": ["POLICE"], "lead": "POLICE", "priority": 2, "reason": "caller says he has a knife"},
    )
    assert status == 200, body
    return call


def test_it_shows_the_kpis_with_charts_and_a_csv_link(page_as, e2e_server, axe_check, overridden_call):
    page = page_as("supervisor")
    page.goto(e2e_server.url + "/calls/kpis/")

    expect(page.locator("#kpi-status")).to_contain_text("Figures for", timeout=20000)
    expect(page.locator("#fig-total")).not_to_have_text("–")
    assert page.locator("#chart-day canvas").count() == 1
    assert page.locator("#chart-coverage canvas").count() == 1
    expect(page.locator("#missed-calls")).to_contain_text(overridden_call["number"])
    expect(page.locator("#missed-calls")).to_contain_text("caller says he has a knife")
    assert "format=csv" in page.locator("#kpi-csv").get_attribute("href")
    assert axe_check(page) == []


def test_it_searches_the_history_and_prints_a_calls_record(page_as, e2e_server, axe_check, overridden_call):
    page = page_as("dispatcher")
    page.goto(e2e_server.url + "/calls/history/")
    page.get_by_label("Text").fill("asleep in a doorway")
    page.get_by_role("button", name="Search").click()

    link = page.get_by_role("link", name=overridden_call["number"])
    expect(link).to_be_visible(timeout=20000)
    assert axe_check(page) == []
    link.click()

    expect(page.get_by_role("heading", name=f"Call {overridden_call['number']}: full record")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("call.overridden")
    expect(page.locator(".timeline")).to_contain_text("by dispatcher")
    expect(page.locator(".timeline")).to_contain_text("reason: caller says he has a knife")
    assert axe_check(page) == []


def test_it_lets_an_auditor_find_who_overrode_a_call(page_as, e2e_server, axe_check, overridden_call):
    page = page_as("supervisor")
    page.goto(e2e_server.url + "/calls/audit/")
    # The unfiltered first page lists this call's other events too: wait for it, then filter.
    expect(page.locator("#a-status")).to_contain_text(" event", timeout=20000)
    page.get_by_role("button", name="overrides").click()
    expect(page.locator("#a-kind")).to_have_value("call.overridden")
    expect(page).to_have_url(re.compile(r"kind=call\.overridden"))

    row = page.locator("#a-results tr", has_text=overridden_call["number"])
    # One override of this call: its other events (created, triaged) are filtered out.
    expect(row).to_have_count(1, timeout=20000)
    expect(page.locator("#a-status")).not_to_contain_text("Could not read")
    expect(row).to_contain_text("dispatcher")
    expect(row).to_contain_text("call.overridden")
    assert axe_check(page) == []


def test_it_shows_beds_free_to_the_supervisor_who_saves_them(page_as, e2e_server, axe_check):
    page = page_as("supervisor")
    page.goto(e2e_server.url + "/units/supervisor/")
    field = page.get_by_label("Beds free at UNM Psychiatric Center: Crisis Triage Center")
    expect(field).to_be_visible(timeout=20000)
    field.fill("4")
    field.press("Enter")

    expect(page.locator("#facilities-status")).to_contain_text("4 of 16 free")
    expect(page.locator(".facility-pin", has_text="4 of 16 free").first).to_be_attached()
    assert axe_check(page, exclude=["#map"]) == []
