"""A Spanish-speaking caller gets a Spanish-speaking crew first when it is not much farther."""

from __future__ import annotations

from calls.models import CallerLanguage
from calls.selectors.assignments import call_units_recommend
from responders.selectors import SPANISH_CALLER_LANGUAGE, SPANISH_PREFERENCE_EXTRA_M
from tests.conftest import _unit

DOWNTOWN = {"lat": 35.0844, "lon": -106.6504}  # where ACS-12 stands


def test_it_ranks_a_spanish_speaking_unit_first_within_the_extra_distance(make_call, acs_12, zones):
    _unit("ACS-40", "ACS", ["behavioral_health", "spanish"], zones["Valley"], 35.0994, -106.6504)  # ~1.7 km
    call = make_call(call_type="5150", caller_language="es", **DOWNTOWN)

    (acs,) = call_units_recommend(call=call)

    assert [u["call_sign"] for u in acs["units"]] == ["ACS-40", "ACS-12"]
    assert acs["units"][0]["preference"] == "speaks Spanish"
    assert acs["units"][1]["preference"] == ""


def test_it_keeps_the_nearest_unit_first_when_the_spanish_speaker_is_too_far(make_call, acs_12, zones):
    _unit("ACS-41", "ACS", ["behavioral_health", "spanish"], zones["Valley"], 35.1104, -106.6504)  # ~2.9 km
    call = make_call(call_type="5150", caller_language="es", **DOWNTOWN)

    (acs,) = call_units_recommend(call=call)

    assert [u["call_sign"] for u in acs["units"]] == ["ACS-12", "ACS-41"]
    assert all(u["preference"] == "" for u in acs["units"])


def test_it_finds_a_spanish_speaker_beyond_the_nearest_few(make_call, acs_12, zones):
    for i, lat in enumerate((35.0854, 35.0864, 35.0874)):  # three nearer units without Spanish
        _unit(f"ACS-5{i}", "ACS", ["behavioral_health"], zones["Valley"], lat, -106.6504)
    _unit("ACS-42", "ACS", ["behavioral_health", "spanish"], zones["Valley"], 35.0964, -106.6504)  # ~1.3 km

    call = make_call(call_type="5150", caller_language="es", **DOWNTOWN)
    (acs,) = call_units_recommend(call=call, limit=3)

    assert [u["call_sign"] for u in acs["units"]] == ["ACS-42", "ACS-12", "ACS-50"]


def test_it_needs_the_calls_capabilities_of_the_spanish_speaker_too(make_call, acs_12, zones):
    _unit("ACS-43", "ACS", ["homeless_outreach", "spanish"], zones["Valley"], 35.0854, -106.6504)  # no BH

    call = make_call(call_type="5150", caller_language="es", **DOWNTOWN)
    (acs,) = call_units_recommend(call=call)

    assert [u["call_sign"] for u in acs["units"]] == ["ACS-12"]


def test_it_ignores_spanish_for_a_caller_of_another_language(make_call, acs_12, zones):
    _unit("ACS-44", "ACS", ["behavioral_health", "spanish"], zones["Valley"], 35.0994, -106.6504)

    call = make_call(call_type="5150", caller_language="en", **DOWNTOWN)
    (acs,) = call_units_recommend(call=call)

    assert [u["call_sign"] for u in acs["units"]] == ["ACS-12", "ACS-44"]


def test_it_prefers_a_spanish_speaking_police_unit_for_a_police_call(make_call, apd_2a31, zones):
    _unit(
        "APD-5B10", "POLICE", ["patrol", "spanish"], zones["Valley"], 35.1000, -106.6550
    )  # ~1.1 km past 2A31

    call = make_call(call_type="415", narrative="neighbours shouting", caller_language="es", **DOWNTOWN)
    (police,) = call_units_recommend(call=call)

    assert police["agency"] == "POLICE"
    assert [u["call_sign"] for u in police["units"]] == ["APD-5B10", "APD-2A31"]
    assert police["units"][0]["preference"] == "speaks Spanish"


def test_it_marks_the_preference_in_the_recommendations_api(api_as, make_call, dana, acs_12, zones):
    _unit("ACS-45", "ACS", ["behavioral_health", "spanish"], zones["Valley"], 35.0994, -106.6504)
    call = make_call(call_type="5150", caller_language="es", **DOWNTOWN)

    response = api_as(dana).get(f"/api/v1/calls/{call.pk}/recommendations")

    assert response.status_code == 200
    (acs,) = response.json()
    assert acs["units"][0]["call_sign"] == "ACS-45"
    assert acs["units"][0]["preference"] == "speaks Spanish"


def test_it_reads_the_same_spanish_code_as_the_call():
    assert SPANISH_CALLER_LANGUAGE == CallerLanguage.SPANISH
    assert SPANISH_PREFERENCE_EXTRA_M == 2_000
