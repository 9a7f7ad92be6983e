from __future__ import annotations

from triage.selectors import rules_diff, ruleset_diff
from triage.services import ruleset_draft_save


def test_it_lists_rules_added_removed_and_changed_field_by_field(
    ada, small_published, small_draft, small_rules
):
    small_rules[0]["conditions"]["keywords_any"] = ["sleeping"]
    small_rules[0]["outcome"]["priority"] = 4
    del small_rules[1]
    small_rules.insert(
        1,
        {
            "name": "Needle pickup",
            "conditions": {"keywords_any": ["needle"]},
            "outcome": {"mode": "ACS_ALONE", "priority": 4},
            "explanation": "ACS picks up needles",
        },
    )
    ruleset_draft_save(ruleset=small_draft, specs=small_rules, lock_version=0, actor=ada)

    diff = ruleset_diff(old=small_published, new=small_draft)

    assert diff["added"] == ["Needle pickup"]
    assert diff["removed"] == ["Welfare check"]
    assert diff["changed"] == [
        {
            "rule": "Person sleeping",
            "fields": [
                {"field": "conditions.keywords_any", "old": ["sleeping", "passed out"], "new": ["sleeping"]},
                {"field": "outcome.priority", "old": 3, "new": 4},
            ],
        }
    ]
    assert diff["moved"] == []


def test_it_reports_a_moved_rule_but_not_the_ones_an_insertion_shifts(small_rules):
    moved = [small_rules[1], small_rules[0], small_rules[2]]

    diff = rules_diff(old=small_rules, new=moved)

    assert diff["moved"] == [{"rule": "Person sleeping", "old": 1, "new": 2}] or diff["moved"] == [
        {"rule": "Welfare check", "old": 2, "new": 1}
    ]
    assert diff["changed"] == diff["added"] == diff["removed"] == []
