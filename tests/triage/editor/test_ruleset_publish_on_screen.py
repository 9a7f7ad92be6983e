"""Publishing publishes what the editor shows: the rules on screen are saved first, and a draft
with validation problems (on screen or saved) is refused with 409 and every problem, the live
version and the draft untouched (issue 12: "Publish made v2 live from the last saved state")."""

from __future__ import annotations

import pytest

from triage.models import RuleSet
from triage.selectors import engine_published, ruleset_rules_spec
from triage.services import DraftHasProblems, ruleset_publish


def _malformed(rules):
    rules[0]["conditions"]["keywords_any"] = ["sleeping, outside"]  # clause punctuation
    rules[1]["explanation"] = ""
    return rules


def test_it_refuses_rules_on_screen_with_problems_and_keeps_the_live_version(
    api_as, ada, small_published, small_draft, small_rules
):
    response = api_as(ada).post(
        f"/api/v1/rulesets/{small_draft.pk}/publish",
        {"notes": "from the screen", "lock_version": 0, "rules": _malformed(small_rules)},
        format="json",
    )

    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "draft_has_problems"
    assert body["problems"] == len(body["errors"]) >= 1
    assert "to fix before publishing" in body["detail"]
    assert {e["field"] for e in body["errors"]} >= {"conditions.keywords_any"}
    small_draft.refresh_from_db()
    assert (small_draft.status, small_draft.lock_version) == (RuleSet.Status.DRAFT, 0)
    assert engine_published().version == 1


def test_it_saves_the_rules_on_screen_then_publishes_them(
    api_as, ada, small_published, small_draft, small_rules
):
    small_rules[0]["outcome"] = {"mode": "POLICE_LEAD_ACS_FOLLOW", "priority": 2}

    response = api_as(ada).post(
        f"/api/v1/rulesets/{small_draft.pk}/publish",
        {"notes": "sleepers get police first", "lock_version": 0, "rules": small_rules},
        format="json",
    )

    assert (response.status_code, response.json()["version"]) == (201, 2)
    small_draft.refresh_from_db()
    assert small_draft.lock_version == 1
    assert ruleset_rules_spec(ruleset=small_draft)[0]["outcome"] == {
        "mode": "POLICE_LEAD_ACS_FOLLOW",
        "priority": 2,
    }
    assert engine_published().version == 2


def test_it_records_the_save_before_the_publication(
    ada, small_published, small_draft, small_rules, capture_events
):
    small_rules[0]["outcome"]["priority"] = 2

    with capture_events() as pushed:
        ruleset_publish(ruleset=small_draft, notes="p2", lock_version=0, specs=small_rules, actor=ada)

    kinds = [frame["kind"] for stream, frame in pushed if stream == "audit"]
    assert kinds == ["ruleset.edited", "ruleset.published"]


def test_it_publishes_unchanged_rules_without_a_new_revision(ada, small_published, small_draft, small_rules):
    published = ruleset_publish(
        ruleset=small_draft, notes="as is", lock_version=0, specs=small_rules, actor=ada
    )

    assert (published.version, published.lock_version) == (2, 0)


def test_it_answers_409_with_the_problems_of_a_saved_draft(api_as, ada, small_published, small_draft):
    from calls.models import CallType

    CallType.objects.filter(code="WELCK").delete()  # the saved draft names it

    response = api_as(ada).post(f"/api/v1/rulesets/{small_draft.pk}/publish", {"notes": "n"}, format="json")

    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "conditions.call_types"
    assert engine_published().version == 1


def test_it_refuses_a_stale_screen_without_saving_it(ada, small_published, small_draft, small_rules):
    from acs_dispatch.exceptions import StaleDraft

    with pytest.raises(StaleDraft):
        ruleset_publish(ruleset=small_draft, notes="old tab", lock_version=3, specs=small_rules, actor=ada)


def test_it_refuses_an_empty_screen(ada, small_published, small_draft):
    with pytest.raises(DraftHasProblems, match="empty rule set"):
        ruleset_publish(ruleset=small_draft, notes="n", lock_version=0, specs=[], actor=ada)

    assert small_draft.rules.count() == 3
