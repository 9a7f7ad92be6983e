"""An assignment left unacknowledged raises an alert on the dispatch board, without reload.

The shared e2e server runs no sweep, so this module starts a second daphne on the same seeded
database with TIMERS=inprocess and a 1 s interval: the embedded default's in-process loop
(calls/apps.py) raises the alert and pushes it on the socket of the page served by that process.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from scripts.devserver import daphne_running, free_port
from tests.e2e.conftest import JsonApi

pytestmark = pytest.mark.e2e

ALERT_TIMEOUT = 30_000  # ms: 10-20 s limits + 1 s sweep interval + slack
CALM = "woman talking to herself at the bus stop, calm, no weapons, not violent"


@pytest.fixture(scope="module")
def sweeping_server(e2e_server, tmp_path_factory):
    env = {**e2e_server.env, "TIMERS": "inprocess", "DEADLINE_SWEEP_INTERVAL": "1"}
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
    expect(alert).to_have_count(1, timeout=ALERT_TIMEOUT)
    expect(board.locator("#alerts [data-alerts-summary]")).to_contain_text("warning")
    board.locator("#alerts [data-alerts-toggle]").click()
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("WARNING")
    expect(alert).to_contain_text(f"has not acknowledged call {call['number']}")
    assert navigations == []  # it came over the socket: the page never reloaded
    assert board.locator("#alerts [data-alerts-latest]").get_attribute("aria-live") == "assertive"

    alert.get_by_role("button", name="Acknowledge", exact=False).first.click()
    expect(alert).to_have_count(0, timeout=5_000)
    status, history = e2e_api("dispatcher").get("alerts?open=0")
    mine = next(a for a in history if a["assignment_id"] == assignment["id"])
    assert mine["acknowledged_by"] == "dispatcher"


def test_it_has_an_accessible_thresholds_page_for_admins(page_as, e2e_server, axe_check):
    page = page_as("admin")
    page.goto(e2e_server.url + "/alerts/thresholds/")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert axe_check(page) == []


# --- the tray with many alerts ------------------------------------------------------------------


def _clocks(admin, kinds: tuple[str, ...]) -> list[dict]:
    status, rows = admin.get("thresholds")
    assert status == 200, rows
    keys = ("kind", "agency", "priority", "warn_seconds", "escalate_seconds")
    return [{k: r[k] for k in keys} for r in rows if r["kind"] in kinds]


@pytest.fixture
def short_clocks(e2e_api):
    """Queue clocks at 10 s / 20 s and acknowledgement clocks at 10 s / 1 h, restored afterwards."""
    admin = e2e_api("admin")
    before = _clocks(admin, ("QUEUE", "ACK"))
    short = [
        {**r, "warn_seconds": 10, "escalate_seconds": 20 if r["kind"] == "QUEUE" else 3600} for r in before
    ]
    status, body = admin._call("PUT", "thresholds", short)
    assert status == 200, body
    yield
    admin._call("PUT", "thresholds", before)


@pytest.fixture
def sweeping_api(sweeping_server, e2e_api):
    """The dispatcher's and call-taker's API on the sweeping server, so its pushes reach the page."""
    created: list[int] = []
    assigned: list[int] = []
    dispatcher = JsonApi(sweeping_server, e2e_api("dispatcher").token)
    calltaker = JsonApi(sweeping_server, e2e_api("calltaker").token)
    yield dispatcher, calltaker, created, assigned
    for assignment_id in assigned:
        dispatcher.post(f"assignments/{assignment_id}/unassign", {"reason": "e2e reset"})
    for call_id in created:
        dispatcher.post(f"calls/{call_id}/cancel", {"reason": "e2e reset"})


def _free_unit(api, agency: str) -> dict:
    status, units = api.get("units")
    assert status == 200, units
    return next(u for u in units if u["agency"] == agency and u["status"] == "AVAILABLE")


def test_it_keeps_many_alerts_to_one_line_and_acknowledges_a_call_at_once(
    sweeping_server, sweeping_api, page_as, short_clocks, axe_check
):
    dispatcher, calltaker, created, assigned = sweeping_api
    board = page_as("dispatcher")
    board.set_viewport_size({"width": 1600, "height": 950})
    board.goto(sweeping_server + "/calls/board/")
    expect(board.locator("#live")).to_have_text("Live", timeout=5_000)

    for n in range(12):
        status, call = calltaker.post(
            "calls", {"narrative": f"{CALM} ({n})", "address": f"{100 + n} Gold Ave SW"}
        )
        assert status == 201, call
        created.append(call["id"])
    # A call with two units that never acknowledge: two alerts on one call.
    police, acs = _free_unit(dispatcher, "POLICE"), _free_unit(dispatcher, "ACS")
    status, joint = calltaker.post(
        "calls",
        {
            "narrative": "man yelling at his neighbour, calm now, no weapons",
            "lat": acs["lat"],
            "lon": acs["lon"],
        },
    )
    assert status == 201, joint
    created.append(joint["id"])
    for unit in (police, acs):
        status, assignment = dispatcher.post(
            f"calls/{joint['id']}/assignments",
            {"unit": unit["call_sign"], "override_reason": "e2e: both agencies"},
        )
        assert status == 201, assignment
        assigned.append(assignment["id"])

    tray = board.locator("#alerts")
    expect(tray).to_have_attribute(
        "data-open", re.compile(r"^(1[4-9]|[2-9]\d|\d{3,})$"), timeout=ALERT_TIMEOUT
    )
    expect(tray.locator("[data-alerts-summary]")).to_contain_text("escalated", timeout=ALERT_TIMEOUT)
    expect(tray.locator("[data-alerts-summary]")).to_contain_text("warnings")
    expect(tray.locator("[data-alerts-latest]")).to_contain_text("escalated")

    # Closed, the tray is one line, and the queue is on screen below it.
    assert tray.bounding_box()["height"] < 60, tray.bounding_box()
    queue = board.locator("#queue-panel").bounding_box()
    assert queue["y"] + 120 < 950, queue

    # Opened from the keyboard; Escape closes it again.
    toggle = tray.locator("[data-alerts-toggle]")
    expect(toggle).to_have_text(re.compile(r"Show alerts \(\d+\)"))
    toggle.focus()
    board.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(tray.locator("[data-alerts-panel]")).to_be_visible()
    assert tray.bounding_box()["height"] < 0.5 * 950
    # The board may move the focus on a live update: Escape from a button of the open tray.
    tray.locator("[data-alerts-panel] button").first.focus()
    board.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    expect(tray.locator("[data-alerts-panel]")).to_be_hidden()
    toggle.click()

    # A call assigned: its queue alert leaves the tray live.
    first = created[0]
    group = tray.locator(f"li.alert-group[data-call-id='{first}']")
    expect(group).to_have_count(1)
    unit = _free_unit(dispatcher, "ACS")
    status, assignment = dispatcher.post(f"calls/{first}/assignments", {"unit": unit["call_sign"]})
    assert status == 201, assignment
    assigned.append(assignment["id"])
    expect(group.locator("[data-alert-kind='QUEUE']")).to_have_count(0, timeout=5_000)

    # Acknowledge all for the joint call.
    joint_group = tray.locator(f"li.alert-group[data-call-id='{joint['id']}']")
    expect(joint_group.locator("[data-alert-kind='ACK']")).to_have_count(2)
    assert axe_check(board) == []
    joint_group.get_by_role("button", name=re.compile("Acknowledge all for this call")).click()
    expect(joint_group).to_have_count(0, timeout=5_000)
    status, history = dispatcher.get("alerts?open=0")
    mine = [a for a in history if a["call_id"] == joint["id"] and a["kind"] == "ACK"]
    assert len(mine) == 2 and {a["acknowledged_by"] for a in mine} == {"dispatcher"}, mine
