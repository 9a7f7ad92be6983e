"""Reads of the triage app, and the process-wide cache of the compiled published rule set."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import json
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db.models import Count, QuerySet

from triage import engine as triage_engine
from triage.engine import CompiledRuleSet, compile_ruleset
from triage.models import RuleSet, TriageTestCase
from triage.sources import sources_get

# The compiled engine of the published version, shared by every request of this process.
# Replaced by assigning a new tuple: readers take the reference once, so a swap mid-call
# never mixes two versions (assignment of a name is atomic in CPython).
_compiled: tuple[int, CompiledRuleSet] | None = None
_compile_lock = threading.Lock()

SDPD_CALLS_FILE = "sdpd_cfs_2023-01-01_to_01-20.csv"
EXPORT_FORMAT = "acs-dispatch-rules/1"


def ruleset_published() -> RuleSet | None:
    return RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).first()


def ruleset_get(*, ruleset_id: int) -> RuleSet | None:
    return RuleSet.objects.select_related("author", "published_by", "based_on").filter(pk=ruleset_id).first()


def ruleset_get_version(*, version: int) -> RuleSet | None:
    return RuleSet.objects.filter(version=version).first()


def rulesets_history() -> QuerySet[RuleSet]:
    """Published and retired versions, newest first, with their rule counts."""
    return (
        RuleSet.objects.exclude(status=RuleSet.Status.DRAFT)
        .select_related("published_by", "based_on")
        .annotate(rule_count=Count("rules"))
        .order_by("-version")
    )


def rulesets_drafts() -> QuerySet[RuleSet]:
    return (
        RuleSet.objects.filter(status=RuleSet.Status.DRAFT)
        .select_related("author", "based_on")
        .annotate(rule_count=Count("rules"))
        .order_by("-updated_at")
    )


def ruleset_rules_spec(*, ruleset: RuleSet) -> list[dict]:
    """The rules of a set in the engine's format, in order."""
    return [rule.as_spec() for rule in ruleset.rules.order_by("position")]


def ruleset_compile(*, ruleset: RuleSet) -> CompiledRuleSet:
    """Compile any rule set (a draft for the test bench, or a published one)."""
    return compile_ruleset(
        version=ruleset.version or 0,
        rules=ruleset_rules_spec(ruleset=ruleset),
        time_zone=settings.CITY_TIME_ZONE,
    )


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
    _sets_compiled.clear()


# --- what the editor offers ----------------------------------------------------------------------


def engine_modes() -> list[dict[str, Any]]:
    """The engine's co-response modes with the agencies (lead first) each puts on a call."""
    return [
        {"code": mode.name, "agencies": list(mode.agencies), "lead": mode.lead, "label": mode.description}
        for mode in triage_engine.MODES.values()
    ]


def call_types_options() -> list[dict[str, str]]:
    """Every call type as {code, name} for the editor's type-ahead."""
    return [{"code": c, "name": n} for c, n in sources_get().call_types()]


def call_type_codes() -> set[str]:
    return {code for code, _ in sources_get().call_types()}


def zone_names() -> list[str]:
    """The service zones a rule may name (area commands; San Diego beats in the demo)."""
    return sorted(set(sources_get().zone_names()))


# --- validation ----------------------------------------------------------------------------------


def ruleset_specs_validate(*, specs: list[Any]) -> list[dict[str, Any]]:
    """Every problem of a list of rule specs, each {"rule", "index", "field", "message"}.

    The engine's checks (shape, empty conditions, malformed keywords, shadowed rules, outcomes the
    safety guards would always change, missing explanation) fed with the database's lists of call
    types and service zones, plus the database's own limits. [] means the rules can be saved.
    """
    codes = call_type_codes() or None  # no call types loaded at all: nothing to check against
    zones = set(zone_names()) or None
    issues = [
        dict(issue) for issue in triage_engine.validate_rules(specs, known_call_types=codes, zones=zones)
    ]
    if isinstance(specs, list):
        for index, spec in enumerate(specs):
            name = spec.get("name") if isinstance(spec, dict) else None
            if isinstance(name, str) and len(name) > 120:
                issues.append(
                    {"rule": name, "index": index, "field": "name", "message": "at most 120 characters"}
                )
    return sorted(issues, key=lambda i: (i["index"], i["field"]))


# --- diff, export --------------------------------------------------------------------------------


def _flatten(spec: dict[str, Any]) -> dict[str, Any]:
    flat = {"enabled": spec.get("enabled", True)}
    for key, value in sorted((spec.get("conditions") or {}).items()):
        flat[f"conditions.{key}"] = value
    outcome = spec.get("outcome") or {}
    flat["outcome.mode"] = outcome.get("mode")
    flat["outcome.priority"] = outcome.get("priority")
    flat["explanation"] = spec.get("explanation", "")
    return flat


def rules_diff(*, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, Any]:
    """Rules added, removed, changed (field by field) and moved, matched by name."""
    old_by = {s["name"]: s for s in old}
    new_by = {s["name"]: s for s in new}
    added = [s["name"] for s in new if s["name"] not in old_by]
    removed = [s["name"] for s in old if s["name"] not in new_by]
    changed = []
    for spec in new:
        before = old_by.get(spec["name"])
        if before is None:
            continue
        a, b = _flatten(before), _flatten(spec)
        fields = [
            {"field": key, "old": a.get(key), "new": b.get(key)}
            for key in sorted(set(a) | set(b))
            if a.get(key) != b.get(key)
        ]
        if fields:
            changed.append({"rule": spec["name"], "fields": fields})
    # Moved: common rules outside the longest common order (inserting one rule moves nothing).
    old_common = [s["name"] for s in old if s["name"] in new_by]
    new_common = [s["name"] for s in new if s["name"] in old_by]
    matcher = difflib.SequenceMatcher(a=old_common, b=new_common, autojunk=False)
    kept = {
        name for block in matcher.get_matching_blocks() for name in old_common[block.a : block.a + block.size]
    }
    new_pos = {name: i + 1 for i, name in enumerate(s["name"] for s in new)}
    old_pos = {name: i + 1 for i, name in enumerate(s["name"] for s in old)}
    moved = [{"rule": n, "old": old_pos[n], "new": new_pos[n]} for n in new_common if n not in kept]
    return {"added": added, "removed": removed, "changed": changed, "moved": moved}


def ruleset_diff(*, old: RuleSet, new: RuleSet) -> dict[str, Any]:
    diff = rules_diff(old=ruleset_rules_spec(ruleset=old), new=ruleset_rules_spec(ruleset=new))
    diff["old"] = {"id": old.pk, "version": old.version, "name": old.name}
    diff["new"] = {"id": new.pk, "version": new.version, "name": new.name}
    return diff


def ruleset_export(*, ruleset: RuleSet, fmt: str = "yaml") -> str:
    """The set as a reviewable file; `ruleset_import` reads it back."""
    document = {
        "format": EXPORT_FORMAT,
        "version": ruleset.version,
        "name": ruleset.name,
        "notes": ruleset.notes,
        "rules": ruleset_rules_spec(ruleset=ruleset),
    }
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


# --- calls as the engine sees them ---------------------------------------------------------------


def _answer(value: Any) -> bool | None:
    """true/false/None, "YES"/"NO"/"UNKNOWN", "yes"/"no" -> the engine's True/False/None."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return {"yes": True, "true": True, "no": False, "false": False}.get(text)


def call_input_make(
    *,
    call_type: str = "",
    narrative: str = "",
    weapons: Any = None,
    violence: Any = None,
    medical: Any = None,
    caller_is_subject: Any = None,
    zone: str | None = None,
    received_at: dt.datetime | None = None,
) -> Any:
    """The engine's CallInput from loose values, passing only the fields the engine declares."""
    values: dict[str, Any] = {
        "call_type": call_type or "",
        "narrative": narrative or "",
        "weapons": _answer(weapons),
        "violence": _answer(violence),
        "medical": _answer(medical),
        "caller_is_subject": _answer(caller_is_subject),
        "zone": zone or None,
    }
    return triage_engine.CallInput(
        call_type=values["call_type"] or None,
        narrative=values["narrative"],
        weapons=values["weapons"],
        violence=values["violence"],
        medical=values["medical"],
        caller_is_subject=values["caller_is_subject"],
        zone=values["zone"],
        at=received_at,
    )


def decision_contract(decision: Any) -> dict[str, Any]:
    """A decision as JSON: the triage_preview keys plus mode, guards and ACS eligibility."""
    out = dict(decision.as_contract())
    for key in ("mode", "guards", "acs_eligible", "acs_exclusion"):
        if key not in out and hasattr(decision, key):
            value = getattr(decision, key)
            out[key] = list(value) if isinstance(value, tuple) else value
    out["agencies"] = list(out.get("agencies", []))
    out["reasons"] = list(out.get("reasons", []))
    return out


def call_try(*, compiled: CompiledRuleSet, **fields: Any) -> dict[str, Any]:
    """Triage one made-up call with `compiled` (a draft's set): the test bench's "try a call"."""
    return decision_contract(triage_engine.triage(compiled, call_input_make(**fields)))


def triage_tests() -> QuerySet[TriageTestCase]:
    return TriageTestCase.objects.all()


def triage_test_get(*, test_id: int) -> TriageTestCase | None:
    return TriageTestCase.objects.filter(pk=test_id).first()


def triage_tests_run(*, compiled: CompiledRuleSet, tests: Any = None) -> dict[str, Any]:
    """Run the saved test cases against `compiled`: pass/fail per case with what differed."""
    results = []
    for case in triage_tests() if tests is None else tests:
        decision = call_try(
            compiled=compiled,
            call_type=case.call_type,
            narrative=case.narrative,
            weapons=case.weapons,
            violence=case.violence,
            medical=case.medical,
            caller_is_subject=case.caller_is_subject,
            zone=case.zone or None,
        )
        failures = []
        if sorted(case.expected_agencies) != sorted(decision["agencies"]):
            failures.append(
                f"agencies {'+'.join(sorted(decision['agencies']))}, expected {'+'.join(sorted(case.expected_agencies))}"
            )
        if case.expected_lead and case.expected_lead != decision["lead"]:
            failures.append(f"lead {decision['lead']}, expected {case.expected_lead}")
        if case.expected_priority and case.expected_priority != decision["priority"]:
            failures.append(f"priority {decision['priority']}, expected {case.expected_priority}")
        results.append(
            {
                "id": case.pk,
                "name": case.name,
                "passed": not failures,
                "failures": failures,
                "expected": {
                    "agencies": sorted(case.expected_agencies),
                    "lead": case.expected_lead,
                    "priority": case.expected_priority,
                },
                "decision": decision,
            }
        )
    passed = sum(1 for r in results if r["passed"])
    return {"total": len(results), "passed": passed, "failed": len(results) - passed, "results": results}


# --- what-if replay sources ----------------------------------------------------------------------


def _sdpd_path() -> Path:
    # The repository's data/ (or ACS_DATA_DIR), as responders.geography reads it.
    return Path(os.environ.get("ACS_DATA_DIR", settings.BASE_DIR / "data")) / SDPD_CALLS_FILE


@lru_cache(maxsize=2)
def _sdpd_calls(path: str, mtime: float, with_beats: bool) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    inputs, labels = [], []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            beat = (row.get("beat") or "").strip()
            inputs.append(
                call_input_make(
                    call_type=(row.get("call_type") or "").strip(),
                    narrative=(row.get("call_type_desc") or "").strip(),
                    zone=beat if with_beats and beat not in ("", "-1") else None,
                )
            )
            labels.append(
                f"{row.get('incident_num', '')} {row.get('call_type', '')} {row.get('call_type_desc', '')}".strip()
            )
    return tuple(inputs), tuple(labels)


def replay_sdpd_count() -> int:
    """How many San Diego calls the demo replay offers (0 when the file is absent)."""
    path = _sdpd_path()
    if not path.exists():
        return 0
    with open(path, "rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def replay_calls_sdpd() -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """The 26k San Diego calls as CallInputs (call type, its description as narrative, the beat as
    zone when the service zones are San Diego's), with a label each. Read once per process."""
    path = _sdpd_path()
    with_beats = sources_get().zones_city() == "san-diego"
    return _sdpd_calls(str(path), path.stat().st_mtime, with_beats)


def replay_calls_history(*, limit: int) -> tuple[list[Any], list[str]]:
    """The center's last `limit` calls (newest first) as CallInputs, with a label each (handed in by
    the calls app: triage.sources)."""
    inputs, labels = [], []
    for fields, label in sources_get().recent_calls(limit):
        inputs.append(call_input_make(**fields))
        labels.append(label)
    return inputs, labels


# Compiled drafts and old versions for the bench and the replay, keyed by (id, lock_version,
# version): a save bumps lock_version, so an edited draft is never served from a stale entry.
_sets_compiled: dict[tuple[int, int, int | None], CompiledRuleSet] = {}
_SETS_COMPILED_MAX = 8


def ruleset_engine(*, ruleset: RuleSet) -> CompiledRuleSet:
    """The compiled form of any rule set, compiled once per revision (the live one via engine_published)."""
    if ruleset.status == RuleSet.Status.PUBLISHED:
        return engine_published()
    key = (ruleset.pk, ruleset.lock_version, ruleset.version)
    compiled = _sets_compiled.get(key)
    if compiled is None:
        compiled = ruleset_compile(ruleset=ruleset)
        if len(_sets_compiled) >= _SETS_COMPILED_MAX:
            _sets_compiled.pop(next(iter(_sets_compiled)))
        _sets_compiled[key] = compiled
    return compiled
