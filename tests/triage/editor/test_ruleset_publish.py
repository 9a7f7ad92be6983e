from __future__ import annotations

import pytest

from acs_dispatch.exceptions import Conflict, StaleDraft, ValidationFailed
from triage.engine import CallInput, triage
from triage.models import RuleSet
from triage.selectors import engine_published, ruleset_rules_spec
from triage.services import RuleSetImmutable, ruleset_draft_save, ruleset_publish, ruleset_rollback


def _edit_sleeping_to_police(ada, draft, rules):
    rules[0]["outcome"] = {"mode": "POLICE_LEAD_ACS_FOLLOW", "priority": 2}
    return ruleset_draft_save(ruleset=draft, specs=rules, lock_version=draft.lock_version, actor=ada)


def test_it_publishes_a_draft_as_the_next_version_and_retires_the_live_one(
    ada, small_published, small_draft, small_rules
):
    _edit_sleeping_to_police(ada, small_draft, small_rules)

    published = ruleset_publish(ruleset=small_draft, notes="sleepers get police first", actor=ada)

    small_published.refresh_from_db()
    assert (published.pk, published.version, published.status) == (
        small_draft.pk,
        2,
        RuleSet.Status.PUBLISHED,
    )
    assert published.published_by == ada
    assert published.notes == "sleepers get police first"
    assert small_published.status == RuleSet.Status.RETIRED


def test_it_swaps_the_live_engine_to_the_new_version(ada, small_published, small_draft, small_rules):
    sleeper = CallInput(narrative="man sleeping in the doorway")
    assert triage(engine_published(), sleeper).agencies == ["ACS"]
    _edit_sleeping_to_police(ada, small_draft, small_rules)

    ruleset_publish(ruleset=small_draft, notes="sleepers get police first", actor=ada)

    decision = triage(engine_published(), sleeper)
    assert decision.ruleset_version == 2
    assert decision.agencies == ["POLICE", "ACS"]


def test_it_writes_the_published_event_with_the_version_for_the_boards(
    ada, small_published, small_draft, capture_events
):
    with capture_events() as pushed:
        ruleset_publish(ruleset=small_draft, notes="same rules, new note", actor=ada)

    assert sorted(stream for stream, _ in pushed) == ["audit", "dispatch", "supervisor"]
    data = pushed[0][1]["data"]
    assert pushed[0][1]["kind"] == "ruleset.published"
    assert (data["version"], data["retired"], data["rules"], data["notes"]) == (
        2,
        1,
        3,
        "same rules, new note",
    )


def test_it_refuses_to_publish_without_a_note(ada, small_published, small_draft):
    with pytest.raises(ValidationFailed, match="needs a note"):
        ruleset_publish(ruleset=small_draft, notes="  ", actor=ada)

    assert engine_published().version == 1


def test_it_refuses_to_publish_a_stale_draft(ada, small_published, small_draft, small_rules):
    _edit_sleeping_to_police(ada, small_draft, small_rules)

    with pytest.raises(StaleDraft):
        ruleset_publish(ruleset=small_draft, notes="from an old tab", lock_version=0, actor=ada)

    small_published.refresh_from_db()
    assert small_published.status == RuleSet.Status.PUBLISHED


def test_it_refuses_to_publish_a_set_that_is_already_published(ada, small_published):
    with pytest.raises(RuleSetImmutable):
        ruleset_publish(ruleset=small_published, notes="again", actor=ada)


def test_it_refuses_to_publish_a_draft_with_an_unknown_call_type_and_keeps_the_live_set(
    ada, small_published, small_draft
):
    # A call type removed from the list after the draft was saved: publish validates again.
    from calls.models import CallType

    CallType.objects.filter(code="WELCK").delete()

    with pytest.raises(ValidationFailed, match="unknown call types: WELCK"):
        ruleset_publish(ruleset=small_draft, notes="n", actor=ada)

    small_draft.refresh_from_db()
    assert small_draft.status == RuleSet.Status.DRAFT
    assert engine_published().version == 1


def test_it_rolls_back_by_publishing_a_copy_of_an_earlier_version(
    ada, small_published, small_draft, small_rules
):
    _edit_sleeping_to_police(ada, small_draft, small_rules)
    ruleset_publish(ruleset=small_draft, notes="v2", actor=ada)

    rolled = ruleset_rollback(ruleset=small_published, notes="v2 sent police to sleepers", actor=ada)

    assert rolled.version == 3
    assert rolled.based_on == small_published
    assert rolled.notes == "Rollback to v1: v2 sent police to sleepers"
    assert ruleset_rules_spec(ruleset=rolled) == ruleset_rules_spec(ruleset=small_published)
    assert triage(engine_published(), CallInput(narrative="man sleeping")).agencies == ["ACS"]
    small_published.refresh_from_db()
    assert small_published.status == RuleSet.Status.RETIRED  # v1 itself stays as it was


def test_it_refuses_to_roll_back_to_the_live_version(ada, small_published):
    with pytest.raises(Conflict, match="already the live version"):
        ruleset_rollback(ruleset=small_published, notes="why", actor=ada)
