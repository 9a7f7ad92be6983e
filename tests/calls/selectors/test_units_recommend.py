from __future__ import annotations

from calls.selectors.assignments import call_units_recommend
from calls.services import unit_status_change
from tests.calls.support import assign
from tests.conftest import _unit


def test_it_recommends_the_nearest_available_unit_with_distance_and_eta(make_call, acs_12, zones):
    far = _unit("ACS-20", "ACS", ["behavioral_health"], zones["Foothills"], 35.12, -106.50)
    call = make_call(call_type="5150", lat=35.0850, lon=-106.6510)

    (acs,) = call_units_recommend(call=call)

    assert acs["agency"] == "ACS"
    assert acs["needs"] == ["behavioral_health"]
    assert [u["call_sign"] for u in acs["units"]] == ["ACS-12", far.call_sign]
    nearest = acs["units"][0]
    assert 50 < nearest["distance_m"] < 150
    assert nearest["eta_min"] == 1
    assert nearest["in_zone"] is True
    assert nearest["fallback"] is False


def test_it_skips_units_without_the_needed_capability(make_call, acs_12, zones):
    _unit("ACS-21", "ACS", ["homeless_outreach"], zones["Valley"], 35.0845, -106.6505)  # nearer, no BH
    call = make_call(call_type="5150")

    (acs,) = call_units_recommend(call=call)

    assert [u["call_sign"] for u in acs["units"]] == ["ACS-12"]


def test_it_offers_a_cit_police_unit_when_no_acs_unit_is_free(make_call, dana, acs_12, apd_2a31):
    assign(make_call(call_type="5150"), acs_12, dana)
    call = make_call(call_type="5150")

    (acs,) = call_units_recommend(call=call)

    assert acs["units"] == []
    assert [u["call_sign"] for u in acs["fallback"]] == ["APD-2A31"]
    assert acs["fallback"][0]["fallback"] is True
    assert acs["message"].startswith("No ACS unit with behavioral_health is available. Fallback")


def test_it_says_plainly_when_the_call_must_wait_in_the_queue(make_call, dana, mia, medic_12):
    unit_status_change(unit=medic_12, status="OUT_OF_SERVICE", actor=mia)
    call = make_call(call_type="11-8")

    (fire,) = call_units_recommend(call=call)

    assert fire["units"] == []
    assert fire["message"] == "No fire/EMS unit is available: the call waits in the fire/EMS queue."


def test_it_says_which_unit_already_covers_an_agency(make_call, dana, acs_12):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)

    (acs,) = call_units_recommend(call=call)

    assert acs["covered_by"] == "ACS-12"
    assert acs["units"] == []


def test_it_prefers_a_unit_in_the_calls_zone_when_nearly_as_close(make_call, zones):
    _unit(
        "ACS-30", "ACS", ["behavioral_health"], zones["Northwest"], 35.0844, -106.6540
    )  # ~330 m, other zone
    _unit("ACS-31", "ACS", ["behavioral_health"], zones["Valley"], 35.0844, -106.6464)  # ~365 m, call's zone
    call = make_call(call_type="5150", lat=35.0844, lon=-106.6504)

    (acs,) = call_units_recommend(call=call)

    assert [u["call_sign"] for u in acs["units"]] == ["ACS-31", "ACS-30"]
