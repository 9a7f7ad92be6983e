"""The recommendation follows the units' reported positions (AVL, issue 13)."""

from __future__ import annotations

import datetime as dt

import time_machine

from calls.selectors.assignments import call_units_recommend
from responders.avl_services import unit_positions_record
from tests.conftest import _unit


def report(unit, now, lat, lon, seconds_ago=0):
    unit_positions_record(
        unit=unit, fixes=[{"lat": lat, "lon": lon, "at": now - dt.timedelta(seconds=seconds_ago)}]
    )


def call_signs(call):
    (acs,) = call_units_recommend(call=call)
    return [u["call_sign"] for u in acs["units"]]


def test_it_recommends_another_unit_once_the_nearest_one_drives_away(make_call, acs_12, zones, now):
    other = _unit("ACS-20", "ACS", ["behavioral_health"], zones["Valley"], 35.0950, -106.6600)
    report(acs_12, now, 35.0844, -106.6504)
    report(other, now, 35.0950, -106.6600)
    call = make_call(call_type="5150", lat=35.0850, lon=-106.6510)
    assert call_signs(call) == ["ACS-12", "ACS-20"]

    with time_machine.travel(now + dt.timedelta(seconds=10), tick=False):
        report(acs_12, now + dt.timedelta(seconds=10), 35.1300, -106.5300)  # across town
        (acs,) = call_units_recommend(call=call)

    assert [u["call_sign"] for u in acs["units"]] == ["ACS-20", "ACS-12"]
    assert acs["units"][1]["distance_m"] > 10_000


def test_it_ranks_a_stale_position_after_fresh_ones_and_marks_it(make_call, acs_12, zones, now, settings):
    settings.AVL_STALE_SECONDS = 120
    far = _unit("ACS-20", "ACS", ["behavioral_health"], zones["Foothills"], 35.12, -106.50)
    report(acs_12, now, 35.0844, -106.6504, seconds_ago=300)  # near the call, but 5 minutes old
    report(far, now, 35.12, -106.50, seconds_ago=10)
    call = make_call(call_type="5150", lat=35.0850, lon=-106.6510)

    (acs,) = call_units_recommend(call=call)

    assert [(u["call_sign"], u["position_stale"]) for u in acs["units"]] == [
        ("ACS-20", False),
        ("ACS-12", True),
    ]
    assert acs["units"][0]["position_at"] == (now - dt.timedelta(seconds=10)).isoformat()


def test_it_ranks_by_distance_alone_when_no_unit_has_reported(make_call, acs_12, zones):
    _unit("ACS-20", "ACS", ["behavioral_health"], zones["Foothills"], 35.12, -106.50)
    call = make_call(call_type="5150", lat=35.0850, lon=-106.6510)

    (acs,) = call_units_recommend(call=call)

    assert [u["call_sign"] for u in acs["units"]] == ["ACS-12", "ACS-20"]
    assert all(u["position_stale"] and u["position_at"] is None for u in acs["units"])
