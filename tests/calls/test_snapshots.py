"""The live screens' snapshots (calls/snapshots.py): the dispatch board's brief rows, the ACS
supervisor's calls, and what they cost (issue 16)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls.events import call_summary
from calls.models import Call
from calls.policies import call_involves_acs
from calls.selectors import call_get, calls_open, calls_open_for_board
from calls.services import backup_request, call_agency_waive, clinical_note_add, unit_assign
from calls.snapshots import dispatch_snapshot, supervisor_snapshot
from live.events import frame_text
from tests.calls.support import GUN_CALL, GUN_DECISION, assign, decision_store

pytestmark = pytest.mark.django_db

BOARD_FIELDS = {
    "id",
    "number",
    "status",
    "priority",
    "lead",
    "agencies",
    "call_type",
    "address",
    "zone",
    "received_at",
    "recognised",
    "units",
    "brief",
}
# Present only when not empty (or true): what the board reads as empty when it is missing.
WHEN_ANY = {"backup_requests", "missing_agencies", "queue_reasons", "in_queue"}
# 1 MiB for 2,000 open calls (daphne's frame limit) is 524 bytes a call, with room left here for
# the units and alerts, a longer address and longer triage reasons than these.
ROW_BYTES_MAX = 440


def _full(call: Call) -> dict:
    return call_summary(call_get(call_id=call.pk))


def _row(call: Call) -> dict:
    return next(row for row in dispatch_snapshot()["calls"] if row["id"] == call.pk)


def _many_calls(make_call, n: int, *, acs_unit=None, police_unit=None, actor=None) -> list[Call]:
    """n calls, ACS, police and ACS again in turn; the first ACS and police ones get the units given."""
    calls = [
        make_call(call_type=("5150", "415", "WELCK")[i % 3], narrative=f"call {i}: shouting, no weapons")
        for i in range(n)
    ]
    if acs_unit:
        assign(calls[0], acs_unit, actor)
    if police_unit:
        assign(calls[1], police_unit, actor)
    return calls


def test_it_gives_the_board_a_brief_row_with_what_the_queue_and_active_list_show(
    make_call, dana, riley, acs_12
):
    call = make_call(
        call_type="5150",
        narrative="sister hears voices, scared, no weapons",
        caller_name="Rosa Diaz",
        caller_phone="505-555-0100",
        caller_language="es",
        interpreter_needed=True,
    )
    assign(call, acs_12, dana)
    backup_request(call=call, unit=acs_12, agency="POLICE", reason="he picked up a bat", actor=riley)
    full = _full(call)

    row = _row(call)

    assert set(row) == BOARD_FIELDS | WHEN_ANY | {"caller_language", "interpreter_needed"}
    assert row["brief"] is True
    for field in set(row) - {"units", "backup_requests", "brief"}:
        assert row[field] == full[field], field
    assert row["units"] == [
        {k: u[k] for k in ("unit", "agency", "unit_status", "acknowledged_at")} for u in full["units"]
    ]
    assert row["units"][0]["unit"] == "ACS-12"
    assert row["backup_requests"] == full["backup_requests"]
    assert row["missing_agencies"] == ["POLICE"]
    assert row["zone"] and row["queue_reasons"]


def test_it_leaves_an_unrecorded_language_out_of_a_board_row(make_call):
    call = make_call(call_type="5150")

    row = _row(call)

    assert set(row) == BOARD_FIELDS | {"in_queue", "queue_reasons", "missing_agencies"}
    assert _full(call)["caller_language"] == "" and _full(call)["interpreter_needed"] is False


def test_it_leaves_the_narrative_caller_and_clinical_notes_out_of_the_board_rows(
    make_call, dana, riley, acs_12
):
    call = make_call(
        call_type="5150",
        narrative="sister hears voices, no weapons",
        caller_name="Rosa Diaz",
        caller_phone="5055550100",
    )
    assign(call, acs_12, dana)
    clinical_note_add(call=call, text="takes lithium, missed two doses", actor=riley)

    text = json.dumps(dispatch_snapshot())

    for private in ("hears voices", "Rosa Diaz", "5055550100", "lithium", '"narrative"', '"dangers"'):
        assert private not in text


def test_it_lists_only_open_backup_requests_in_a_board_row_yet_keeps_their_agency_required(
    make_call, dana, riley, acs_12, apd_2a31
):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)
    backup_request(call=call, unit=acs_12, agency="POLICE", reason="he picked up a bat", actor=riley)
    assign(call, apd_2a31, dana)  # answers the request

    row = _row(call)

    assert "backup_requests" not in row and len(_full(call)["backup_requests"]) == 1
    assert "missing_agencies" not in row and _full(call)["missing_agencies"] == []
    assert [u["unit"] for u in row["units"]] == ["ACS-12", "APD-2A31"]


def test_it_takes_a_waived_agency_out_of_a_board_rows_missing_agencies(make_call, dana, apd_2a31):
    call = decision_store(make_call(**GUN_CALL), **GUN_DECISION)
    assign(call, apd_2a31, dana)
    call_agency_waive(call=call, agency="ACS", reason="no ACS team on shift", actor=dana)

    assert "missing_agencies" not in _row(call)


def test_it_reads_the_board_in_the_same_few_queries_for_3_calls_or_30(
    make_call, dana, acs_12, apd_2a31, django_assert_max_num_queries
):
    _many_calls(make_call, 3, acs_unit=acs_12, police_unit=apd_2a31, actor=dana)
    with CaptureQueriesContext(connection) as few:
        dispatch_snapshot()
    _many_calls(make_call, 27)

    with django_assert_max_num_queries(len(few)), CaptureQueriesContext(connection) as many:
        snapshot = dispatch_snapshot()

    assert len(snapshot["calls"]) == 30
    assert len(many) == len(few)


def test_it_reads_the_calls_of_the_board_in_four_queries(make_call, dana, acs_12, apd_2a31):
    _many_calls(make_call, 6, acs_unit=acs_12, police_unit=apd_2a31, actor=dana)

    with CaptureQueriesContext(connection) as queries:
        rows = calls_open_for_board()

    assert len(rows) == 6
    assert len(queries) == 4  # calls with type and zone, active assignments, backup requests, waivers


def test_it_never_reads_a_zones_geometry_for_the_board(make_call, dana, acs_12, apd_2a31):
    _many_calls(make_call, 4, acs_unit=acs_12, police_unit=apd_2a31, actor=dana)

    with CaptureQueriesContext(connection) as queries:
        dispatch_snapshot()

    assert not [q["sql"] for q in queries if "geometry" in q["sql"]]


def test_it_keeps_each_board_row_small(make_call, dana, acs_12, apd_2a31):
    calls = _many_calls(make_call, 50, acs_unit=acs_12, police_unit=apd_2a31, actor=dana)
    Call.objects.filter(pk__in=[c.pk for c in calls]).update(narrative="a long story " * 300)

    rows = dispatch_snapshot()["calls"]

    sizes = [len(frame_text(row)) for row in rows]
    assert len(rows) == 50
    assert max(sizes) < ROW_BYTES_MAX * 2  # a row with its unit
    assert sum(sizes) / len(sizes) < ROW_BYTES_MAX


def test_it_puts_the_queue_reasons_in_the_full_summary(make_call):
    call = make_call(call_type="5150")
    Call.objects.filter(pk=call.pk).update(
        triage_reasons=["Rule: Mental-health crisis", "Matched call type 5150", "Guard weapon: police added"]
    )

    summary = _full(call)

    assert summary["queue_reasons"] == ["Rule: Mental-health crisis", "Guard weapon: police added"]
    assert _row(call)["queue_reasons"] == summary["queue_reasons"]


def test_it_gives_the_first_two_reasons_when_no_guard_fired(make_call):
    call = make_call(call_type="WELCK")
    Call.objects.filter(pk=call.pk).update(
        triage_reasons=["Rule: Welfare check", "Matched WELCK", "Priority 3"]
    )

    assert _full(call)["queue_reasons"] == ["Rule: Welfare check", "Matched WELCK"]


def test_it_gives_no_queue_reasons_to_a_call_that_no_longer_waits(make_call, dana, acs_12):
    call = make_call(call_type="WELCK")
    assign(call, acs_12, dana)

    assert _full(call)["queue_reasons"] == [] and "queue_reasons" not in _row(call)
    assert _full(call)["in_queue"] is False and "in_queue" not in _row(call)


def test_it_keeps_a_call_with_an_unanswered_backup_request_in_the_queue(
    make_call, dana, riley, acs_12, apd_2a31
):
    call = make_call(call_type="WELCK")
    assign(call, acs_12, dana)
    backup_request(call=call, unit=acs_12, agency="POLICE", reason="he picked up a bat", actor=riley)

    assert _row(call)["queue_reasons"] == _full(call)["queue_reasons"] != []
    assert _row(call)["in_queue"] is _full(call)["in_queue"] is True


def test_it_returns_the_queue_reasons_from_the_api(make_call, api_as, dana):
    call = make_call(call_type="5150")

    response = api_as(dana).get(f"/api/v1/calls/{call.pk}")

    assert response.status_code == 200
    assert response.json()["queue_reasons"] == call.triage_reasons[:2]


def test_it_sends_the_supervisor_exactly_the_acs_calls_in_full(make_call, dana, acs_12, apd_2a31, medic_12):
    acs_call = make_call(call_type="5150")
    police_call = make_call(call_type="415")
    police_call_acs_unit = make_call(call_type="415")
    unit_assign(call=police_call_acs_unit, unit=acs_12, actor=dana, override_reason="police are far")
    fire_call = make_call(call_type="11-8")
    assign(fire_call, medic_12, dana)
    # What the snapshot held before issue 16: every open call's summary, filtered by the policy.
    before = [
        s
        for s in (call_summary(c, assignments=c.active_assignments) for c in calls_open())
        if call_involves_acs(agencies=s["agencies"], unit_agencies=[u["agency"] for u in s["units"]])
    ]

    calls = supervisor_snapshot()["calls"]

    assert [c["id"] for c in calls] == [acs_call.pk, police_call_acs_unit.pk]
    assert police_call.pk not in {c["id"] for c in calls}
    assert calls == before


def test_it_reads_the_supervisor_calls_in_the_same_queries_for_2_calls_or_20(
    make_call, dana, acs_12, apd_2a31
):
    _many_calls(make_call, 2, acs_unit=acs_12, police_unit=apd_2a31, actor=dana)
    with CaptureQueriesContext(connection) as few:
        supervisor_snapshot()
    _many_calls(make_call, 18)

    with CaptureQueriesContext(connection) as many:
        snapshot = supervisor_snapshot()

    assert len(snapshot["calls"]) == 13  # the 5150 and WELCK calls
    assert len(many) == len(few)
