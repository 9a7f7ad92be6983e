"""The queue clock: a call left PENDING past its lead agency's limit for its priority."""

from __future__ import annotations

from calls.models import Alert
from live.events import DISPATCH, SUPERVISOR
from live.models import Event

# ACS priority 2: 300 s / 900 s. Police priority 3: 900 s / 1800 s.


def test_it_warns_when_a_call_waits_past_its_limit(acs_call, sweep, capture_events):
    assert sweep(after=299) == {}

    with capture_events() as pushed:
        assert sweep(after=300) == {"QUEUE.1": 1}

    alert = Alert.objects.get()
    assert (alert.kind, alert.level, alert.subject, alert.call) == (
        "QUEUE",
        1,
        f"call:{acs_call.pk}",
        acs_call,
    )
    assert alert.unit is None
    assert alert.message == f"Call {acs_call.number} (P2, ACS) waiting in the queue for 5 min."
    raised = Event.objects.get(kind="alert.raised")
    assert raised.data["call"]["status"] == "PENDING"
    assert "unit" not in raised.data
    assert {stream for stream, _ in pushed} == {DISPATCH, SUPERVISOR}


def test_it_escalates_a_call_still_waiting_at_the_second_limit(acs_call, sweep):
    sweep(after=300)

    assert sweep(after=900) == {"QUEUE.2": 1}

    escalated = Alert.objects.get(level=2)
    assert escalated.message == (
        f"Call {acs_call.number} (P2, ACS) waiting in the queue for 15 min: escalated, assign or re-prioritise it now."
    )


def test_it_escalates_even_when_the_warning_was_acknowledged(acs_call, dana, sweep):
    from calls.services.alerts import alert_acknowledge

    sweep(after=300)
    alert_acknowledge(alert=Alert.objects.get(), actor=dana)

    assert sweep(after=900) == {"QUEUE.2": 1}


def test_it_keeps_police_calls_off_the_acs_supervisor_screen(police_call, sweep, capture_events):
    with capture_events() as pushed:
        assert sweep(after=900) == {"QUEUE.1": 1}

    assert {stream for stream, _ in pushed} == {DISPATCH}


def test_it_stops_the_clock_once_a_unit_is_assigned(acs_call, acs_12, assign, riley, sweep):
    from calls.services import assignment_acknowledge

    assignment_acknowledge(assignment=assign(acs_call, acs_12), actor=riley)

    assert sweep(after=3600) == {}


def test_it_uses_the_thresholds_an_admin_set(acs_call, ada, sweep):
    from calls.services.alerts import threshold_update

    threshold_update(kind="QUEUE", agency="ACS", priority=2, warn_seconds=60, escalate_seconds=120, actor=ada)

    assert sweep(after=60) == {"QUEUE.1": 1}
