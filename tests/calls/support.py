"""Helpers shared by the calls and responders tests (imported by their conftest.py files)."""

from __future__ import annotations

from typing import Any

# A few real call types (San Diego codes, with the APCO-style ACS families).
CALL_TYPES: list[dict[str, Any]] = [
    {"code": "415", "name": "DISTURBANCE", "agencies": ["POLICE"], "priority": 2},
    {"code": "5150", "name": "MENTALLY ILL PERSON", "agencies": ["ACS"], "priority": 2},
    {"code": "11-8", "name": "PERSON DOWN", "agencies": ["FIRE_EMS"], "priority": 1},
    {"code": "WELCK", "name": "WELFARE CHECK", "agencies": ["ACS"], "priority": 3},
    {"code": "245", "name": "ASSAULT WITH DEADLY WEAPON", "agencies": ["POLICE"], "priority": 1},
]

DOWNTOWN = {"lat": 35.0844, "lon": -106.6504, "address": "400 Marquette Ave NW"}


def make_call_factory(actor):
    """A function creating a triaged call through the real service."""
    from calls.services import call_create

    def make_call(**fields: Any):
        values: dict[str, Any] = {"narrative": "man yelling at cars, no weapons", **DOWNTOWN}
        values.update(fields)
        return call_create(actor=actor, **values)

    return make_call


# The decision the brief names for "brother is suicidal and has a gun": police lead, ACS follows,
# not ACS-eligible (weapon). Stored on the call as the engine would, so tests of dispatch do not
# move when the engine's reading of the words changes.
GUN_CALL = {"call_type": "5150", "narrative": "brother is suicidal and has a gun", "weapons": True}
GUN_DECISION: dict[str, Any] = {
    "agencies": ["POLICE", "ACS"],
    "lead": "POLICE",
    "mode": "POLICE_LEAD_ACS_FOLLOW",
    "priority": 1,
    "acs_eligible": False,
    "acs_exclusion": "weapon",
    "triage_guards": ["weapon"],
    "triage_signals": [
        {"kind": "crisis", "state": "present", "words": "suicidal", "source": "narrative"},
        {"kind": "weapon", "state": "present", "words": "has a gun", "source": "narrative"},
    ],
}


def decision_store(call, **fields: Any):
    """Store a triage decision on a call as call_triage would (test setup only), and re-read it."""
    from calls.models import Call

    Call.objects.filter(pk=call.pk).update(**fields)
    call.refresh_from_db()
    return call


def assign(call, unit, actor):
    from calls.services import unit_assign

    return unit_assign(call=call, unit=unit, actor=actor)


# A small published rule set, so these tests do not depend on the default rules file's wording.
RULES: list[dict[str, Any]] = [
    {
        "name": "Mental-health crisis",
        "conditions": {"call_types": ["5150"]},
        "outcome": {"mode": "ACS_ALONE", "priority": 2},
        "explanation": "A mental-health crisis with nobody in danger: ACS.",
    },
    {
        "name": "Welfare check",
        "conditions": {"call_types": ["WELCK"]},
        "outcome": {"mode": "ACS_ALONE", "priority": 3},
        "explanation": "A welfare check: ACS.",
    },
    {
        "name": "Person down",
        "conditions": {"call_types": ["11-8"]},
        "outcome": {"mode": "FIRE_EMS_ALONE", "priority": 1},
        "explanation": "A person down: fire/EMS.",
    },
    {
        "name": "Catch-all",
        "conditions": {"always": True},
        "outcome": {"mode": "POLICE_ALONE", "priority": 3},
        "explanation": "Anything else: police.",
    },
]


def rules_publish():
    from triage.services import ruleset_publish_specs

    return ruleset_publish_specs(specs=RULES, notes="test rules", actor=None)
