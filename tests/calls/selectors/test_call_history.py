from __future__ import annotations

import datetime as dt

import time_machine

from calls.selectors import call_history
from calls.services import call_close, caution_flag_add
from tests.conftest import CURRENT_TIME


def test_it_finds_earlier_calls_at_the_address_nearby_and_from_the_phone(make_call, dana):
    with time_machine.travel(CURRENT_TIME - dt.timedelta(days=10), tick=False):
        same_address = make_call(address="400 Marquette Ave NW", lat=None, lon=None, caller_phone="")
        call_close(call=same_address, disposition="ACS-RD", actor=dana)
        nearby = make_call(address="somewhere else", lat=35.0850, lon=-106.6504, caller_phone="")  # ~67 m
        same_phone = make_call(address="elsewhere", lat=None, lon=None, caller_phone="505-555-0100")
        make_call(address="far away", lat=35.2, lon=-106.6, caller_phone="")

    with time_machine.travel(CURRENT_TIME, tick=False):
        history = call_history(
            address="400 marquette ave nw", lat=35.0844, lon=-106.6504, caller_phone="(505) 555 0100"
        )

    found = {c["id"]: c for c in history["calls"]}
    assert set(found) == {same_address.pk, nearby.pk, same_phone.pk}
    assert found[same_address.pk]["matched"] == ["address"]
    assert found[same_address.pk]["disposition_description"] == "ACS: resources declined"
    assert found[nearby.pk]["matched"] == ["nearby"]
    assert 50 < found[nearby.pk]["distance_m"] < 80
    assert found[same_phone.pk]["matched"] == ["phone"]


def test_it_leaves_out_calls_older_than_90_days(make_call):
    with time_machine.travel(CURRENT_TIME - dt.timedelta(days=91), tick=False):
        make_call(address="1 Old St")

    with time_machine.travel(CURRENT_TIME, tick=False):
        assert call_history(address="1 Old St")["calls"] == []


def test_it_shows_the_caution_flags_recorded_there(db, dana):
    caution_flag_add(text="Large dog on premises", address="12 Elm St SE", actor=dana)
    caution_flag_add(text="Prior weapon", lat=35.08441, lon=-106.65041, actor=dana)
    caution_flag_add(text="Elsewhere", address="99 Far Rd", actor=dana)

    flags = call_history(address="12 elm st se", lat=35.0844, lon=-106.6504)["caution_flags"]

    assert sorted(f["text"] for f in flags) == ["Large dog on premises", "Prior weapon"]
