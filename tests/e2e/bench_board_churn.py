"""Measurement, not a test (issue 11, point 5): how many DOM elements the dispatch board adds and
removes per live event, with 40 calls waiting and 10 more arriving (the 1-second age ticks left out).

    .venv/bin/python -m pytest -m e2e tests/e2e/bench_board_churn.py -q -s -p no:randomly

Not collected with the suite (the file name does not start with test_); it uses the e2e fixtures
(a real daphne server, Chromium). The last line printed is one JSON object. Before the board's
keyed updates (commit 39353f4) it read about 1,900 elements per event; after, about 20.
"""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_board_churn_per_live_event(page_as, e2e_server, e2e_api):
    taker = e2e_api("calltaker")
    for i in range(40):
        status, call = taker.post(
            "calls", {"narrative": f"bench {i}: man sleeping in a doorway", "address": "Central & 4th"}
        )
        assert status == 201
    board = page_as("dispatcher")
    board.goto(e2e_server.url + "/calls/board/")
    expect(board.locator("#live")).to_have_text("Live", timeout=20_000)
    expect(board.locator("#queue > li")).to_have_count(40, timeout=20_000)
    board.evaluate("""() => { window.__churn = {added: 0, removed: 0, events: 0};
        new MutationObserver((ms) => { for (const m of ms) { if (m.target.classList && m.target.classList.contains('tick')) continue; const size = (list) => { let n = 0; for (const x of list) n += 1 + (x.querySelectorAll ? x.querySelectorAll('*').length : 0); return n; }; window.__churn.added += size(m.addedNodes); window.__churn.removed += size(m.removedNodes); } })
          .observe(document.getElementById('main'), {childList: true, subtree: true});
        document.addEventListener('live:event', () => { window.__churn.events += 1; }); }""")
    for i in range(10):
        status, call = taker.post(
            "calls", {"narrative": f"bench more {i}: man sleeping", "address": "Central & 4th"}
        )
        assert status == 201
    expect(board.locator("#queue > li")).to_have_count(50, timeout=30_000)
    board.wait_for_timeout(1500)
    churn = board.evaluate("window.__churn")
    print(
        "\n"
        + json.dumps(
            {
                **churn,
                "elements_per_event": round((churn["added"] + churn["removed"]) / max(1, churn["events"]), 1),
            }
        )
    )
