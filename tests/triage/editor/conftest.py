"""Fixtures of the rule editor tests: a small hand-built rule set whose outcomes are known."""

from __future__ import annotations

import copy

import pytest

# Three rules with outcomes easy to predict: sleeping people -> ACS alone, welfare checks -> ACS
# alone, anything else -> police alone.
SMALL_RULES = [
    {
        "name": "Person sleeping",
        "enabled": True,
        "conditions": {"keywords_any": ["sleeping", "passed out"]},
        "outcome": {"mode": "ACS_ALONE", "priority": 3},
        "explanation": "A person sleeping in public: ACS checks on them",
    },
    {
        "name": "Welfare check",
        "enabled": True,
        "conditions": {"call_types": ["WELCK"]},
        "outcome": {"mode": "ACS_ALONE", "priority": 3},
        "explanation": "Welfare checks go to ACS",
    },
    {
        "name": "Everything else",
        "enabled": True,
        "conditions": {"always": True},
        "outcome": {"mode": "POLICE_ALONE", "priority": 3},
        "explanation": "Police by default",
    },
]


@pytest.fixture
def small_rules():
    """A fresh deep copy of SMALL_RULES, free to edit."""
    return copy.deepcopy(SMALL_RULES)


@pytest.fixture
def call_types(db):
    """The call types the small rules and tests name."""
    from calls.models import CallType

    return {
        code: CallType.objects.create(code=code, name=name)
        for code, name in [
            ("WELCK", "WELFARE CHECK"),
            ("415", "DISTURBANCE"),
            ("1016", "PRISONER IN CUSTODY"),
        ]
    }


@pytest.fixture
def small_published(ada, call_types, small_rules):
    """The small rule set, published as version 1 by ada."""
    from triage.services import ruleset_publish_specs

    return ruleset_publish_specs(specs=small_rules, notes="small set", actor=ada)


@pytest.fixture
def small_draft(ada, small_published):
    """A draft copying the published small set."""
    from triage.services import ruleset_draft_create

    return ruleset_draft_create(actor=ada)
