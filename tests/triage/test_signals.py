"""Safety signals combine instead of competing; the never-ACS-alone classes; natures of other centers'
call types, CAD shorthand, EMD acuity and Spanish; the recognised flag and the structured signals."""

from __future__ import annotations

from functools import cache

import pytest

from triage.engine import ACS, FIRE_EMS, POLICE, CallInput, compile_ruleset, load_rules_file, triage
from triage.narrative import LEXICON, read_acuity
from triage.services import DEFAULT_RULES_FILE


@cache
def compiled():
    return compile_ruleset(version=1, rules=load_rules_file(DEFAULT_RULES_FILE))


def decide(narrative: str = "", **fields):
    return triage(compiled(), CallInput(narrative=narrative, **fields))


def kinds(decision) -> set[str]:
    return {s["kind"] for s in decision.signals if s["state"] in ("present", "suggested")}


# --- combined signals ------------------------------------------------------------------------------


def test_it_sends_police_and_ems_to_a_shooting_victim():
    d = decide(call_type="SHOOTING VICTIM")

    assert d.lead == POLICE
    assert set(d.agencies) >= {POLICE, FIRE_EMS}


def test_it_sends_police_and_ems_to_a_stabbing_read_in_the_narrative():
    d = decide("RP STATES HER BF WAS STABBED IN THE ARM, SUSP FLED ON FOOT")

    assert d.lead == POLICE
    assert set(d.agencies) >= {POLICE, FIRE_EMS}


def test_it_sends_ems_and_police_to_an_injury_crash():
    d = decide(call_type="MVC W/INJ")

    assert set(d.agencies) == {FIRE_EMS, POLICE}
    assert d.lead == FIRE_EMS


def test_it_sends_ems_and_police_to_a_hit_and_run_with_injuries():
    d = decide("hit and run, pedestrian struck, bleeding from the head")

    assert set(d.agencies) >= {FIRE_EMS, POLICE}


def test_it_takes_ems_off_a_crash_whose_injuries_are_denied_in_writing():
    d = decide("car accident, two cars, nobody hurt, blocking traffic")

    assert d.agencies == [POLICE]
    assert any(r.startswith("Injuries denied") for r in d.reasons)


def test_it_keeps_ems_on_a_crash_whose_injuries_are_unknown():
    d = decide(call_type="MVA UNK INJ")

    assert FIRE_EMS in d.agencies


def test_it_sends_ems_and_police_with_acs_following_to_a_suicide_attempt():
    d = decide("my daughter took a bottle of pills, she says she wants to die")

    assert set(d.agencies) == {POLICE, FIRE_EMS, ACS}
    assert d.lead != ACS
    assert d.acs_eligible is False


def test_it_sends_ems_and_police_to_a_suicide_in_progress():
    d = decide("MALE ON THE BRIDGE SAYING HE WILL JUMP")

    assert set(d.agencies) == {POLICE, FIRE_EMS, ACS}


def test_it_sends_acs_alone_to_suicidal_ideation_without_means_or_attempt():
    d = decide("caller has suicidal thoughts, no plan, no weapons, no pills taken, is safe at home")

    assert d.lead == ACS
    assert POLICE not in d.agencies


def test_it_reads_a_suicide_threat_as_a_crisis_not_as_violence_against_others():
    d = decide(call_type="SUICIDE THREAT", narrative="says he wants to end it all, no weapons in the home")

    assert "violence" not in kinds(d)
    assert ACS in d.agencies


def test_it_puts_police_in_the_lead_when_a_suicidal_man_has_a_gun():
    d = decide("brother is suicidal and has a gun")

    assert d.lead == POLICE
    assert ACS in d.agencies
    assert d.acs_exclusion == "weapon"
    weapon = next(s for s in d.signals if s["kind"] == "weapon")
    assert weapon == {"kind": "weapon", "state": "present", "words": "gun", "source": "narrative"}


def test_it_lets_fire_ems_lead_a_drunk_man_bleeding_from_the_head_with_acs_following():
    d = decide("drunk guy fell and is bleeding from the head outside the liquor store")

    assert d.lead == FIRE_EMS
    assert ACS in d.agencies


# --- never ACS alone -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "neighbor found a dead body behind the shelter",
        "strong odor of decomposition coming from apt 4, tenant not seen in weeks",
        "DOA, elderly male, family on scene",
        "runaway juvenile, 15 yof, left the group home last night",
        "missing endangered adult with dementia, walked away from care home",
        "ex boyfriend violating the protection order, standing outside her door",
        "burglary in progress, homeless man inside the garage",
    ],
)
def test_it_never_leaves_acs_alone_on_a_police_class(text):
    d = decide(text)

    assert POLICE in d.agencies
    assert d.lead != ACS
    assert d.acs_eligible is False


# --- other centers' natures, shorthand, acuity, Spanish --------------------------------------------


@pytest.mark.parametrize(
    ("call_type", "agency"),
    [
        ("MEDICAL", FIRE_EMS),
        ("BREATHING PROBLEMS", FIRE_EMS),
        ("HEART PROBLEMS", FIRE_EMS),
        ("FALL - ALS", FIRE_EMS),
        ("UNCONSCIOUS / FAINTING", FIRE_EMS),
        ("SICK PERSON - BLS", FIRE_EMS),
        ("ALARM FIRE COMMERCIAL", FIRE_EMS),
        ("CO ALARM", FIRE_EMS),
        ("ELEVATOR RESCUE", FIRE_EMS),
        ("WATER RESCUE", FIRE_EMS),
        ("WIRES DOWN", FIRE_EMS),
        ("GAS ODOR", FIRE_EMS),
        ("HAZMAT", FIRE_EMS),
        ("BURGLARY I/P", POLICE),
        ("ASSAULT J/O", POLICE),
        ("SUSPICIOUS PERSON", POLICE),
        ("911 HANG UP", POLICE),
        ("WELL CK", ACS),
        ("INTOXICATED PERSON", ACS),
    ],
)
def test_it_reads_other_centers_call_types(call_type, agency):
    d = decide(call_type=call_type)

    assert d.recognised is True
    assert agency in d.agencies


def test_it_reads_an_emergency_medical_dispatch_determinant_and_its_acuity():
    assert read_acuity("10-D-1") == ("10-d-1", 1, ("medical",))
    assert read_acuity("FALL ALPHA")[1] == 3
    d = decide(call_type="27D1")

    assert d.lead == POLICE
    assert set(d.agencies) >= {POLICE, FIRE_EMS}


def test_it_never_reads_an_acuity_word_in_a_narrative():
    d = decide("my son charlie is hearing voices, not violent, no weapons")

    assert d.lead == ACS
    assert FIRE_EMS not in d.agencies


def test_it_reads_cad_shorthand_in_a_narrative():
    d = decide("EDP I/P, RP SAYS SUBJ W/ KNIFE")

    assert d.lead == POLICE
    assert "weapon" in kinds(d)


@pytest.mark.parametrize(
    ("text", "agency", "lead"),
    [
        ("hombre con cuchillo amenazando a la gente", POLICE, POLICE),
        ("mi papa no respira", FIRE_EMS, FIRE_EMS),
        ("hay un incendio en la casa de al lado", FIRE_EMS, FIRE_EMS),
        ("señora sin hogar durmiendo en la parada, no tiene arma", ACS, ACS),
        ("mi hijo quiere suicidarse, no tiene armas", ACS, ACS),
    ],
)
def test_it_reads_spanish_with_its_negations(text, agency, lead):
    d = decide(text)

    assert agency in d.agencies
    assert d.lead == lead


def test_it_reads_a_weapon_after_sin_hogar_as_present():
    d = decide("persona sin hogar con cuchillo en la tienda")

    assert d.lead == POLICE
    assert "weapon" in kinds(d)


# --- recognised, in words --------------------------------------------------------------------------


def test_it_says_when_nothing_was_recognised():
    d = decide(call_type="ZZQX", narrative="qwerty asdf")

    assert d.recognised is False
    assert d.agencies == [POLICE]
    assert "nothing in the call type or narrative was recognised" in d.reasons[0]
    assert d.as_contract()["recognised"] is False


def test_it_decides_from_the_natures_read_when_no_rule_matched():
    d = decide(call_type="WATERCRAFT IN DISTRESS")

    assert d.recognised is True
    assert d.rule == ""
    assert d.agencies == [FIRE_EMS]
    assert d.reasons[0].startswith("No rule matched; read as fire, rescue or a hazard ('watercraft")
    assert d.as_contract()["signals"]


def test_it_keeps_every_vocabulary_phrase_to_one_reading():
    assert len(LEXICON) > 1500
    assert all(categories for categories in LEXICON.values())


def test_it_decides_a_known_code_by_its_rule_and_lets_its_name_raise_the_guards():
    d = decide(call_type="BITE", call_type_name="ANIMAL BITE")

    assert d.rule == "Animals"
    assert set(d.agencies) == {POLICE, FIRE_EMS}
    assert "medical" in d.guards


def test_it_reads_a_flag_down_as_police_work_not_the_fire_department():
    d = decide(call_type="FD", call_type_name="FLAG DOWN/FIELD INITIATED")

    assert d.agencies == [POLICE]


def test_it_recognises_every_apco_common_incident_type_by_its_name():
    """APCO ANS 2.103.1's 197 common incident types, given as another center would type them:
    by name, with no code the rules know."""
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "data" / "apco_2.103.1-2012_common_incident_types.csv"
    with path.open(newline="", encoding="utf-8") as f:
        names = [row["name"] for row in csv.DictReader(f)]

    unrecognised = [name for name in names if not decide(call_type=name).recognised]

    assert len(names) == 197
    assert unrecognised == []


@pytest.mark.parametrize(
    ("call_type", "agencies"),
    [
        ("MVA INJY", {FIRE_EMS, POLICE}),
        ("MVA UNK", {FIRE_EMS, POLICE}),
        ("ALARM UNK", {POLICE}),
        ("BARRICADED", {POLICE}),
        ("MASS CASUALTY INCIDENT", {FIRE_EMS}),
    ],
)
def test_it_reads_apco_names_with_their_shorthand(call_type, agencies):
    assert set(decide(call_type=call_type).agencies) >= agencies


EMD_CHIEF_COMPLAINTS = (
    "Abdominal Pain/Problems",
    "Allergies (Reactions)/Envenomations (Stings, Bites)",
    "Animal Bites/Attacks",
    "Assault/Sexual Assault/Stun Gun",
    "Back Pain (Non-Traumatic or Non-Recent Trauma)",
    "Breathing Problems",
    "Burns (Scalds)/Explosion (Blast)",
    "Carbon Monoxide/Inhalation/HAZMAT/CBRN",
    "Cardiac or Respiratory Arrest/Death",
    "Chest Pain/Chest Discomfort (Non-Traumatic)",
    "Choking",
    "Convulsions/Seizures",
    "Diabetic Problems",
    "Drowning/Near Drowning/Diving/SCUBA Accident",
    "Electrocution/Lightning",
    "Eye Problems/Injuries",
    "Falls",
    "Headache",
    "Heart Problems/A.I.C.D.",
    "Heat/Cold Exposure",
    "Hemorrhage/Lacerations",
    "Inaccessible Incident/Other Entrapments (Non-Traffic)",
    "Overdose/Poisoning (Ingestion)",
    "Pregnancy/Childbirth/Miscarriage",
    "Psychiatric/Abnormal Behavior/Suicide Attempt",
    "Sick Person (Specific Diagnosis)",
    "Stab/Gunshot/Penetrating Trauma",
    "Stroke (CVA)/Transient Ischemic Attack (TIA)",
    "Traffic/Transportation Incidents",
    "Traumatic Injuries (Specific)",
    "Unconscious/Fainting (Near)",
    "Unknown Problem (Person Down)",
    "Transfer/Interfacility/Palliative Emergencies",
)


@pytest.mark.parametrize("complaint", EMD_CHIEF_COMPLAINTS)
def test_it_sends_fire_ems_to_every_emergency_medical_dispatch_chief_complaint(complaint):
    d = decide(call_type=complaint.upper())

    assert d.recognised is True
    assert FIRE_EMS in d.agencies


def test_it_reads_a_trailing_no_as_a_denial_only_where_its_clause_ends():
    assert "weapon" not in kinds(decide("loud party, weapons no"))
    assert "fire" in kinds(decide(call_type="LIGHTNING STRIKE (NO FIRE)"))


@pytest.mark.parametrize(
    "nature",
    ["Toxic condition", "Chemical release, reaction, or toxic condition", "Lock-in", "Steam rupture"],
)
def test_it_reads_nfirs_hazard_and_service_natures_as_fire(nature):
    assert FIRE_EMS in decide(call_type=nature.upper()).agencies
