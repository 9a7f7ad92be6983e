"""Alerts resolve themselves when their condition ends, and an escalation supersedes its warning.

ACS priority 2 (acs_call): queue 300 s / 900 s, acknowledgement 90 s / 180 s, en route 900 s.
Police (police_call, priority 3): on scene 1200 s / 1800 s (calls.services.alerts.DEFAULT_THRESHOLDS).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from calls.models import Alert, Call
from calls.services import (
    alert_acknowledge,
    alert_resolve,
    assignment_acknowledge,
    assignment_clear,
    assignment_unassign,
    call_cancel,
    call_close,
    call_mark_duplicate,
    unit_status_change,
)
from live.events import DISPATCH, SUPERVISOR
from live.models import Event
from responders.services import unit_ensure
from tests.conftest import CURRENT_TIME


def _live(**filters) -> list[tuple[str, int]]:
    return [
        (a.kind, a.level)
        for a in Alert.objects.filter(resolved_at__isnull=True, **filters).order_by("kind", "level")
    ]


@pytest.fixture
def acs_14(zones):
    unit, _ = unit_ensure(
        call_sign="ACS-14",
        agency="ACS",
        capabilities=["behavioral_health"],
        home_zone=zones["Valley"],
        lat=35.0850,
        lon=-106.6510,
    )
    return unit


# --- the queue clock ----------------------------------------------------------------------------


def test_it_resolves_the_queue_alert_the_moment_the_call_is_assigned(
    acs_call, acs_12, assign, sweep, capture_events
):
    sweep(after=300)

    with capture_events() as pushed:
        assign(acs_call, acs_12)

    alert = Alert.objects.get(kind="QUEUE")
    assert alert.resolved_at == CURRENT_TIME
    assert alert.resolved_reason == f"Call {acs_call.number} left the queue: Dispatched."
    assert alert.acknowledged_at is None
    resolved = [(stream, f) for stream, f in pushed if f["kind"] == "alert.resolved"]
    assert {stream for stream, _ in resolved} == {DISPATCH, SUPERVISOR}
    frame = resolved[0][1]
    assert frame["data"]["alert"]["id"] == alert.pk
    assert frame["data"]["alert"]["resolved_reason"] == alert.resolved_reason
    assert frame["data"]["alert"]["resolved_at"] == CURRENT_TIME.isoformat()
    kinds = [f["kind"] for stream, f in pushed if stream == DISPATCH]
    assert kinds == ["call.status_changed", "alert.resolved", "unit.assigned"]


def test_it_resolves_the_queue_alert_when_the_call_is_cancelled(acs_call, dana, sweep):
    sweep(after=300)

    call_cancel(call=acs_call, reason="caller called back: resolved", actor=dana)

    alert = Alert.objects.get(kind="QUEUE")
    assert alert.resolved_reason == f"Call {acs_call.number} left the queue: Cancelled."


def test_it_resolves_the_queue_alert_when_the_call_is_closed_from_the_queue(acs_call, dana, sweep):
    sweep(after=300)

    call_close(call=acs_call, disposition="K", actor=dana)

    assert _live() == []


def test_it_resolves_the_queue_alert_when_the_call_is_a_duplicate(acs_call, make_call, dana, sweep):
    sweep(after=300)
    first = make_call(call_type="5150", narrative="talking to himself, calm, no weapons")

    call_mark_duplicate(call=acs_call, of=first, actor=dana)

    assert _live(call=acs_call) == []


def test_it_leaves_the_queue_alert_of_a_call_still_waiting(acs_call, police_call, apd_2a31, assign, sweep):
    sweep(after=900)

    assign(police_call, apd_2a31)

    assert _live(call=acs_call) == [("QUEUE", 2)]
    assert _live(call=police_call) == []


# --- the acknowledgement clock ------------------------------------------------------------------


def test_it_resolves_the_ack_warning_when_the_unit_acknowledges(acs_call, acs_12, riley, assign, sweep):
    assignment = assign(acs_call, acs_12)
    sweep(after=90)

    assignment_acknowledge(assignment=assignment, actor=riley)

    alert = Alert.objects.get(kind="ACK")
    assert alert.resolved_reason == f"ACS-12 acknowledged call {acs_call.number}."
    assert Event.objects.filter(kind="alert.resolved").count() == 1


def test_it_resolves_the_ack_warning_when_the_unit_is_unassigned(acs_call, acs_12, dana, assign, sweep):
    assignment = assign(acs_call, acs_12)
    sweep(after=90)

    assignment_unassign(assignment=assignment, reason="sent to a closer call", actor=dana)

    alert = Alert.objects.get(kind="ACK")
    assert alert.resolved_reason == f"ACS-12 left call {acs_call.number}."


def test_it_resolves_the_ack_warning_when_the_unit_clears(acs_call, acs_12, riley, assign, sweep):
    assignment = assign(acs_call, acs_12)
    sweep(after=90)

    assignment_clear(assignment=assignment, actor=riley, reason="flagged down on the way")

    assert _live(kind="ACK") == []


def test_it_keeps_the_ack_escalation_while_the_call_waits_for_another_unit(acs_call, acs_12, assign, sweep):
    assign(acs_call, acs_12)

    sweep(after=180)
    sweep(after=240)

    assert _live(kind="ACK") == [("ACK", 2)]


def test_it_resolves_the_ack_escalation_when_another_unit_of_the_agency_is_assigned(
    acs_call, acs_12, acs_14, assign, sweep
):
    assign(acs_call, acs_12)
    sweep(after=180)

    assign(acs_call, acs_14)

    escalated = Alert.objects.get(kind="ACK", level=2)
    assert escalated.resolved_reason == f"ACS-14 is on call {acs_call.number}."


def test_it_resolves_the_ack_escalation_when_the_call_is_cancelled(acs_call, acs_12, dana, assign, sweep):
    assign(acs_call, acs_12)
    sweep(after=180)

    call_cancel(call=acs_call, reason="no longer needed", actor=dana)

    escalated = Alert.objects.get(kind="ACK", level=2)
    assert escalated.resolved_reason == f"Call {acs_call.number} is Cancelled."


# --- the status checks --------------------------------------------------------------------------


def test_it_resolves_the_en_route_check_when_the_unit_arrives(acs_call, acs_12, riley, assign, sweep):
    assignment_acknowledge(assignment=assign(acs_call, acs_12), actor=riley)
    unit_status_change(unit=acs_12, status="EN_ROUTE", actor=riley)
    sweep(after=900)
    assert _live(kind="EN_ROUTE") == [("EN_ROUTE", 1)]

    unit_status_change(unit=acs_12, status="ON_SCENE", actor=riley)

    alert = Alert.objects.get(kind="EN_ROUTE")
    assert alert.resolved_reason == "ACS-12 is On scene."


def test_it_resolves_the_on_scene_check_when_the_unit_clears(police_call, apd_2a31, pete, assign, sweep):
    assignment = assign(police_call, apd_2a31)
    assignment_acknowledge(assignment=assignment, actor=pete)
    unit_status_change(unit=apd_2a31, status="ON_SCENE", actor=pete)
    sweep(after=1200)
    sweep(after=1800)
    assert _live(kind="ON_SCENE") == [("ON_SCENE", 2)]

    assignment_clear(assignment=assignment, actor=pete, disposition="K")

    assert _live() == []
    assert Alert.objects.get(kind="ON_SCENE", level=2).resolved_reason == (
        f"APD-2A31 left call {police_call.number}."
    )


def test_it_resolves_an_acknowledged_alert_too_so_its_clock_is_closed(acs_call, acs_12, dana, assign, sweep):
    sweep(after=300)
    alert_acknowledge(alert=Alert.objects.get(), actor=dana)

    assign(acs_call, acs_12)

    alert = Alert.objects.get()
    assert alert.acknowledged_by == dana
    assert alert.resolved_at is not None


# --- an escalation supersedes its warning -------------------------------------------------------


def test_it_supersedes_the_queue_warning_when_the_escalation_is_raised(acs_call, sweep, capture_events):
    sweep(after=300)

    with capture_events() as pushed:
        assert sweep(after=900) == {"QUEUE.2": 1}

    warning = Alert.objects.get(level=1)
    assert warning.resolved_reason == "Superseded by the escalation"
    assert warning.resolved_at == CURRENT_TIME + dt.timedelta(seconds=900)
    assert _live() == [("QUEUE", 2)]
    kinds = [f["kind"] for stream, f in pushed if stream == DISPATCH]
    assert kinds == ["alert.resolved", "alert.raised"]


def test_it_supersedes_an_unanswered_status_check(police_call, apd_2a31, pete, assign, sweep):
    assignment_acknowledge(assignment=assign(police_call, apd_2a31), actor=pete)
    unit_status_change(unit=apd_2a31, status="ON_SCENE", actor=pete)
    sweep(after=1200)

    assert sweep(after=1800) == {"ON_SCENE.2": 1}

    assert _live() == [("ON_SCENE", 2)]


def test_it_raises_the_escalation_alone_when_the_sweep_ran_late(acs_call, sweep):
    assert sweep(after=1000) == {"QUEUE.2": 1}

    assert list(Alert.objects.values_list("level", flat=True)) == [2]


def test_it_refuses_a_second_live_alert_for_one_clock(acs_call, sweep):
    sweep(after=300)

    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(kind="QUEUE", level=2, subject=f"call:{acs_call.pk}", call=acs_call, message="x")


# --- idempotence and the sweep ------------------------------------------------------------------


def test_it_resolves_each_alert_once(acs_call, acs_12, assign, sweep):
    sweep(after=300)
    assign(acs_call, acs_12)
    alert = Alert.objects.get()

    assert alert_resolve(alert=alert, now=CURRENT_TIME) is None
    assert "resolved" not in sweep(after=400)

    assert Event.objects.filter(kind="alert.resolved").count() == 1


def test_it_resolves_in_the_sweep_what_ended_without_a_service(acs_call, sweep):
    """The sweep's first step is set-based: a call moved by any path is caught within one sweep."""
    sweep(after=300)
    Call.objects.filter(pk=acs_call.pk).update(status=Call.Status.CANCELLED)

    assert sweep(after=305) == {"resolved": 1}

    assert _live() == []


def test_it_keeps_an_alert_whose_condition_holds_again(acs_call, sweep):
    sweep(after=300)
    alert = Alert.objects.get()

    assert alert_resolve(alert=alert, now=CURRENT_TIME) is None

    alert.refresh_from_db()
    assert alert.resolved_at is None


def test_it_lists_no_resolved_alert_as_open(acs_call, acs_12, assign, sweep, api_as, dana):
    sweep(after=300)
    assign(acs_call, acs_12)

    assert api_as(dana).get("/api/v1/alerts?open=1").json() == []
    history = api_as(dana).get("/api/v1/alerts?open=0").json()
    assert [(a["kind"], a["resolved_reason"]) for a in history] == [
        ("QUEUE", f"Call {acs_call.number} left the queue: Dispatched.")
    ]


def test_it_shows_the_time_on_the_city_clock_in_24_hours(acs_call, sweep, settings):
    sweep(after=300)  # 14:35 UTC

    raised = Event.objects.get(kind="alert.raised")

    assert raised.data["alert"]["raised_at_local"] == "07:35:00"  # Albuquerque, MST in November
    settings.CITY_TIME_ZONE = "Europe/Paris"
    from calls.events import alert_summary

    assert alert_summary(Alert.objects.get())["raised_at_local"] == "15:35:00"
