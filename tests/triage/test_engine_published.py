"""The compiled published rule set: cached per version, swapped when a new version is published."""

from __future__ import annotations

from triage.engine import CallInput, triage
from triage.selectors import engine_published
from triage.services import ruleset_publish_specs


def test_it_triages_with_the_published_default_rules(published_rules):
    decision = triage(engine_published(), CallInput(narrative="man sleeping in the doorway"))

    assert decision.ruleset_version == published_rules.version == 1
    assert decision.agencies == ["ACS"]


def test_it_compiles_once_per_published_version(published_rules):
    assert engine_published() is engine_published()


def test_it_swaps_the_compiled_set_when_a_new_version_is_published(published_rules, ada):
    before = engine_published()
    spec = {
        "name": "Everything to police",
        "conditions": {"always": True},
        "outcome": {"mode": "POLICE_ALONE", "priority": 3},
        "explanation": "Test set: police take every call.",
    }

    ruleset_publish_specs(specs=[spec], notes="test swap", actor=ada)

    after = engine_published()
    decision = triage(after, CallInput(narrative="man sleeping in the doorway"))
    assert after is not before
    assert (decision.ruleset_version, decision.rule, decision.agencies) == (
        2,
        "Everything to police",
        ["POLICE"],
    )
    # A call already holding the old compiled set keeps deciding with it: no mixed versions.
    assert triage(before, CallInput(narrative="man sleeping")).ruleset_version == 1
