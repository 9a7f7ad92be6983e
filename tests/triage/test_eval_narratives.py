"""The evaluation set: hand-written narratives with the agencies they need, plus every call type.

Figures (printed with `pytest -s`): calls that lose a required agency (must be 0), the share of
ACS-suitable calls that ACS leads, and agreement (exact agency set) elsewhere.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import yaml

from triage.engine import CallInput, compile_ruleset, load_rules_file, triage
from triage.services import DEFAULT_RULES_FILE

HERE = Path(__file__).resolve().parent
CALL_TYPES_FILE = HERE.parents[1] / "calls" / "data" / "call_types.csv"
SCREENING = ("weapons", "violence", "medical", "caller_is_subject")


@cache
def evaluation():
    compiled = compile_ruleset(version=1, rules=load_rules_file(DEFAULT_RULES_FILE))
    items = yaml.safe_load((HERE / "eval_narratives.yaml").read_text())["narratives"]
    results = []
    for item in items:
        call = CallInput(
            call_type=item.get("call_type"),
            narrative=item["text"],
            **{name: item.get(name) for name in SCREENING},
        )
        results.append((item, triage(compiled, call)))
    return results


def test_it_holds_at_least_150_narratives():
    assert len(evaluation()) >= 150


def test_it_loses_no_required_agency_on_any_evaluation_call():
    lost = [
        (item["text"], sorted(set(item["expect"]) - set(decision.agencies)), decision.rule)
        for item, decision in evaluation()
        if set(item["expect"]) - set(decision.agencies)
    ]

    assert lost == []


def test_it_lets_acs_lead_the_acs_suitable_calls_and_agrees_elsewhere():
    results = evaluation()
    suitable = [(item, d) for item, d in results if item["acs"]]
    acs_led = sum(1 for _, d in suitable if d.lead == "ACS")
    others = [(item, d) for item, d in results if not item["acs"]]
    agree = sum(1 for item, d in others if set(item["expect"]) == set(d.agencies))
    exact = sum(1 for item, d in results if set(item["expect"]) == set(d.agencies))
    print(
        f"\nevaluation: {len(results)} narratives; ACS-led {acs_led}/{len(suitable)} of ACS-suitable "
        f"({acs_led / len(suitable):.1%}); agreement on the others {agree}/{len(others)} "
        f"({agree / len(others):.1%}); exact agency set overall {exact}/{len(results)}"
    )

    assert acs_led / len(suitable) >= 0.95
    assert agree / len(others) >= 0.9


def test_it_marks_acs_suitable_calls_eligible():
    ineligible = [item["text"] for item, d in evaluation() if item["acs"] and not d.acs_eligible]

    assert ineligible == []


def test_it_covers_every_call_type_with_a_rule():
    compiled = compile_ruleset(version=1, rules=load_rules_file(DEFAULT_RULES_FILE))
    with CALL_TYPES_FILE.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))

    uncovered = [row["code"] for row in rows if not triage(compiled, CallInput(call_type=row["code"])).rule]

    assert len(rows) == 282 + 197
    assert uncovered == []


def test_it_writes_call_types_with_unique_codes_and_visible_collisions():
    with CALL_TYPES_FILE.open(newline="", encoding="utf-8") as f:
        rows = {row["code"]: row for row in csv.DictReader(f)}

    assert len(rows) == 282 + 197
    assert rows["ANIMAL"]["name"] == "VICIOUS ANIMAL"
    assert rows["APCO-ANIMAL"]["apco_code"] == "ANIMAL"
    assert rows["FP-WARRANT"]["name"] == "WARRANT"
    assert rows["CW"]["apco_code"] == "WELFARE"
    assert rows["CW"]["agencies"] == "ACS"
