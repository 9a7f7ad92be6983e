"""The triage engine: ordered rules compiled once per rule-set version, then safety guards in code.

Pure: no ORM and no I/O on the triage path (`load_rules_file` is the one function that reads a file,
and it is for seeding and tools). The flow of one call:

    reading = index.read(narrative)          one pass: tokens, negation scope, lexicon signals, rule keywords
    answers = screening or narrative         "yes" / "no" / "unknown" per question (screening outranks text)
    rule    = first matching rule            only rules whose anchor (call type or keyword) was seen are tried
    guards  = weapon, violence, medical, crime in progress, no rule   -> agencies, lead, mode, priority

Guards are code, not rules: an editable rule can never leave ACS alone with a weapon, violence or a
medical emergency on the call.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final
from zoneinfo import ZoneInfo

from triage import narrative
from triage.modes import (  # noqa: F401  (re-exported: the engine's public vocabulary)
    ACS,
    AGENCIES,
    ANSWERS,
    CONDITION_KINDS,
    EXCLUSIONS,
    FIRE_EMS,
    GUARDS,
    KEYWORD_KINDS,
    LOCAL_TZ,
    MAX_KEYWORD_TOKENS,
    MODE_BY_SHAPE,
    MODES,
    POLICE,
    SCREENING_FIELDS,
    Mode,
)
from triage.narrative import DENIED, PRESENT, SUGGESTED, PhraseIndex, phrase_tokens
from triage.validation import _minutes, validate_rules  # noqa: F401  (validate_rules re-exported)

# Screening question -> lexicon signal read from the narrative.
_SIGNAL_OF: Final = MappingProxyType(
    {"weapons": narrative.WEAPON, "violence": narrative.VIOLENCE, "medical": narrative.MEDICAL}
)


# --- inputs and outputs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CallInput:
    """What the call-taker knows. Screening answers: True / False / None (not asked or unknown)."""

    call_type: str | None = None
    call_type_name: str = ""  # the catalogue's name of the call type, read as words like the code
    narrative: str = ""
    weapons: bool | None = None
    violence: bool | None = None
    medical: bool | None = None
    caller_is_subject: bool | None = None
    zone: str | None = None  # service zone name
    at: dt.datetime | None = (
        None  # aware; time windows compare its wall-clock time in the city (compile time_zone)
    )


@dataclass(frozen=True)
class Decision:
    """Who goes and why. Field names match the triage fields of calls.Call."""

    agencies: list[str]  # lead first
    lead: str
    mode: str
    priority: int  # 1 most urgent .. 4
    rule: str  # "" when no rule matched
    ruleset_version: int
    reasons: list[str]
    guards: list[str] = field(default_factory=list)  # guards that changed the rule's outcome
    acs_eligible: bool = False
    acs_exclusion: str = ""  # "" or one of EXCLUSIONS
    # Each signal read: {"kind", "state" (present / suggested / denied), "words", "source"
    # (narrative / call_type / screening)}. Recommendation and the unit's safety panel read these,
    # never the reason strings.
    signals: list[dict[str, str]] = field(default_factory=list)
    # False when neither the call type nor any phrase of the vocabulary was recognised: the
    # decision is then the safe default, said in `reasons`, and the screens ask for a call type.
    recognised: bool = True

    def as_contract(self) -> dict[str, Any]:
        """The triage_preview / API shape (DESIGN.md), plus mode, guards and ACS eligibility."""
        return {
            "agencies": list(self.agencies),
            "lead": self.lead,
            "priority": self.priority,
            "rule": self.rule,
            "ruleset_version": self.ruleset_version,
            "reasons": list(self.reasons),
            "mode": self.mode,
            "guards": list(self.guards),
            "acs_eligible": self.acs_eligible,
            "acs_exclusion": self.acs_exclusion,
            "recognised": self.recognised,
            "signals": [dict(signal) for signal in self.signals],
        }


# --- compiled rules --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rule:
    index: int
    name: str
    mode: Mode
    priority: int
    explanation: str
    call_types: frozenset[str] | None
    keywords_any: frozenset[int] | None
    keywords_all: tuple[int, ...]
    keywords_none: tuple[int, ...]
    answers: tuple[tuple[int, frozenset[str]], ...]  # (index into the answers tuple, allowed answers)
    zones: frozenset[str] | None
    window: tuple[int, int] | None  # minutes after local midnight, [start, end)


class CompiledRuleSet:
    """An immutable, compiled rule set: one phrase index for all keywords and rule anchors as bitmasks.

    Rule i is bit i. A call's candidate rules are the OR of the masks of its call type, of every keyword
    it contains, and of the rules anchored on neither; they are tried lowest bit first (rule order).
    """

    __slots__ = (
        "version",
        "rules",
        "index",
        "_by_call_type",
        "_by_keyword",
        "_unanchored",
        "specs",
        "time_zone",
    )

    def __init__(
        self,
        *,
        version: int,
        rules: tuple[_Rule, ...],
        index: PhraseIndex,
        specs: list[dict],
        time_zone: ZoneInfo,
    ):
        self.version = version
        self.time_zone = time_zone  # the city's clock, for time windows
        self.rules = rules
        self.index = index
        self.specs = specs
        by_call_type: dict[str, int] = {}
        by_keyword = [0] * len(index.keyword_phrases)
        unanchored = 0
        for rule in rules:
            bit = 1 << rule.index
            if rule.call_types is not None:
                for code in rule.call_types:
                    by_call_type[code] = by_call_type.get(code, 0) | bit
            elif rule.keywords_any is not None:
                for kid in rule.keywords_any:
                    by_keyword[kid] |= bit
            elif rule.keywords_all:
                by_keyword[rule.keywords_all[0]] |= bit
            else:
                unanchored |= bit
        self._by_call_type = by_call_type
        self._by_keyword = tuple(by_keyword)
        self._unanchored = unanchored

    def __len__(self) -> int:
        return len(self.rules)

    def candidates(self, call_type: str | None, keywords: Iterable[int]) -> int:
        mask = self._unanchored
        if call_type:
            mask |= self._by_call_type.get(call_type, 0)
        by_keyword = self._by_keyword
        for kid in keywords:
            mask |= by_keyword[kid]
        return mask


def load_rules_file(path: str | Path) -> list[dict[str, Any]]:
    """Rule specs from a YAML or JSON file: a list, or a mapping with a `rules` list."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
    else:
        import yaml

        data = yaml.safe_load(text)
    if isinstance(data, Mapping):
        data = data.get("rules")
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of rules (or a mapping with a 'rules' list)")
    return data


def compile_ruleset(
    *, version: int, rules: list[dict[str, Any]], time_zone: str | ZoneInfo = LOCAL_TZ
) -> CompiledRuleSet:
    """Validate and compile `rules` (specs, in order). Raises ValidationFailed naming rule and field."""
    errors = validate_rules(rules)
    if errors:
        from acs_dispatch.exceptions import ValidationFailed

        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ValidationFailed(
            f"rule {first['index'] + 1} {first['rule']!r}, {first['field']}: {first['message']}{more}",
            errors=errors,
        )
    phrases: dict[tuple[str, ...], int] = {}

    def ids(kind_phrases: Iterable[str]) -> tuple[int, ...]:
        out = []
        for phrase in kind_phrases:
            tokens = phrase_tokens(phrase)
            out.append(phrases.setdefault(tokens, len(phrases)))
        return tuple(dict.fromkeys(out))

    compiled: list[_Rule] = []
    kept_specs: list[dict] = []
    for spec in rules:
        if not spec.get("enabled", True):
            continue
        cond = spec.get("conditions") or {}
        answers = tuple(
            (SCREENING_FIELDS.index(name), frozenset(a.lower() for a in cond[name]))
            for name in SCREENING_FIELDS
            if name in cond
        )
        window = cond.get("time_window")
        compiled.append(
            _Rule(
                index=len(compiled),
                name=spec["name"],
                mode=MODES[spec["outcome"]["mode"]],
                priority=int(spec["outcome"]["priority"]),
                explanation=(spec.get("explanation") or "").strip(),
                call_types=frozenset(c.strip().upper() for c in cond["call_types"])
                if "call_types" in cond
                else None,
                keywords_any=frozenset(ids(cond["keywords_any"])) if "keywords_any" in cond else None,
                keywords_all=ids(cond.get("keywords_all", ())),
                keywords_none=ids(cond.get("keywords_none", ())),
                answers=answers,
                zones=frozenset(cond["zones"]) if "zones" in cond else None,
                window=(_minutes(window["start"]), _minutes(window["end"])) if window else None,
            )
        )
        kept_specs.append(spec)
    index = PhraseIndex(sorted(phrases, key=phrases.__getitem__))
    zone = time_zone if isinstance(time_zone, ZoneInfo) else ZoneInfo(time_zone)
    return CompiledRuleSet(
        version=version, rules=tuple(compiled), index=index, specs=kept_specs, time_zone=zone
    )


# --- triage ----------------------------------------------------------------------------------------


def _answer(given: bool | None, text_state: int) -> str:
    """The answer a rule condition sees: the screening answer when given, else what the text says."""
    if given is not None:
        return "yes" if given else "no"
    if text_state == PRESENT:
        return "yes"
    if text_state == DENIED:
        return "no"
    return "unknown"


def _local_minutes(at: dt.datetime | None, zone: ZoneInfo) -> int | None:
    if at is None:
        return None
    # astimezone applies the DST offset in force at that instant: 01:30 UTC is 18:30 in January
    # (MST, -7) and 19:30 in July (MDT, -6). A naive datetime would be read as the server's zone.
    if at.tzinfo is None:
        raise ValueError("CallInput.at must be timezone-aware")
    local = at.astimezone(zone)
    return local.hour * 60 + local.minute


def _in_window(window: tuple[int, int], minutes: int) -> bool:
    start, end = window
    if start <= end:
        return start <= minutes < end
    return minutes >= start or minutes < end  # wraps past midnight: 22:00-06:00


def _first_match(
    compiled: CompiledRuleSet, call: CallInput, call_type: str | None, keywords: set[int], answers
):
    mask = compiled.candidates(call_type, keywords)
    rules = compiled.rules
    minutes: int | None = -1  # computed once, only if a candidate has a time window
    while mask:
        low = mask & -mask
        rule = rules[low.bit_length() - 1]
        mask ^= low
        if rule.call_types is not None and call_type not in rule.call_types:
            continue
        if rule.keywords_any is not None and rule.keywords_any.isdisjoint(keywords):
            continue
        if rule.keywords_all and not all(k in keywords for k in rule.keywords_all):
            continue
        if rule.keywords_none and any(k in keywords for k in rule.keywords_none):
            continue
        if rule.answers and not all(answers[i] in allowed for i, allowed in rule.answers):
            continue
        if rule.zones is not None and call.zone not in rule.zones:
            continue
        if rule.window is not None:
            if minutes == -1:
                minutes = _local_minutes(call.at, compiled.time_zone)
            if minutes is None or not _in_window(rule.window, minutes):
                continue
        return rule
    return None


@dataclass(frozen=True, slots=True)
class _Danger:
    """One guard signal after weighing screening against text."""

    present: bool
    reason: str  # why present, or "" when absent


_NO_DANGER: Final = _Danger(False, "")


def _weigh(name: str, given: bool | None, state: int, evidence: dict[str, str], signal: str) -> _Danger:
    # Screening answers outrank the text, with one exception chosen for safety: a narrative that
    # plainly states the danger ("he has a knife") keeps the guard on even if the screening answer
    # was "no". The answer may have been about someone else or clicked in haste, and an extra officer
    # costs far less than an ACS team walking in on a knife. A hedged mention ("might have a knife")
    # yields to an explicit "no": that is exactly the doubt the screening question settles.
    if given is True:
        return _Danger(True, f"screening: {name} yes")
    if state == PRESENT:
        if given is False:
            return _Danger(
                True, f"narrative says '{evidence[signal]}' although screening answered {name}: no"
            )
        return _Danger(True, f"narrative says '{evidence[signal]}'")
    if state == SUGGESTED and given is None:
        return _Danger(True, f"narrative suggests '{evidence[signal]}'")
    return _NO_DANGER


def triage(compiled: CompiledRuleSet, call: CallInput) -> Decision:
    """Decide agencies, lead, mode and priority for `call`. Pure and deterministic."""
    reading = compiled.index.read(call.narrative or "")
    state = reading.state
    evidence = reading.evidence
    call_type = call.call_type.strip().upper() if call.call_type else None
    weapon_state = state.get(narrative.WEAPON, 0)
    violence_state = state.get(narrative.VIOLENCE, 0)
    medical_state = state.get(narrative.MEDICAL, 0)
    answers = (
        _answer(call.weapons, weapon_state),
        _answer(call.violence, violence_state),
        _answer(call.medical, medical_state),
        _answer(call.caller_is_subject, 0),
    )
    rule = _first_match(compiled, call, call_type, reading.keywords, answers)

    weapon = _NO_DANGER
    violence = _NO_DANGER
    medical = _NO_DANGER
    if weapon_state or call.weapons:
        weapon = _weigh("weapons", call.weapons, weapon_state, evidence, narrative.WEAPON)
    if violence_state or call.violence:
        violence = _weigh("violence", call.violence, violence_state, evidence, narrative.VIOLENCE)
    if medical_state or call.medical:
        medical = _weigh("medical", call.medical, medical_state, evidence, narrative.MEDICAL)
    crime_state = state.get(narrative.CRIME, 0)
    crime = crime_state >= SUGGESTED

    reasons: list[str] = []
    guards: list[str] = []
    if rule is None:
        mode = MODES["POLICE_ALONE"]
        priority = 2 if (weapon.present or violence.present or medical.present) else 3
        guards.append("no_rule")
        reasons.append("No rule matched: police go by default (guard no_rule)")
        in_scope = False
    else:
        mode = rule.mode
        priority = rule.priority
        reasons.append(f"{rule.name}: {rule.explanation}" if rule.explanation else rule.name)
        matched = _matched_words(compiled, rule, reading.keywords)
        if call_type and rule.call_types is not None:
            matched.insert(0, f"call type {call_type}")
        if matched:
            reasons.append("Matched " + "; ".join(matched))
        in_scope = ACS in mode.agencies

    if weapon.present or violence.present or medical.present or crime:
        mode, priority = _guard(
            mode, priority, weapon, violence, medical, crime_state, evidence, guards, reasons
        )

    # ACS eligibility: the kind of call ACS exists for (its rule sends ACS, or the text is about a
    # crisis, homelessness, intoxication...) with nothing that rules ACS out.
    if not in_scope and rule is not None:
        in_scope = state.get(narrative.CRISIS, 0) == PRESENT or state.get(narrative.ACS_SCOPE, 0) == PRESENT
    if weapon.present:
        exclusion = "weapon"
    elif violence.present:
        exclusion = "violence"
    elif medical.present:
        exclusion = "medical"
    elif crime:
        exclusion = "crime_in_progress"
    elif rule is None:
        exclusion = "no_rule"
    else:
        exclusion = ""
    eligible = in_scope and not exclusion
    if DENIED in (weapon_state, violence_state, medical_state):
        denied = [
            f"{name} ('{evidence[signal]}')"
            for name, signal, value in (
                ("weapons", narrative.WEAPON, weapon_state),
                ("violence", narrative.VIOLENCE, violence_state),
                ("medical", narrative.MEDICAL, medical_state),
            )
            if value == DENIED
        ]
        reasons.append("Narrative denies " + ", ".join(denied))
    if eligible:
        reasons.append("ACS-eligible")
    elif exclusion:
        reasons.append(f"Not ACS-eligible: {exclusion.replace('_', ' ')}")
    return Decision(
        agencies=list(mode.agencies),
        lead=mode.lead,
        mode=mode.name,
        priority=priority,
        rule=rule.name if rule is not None else "",
        ruleset_version=compiled.version,
        reasons=reasons,
        guards=guards,
        acs_eligible=eligible,
        acs_exclusion=exclusion,
    )


def _guard(
    mode: Mode,
    priority: int,
    weapon: _Danger,
    violence: _Danger,
    medical: _Danger,
    crime_state: int,
    evidence: dict[str, str],
    guards: list[str],
    reasons: list[str],
) -> tuple[Mode, int]:
    """The safety guards, in order of precedence. Each one that changes the outcome says what it changed."""
    agencies = set(mode.agencies)
    lead = mode.lead
    for name, danger in (("weapon", weapon), ("violence", violence)):
        if not danger.present:
            continue
        changed = []
        if POLICE not in agencies:
            agencies.add(POLICE)
            changed.append("POLICE added")
        if lead != POLICE:
            # Scene safety first: with a weapon or violence, police lead and the others stage.
            lead = POLICE
            changed.append("police lead")
        if changed:
            guards.append(name)
            priority = min(priority, 2)
            reasons.append(f"Guard {name}: {danger.reason} -> {', '.join(changed)}")
    if medical.present:
        changed = []
        if FIRE_EMS not in agencies:
            agencies.add(FIRE_EMS)
            changed.append("FIRE_EMS added")
        if lead == ACS:
            lead = FIRE_EMS
            changed.append("fire/EMS lead")
        if changed:
            guards.append("medical")
            priority = min(priority, 2)
            reasons.append(f"Guard medical: {medical.reason} -> {', '.join(changed)}")
    if crime_state >= SUGGESTED and (POLICE not in agencies or lead == ACS):
        changed = []
        if POLICE not in agencies:
            agencies.add(POLICE)
            changed.append("POLICE added")
        if lead == ACS:
            lead = POLICE
            changed.append("police lead")
        guards.append("crime_in_progress")
        word = "suggests" if crime_state == SUGGESTED else "says"
        reasons.append(
            f"Guard crime_in_progress: narrative {word} '{evidence[narrative.CRIME]}' -> {', '.join(changed)}"
        )
    return MODES[MODE_BY_SHAPE[(lead, frozenset(agencies))]], priority


def _matched_words(compiled: CompiledRuleSet, rule: _Rule, keywords: set[int]) -> list[str]:
    phrases = compiled.index.keyword_phrases
    hits = [k for k in (rule.keywords_any or ()) if k in keywords] + list(rule.keywords_all)
    if not hits:
        return []
    return ["words " + ", ".join(f"'{' '.join(phrases[k])}'" for k in dict.fromkeys(hits))]
