from __future__ import annotations

import pytest

from acs_dispatch.exceptions import InvalidTransition, ValidationFailed
from calls.models import Call, Disposition
from calls.services import ACS_DISPOSITIONS, call_cancel, call_close, call_mark_duplicate, dispositions_load
from live.models import Event
from responders.models import Unit
from tests.calls.support import assign


def test_it_loads_the_san_diego_codes_and_the_acs_outcomes(db):
    dispositions_load()

    again = dispositions_load()

    assert again == {"created": 0, "updated": 0}
    assert Disposition.objects.filter(code="A").exists()
    assert Disposition.objects.filter(acs_outcome=True).count() == len(ACS_DISPOSITIONS) == 7
    assert Disposition.objects.get(code="ACS-988").description == "ACS: transferred to 988"


def test_it_closes_a_call_with_a_disposition_and_frees_its_units(make_call, dana, acs_12, capture_events):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)

    with capture_events() as pushed:
        call_close(call=call, disposition="ACS-RA", note="connected to services", actor=dana)

    call.refresh_from_db()
    acs_12.refresh_from_db()
    assert call.status == Call.Status.CLOSED
    assert call.disposition == "ACS-RA"
    assert call.closed_at is not None
    assert acs_12.status == Unit.Status.AVAILABLE
    closed = Event.objects.get(call_id=call.pk, kind="call.closed")
    assert closed.data["disposition"] == {
        "code": "ACS-RA",
        "description": "ACS: resources offered and accepted",
    }
    assert closed.data["call"]["units"] == []
    # The freed unit's dashboard hears about the close even though it is no longer on the call.
    assert f"unit.{acs_12.pk}" in {stream for stream, frame in pushed if frame["kind"] == "call.closed"}


def test_it_refuses_an_unknown_disposition(make_call, dana):
    call = make_call()

    with pytest.raises(ValidationFailed) as refused:
        call_close(call=call, disposition="ZZZ", actor=dana)

    assert "disposition" in refused.value.extra["errors"]
    call.refresh_from_db()
    assert call.status == Call.Status.PENDING


def test_it_refuses_to_close_a_cancelled_call_and_says_its_state(make_call, dana):
    call = make_call()
    call_cancel(call=call, reason="duplicate report by same caller", actor=dana)

    with pytest.raises(InvalidTransition, match="is Cancelled: it cannot become Closed") as refused:
        call_close(call=call, disposition="K", actor=dana)

    assert refused.value.extra["status"] == "CANCELLED"
    call.refresh_from_db()
    assert call.disposition == "CAN"


def test_it_cancels_an_open_call_with_a_reason(make_call, dana, apd_2a31):
    call = make_call()
    assign(call, apd_2a31, dana)

    call_cancel(call=call, reason="caller says all fine now", actor=dana)

    call.refresh_from_db()
    apd_2a31.refresh_from_db()
    assert call.status == Call.Status.CANCELLED
    assert apd_2a31.status == Unit.Status.AVAILABLE
    assert (
        Event.objects.get(call_id=call.pk, kind="call.cancelled").data["reason"] == "caller says all fine now"
    )


def test_it_refuses_a_cancel_without_a_reason(make_call, dana):
    with pytest.raises(ValidationFailed):
        call_cancel(call=make_call(), reason=" ", actor=dana)


def test_it_marks_a_duplicate_of_the_original_call(make_call, dana):
    original = make_call()
    second = make_call()
    third = make_call()
    call_mark_duplicate(call=second, of=original, actor=dana)

    call_mark_duplicate(call=third, of=second, actor=dana)

    third.refresh_from_db()
    assert third.status == Call.Status.DUPLICATE
    assert third.duplicate_of == original
    assert third.disposition == "DUP"
    assert (
        Event.objects.get(call_id=third.pk, kind="call.marked_duplicate").data["of"]["number"]
        == original.number
    )


def test_it_refuses_a_call_duplicating_itself(make_call, dana):
    call = make_call()

    with pytest.raises(ValidationFailed):
        call_mark_duplicate(call=call, of=call, actor=dana)
