"""A stale snapshot plus the events since equals a fresh snapshot, for each live screen (issue 11).

As Zulip tests `fetch_initial_state_data` with `apply_events`: each screen takes a snapshot, the
floor works a busy stretch through the real services (intake, assign, acknowledge, on scene,
backup, note, alerts raised and acknowledged, override, cancel, clear, close, a unit out of
service), then the frames of the screen's stream since the snapshot's `last_event_id` are
applied with the screen's own reducer, and the result must equal a snapshot taken now.

The reducers below restate the screens' `onSnapshot`/`onEvent` (static/js/board.js,
supervisor.js, unit.js): replace a call, unit, alert or note by id; drop what left the screen.
The dispatch snapshot holds brief rows and events full summaries, so the board's two copies are
compared on what its rows show (`board_row_view`).
If a screen's reducer changes, change its twin here, or this test stops proving anything.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from calls.models import Alert, Assignment
from calls.services import (
    alert_acknowledge,
    alert_raise,
    assignment_acknowledge,
    assignment_clear,
    backup_request,
    call_cancel,
    call_close,
    call_override,
    clinical_note_add,
    unit_assign,
    unit_status_change,
)
from calls.snapshots import dispatch_snapshot, supervisor_snapshot, unit_snapshot
from live.events import DISPATCH, SUPERVISOR, event_frame, unit_stream
from live.models import EventDelivery

WAITING = ("PENDING",)
OPEN_STATUSES = ("PENDING", "DISPATCHED", "ON_SCENE")


def frames_since(*, stream: str, after: int) -> list[dict[str, Any]]:
    """What the socket of `stream` sends after a snapshot taken at `after` (its replay)."""
    deliveries = (
        EventDelivery.objects.filter(stream=stream, event_id__gt=after)
        .select_related("event")
        .order_by("event_id")
    )
    return [event_frame(d.event, stream=stream, prev_id=d.prev_id) for d in deliveries]


def _alert_put(alerts: dict[int, Any], alert: dict[str, Any]) -> None:
    if alert.get("acknowledged_at") or alert.get("resolved_at"):
        alerts.pop(alert["id"], None)
    else:
        alerts[alert["id"]] = alert


# --- the dispatch board (board.js) ------------------------------------------------------------


def dispatch_state(snap: dict[str, Any]) -> dict[str, Any]:
    return {
        "calls": {c["id"]: c for c in snap["calls"]},
        "units": {u["id"]: u for u in snap["units"]},
        "alerts": {a["id"]: a for a in snap["alerts"]},
    }


def dispatch_apply(state: dict[str, Any], frame: dict[str, Any]) -> None:
    data = frame.get("data") or {}
    call = data.get("call")
    if isinstance(call, dict) and call.get("id"):
        if call["status"] in OPEN_STATUSES:
            state["calls"][call["id"]] = call
        else:
            state["calls"].pop(call["id"], None)
    unit = data.get("unit")
    if isinstance(unit, dict) and unit.get("id"):
        state["units"][unit["id"]] = unit
    alert = data.get("alert")
    if isinstance(alert, dict) and alert.get("id"):
        _alert_put(state["alerts"], alert)


BOARD_ROW_KEYS = ("id", "number", "status", "priority", "lead", "agencies", "call_type", "address", "zone",
                  "received_at", "recognised")  # fmt: skip
BOARD_UNIT_KEYS = ("unit", "agency", "unit_status", "acknowledged_at")


def board_row_view(call: dict[str, Any]) -> dict[str, Any]:
    """What the board's rows show of a call, from a brief row (the snapshot's) or a full summary
    (an event's, which replaces the brief row): the two must agree on it."""
    view = {key: call[key] for key in BOARD_ROW_KEYS}
    view["units"] = [{key: u[key] for key in BOARD_UNIT_KEYS} for u in call["units"]]
    # A brief row leaves out what there is none of.
    view["backup_requests"] = [b for b in call.get("backup_requests", []) if b.get("handled_at") is None]
    view["missing_agencies"] = call.get("missing_agencies", [])
    view["queue_reasons"] = call.get("queue_reasons", [])
    view["in_queue"] = bool(call.get("in_queue"))
    view["caller_language"] = call.get("caller_language") or None
    view["interpreter_needed"] = bool(call.get("interpreter_needed"))
    return view


def dispatch_comparable(state: dict[str, Any]) -> dict[str, Any]:
    return {**state, "calls": {i: board_row_view(c) for i, c in state["calls"].items()}}


# --- the ACS supervisor's board and map (supervisor.js) --------------------------------------


def _is_acs_call(call: dict[str, Any]) -> bool:
    return "ACS" in (call.get("agencies") or []) or any(
        u.get("agency") == "ACS" for u in call.get("units") or []
    )


def supervisor_state(snap: dict[str, Any]) -> dict[str, Any]:
    figures = copy.deepcopy(snap["figures"])
    figures.pop("median_on_scene_seconds")  # the screen computes it from on_scene_seconds
    return {
        "calls": {c["id"]: c for c in snap["calls"]},
        "units": {u["id"]: u for u in snap["units"]},
        "alerts": {a["id"]: a for a in snap["alerts"]},
        "notes": {n["id"]: n for n in snap["notes"]},
        "figures": figures,
    }


def _parse(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso)


def _figures_count(figures: dict[str, Any], call: dict[str, Any]) -> None:
    if not _is_acs_call(call):
        return
    if _parse(call["received_at"]) >= _parse(figures["since"]) and call["id"] not in figures["calls"]:
        figures["calls"].append(call["id"])
    key = str(call["id"])
    if call["id"] in figures["calls"] and key not in figures["on_scene_seconds"]:
        times = [_parse(u["on_scene_at"]) for u in call.get("units") or [] if u.get("on_scene_at")]
        if times:
            seconds = (min(times) - _parse(call["received_at"])).total_seconds()
            figures["on_scene_seconds"][key] = max(0.0, seconds)
    for backup in call.get("backup_requests") or []:
        if (
            _parse(backup["requested_at"]) >= _parse(figures["since"])
            and backup["id"] not in figures["backups"]
        ):
            figures["backups"].append(backup["id"])


def supervisor_apply(state: dict[str, Any], frame: dict[str, Any]) -> None:
    data = frame.get("data") or {}
    unit = data.get("unit")
    if isinstance(unit, dict) and unit.get("id") and unit.get("agency") == "ACS":
        state["units"][unit["id"]] = unit
    call = data.get("call")
    if isinstance(call, dict) and call.get("id"):
        if call["status"] in OPEN_STATUSES and _is_acs_call(call):
            state["calls"][call["id"]] = call
        else:
            state["calls"].pop(call["id"], None)
        _figures_count(state["figures"], call)
    note = data.get("note")
    if isinstance(note, dict) and note.get("id"):
        state["notes"][note["id"]] = note
    alert = data.get("alert")
    if isinstance(alert, dict) and alert.get("id"):
        _alert_put(state["alerts"], alert)


def supervisor_comparable(state: dict[str, Any]) -> dict[str, Any]:
    """The screen keeps notes of calls it has seen leave; it shows only the notes of its calls."""
    out = dict(state)
    out["notes"] = {i: n for i, n in state["notes"].items() if n["call_id"] in state["calls"]}
    figures = dict(state["figures"])
    figures["calls"] = sorted(figures["calls"])
    figures["backups"] = sorted(figures["backups"])
    out["figures"] = figures
    return out


# --- a unit's dashboard (unit.js) ---------------------------------------------------------------


def unit_state(snap: dict[str, Any]) -> dict[str, Any]:
    return {
        "unit": snap["unit"],
        "call": snap["call"],
        "notes": {n["id"]: n for n in snap["notes"]},
        "alerts": {a["id"]: a for a in snap["alerts"]},
        "history": list(snap["history"]),
    }


def unit_apply(state: dict[str, Any], frame: dict[str, Any]) -> None:
    data = frame.get("data") or {}
    me = state["unit"]
    unit = data.get("unit")
    if isinstance(unit, dict) and unit.get("id") == me["id"]:
        if unit["status"] != me["status"] or unit.get("call_id") != me.get("call_id"):
            entry = {"event_id": frame["id"], "kind": frame["kind"], "at": frame["at"]}
            entry.update(status=unit["status"], call_number=unit.get("call_number"))
            state["history"] = [entry, *state["history"]][:30]
        state["unit"] = me = unit
    call = data.get("call")
    if isinstance(call, dict) and call.get("id"):
        if any(u.get("unit_id") == me["id"] for u in call.get("units") or []):
            if state["call"] is None or state["call"]["id"] != call["id"]:
                state["notes"] = {}  # a new call: the previous call's notes leave the screen
            state["call"] = call
        elif state["call"] is not None and state["call"]["id"] == call["id"]:
            state["call"] = None
            state["notes"] = {}
    note = data.get("note")
    if isinstance(note, dict) and note.get("id") and state["call"] and note["call_id"] == state["call"]["id"]:
        state["notes"][note["id"]] = note
    alert = data.get("alert")
    if isinstance(alert, dict) and alert.get("id"):
        _alert_put(state["alerts"], alert)


# --- a busy stretch of the floor ----------------------------------------------------------------


@pytest.fixture
def floor(make_call, acs_12, apd_2a31, medic_12, dana, sam, riley, pete, now):
    """Two calls already waiting before the screens' snapshots."""
    return {
        "welfare": make_call(
            call_type="WELCK",
            narrative="man sleeping in the doorway of the library",
            address="501 Copper Ave NW",
        ),  # fmt: skip
        "shouting": make_call(narrative="neighbour shouting in the street", address="1 Civic Plaza NW"),
    }


def work_the_floor(*, floor, make_call, acs_12, apd_2a31, medic_12, dana, sam, riley, pete, now) -> None:
    welfare, shouting = floor["welfare"], floor["shouting"]
    later = make_call(call_type="WELCK", narrative="woman sleeping on the bus bench")

    unit_assign(call=welfare, unit=acs_12, actor=dana)
    assignment = Assignment.objects.get(call=welfare, unit=acs_12, cleared_at__isnull=True)
    assignment_acknowledge(assignment=assignment, actor=riley)
    unit_status_change(unit=acs_12, status="EN_ROUTE", actor=riley)
    unit_status_change(unit=acs_12, status="ON_SCENE", actor=riley)
    clinical_note_add(call=welfare, text="client says he has not eaten in two days", actor=sam)
    backup_request(call=welfare, unit=acs_12, agency="POLICE", reason="he became agitated", actor=riley)
    unit_assign(call=welfare, unit=apd_2a31, actor=dana)

    alert_raise(kind="QUEUE", level=1, subject=f"call:{later.pk}", message="waiting 5 min",
                now=now, call=later)  # fmt: skip
    raised = alert_raise(kind="QUEUE", level=1, subject=f"call:{shouting.pk}",
                         message="waiting 5 min", now=now, call=shouting)  # fmt: skip
    alert_acknowledge(alert=raised, actor=dana)

    call_override(call=shouting, agencies=["POLICE"], lead="POLICE", priority=2, reason="caller known to be armed",
                  actor=dana)  # fmt: skip
    call_cancel(call=shouting, reason="caller called back: he left", actor=dana)
    unit_status_change(unit=medic_12, status="OUT_OF_SERVICE", actor=dana)

    police = Assignment.objects.get(call=welfare, unit=apd_2a31, cleared_at__isnull=True)
    assignment_clear(assignment=police, actor=pete, reason="scene calm, ACS staying")
    call_close(call=welfare, disposition="ACS-RA", actor=dana)
    unit_assign(call=later, unit=acs_12, actor=dana)


@pytest.fixture
def work(floor, make_call, acs_12, apd_2a31, medic_12, dana, sam, riley, pete, now):
    def run() -> None:
        work_the_floor(floor=floor, make_call=make_call, acs_12=acs_12, apd_2a31=apd_2a31, medic_12=medic_12,
                       dana=dana, sam=sam, riley=riley, pete=pete, now=now)  # fmt: skip
        assert Alert.objects.filter(acknowledged_at__isnull=True).exists()  # one alert stays open

    return run


def caught_up(
    *, take, stream: str, state_of, apply, work
) -> tuple[Any, list[dict[str, Any]], dict[str, Any]]:
    """A screen's snapshot `take()` before `work()`, brought up to date by its reducer `apply` with
    the frames of `stream` since: (that state, the frames, a fresh snapshot taken after)."""
    stale = take()
    work()
    state = state_of(stale)
    frames = frames_since(stream=stream, after=stale["last_event_id"])
    for frame in frames:
        apply(state, frame)
    return state, frames, take()


def test_it_brings_a_stale_dispatch_board_to_a_fresh_snapshot(work):
    state, frames, fresh = caught_up(
        take=dispatch_snapshot, stream=DISPATCH, state_of=dispatch_state, apply=dispatch_apply, work=work
    )

    assert len(frames) > 20
    assert frames[-1]["id"] == fresh["last_event_id"]
    assert all(c["brief"] for c in fresh["calls"])
    assert any(not c.get("brief") for c in state["calls"].values())  # events brought full summaries
    assert dispatch_comparable(state) == dispatch_comparable(dispatch_state(fresh))


def test_it_brings_a_stale_supervisor_board_to_a_fresh_snapshot(work):
    state, frames, fresh = caught_up(
        take=supervisor_snapshot,
        stream=SUPERVISOR,
        state_of=supervisor_state,
        apply=supervisor_apply,
        work=work,
    )

    assert len(frames) > 10
    assert frames[-1]["id"] == fresh["last_event_id"]
    assert fresh["notes"] == []  # the noted call closed: its note left the board
    assert supervisor_comparable(state) == supervisor_comparable(supervisor_state(fresh))


def test_it_brings_a_stale_unit_dashboard_to_a_fresh_snapshot(work, acs_12):
    state, frames, fresh = caught_up(
        take=lambda: unit_snapshot(unit=acs_12, clinical_reader=True),
        stream=unit_stream(acs_12.pk),
        state_of=unit_state,
        apply=unit_apply,
        work=work,
    )

    assert len(frames) > 5
    assert fresh["call"] is not None  # the unit ends on its next call
    assert state == unit_state(fresh)
