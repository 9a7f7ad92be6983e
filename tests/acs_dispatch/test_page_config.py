"""The page config (acs_dispatch/page_config.py): what every signed-in page hands its scripts, with
labels from the models' TextChoices and the dispatch queue's one order."""

from __future__ import annotations

import datetime as dt
import json

import time_machine

from acs_dispatch.page_config import QUEUE_ORDER, page_config
from calls.models import Call
from calls.selectors import calls_pending
from calls.services import backup_request
from calls.snapshots import dispatch_snapshot
from responders.models import Agency, Unit
from tests.calls.support import assign
from tests.conftest import CURRENT_TIME


def _page_config(client, user) -> dict:
    html = client.get("/calls/board/").content.decode()
    return json.loads(html.split('id="page-config" type="application/json">')[1].split("</script>")[0])


def test_it_takes_every_status_label_from_the_models(client_as, dana):
    config = _page_config(client_as(dana), dana)

    assert config["labels"]["call_status"] == dict(Call.Status.choices)
    assert config["labels"]["unit_status"] == dict(Unit.Status.choices)
    assert config["labels"]["agency_name"] == dict(Agency.Code.choices)
    assert set(config["labels"]["agency"]) == set(Agency.Code.values) == set(config["agencies"])
    assert config["status_groups"]["unit_order"] == list(Unit.Status.values)
    assert config["role"] == "dispatcher"


def test_it_lists_only_the_screens_of_the_role_and_marks_the_current_one(client_as, dana, ada):
    html = client_as(dana).get("/calls/board/").content.decode()
    config = json.loads(html.split('id="page-config" type="application/json">')[1].split("</script>")[0])

    assert [item["screen"] for item in config["navigation"]] == ["intake", "board", "kpis", "history"]
    assert '<a href="/calls/board/" aria-current="page">Dispatch board</a>' in html
    assert [item["screen"] for item in page_config(_request(ada))["navigation"]] == [
        "intake",
        "board",
        "supervisor",
        "kpis",
        "history",
        "audit",
        "rules",
        "thresholds",
        "locked",
    ]


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


def _value(row: dict, spec: dict):
    """The key of one field of the spec, as static/js/lib/format.js sortBy reads it."""
    value = row.get(spec["field"])
    if value is None:
        return spec.get("missing")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and "T" in value:
        return dt.datetime.fromisoformat(value).timestamp()
    return value


def _sort_by_spec(rows: list[dict]) -> list[dict]:
    for spec in reversed(QUEUE_ORDER):  # stable sorts, least significant key first
        rows = sorted(rows, key=lambda r: _value(r, spec), reverse=bool(spec.get("descending")))
    return rows


def test_it_gives_the_board_the_queue_order_of_calls_pending(make_call, dana, riley, acs_12):
    with time_machine.travel(CURRENT_TIME, tick=False):
        old_p3 = make_call(call_type="WELCK")
        backed = make_call(call_type="5150")
    with time_machine.travel(CURRENT_TIME + dt.timedelta(minutes=1), tick=False):
        p1 = make_call(call_type="11-8")
    with time_machine.travel(CURRENT_TIME + dt.timedelta(minutes=2), tick=False):
        new_p3 = make_call(call_type="WELCK")
    assign(backed, acs_12, dana)
    backup_request(call=backed, unit=acs_12, agency="POLICE", reason="he picked up a bat", actor=riley)

    # What board.js does with the snapshot: needs_backup from the call's open backup requests (a
    # brief row leaves the list out when there are none), the rows the server says are in the
    # queue (in_queue), then the page config's sort spec.
    rows = dispatch_snapshot()["calls"]
    for row in rows:
        row["needs_backup"] = any(b["handled_at"] is None for b in row.get("backup_requests", []))
    board_order = [row["id"] for row in _sort_by_spec(rows) if row.get("in_queue")]

    assert board_order == [c.pk for c in calls_pending()] == [backed.pk, p1.pk, old_p3.pk, new_p3.pk]
