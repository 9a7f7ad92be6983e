"""Benchmark the triage engine on the 26,595 real San Diego calls (Jan 1-20 2023), no database needed.

    .venv/bin/python bench/triage.py [--calls FILE] [--rules FILE] [--repeat N]

Each call is triaged from its call type with its call-type description as the narrative, through
(1) the compiled engine and (2) a naive baseline: each rule's conditions checked one by one, in order,
with one regex per keyword compiled per rule and one regex per lexicon phrase for the guards. Prints
calls/s and p50/p99 microseconds for both; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from triage import narrative  # noqa: E402
from triage.engine import (  # noqa: E402
    MODES,
    POLICE,
    CallInput,
    compile_ruleset,
    load_rules_file,
    triage,
)


class NaiveRuleSet:
    """The baseline: rules as written, checked one at a time; a regex per keyword and per lexicon phrase."""

    _NEGATION = re.compile(r"\b(no|not|never|without|denies|non)\b[^,.;]{0,40}$")

    def __init__(self, specs: list[dict]):
        self.rules = []
        for spec in specs:
            if not spec.get("enabled", True):
                continue
            cond = dict(spec["conditions"])
            for kind in ("keywords_any", "keywords_all", "keywords_none"):
                if kind in cond:
                    cond[kind] = [re.compile(r"\b" + re.escape(p.lower()) + r"\b") for p in cond[kind]]
            self.rules.append((spec, cond))
        self.lexicon = [
            (re.compile(r"\b" + re.escape(p) + r"\b"), cats)
            for p, cats in narrative.LEXICON.items()
            if not cats[0].startswith("-")
        ]

    def signals(self, text: str) -> dict[str, bool]:
        found: dict[str, bool] = {}
        for pattern, cats in self.lexicon:
            match = pattern.search(text)
            if match and not self._NEGATION.search(text[: match.start()]):
                for cat in cats:
                    found[cat] = True
        return found

    def triage(self, call: CallInput) -> tuple[str, ...]:
        text = call.narrative.lower()
        signals = self.signals(text)
        answers = {
            "weapons": "yes" if signals.get(narrative.WEAPON) else "unknown",
            "violence": "yes" if signals.get(narrative.VIOLENCE) else "unknown",
            "medical": "yes" if signals.get(narrative.MEDICAL) else "unknown",
            "caller_is_subject": "unknown",
        }
        chosen = None
        for spec, cond in self.rules:
            if "call_types" in cond and call.call_type not in cond["call_types"]:
                continue
            if "keywords_any" in cond and not any(p.search(text) for p in cond["keywords_any"]):
                continue
            if "keywords_all" in cond and not all(p.search(text) for p in cond["keywords_all"]):
                continue
            if "keywords_none" in cond and any(p.search(text) for p in cond["keywords_none"]):
                continue
            if any(name in cond and answers[name] not in cond[name] for name in answers):
                continue
            if "zones" in cond and call.zone not in cond["zones"]:
                continue
            chosen = spec
            break
        agencies = set(MODES[chosen["outcome"]["mode"]].agencies) if chosen else {POLICE}
        if signals.get(narrative.WEAPON) or signals.get(narrative.VIOLENCE):
            agencies.add(POLICE)
        if signals.get(narrative.MEDICAL):
            agencies.add("FIRE_EMS")
        return tuple(sorted(agencies))


def load_calls(path: Path) -> list[CallInput]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return [
            CallInput(call_type=row["call_type"] or None, narrative=row["call_type_desc"] or "")
            for row in csv.DictReader(f)
        ]


def run(label: str, fn, calls: list[CallInput], repeat: int) -> dict[str, float]:
    timings: list[int] = []
    clock = time.perf_counter_ns
    started = time.perf_counter()
    for _ in range(repeat):
        for call in calls:
            t0 = clock()
            fn(call)
            timings.append(clock() - t0)
    elapsed = time.perf_counter() - started
    timings.sort()
    figures = {
        "calls_per_s": round(len(timings) / elapsed),
        "p50_us": round(timings[len(timings) // 2] / 1000, 2),
        "p99_us": round(timings[int(len(timings) * 0.99)] / 1000, 2),
        "mean_us": round(statistics.fmean(timings) / 1000, 2),
    }
    print(f"{label:9} {figures['calls_per_s']:>9,} calls/s  p50 {figures['p50_us']:7.2f} us  "
          f"p99 {figures['p99_us']:7.2f} us  ({len(timings):,} calls)")  # fmt: skip
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description="Triage engine benchmark")
    parser.add_argument(
        "--calls", type=Path, default=ROOT.parent / "shared" / "data" / "sdpd_cfs_2023-01-01_to_01-20.csv"
    )
    parser.add_argument("--rules", type=Path, default=ROOT / "triage" / "data" / "default_rules.yaml")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the calls for the engine")
    args = parser.parse_args()

    specs = load_rules_file(args.rules)
    t0 = time.perf_counter()
    compiled = compile_ruleset(version=0, rules=specs)
    compile_ms = (time.perf_counter() - t0) * 1000
    naive = NaiveRuleSet(specs)
    calls = load_calls(args.calls)
    print(f"{len(calls):,} San Diego calls, {len(compiled)} rules, compiled in {compile_ms:.0f} ms")

    for call in calls[:2000]:  # warm up
        triage(compiled, call)
    engine = run("engine", lambda call: triage(compiled, call), calls, args.repeat)
    baseline = run("baseline", naive.triage, calls, 1)

    decisions = [triage(compiled, call) for call in calls]
    no_rule = sum(1 for d in decisions if not d.rule)
    acs_led = sum(1 for d in decisions if d.lead == "ACS")
    agree = sum(
        1 for d, c in zip(decisions, calls, strict=True) if tuple(sorted(d.agencies)) == naive.triage(c)
    )
    speedup = engine["calls_per_s"] / baseline["calls_per_s"]
    print(f"speedup {speedup:.1f}x; calls with no rule: {no_rule}; ACS-led: {acs_led} ({acs_led / len(calls):.1%}); "
          f"baseline agrees on agencies for {agree / len(calls):.1%}")  # fmt: skip
    print(
        json.dumps(
            {
                "calls": len(calls),
                "rules": len(compiled),
                "compile_ms": round(compile_ms, 1),
                **engine,
                "baseline_calls_per_s": baseline["calls_per_s"],
                "baseline_p50_us": baseline["p50_us"],
                "baseline_p99_us": baseline["p99_us"],
                "speedup": round(speedup, 1),
                "no_rule_calls": no_rule,
                "acs_led_calls": acs_led,
                "baseline_agreement": round(agree / len(calls), 4),
            }
        )
    )


if __name__ == "__main__":
    main()
