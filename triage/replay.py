"""What-if replay: the same calls through two compiled rule sets, and what would change.

Pure: no ORM, no I/O. The API runs it in chunks (so the page can show progress) and the chunk
results add up with `replay_merge`; bench/whatif.py runs it over the 26k San Diego calls.

"Required agencies" are those the code's safety guards put on a call (weapon or violence or a crime
in progress -> POLICE, medical emergency -> FIRE_EMS). They are found with a probe set holding one
catch-all ACS-alone rule: every danger present then fires its guard, so the probe's guards name
exactly what the call requires, whatever the rules say.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from triage.engine import FIRE_EMS, POLICE, CallInput, CompiledRuleSet, Decision, compile_ruleset, triage

EXAMPLES_PER_CHANGE = 3
MAX_FLAGGED = 200  # calls losing a required agency listed in full; the count is always exact

_GUARD_AGENCY = {"weapon": POLICE, "violence": POLICE, "crime_in_progress": POLICE, "medical": FIRE_EMS}


@cache
def _probe() -> CompiledRuleSet:
    return compile_ruleset(
        version=0,
        rules=[
            {
                "name": "probe",
                "conditions": {"always": True},
                "outcome": {"mode": "ACS_ALONE", "priority": 4},
                "explanation": "probe for the guards",
            }
        ],
    )


def required_agencies(call: CallInput) -> set[str]:
    """The agencies the safety guards require on `call`, whatever the rules decide."""
    return {_GUARD_AGENCY[g] for g in triage(_probe(), call).guards if g in _GUARD_AGENCY}


def outcome_label(decision: Decision) -> str:
    """'ACS+POLICE (lead ACS) P3': agencies in mode order, lead, priority."""
    return f"{'+'.join(decision.agencies)} (lead {decision.lead}) P{decision.priority}"


def replay_empty() -> dict[str, Any]:
    return {
        "calls": 0,
        "changed": 0,
        "rule_changed": 0,
        "lost_required": 0,
        "transitions": [],
        "flagged": [],
        "agencies_before": {},
        "agencies_after": {},
    }


def replay(
    *,
    before: CompiledRuleSet,
    after: CompiledRuleSet,
    calls: Sequence[CallInput],
    labels: Sequence[str] | None = None,
    offset: int = 0,
    examples: int = EXAMPLES_PER_CHANGE,
) -> dict[str, Any]:
    """Triage `calls` with `before` (the published set) and `after` (the draft).

    Returns counts: calls, changed (agencies, lead or priority differ), rule_changed (same outcome,
    another rule), transitions [{from, to, count, examples: [{index, label}]}] sorted by count, the
    agency totals on each side, and every call that would lose a required agency (flagged).
    """
    transitions: dict[tuple[str, str], dict[str, Any]] = {}
    flagged: list[dict[str, Any]] = []
    lost_required = 0
    changed = rule_changed = 0
    agencies_before: dict[str, int] = {}
    agencies_after: dict[str, int] = {}
    for position, call in enumerate(calls):
        old = triage(before, call)
        new = triage(after, call)
        for agency in old.agencies:
            agencies_before[agency] = agencies_before.get(agency, 0) + 1
        for agency in new.agencies:
            agencies_after[agency] = agencies_after.get(agency, 0) + 1
        same = old.agencies == new.agencies and old.lead == new.lead and old.priority == new.priority
        if same:
            if old.rule != new.rule:
                rule_changed += 1
            continue
        changed += 1
        index = offset + position
        label = labels[position] if labels is not None else f"call {index + 1}"
        key = (outcome_label(old), outcome_label(new))
        entry = transitions.get(key)
        if entry is None:
            entry = transitions[key] = {"from": key[0], "to": key[1], "count": 0, "examples": []}
        entry["count"] += 1
        if len(entry["examples"]) < examples:
            entry["examples"].append(
                {"index": index, "label": label, "rule_before": old.rule, "rule_after": new.rule}
            )
        lost = set(old.agencies) - set(new.agencies)
        # Only a call that lost an agency can have lost a required one: probe just those.
        missing = sorted(lost & required_agencies(call)) if lost else []
        if missing:
            lost_required += 1
            if len(flagged) < MAX_FLAGGED:
                flagged.append(
                    {"index": index, "label": label, "from": key[0], "to": key[1], "missing": missing}
                )
    return {
        "calls": len(calls),
        "changed": changed,
        "rule_changed": rule_changed,
        "lost_required": lost_required,
        "transitions": sorted(transitions.values(), key=lambda t: (-t["count"], t["from"], t["to"])),
        "flagged": flagged,
        "agencies_before": agencies_before,
        "agencies_after": agencies_after,
    }


def replay_merge(
    total: dict[str, Any], part: dict[str, Any], *, examples: int = EXAMPLES_PER_CHANGE
) -> dict[str, Any]:
    """Add a chunk's result to a running total (a new dict; neither argument changes)."""
    out = {key: total[key] + part[key] for key in ("calls", "changed", "rule_changed", "lost_required")}
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in [*total["transitions"], *part["transitions"]]:
        key = (entry["from"], entry["to"])
        into = merged.get(key)
        if into is None:
            merged[key] = {**entry, "examples": list(entry["examples"])}
        else:
            into["count"] += entry["count"]
            into["examples"] = (into["examples"] + entry["examples"])[:examples]
    out["transitions"] = sorted(merged.values(), key=lambda t: (-t["count"], t["from"], t["to"]))
    out["flagged"] = (total["flagged"] + part["flagged"])[:MAX_FLAGGED]
    for side in ("agencies_before", "agencies_after"):
        counts = dict(total[side])
        for agency, n in part[side].items():
            counts[agency] = counts.get(agency, 0) + n
        out[side] = counts
    return out
