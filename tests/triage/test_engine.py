"""The triage engine: condition kinds, safety guards, fallback, versions and rule validation (no database)."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest

from acs_dispatch.exceptions import ValidationFailed
from triage.engine import MODES, CallInput, compile_ruleset, load_rules_file, triage, validate_rules
from triage.services import DEFAULT_RULES_FILE


@cache
def default_rules():
    return compile_ruleset(version=7, rules=load_rules_file(DEFAULT_RULES_FILE))


def rule(name="r", mode="ACS_ALONE", priority=3, explanation="why", **conditions):
    return {
        "name": name,
        "conditions": conditions,
        "outcome": {"mode": mode, "priority": priority},
        "explanation": explanation,
    }


def decide(rules, **call):
    return triage(compile_ruleset(version=1, rules=rules), CallInput(**call))


# --- condition kinds --------------------------------------------------------------------------------


def test_it_matches_any_of_the_call_types_case_insensitively():
    rules = [rule(call_types=["CW", "SLEEPER"])]

    assert decide(rules, call_type="sleeper").rule == "r"
    assert decide(rules, call_type="415").rule == ""


def test_it_matches_keywords_any_after_normalising_case_punctuation_and_abbreviations():
    rules = [rule(keywords_any=["welfare check", "with gun"])]

    assert decide(rules, narrative="Please do a WELFARE-CHECK on him").rule == "r"
    assert decide(rules, narrative="CW on my neighbor").rule == "r"  # cw -> welfare check
    assert decide(rules, narrative="man W/GUN").rule == "r"


def test_it_needs_every_keyword_of_keywords_all():
    rules = [rule(keywords_all=["tent", "river"])]

    assert decide(rules, narrative="a tent by the river").rule == "r"
    assert decide(rules, narrative="a tent by the road").rule == ""


def test_it_refuses_a_call_holding_a_keywords_none_phrase():
    rules = [rule(keywords_any=["tent"], keywords_none=["fire"])]

    assert decide(rules, narrative="a tent in the park").rule == "r"
    assert decide(rules, narrative="a tent on fire").rule == ""


def test_it_ignores_keywords_the_narrative_negates():
    rules = [rule(keywords_any=["tent"])]

    assert decide(rules, narrative="no tent there, just a man").rule == ""


@pytest.mark.parametrize(
    ("field", "value", "narrative", "matches"),
    [
        ("weapons", True, "", True),
        ("weapons", False, "", False),
        ("weapons", None, "he has a gun", True),  # unanswered: the narrative answers
        ("weapons", None, "", False),
        ("violence", True, "", True),
        ("medical", None, "she is not breathing", True),
        ("caller_is_subject", True, "", True),
        ("caller_is_subject", None, "", False),
    ],
)
def test_it_matches_screening_answers_with_the_narrative_filling_in_unknowns(
    field, value, narrative, matches
):
    rules = [rule(mode="POLICE_LEAD_FIRE_EMS", **{field: ["yes"]})]

    assert (decide(rules, narrative=narrative, **{field: value}).rule == "r") is matches


def test_it_matches_unknown_screening_answers():
    rules = [rule(weapons=["unknown"])]

    assert decide(rules, narrative="man sleeping").rule == "r"
    assert decide(rules, narrative="man sleeping", weapons=False).rule == ""


def test_it_matches_any_of_the_zones():
    rules = [rule(zones=["Valley", "University"])]

    assert decide(rules, zone="Valley").rule == "r"
    assert decide(rules, zone="Foothills").rule == ""
    assert decide(rules).rule == ""


def test_it_reads_a_time_window_in_albuquerque_wall_clock_time_across_dst():
    rules = [rule(time_window={"start": "17:00", "end": "19:00"})]
    # 01:30 UTC is 18:30 in January (MST, UTC-7) but 19:30 in July (MDT, UTC-6).
    january = dt.datetime(2026, 1, 15, 1, 30, tzinfo=dt.UTC)
    july = dt.datetime(2026, 7, 15, 1, 30, tzinfo=dt.UTC)

    assert decide(rules, at=january).rule == "r"
    assert decide(rules, at=july).rule == ""
    assert decide(rules).rule == ""  # no time: a time-window rule cannot match


def test_it_reads_a_time_window_on_the_clock_of_the_city_it_was_compiled_for():
    rules = [rule(time_window={"start": "17:00", "end": "19:00"})]
    at = dt.datetime(
        2026, 1, 15, 1, 30, tzinfo=dt.UTC
    )  # 18:30 in Albuquerque, 17:30 in San Diego, 20:30 in Chicago

    def rule_at(time_zone):
        return triage(compile_ruleset(version=1, rules=rules, time_zone=time_zone), CallInput(at=at)).rule

    assert rule_at("America/Los_Angeles") == "r"
    assert rule_at("America/Chicago") == ""


def test_it_compiles_the_published_set_on_the_configured_city_clock(published_rules, settings):
    from triage.selectors import engine_published

    settings.CITY_TIME_ZONE = "America/Los_Angeles"

    assert str(engine_published().time_zone) == "America/Los_Angeles"


def test_it_wraps_a_time_window_past_midnight():
    rules = [rule(time_window={"start": "22:00", "end": "06:00"})]
    night = dt.datetime(2026, 3, 8, 9, 30, tzinfo=dt.UTC)  # 03:30 MDT, the night DST starts
    noon = dt.datetime(2026, 3, 8, 19, 0, tzinfo=dt.UTC)

    assert decide(rules, at=night).rule == "r"
    assert decide(rules, at=noon).rule == ""


def test_it_takes_the_first_matching_rule_in_order():
    rules = [rule("first", keywords_any=["tent"], zones=["Valley"]), rule("second", keywords_any=["tent"])]

    assert decide(rules, narrative="tent", zone="Valley").rule == "first"
    assert decide(rules, narrative="tent", zone="Foothills").rule == "second"


# --- guards ---------------------------------------------------------------------------------------

ACS_RULES = [rule("acs", keywords_any=["sleeping", "yelling", "confused"], mode="ACS_ALONE", priority=4)]


def test_it_adds_police_and_police_lead_when_screening_reports_a_weapon():
    decision = decide(ACS_RULES, narrative="man sleeping", weapons=True)

    assert decision.agencies == ["POLICE", "ACS"]
    assert decision.mode == "POLICE_LEAD_ACS_FOLLOW"
    assert decision.guards == ["weapon"]
    assert decision.priority == 2
    assert (decision.acs_eligible, decision.acs_exclusion) == (False, "weapon")
    assert any("Guard weapon: screening: weapons yes" in r for r in decision.reasons)


def test_it_adds_police_when_the_narrative_mentions_a_weapon():
    decision = decide(ACS_RULES, narrative="man sleeping with a machete beside him")

    assert decision.lead == "POLICE"
    assert "weapon" in decision.guards


def test_it_leaves_acs_alone_when_the_narrative_denies_weapons_and_violence():
    decision = decide(
        ACS_RULES, narrative="man sleeping, no weapons in the house, not aggressive, no threats"
    )

    assert decision.agencies == ["ACS"]
    assert decision.guards == []
    assert decision.acs_eligible is True
    assert any("denies weapons ('no weapons')" in r for r in decision.reasons)


def test_it_adds_police_for_violence_in_screening_or_text_but_not_when_negated():
    assert decide(ACS_RULES, narrative="yelling", violence=True).guards == ["violence"]
    assert decide(ACS_RULES, narrative="yelling and punched the clerk").guards == ["violence"]
    assert decide(ACS_RULES, narrative="yelling but has not hit anyone").guards == []


def test_it_adds_fire_ems_for_a_medical_emergency_and_lets_them_lead():
    decision = decide(ACS_RULES, narrative="man sleeping, not breathing")

    assert decision.agencies == ["FIRE_EMS", "ACS"]
    assert decision.guards == ["medical"]
    assert decision.acs_exclusion == "medical"


def test_it_reads_breathing_fine_as_no_medical_emergency():
    assert decide(ACS_RULES, narrative="man sleeping, breathing fine").agencies == ["ACS"]


def test_it_adds_fire_ems_when_screening_reports_a_medical_emergency():
    assert decide(ACS_RULES, narrative="confused", medical=True).agencies == ["FIRE_EMS", "ACS"]


def test_it_keeps_police_on_when_the_text_states_a_weapon_the_screening_denied():
    # Safety over consistency: a plainly stated knife outranks a "no" click.
    decision = decide(ACS_RULES, narrative="man sleeping, he has a knife", weapons=False)

    assert decision.agencies == ["POLICE", "ACS"]
    assert any("although screening answered weapons: no" in r for r in decision.reasons)


def test_it_lets_a_screening_no_settle_a_hedged_mention():
    assert decide(ACS_RULES, narrative="man sleeping, might have a knife", weapons=False).agencies == ["ACS"]
    assert decide(ACS_RULES, narrative="man sleeping, might have a knife").agencies == ["POLICE", "ACS"]


def test_it_keeps_acs_from_leading_a_crime_in_progress():
    decision = decide(ACS_RULES, narrative="confused man breaking into cars")

    assert decision.mode == "POLICE_LEAD_ACS_FOLLOW"
    assert decision.guards == ["crime_in_progress"]
    assert decision.acs_exclusion == "crime_in_progress"


def test_it_sends_police_when_no_rule_matches_and_says_so():
    decision = decide(ACS_RULES, narrative="something odd happened")

    assert decision.agencies == ["POLICE"]
    assert decision.rule == ""
    assert decision.guards == ["no_rule"]
    assert decision.acs_exclusion == "no_rule"
    assert decision.reasons[0].startswith("No rule matched")


def test_it_records_the_ruleset_version_it_was_compiled_with():
    compiled = compile_ruleset(version=42, rules=ACS_RULES)

    decision = triage(compiled, CallInput(narrative="sleeping"))

    assert decision.ruleset_version == 42
    assert decision.as_contract()["ruleset_version"] == 42
    assert set(decision.as_contract()) >= {
        "agencies",
        "lead",
        "priority",
        "rule",
        "ruleset_version",
        "reasons",
    }


def test_it_never_leaves_acs_alone_with_danger_whatever_the_rule_says():
    danger = ["he has a gun", "she is bleeding heavily", "they are fighting", "not sure if he has a knife"]
    for text in danger:
        for mode in MODES:
            decision = decide([rule(mode=mode, keywords_any=["sleeping"])], narrative=f"man sleeping, {text}")
            assert decision.agencies != ["ACS"], (mode, text)


# --- the default rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("narrative", "agencies", "lead"),
    [
        ("Homeless man sleeping in the doorway, not aggressive, no weapons", ["ACS"], "ACS"),
        ("my son is hearing voices, no weapons, not violent", ["ACS"], "ACS"),
        ("guy has a knife and says he wants to kill himself", ["POLICE", "ACS"], "POLICE"),
        ("friend OD'd, not breathing", ["FIRE_EMS", "ACS"], "FIRE_EMS"),
        ("he is acting odd", ["ACS"], "ACS"),  # "odd" is no overdose
        ("house on fire", ["FIRE_EMS"], "FIRE_EMS"),
    ],
)
def test_it_decides_well_from_a_narrative_alone(narrative, agencies, lead):
    decision = triage(default_rules(), CallInput(narrative=narrative))

    assert (decision.agencies, decision.lead) == (agencies, lead)


# --- validation --------------------------------------------------------------------------------------


def fields(errors):
    return [(e["rule"], e["field"]) for e in errors]


def test_it_raises_validation_failed_naming_rule_and_field():
    with pytest.raises(
        ValidationFailed, match=r"rule 1 'bad', outcome.mode: unknown mode 'ACS_SOLO'"
    ) as info:
        compile_ruleset(version=0, rules=[rule("bad", mode="ACS_SOLO", call_types=["CW"])])

    assert info.value.extra["errors"][0] == {
        "rule": "bad",
        "index": 0,
        "field": "outcome.mode",
        "message": info.value.extra["errors"][0]["message"],
    }


def test_it_finds_a_rule_shadowed_by_an_earlier_one():
    errors = validate_rules(
        [
            rule("broad", keywords_any=["tent", "camp"]),
            rule("narrow", keywords_any=["tent"], zones=["Valley"]),
        ]
    )

    assert fields(errors) == [("narrow", "conditions")]
    assert "rule 1 'broad'" in errors[0]["message"]


def test_it_finds_a_rule_shadowed_by_a_catch_all():
    errors = validate_rules([rule("all", mode="POLICE_ALONE", always=True), rule("late", call_types=["CW"])])

    assert fields(errors) == [("late", "conditions")]


def test_it_refuses_empty_conditions_but_accepts_an_explicit_catch_all():
    assert fields(validate_rules([rule("empty")])) == [("empty", "conditions")]
    assert validate_rules([rule("all", mode="POLICE_ALONE", always=True)]) == []


def test_it_refuses_malformed_keywords():
    errors = validate_rules(
        [
            rule("a", keywords_any=["!!!"]),
            rule("b", keywords_any=["tent, river"]),
            rule("c", keywords_any="tent"),
            rule("d", keywords_all=["tent"], keywords_none=["tent"]),
        ]
    )

    assert fields(errors) == [
        ("a", "conditions.keywords_any"),
        ("b", "conditions.keywords_any"),
        ("c", "conditions.keywords_any"),
        ("d", "conditions.keywords_none"),
    ]


def test_it_refuses_a_missing_explanation_and_bad_answers_windows_and_priorities():
    errors = validate_rules(
        [
            rule("a", explanation="", call_types=["CW"]),
            rule("b", weapons=["maybe"]),
            rule("c", time_window={"start": "25:00", "end": "06:00"}),
            rule("d", priority=9, call_types=["X"]),
        ]
    )

    assert fields(errors) == [
        ("a", "explanation"),
        ("b", "conditions.weapons"),
        ("c", "conditions.time_window"),
        ("d", "outcome.priority"),
    ]


def test_it_refuses_an_outcome_the_guards_would_always_change():
    errors = validate_rules(
        [
            rule("knives", mode="ACS_ALONE", keywords_any=["knife", "machete"]),
            rule("armed", mode="ACS_LEAD_POLICE_STAGED", weapons=["yes"]),
            rule("hurt", mode="ACS_ALONE", medical=["yes"]),
        ]
    )

    assert fields(errors) == [("knives", "outcome.mode"), ("armed", "outcome.mode"), ("hurt", "outcome.mode")]
    assert "safety guard would always add it" in errors[0]["message"]


def test_it_checks_call_types_and_zones_against_known_lists():
    errors = validate_rules(
        [rule("a", call_types=["NOPE"]), rule("b", zones=["Atlantis"])], ["CW"], ["Valley"]
    )

    assert fields(errors) == [("a", "conditions.call_types"), ("b", "conditions.zones")]


def test_it_finds_no_problem_in_the_default_rules():
    assert validate_rules(load_rules_file(DEFAULT_RULES_FILE)) == []
