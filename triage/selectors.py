"""Reads of the triage app, and the process-wide cache of the compiled published rule set."""

from __future__ import annotations

import threading

from triage.engine import CompiledRuleSet, compile_ruleset
from triage.models import RuleSet

# The compiled engine of the published version, shared by every request of this process.
# Replaced by assigning a new tuple: readers take the reference once, so a swap mid-call
# never mixes two versions (assignment of a name is atomic in CPython).
_compiled: tuple[int, CompiledRuleSet] | None = None
_compile_lock = threading.Lock()


def ruleset_published() -> RuleSet | None:
    return RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).first()


def ruleset_rules_spec(*, ruleset: RuleSet) -> list[dict]:
    """The rules of a set in the engine's format, in order."""
    return [rule.as_spec() for rule in ruleset.rules.order_by("position")]


def ruleset_compile(*, ruleset: RuleSet) -> CompiledRuleSet:
    """Compile any rule set (a draft for the test bench, or a published one)."""
    return compile_ruleset(version=ruleset.version or 0, rules=ruleset_rules_spec(ruleset=ruleset))


def engine_published() -> CompiledRuleSet:
    """The compiled published rule set, compiled once per version.

    One indexed query per call checks which version is live, so a publish in another process
    is picked up on the next call there too. Raises RuleSet.DoesNotExist if nothing is published.
    """
    global _compiled
    version = (
        RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).values_list("version", flat=True).first()
    )
    if version is None:
        raise RuleSet.DoesNotExist("no triage rule set is published: run `manage.py seed_demo`")
    current = _compiled
    if current is not None and current[0] == version:
        return current[1]
    with _compile_lock:
        current = _compiled
        if current is not None and current[0] == version:
            return current[1]
        ruleset = RuleSet.objects.get(version=version)
        compiled = ruleset_compile(ruleset=ruleset)
        _compiled = (version, compiled)
        return compiled


def engine_cache_clear() -> None:
    global _compiled
    _compiled = None
