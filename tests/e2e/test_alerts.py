"""An assignment left unacknowledged raises an alert on the dispatch board, without reload.

The shared e2e server runs no sweep, so this module starts a second daphne on the same seeded
database with INPROCESS_SWEEP=True and a 1 s interval: the embedded default's in-process loop
(calls/apps.py) raises the alert and pushes it on the socket of the page served by that process.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scripts.devserver import daphne_running, free_port

pytestmark = pytest.mark.e2e

ALERT_TIMEOUT = 20_000  # ms: 10 s warn limit + 1 s sweep interval + slack


@pytest.fixture(scope="module")
def sweeping_server(e2e_server, tmp_path_factory):
    env = {**e2e_server.env, "INPROCESS_SWEEP": "True", "DEADLINE_SWEEP_INTERVAL": "1"}
    log_path = tmp_path_factory.mktemp("sweeping") / "daphne.log"
    with daphne_running(env=env, port=free_port(), log_path=log_path) as url:
        yield url


@pytest.fixture
def short_ack_clock(e2e_api):
    """The ACS acknowledgement clock at 10 s warn / 1 h escalate, restored afterwards."""
    admin = e2e_api("admin")
    status, rows = admin.get("thresholds")
    assert status == 200, rows
    before = [
        {k: r[k] for k in ("kind", "agency", "priority", "warn_seconds", "escalate_seconds")}
        for r in rows
        if r["kind"] == "ACK" and r["agency"] == "ACS"
    ]
    short = [{**r, "warn_seconds": 10, "escalate_seconds": 3600} for r in before]
    status, body = admin._call("PUT", "thresholds", short)
    assert status == 200, body
    yield
    admin._call("PUT", "thresholds", before)


def _available_acs_unit(e2e_api) -> dict:
    status, units = e2e_api("dispatcher").get("units")
    assert status == 200, units
    rows = units["results"] if isinstance(units, dict) and "results" in units else units
    return next(
        u for u in rows if u["agency"] == "ACS" and u["status"] == "AVAILABLE" and u["call_sign"] != "ACS-12"
    )


def test_it_shows_an_unacknowledged_assignment_alert_on_the_board_without_reload(
    sweeping_server, page_as, e2e_api, short_ack_clock
):
    board = page_as("dispatcher")
    board.goto(sweeping_server + "/calls/board/")
    expect(board.locator("#live")).to_have_text("Live", timeout=5_000)
    unit = _available_acs_unit(e2e_api)
    status, call = e2e_api("calltaker").post(
        "calls",
        {
            "narrative": "woman talking to herself at the bus stop, calm, no weapons, not violent",
            "weapons": False,
            "violence": False,
            "medical": False,
            "address": "100 Gold Ave SW",
            "lat": unit["lat"],
            "lon": unit["lon"],
        },
    )
    assert status == 201, call
    assert "ACS" in call["triage"]["agencies"], call["triage"]
    status, assignment = e2e_api("dispatcher").post(
        f"calls/{call['id']}/assignments", {"unit": unit["call_sign"]}
    )
    assert status == 201, assignment
    navigations = []
    board.on("framenavigated", lambda frame: navigations.append(frame.url))

    alert = board.locator("#alerts li[data-alert-kind='ACK']", has_text=unit["call_sign"])
    expect(alert).to_be_visible(timeout=ALERT_TIMEOUT)
    expect(alert).to_contain_text("WARNING")
    expect(alert).to_contain_text(f"has not acknowledged call {call['number']}")
    assert navigations == []  # it came over the socket: the page never reloaded
    assert board.locator("#alerts [data-alerts-list]").get_attribute("aria-live") == "assertive"

    alert.get_by_role("button", name="Acknowledge").click()
    expect(alert).to_have_count(0, timeout=5_000)
    status, history = e2e_api("dispatcher").get("alerts?open=0")
    mine = next(a for a in history if a["assignment_id"] == assignment["id"])
    assert mine["acknowledged_by"] == "dispatcher"


def test_it_has_an_accessible_thresholds_page_for_admins(page_as, e2e_server, axe_check):
    page = page_as("admin")
    page.goto(e2e_server.url + "/alerts/thresholds/")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert axe_check(page) == []
