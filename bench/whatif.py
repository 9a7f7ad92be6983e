"""What-if replay time: the 26k San Diego calls through the default rules and a modified copy.

    .venv/bin/python bench/whatif.py [--chunk 2000] [--limit N]

The modified copy moves every ACS_ALONE rule to ACS_LEAD_POLICE_STAGED (police stage nearby), so a
known share of calls changes. Runs the replay the way the editor's API does, chunk by chunk, and
adds the chunks up. Loading the CSV is timed apart from the replay. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acs_dispatch.settings")
os.environ.setdefault("DEBUG", "True")  # a development run: the dev SECRET_KEY is refused with DEBUG off

from triage.engine import CallInput, compile_ruleset, load_rules_file  # noqa: E402
from triage.replay import replay, replay_empty, replay_merge  # noqa: E402

DEFAULT_RULES = ROOT / "triage" / "data" / "default_rules.yaml"
CALLS = Path(os.environ.get("ACS_DATA_DIR", ROOT / "data")) / "sdpd_cfs_2023-01-01_to_01-20.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunk", type=int, default=2000, help="calls per replay chunk (the API's default)")
    parser.add_argument("--limit", type=int, default=0, help="replay only the last N calls (0: all)")
    args = parser.parse_args()

    started = time.perf_counter()
    inputs, labels = [], []
    with open(CALLS, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            inputs.append(
                CallInput(call_type=row["call_type"].strip() or None, narrative=row["call_type_desc"].strip())
            )
            labels.append(f"{row['incident_num']} {row['call_type']} {row['call_type_desc']}")
    if args.limit:
        inputs, labels = inputs[-args.limit :], labels[-args.limit :]
    load_seconds = time.perf_counter() - started

    specs = load_rules_file(DEFAULT_RULES)
    modified = copy.deepcopy(specs)
    moved = 0
    for spec in modified:
        if spec["outcome"]["mode"] == "ACS_ALONE":
            spec["outcome"]["mode"] = "ACS_LEAD_POLICE_STAGED"
            moved += 1
    started = time.perf_counter()
    before = compile_ruleset(version=1, rules=specs)
    after = compile_ruleset(version=0, rules=modified)
    compile_seconds = time.perf_counter() - started

    started = time.perf_counter()
    total = replay_empty()
    for start in range(0, len(inputs), args.chunk):
        part = replay(
            before=before,
            after=after,
            calls=inputs[start : start + args.chunk],
            labels=labels[start : start + args.chunk],
            offset=start,
        )
        total = replay_merge(total, part)
    seconds = time.perf_counter() - started

    print(f"rules: {len(specs)} ({moved} ACS_ALONE rules moved to ACS_LEAD_POLICE_STAGED in the copy)")
    print(f"load CSV: {load_seconds:.2f} s; compile both sets: {compile_seconds:.3f} s")
    print(
        f"replayed {total['calls']} calls in {seconds:.2f} s ({total['calls'] / seconds:,.0f} calls/s, two triages each)"
    )
    print(f"changed: {total['changed']}; lost a required agency: {total['lost_required']}")
    for t in total["transitions"][:5]:
        print(f"  {t['count']:6d}  {t['from']}  ->  {t['to']}")
    print(
        json.dumps(
            {
                "calls": total["calls"],
                "seconds": round(seconds, 3),
                "changed": total["changed"],
                "lost_required": total["lost_required"],
                "calls_per_s": round(total["calls"] / seconds),
                "load_seconds": round(load_seconds, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
