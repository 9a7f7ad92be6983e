"""The independent evaluation (tests/triage/eval/, built apart from the vocabulary): the tuning sets
must hold the issue's goals; the held-out sets, never tuned on, are printed (`pytest -s`) and must
not get worse than the figures reported when they were first scored, so a regression fails."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

from triage.engine import compile_ruleset, load_rules_file
from triage.services import DEFAULT_RULES_FILE

BENCH = Path(__file__).resolve().parents[2] / "bench" / "triage_eval.py"
EVAL = Path(__file__).resolve().parent / "eval"


@cache
def bench():
    spec = importlib.util.spec_from_file_location("triage_eval", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["triage_eval"] = module  # its dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@cache
def scored(name: str, weighted: bool) -> dict:
    module = bench()
    compiled = compile_ruleset(version=1, rules=load_rules_file(DEFAULT_RULES_FILE))
    loader = module.load_call_types if name.startswith("call_types") else module.load_narratives
    suffix = ".csv" if name.startswith("call_types") else ".yaml"
    figures = module.figures(module.run(compiled, loader(EVAL / f"{name}{suffix}")), weighted)
    print(f"\n{name} ({'by volume' if weighted else 'unweighted'}): {figures}")
    return figures


def test_it_loses_no_required_agency_and_lets_acs_lead_on_the_tuning_narratives():
    figures = scored("narratives_tuning", False)

    assert figures["missed_required"] == 0
    assert figures["acs_led"] >= 0.95
    assert figures["agreement"] >= 0.9


def test_it_recognises_nearly_all_call_volume_of_the_tuning_centers():
    figures = scored("call_types_tuning", True)

    assert figures["unrecognised"] < 0.02
    assert figures["missed_required"] < 0.01
    assert figures["acs_led"] >= 0.95


def test_it_does_not_regress_on_the_held_out_sets():
    narratives = scored("narratives_holdout", False)
    call_types = scored("call_types_holdout", True)

    # First scored after the vocabulary work of issue 10 (see the closing note); never tuned on.
    assert narratives["missed_required"] <= 0.10
    assert narratives["acs_led"] >= 0.85
    assert call_types["missed_required"] <= 0.045
    assert call_types["unrecognised"] <= 0.16
