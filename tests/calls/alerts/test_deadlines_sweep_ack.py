"""The acknowledgement clock: a unit assigned and silent is warned about, then taken off the call."""

from __future__ import annotations

from calls.models import Alert, Assignment, Call
from calls.services import assignment_acknowledge
from live.events import DISPATCH, SUPERVISOR, unit_stream
from live.models import Event
from responders.models import Unit

# ACS priority 2: warn after 90 s, escalate after 180 s (calls.services.alerts.DEFAULT_THRESHOLDS).


def test_it_raises_nothing_before_the_limit(acs_call, acs_12, assign, sweep):
    assign(acs_call, acs_12)

    assert sweep(after=89) == {}
    assert not Alert.objects.exists()


def test_it_warns_the_dispatcher_and_the_acs_supervisor_of_an_unacknowledged_assignment(
    acs_call, acs_12, assign, sweep, capture_events
):
    assignment = assign(acs_call, acs_12)

    with capture_events() as pushed:
        assert sweep(after=90) == {"ACK.1": 1}

    alert = Alert.objects.get()
    assert (alert.kind, alert.level, alert.subject) == ("ACK", 1, f"assignment:{assignment.pk}")
    assert (alert.call, alert.unit, alert.assignment) == (acs_call, acs_12, assignment)
    assert alert.message == f"ACS-12 has not acknowledged call {acs_call.number} after 90 s."
    event = Event.objects.get(kind="alert.raised")
    assert event.data["alert"]["id"] == alert.pk
    assert event.data["alert"]["level_label"] == "Warning"
    assert event.data["call"]["id"] == acs_call.pk
    assert event.data["unit"]["call_sign"] == "ACS-12"
    assert event.data["unit"]["assignment_id"] == assignment.pk
    assert {stream for stream, frame in pushed if frame["kind"] == "alert.raised"} == {DISPATCH, SUPERVISOR}
    assert unit_stream(acs_12.pk) not in {stream for stream, _ in pushed}


def test_it_raises_each_alert_once_however_often_it_sweeps(acs_call, acs_12, assign, sweep):
    assign(acs_call, acs_12)

    assert sweep(after=90) == {"ACK.1": 1}
    assert sweep(after=95) == {}
    assert sweep(after=100) == {}

    assert Alert.objects.count() == 1
    assert Event.objects.filter(kind="alert.raised").count() == 1


def test_it_stops_the_clock_when_the_unit_acknowledges(acs_call, acs_12, riley, assign, sweep):
    assignment = assign(acs_call, acs_12)
    assignment_acknowledge(assignment=assignment, actor=riley)

    assert sweep(after=600) == {}
    assert not Alert.objects.filter(kind="ACK").exists()


def test_it_offers_the_call_back_to_the_queue_with_the_next_recommended_unit(
    acs_call, acs_12, zones, assign, sweep, capture_events
):
    from responders.services import unit_ensure

    acs_14, _ = unit_ensure(
        call_sign="ACS-14",
        agency="ACS",
        capabilities=["behavioral_health"],
        home_zone=zones["Valley"],
        lat=35.0850,
        lon=-106.6510,
    )
    assignment = assign(acs_call, acs_12)
    sweep(after=90)

    with capture_events() as pushed:
        assert sweep(after=180) == {"ACK.2": 1}

    assignment.refresh_from_db()
    acs_call.refresh_from_db()
    acs_12.refresh_from_db()
    assert assignment.cleared_at is not None
    assert assignment.cleared_reason == "not acknowledged within 3 min"
    assert acs_call.status == Call.Status.PENDING
    assert acs_12.status == Unit.Status.AVAILABLE
    escalated = Alert.objects.get(level=2)
    assert escalated.message == (
        f"ACS-12 did not acknowledge call {acs_call.number} within 3 min: unassigned, "
        "the call is back in the queue. Next recommended: ACS-14."
    )
    kinds = [frame["kind"] for stream, frame in pushed if stream == DISPATCH]
    # The warning goes first (superseded), then the unit leaves, then the escalation.
    assert kinds == ["alert.resolved", "unit.unassigned", "call.status_changed", "alert.raised"]
    raised = next(frame for _, frame in pushed if frame["kind"] == "alert.raised")
    assert raised["data"]["recommended_unit"] == {"id": acs_14.pk, "call_sign": "ACS-14", "agency": "ACS"}
    assert raised["data"]["alert"]["level"] == 2
    assert raised["data"]["call"]["status"] == "PENDING"
    assert raised["data"]["unit"]["status"] == "AVAILABLE"


def test_it_says_so_when_no_other_unit_is_free(acs_call, acs_12, assign, sweep):
    assign(acs_call, acs_12)

    sweep(after=180)

    assert Alert.objects.get(level=2).message.endswith("No other unit is available.")


def test_it_escalates_only_once(acs_call, acs_12, assign, sweep):
    assign(acs_call, acs_12)

    assert sweep(after=180) == {"ACK.2": 1}  # late past both limits: the escalation alone
    assert sweep(after=240) == {}

    assert Alert.objects.filter(level=2).count() == 1
    assert Event.objects.filter(kind="unit.unassigned").count() == 1
    assert Assignment.objects.filter(cleared_at__isnull=True).count() == 0


def test_it_does_not_escalate_an_assignment_acknowledged_after_the_warning(
    acs_call, acs_12, riley, assign, sweep
):
    assignment = assign(acs_call, acs_12)
    sweep(after=90)
    assignment_acknowledge(assignment=assignment, actor=riley)

    assert sweep(after=600) == {}

    assignment.refresh_from_db()
    assert assignment.cleared_at is None
    assert not Alert.objects.filter(level=2).exists()


def test_it_holds_each_priority_to_its_own_limit(police_call, apd_2a31, assign, sweep):
    # Police priority 3: warn after 180 s, not after the 90 s of a priority 2.
    assign(police_call, apd_2a31)

    assert sweep(after=179) == {}
    assert sweep(after=180) == {"ACK.1": 1}
