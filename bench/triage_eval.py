"""Independent evaluation of the triage rules on real call-type lists and hand-written CAD narratives.

    .venv/bin/python bench/triage_eval.py [--rules FILE] [--eval-dir DIR] [--show-misses] [--only SET]

Four sets live in tests/triage/eval/ (see its README.md for sources, labelling policy and split):
  call_types_tuning.csv, call_types_holdout.csv   real call types of other 911 centers, with volumes
  narratives_tuning.yaml, narratives_holdout.yaml fresh terse CAD narratives (English and Spanish)

Each call type is triaged by its type alone (no narrative); each narrative with its optional call type
and screening answers. Figures per set (call-type sets weighted by volume and unweighted):
  missed_required  share losing at least one required agency (expected minus sent is not empty)
  acs_led          share of ACS-suitable items whose lead is ACS
  agreement        share of items not ACS-suitable whose agency set equals the expected set exactly
  lead_agreement   share of items with an expected lead whose lead matches
  unrecognised     share the engine did not recognise (contract "recognised" false, else rule == "")
  no_rule          share where no rule matched (rule == ""), whatever "recognised" says
The last line printed is one JSON object with every figure. Never tune the engine on the holdout sets.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acs_dispatch.settings")
os.environ.setdefault("DEBUG", "True")  # a development run: the dev SECRET_KEY is refused with DEBUG off

import django  # noqa: E402

django.setup()

import yaml  # noqa: E402

from triage.engine import CallInput, compile_ruleset, load_rules_file, triage  # noqa: E402

AGENCIES = ("POLICE", "FIRE_EMS", "ACS")
SETS = ("call_types_tuning", "call_types_holdout", "narratives_tuning", "narratives_holdout")


@dataclass
class Case:
    label: str  # call type, or narrative text
    call: CallInput
    expect: frozenset[str]
    lead: str | None
    acs: bool
    weight: float = 1.0
    center: str = ""


@dataclass
class Outcome:
    case: Case
    agencies: list[str]
    lead: str
    rule: str
    reasons: list[str] = field(default_factory=list)
    recognised: bool = True

    @property
    def missing(self) -> set[str]:
        return set(self.case.expect) - set(self.agencies)

    @property
    def exact(self) -> bool:
        return set(self.agencies) == set(self.case.expect)


def _agencies(raw: str | list[str], where: str) -> frozenset[str]:
    items = raw.split() if isinstance(raw, str) else list(raw)
    bad = [a for a in items if a not in AGENCIES]
    if bad or not items:
        raise SystemExit(f"{where}: bad agencies {items!r}")
    return frozenset(items)


def load_call_types(path: Path) -> list[Case]:
    cases = []
    with path.open(newline="", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            where = f"{path.name}:{i}"
            cases.append(
                Case(
                    label=row["call_type"],
                    call=CallInput(call_type=row["call_type"], narrative=""),
                    expect=_agencies(row["expect"], where),
                    lead=row.get("lead") or None,
                    acs=row["acs"].strip().lower() == "true",
                    weight=float(row["volume"]),
                    center=row["center"],
                )
            )
    return cases


def load_narratives(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for i, item in enumerate(data["narratives"]):
        where = f"{path.name}[{i}]"
        cases.append(
            Case(
                label=item["text"],
                call=CallInput(
                    call_type=item.get("call_type"),
                    narrative=item["text"],
                    weapons=item.get("weapons"),
                    violence=item.get("violence"),
                    medical=item.get("medical"),
                    caller_is_subject=item.get("caller_is_subject"),
                ),
                expect=_agencies(item["expect"], where),
                lead=item.get("lead"),
                acs=bool(item.get("acs", False)),
            )
        )
    return cases


def run(compiled, cases: list[Case]) -> list[Outcome]:
    outcomes = []
    for case in cases:
        decision = triage(compiled, case.call)
        contract = decision.as_contract()
        recognised = contract.get("recognised")
        if recognised is None:
            recognised = decision.rule != ""
        outcomes.append(
            Outcome(
                case=case,
                agencies=list(decision.agencies),
                lead=decision.lead,
                rule=decision.rule,
                reasons=list(decision.reasons),
                recognised=bool(recognised),
            )
        )
    return outcomes


def _share(outcomes: list[Outcome], pick, ok, weighted: bool) -> float | None:
    chosen = [o for o in outcomes if pick(o)]
    total = sum(o.case.weight if weighted else 1.0 for o in chosen)
    if not total:
        return None
    good = sum(o.case.weight if weighted else 1.0 for o in chosen if ok(o))
    return round(good / total, 4)


def figures(outcomes: list[Outcome], weighted: bool) -> dict[str, float | int | None]:
    return {
        "items": len(outcomes),
        "missed_required": _share(outcomes, lambda o: True, lambda o: bool(o.missing), weighted),
        "acs_led": _share(outcomes, lambda o: o.case.acs, lambda o: o.lead == "ACS", weighted),
        "agreement": _share(outcomes, lambda o: not o.case.acs, lambda o: o.exact, weighted),
        "lead_agreement": _share(
            outcomes, lambda o: bool(o.case.lead), lambda o: o.lead == o.case.lead, weighted
        ),
        "unrecognised": _share(outcomes, lambda o: True, lambda o: not o.recognised, weighted),
        "no_rule": _share(outcomes, lambda o: True, lambda o: o.rule == "", weighted),
    }


def is_miss(o: Outcome) -> bool:
    if o.missing:
        return True
    if o.case.acs and o.lead != "ACS":
        return True
    if not o.case.acs and not o.exact:
        return True
    return bool(o.case.lead) and o.lead != o.case.lead


def _fmt(value) -> str:
    return "  n/a " if value is None else f"{100 * value:5.1f}%"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rules", default=str(ROOT / "triage" / "data" / "default_rules.yaml"))
    ap.add_argument("--eval-dir", default=str(ROOT / "tests" / "triage" / "eval"))
    ap.add_argument("--show-misses", action="store_true", help="print every miss with rule and reasons")
    ap.add_argument("--only", choices=SETS, action="append", help="evaluate only this set (repeatable)")
    args = ap.parse_args(argv)

    started = time.perf_counter()
    compiled = compile_ruleset(version=1, rules=load_rules_file(args.rules))
    eval_dir = Path(args.eval_dir)
    result: dict[str, dict] = {}
    for name in args.only or SETS:
        is_ct = name.startswith("call_types")
        path = eval_dir / (f"{name}.csv" if is_ct else f"{name}.yaml")
        cases = load_call_types(path) if is_ct else load_narratives(path)
        outcomes = run(compiled, cases)
        entry: dict[str, object] = {}
        if is_ct:
            entry["weighted"] = figures(outcomes, weighted=True)
            entry["unweighted"] = figures(outcomes, weighted=False)
            entry["volume"] = int(sum(c.weight for c in cases))
            entry["centers"] = sorted({c.center for c in cases})
        else:
            entry["unweighted"] = figures(outcomes, weighted=False)
        misses = [o for o in outcomes if is_miss(o)]
        entry["misses"] = len(misses)
        result[name] = entry

        print(f"== {name}: {len(cases)} items" + (f", volume {entry['volume']:,}" if is_ct else ""))
        print(
            f"   {'':12} {'missed_req':>10} {'acs_led':>8} {'agreement':>9} {'lead_agr':>8} {'unrecog':>8} {'no_rule':>8}"
        )
        for kind in ("weighted", "unweighted") if is_ct else ("unweighted",):
            f = entry[kind]
            print(
                f"   {kind:12} {_fmt(f['missed_required']):>10} {_fmt(f['acs_led']):>8} "
                f"{_fmt(f['agreement']):>9} {_fmt(f['lead_agreement']):>8} {_fmt(f['unrecognised']):>8} "
                f"{_fmt(f['no_rule']):>8}"
            )
        if args.show_misses:
            for o in misses:
                label = f"[{o.case.center}] {o.case.label}" if is_ct else o.case.label
                print(
                    f"   MISS {name} | {label} | expected {sorted(o.case.expect)} lead {o.case.lead} "
                    f"acs={o.case.acs} | got {o.agencies} lead {o.lead} | rule {o.rule or '-'} "
                    f"| reasons {'; '.join(o.reasons) or '-'}"
                )
    result["seconds"] = round(time.perf_counter() - started, 3)
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
