from __future__ import annotations

import pytest

from acs_dispatch.exceptions import StaleDraft, ValidationFailed
from triage.models import RuleSet
from triage.selectors import ruleset_rules_spec
from triage.services import RuleSetImmutable, ruleset_draft_create, ruleset_draft_save


def test_it_copies_the_published_rules_into_a_new_draft(ada, small_published):
    draft = ruleset_draft_create(actor=ada)

    assert draft.status == RuleSet.Status.DRAFT
    assert draft.version is None
    assert draft.based_on == small_published
    assert ruleset_rules_spec(ruleset=draft) == ruleset_rules_spec(ruleset=small_published)


def test_it_saves_edited_rules_in_the_given_order_and_bumps_the_lock(ada, small_draft, small_rules):
    small_rules[0]["conditions"]["keywords_any"].append("asleep")
    reordered = [small_rules[1], small_rules[0], small_rules[2]]

    saved = ruleset_draft_save(ruleset=small_draft, specs=reordered, lock_version=0, actor=ada)

    assert saved.lock_version == 1
    specs = ruleset_rules_spec(ruleset=saved)
    assert [s["name"] for s in specs] == ["Welfare check", "Person sleeping", "Everything else"]
    assert specs[1]["conditions"]["keywords_any"] == ["sleeping", "passed out", "asleep"]


def test_it_refuses_a_stale_lock_version_and_keeps_the_other_admins_save(ada, small_draft, small_rules):
    first = [dict(small_rules[0], explanation="First admin's words"), *small_rules[1:]]
    ruleset_draft_save(ruleset=small_draft, specs=first, lock_version=0, actor=ada)
    second = [dict(small_rules[0], explanation="Second admin's words"), *small_rules[1:]]

    with pytest.raises(StaleDraft, match="saved by someone else"):
        ruleset_draft_save(ruleset=small_draft, specs=second, lock_version=0, actor=ada)

    small_draft.refresh_from_db()
    assert small_draft.lock_version == 1
    assert ruleset_rules_spec(ruleset=small_draft)[0]["explanation"] == "First admin's words"


def test_it_refuses_any_edit_of_a_published_set(ada, small_published, small_rules):
    with pytest.raises(RuleSetImmutable, match="v1 is published and cannot be changed"):
        ruleset_draft_save(ruleset=small_published, specs=small_rules[:1], lock_version=0, actor=ada)

    assert small_published.rules.count() == 3


def test_it_refuses_an_edit_of_a_retired_set(ada, small_published, small_rules):
    from triage.services import ruleset_publish_specs

    ruleset_publish_specs(specs=small_rules, notes="v2", actor=ada)

    with pytest.raises(RuleSetImmutable, match="v1 is retired"):
        ruleset_draft_save(ruleset=small_published, specs=small_rules[:1], lock_version=0, actor=ada)


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (
            lambda r: r[1]["conditions"].update(call_types=["NOPE"]),
            "conditions.call_types",
            "unknown call types: NOPE",
        ),
        (lambda r: r[0].update(conditions={}), "conditions", "no conditions"),
        (
            lambda r: r[0]["conditions"].update(keywords_any=["sleeping, outside"]),
            "conditions.keywords_any",
            "punctuation",
        ),
        (lambda r: r[0].update(explanation=""), "explanation", "missing explanation"),
        (
            lambda r: r[0]["conditions"].update(zones=["Atlantis"]),
            "conditions.zones",
            "unknown zones: Atlantis",
        ),
    ],
    ids=["unknown call type", "empty conditions", "malformed keyword", "missing explanation", "unknown zone"],
)
def test_it_refuses_an_invalid_rule_naming_the_rule_and_field(
    ada, zones, small_draft, small_rules, edit, field, message
):
    edit(small_rules)

    with pytest.raises(ValidationFailed, match="The draft was not saved") as caught:
        ruleset_draft_save(ruleset=small_draft, specs=small_rules, lock_version=0, actor=ada)

    errors = caught.value.extra["errors"]
    assert any(e["field"] == field and message in e["message"] and e["rule"] for e in errors), errors
    small_draft.refresh_from_db()
    assert small_draft.lock_version == 0


def test_it_refuses_a_rule_shadowed_by_an_earlier_one(ada, small_draft, small_rules):
    shadowed = {
        "name": "Sleeping outside",
        "conditions": {"keywords_all": ["sleeping outside"]},
        "outcome": {"mode": "ACS_ALONE", "priority": 4},
        "explanation": "never reached",
    }

    with pytest.raises(ValidationFailed) as caught:
        ruleset_draft_save(ruleset=small_draft, specs=[small_rules[0], shadowed], lock_version=0, actor=ada)

    [error] = caught.value.extra["errors"]
    assert error["rule"] == "Sleeping outside"
    assert error["field"] == "conditions"
    assert "can never match" in error["message"]


def test_it_refuses_an_outcome_the_safety_guards_would_always_change(ada, small_draft, small_rules):
    armed = {
        "name": "Armed person",
        "conditions": {"weapons": ["yes"]},
        "outcome": {"mode": "ACS_ALONE", "priority": 2},
        "explanation": "ACS alone with a weapon",
    }

    with pytest.raises(ValidationFailed) as caught:
        ruleset_draft_save(ruleset=small_draft, specs=[armed, *small_rules], lock_version=0, actor=ada)

    assert [(e["rule"], e["field"]) for e in caught.value.extra["errors"]] == [
        ("Armed person", "outcome.mode")
    ]


def test_it_writes_an_audit_event_for_a_saved_draft(ada, small_draft, small_rules, capture_events):
    from live.models import Event

    with capture_events() as pushed:
        ruleset_draft_save(ruleset=small_draft, specs=small_rules, lock_version=0, actor=ada)

    event = Event.objects.filter(kind="ruleset.edited").get()
    assert event.data["ruleset"]["id"] == small_draft.pk
    assert event.data["rule_names"] == ["Person sleeping", "Welfare check", "Everything else"]
    # A draft is nobody's business on the floor: recorded for audit, pushed to no board.
    assert [(stream, frame["kind"]) for stream, frame in pushed] == [("audit", "ruleset.edited")]
