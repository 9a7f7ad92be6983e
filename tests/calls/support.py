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


def assign(call, unit, actor):
    from responders.services import unit_assign

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
