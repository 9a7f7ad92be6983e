"""Pure builders of the triage app's event payloads (ids and display fields, never model instances).

Kinds: "ruleset.drafted", "ruleset.edited", "ruleset.discarded" (AUDIT only: no screen shows drafts),
"ruleset.published" (DISPATCH + SUPERVISOR + AUDIT: the boards show which version is live),
"triage_test.saved", "triage_test.deleted" (AUDIT).
"""

from __future__ import annotations

from typing import Any, TypedDict


class RuleSetSummary(TypedDict):
    id: int
    version: int | None
    status: str
    name: str
    lock_version: int
    rules: int


def ruleset_summary(ruleset: Any, *, rules: int | None = None) -> RuleSetSummary:
    return {
        "id": ruleset.pk,
        "version": ruleset.version,
        "status": ruleset.status,
        "name": ruleset.name,
        "lock_version": ruleset.lock_version,
        "rules": rules if rules is not None else ruleset.rules.count(),
    }


class RuleSetDrafted(TypedDict):
    ruleset: RuleSetSummary
    based_on_version: int | None
    source: str


def ruleset_drafted(ruleset: Any, *, based_on_version: int | None, source: str) -> RuleSetDrafted:
    return {"ruleset": ruleset_summary(ruleset), "based_on_version": based_on_version, "source": source}


class RuleSetEdited(TypedDict):
    ruleset: RuleSetSummary
    rule_names: list[str]


def ruleset_edited(ruleset: Any, *, rule_names: list[str]) -> RuleSetEdited:
    return {"ruleset": ruleset_summary(ruleset, rules=len(rule_names)), "rule_names": rule_names}


class RuleSetPublished(TypedDict):
    version: int
    notes: str
    rules: int
    retired: int | None
    ruleset_id: int
    based_on_version: int | None


def ruleset_published(
    *,
    version: int,
    notes: str,
    rules: int,
    retired: int | None,
    ruleset_id: int,
    based_on_version: int | None,
) -> RuleSetPublished:
    return {
        "version": version,
        "notes": notes,
        "rules": rules,
        "retired": retired,
        "ruleset_id": ruleset_id,
        "based_on_version": based_on_version,
    }


class RuleSetDiscarded(TypedDict):
    ruleset_id: int
    name: str


def ruleset_discarded(*, ruleset_id: int, name: str) -> RuleSetDiscarded:
    return {"ruleset_id": ruleset_id, "name": name}


class TriageTestChanged(TypedDict):
    id: int
    name: str


def triage_test_changed(*, test_id: int, name: str) -> TriageTestChanged:
    return {"id": test_id, "name": name}
