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
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final
from zoneinfo import ZoneInfo

from triage import narrative
from triage.narrative import DENIED, PRESENT, SUGGESTED, PhraseIndex, phrase_tokens

POLICE: Final = "POLICE"
FIRE_EMS: Final = "FIRE_EMS"
ACS: Final = "ACS"
AGENCIES: Final = (POLICE, FIRE_EMS, ACS)

LOCAL_TZ: Final = ZoneInfo("America/Denver")  # Albuquerque; time windows are local wall-clock times


@dataclass(frozen=True)
class Mode:
    """A co-response mode: which agencies go, who leads, and what that means on the street."""

    name: str
    agencies: tuple[str, ...]  # lead first
    description: str

    @property
    def lead(self) -> str:
        return self.agencies[0]


def _mode(name: str, agencies: tuple[str, ...], description: str) -> tuple[str, Mode]:
    return name, Mode(name, agencies, description)


MODES: Final[Mapping[str, Mode]] = MappingProxyType(
    dict(
        [
            _mode("ACS_ALONE", (ACS,), "ACS responds alone"),
            _mode(
                "ACS_LEAD_POLICE_STAGED",
                (ACS, POLICE),
                "ACS leads; police stage nearby and secure the scene first if needed, then ACS goes in",
            ),
            _mode(
                "POLICE_LEAD_ACS_FOLLOW", (POLICE, ACS), "police lead and secure the scene; ACS follows up"
            ),
            _mode("POLICE_ALONE", (POLICE,), "police respond alone"),
            _mode(
                "POLICE_LEAD_FIRE_EMS",
                (POLICE, FIRE_EMS),
                "police lead; fire/EMS stage until the scene is safe",
            ),
            _mode(
                "POLICE_LEAD_FIRE_EMS_ACS",
                (POLICE, FIRE_EMS, ACS),
                "police lead; fire/EMS stage for patients; ACS follows up",
            ),
            _mode("FIRE_EMS_ALONE", (FIRE_EMS,), "fire/EMS respond alone"),
            _mode("FIRE_EMS_WITH_POLICE", (FIRE_EMS, POLICE), "fire/EMS lead; police assist"),
            _mode("FIRE_EMS_WITH_ACS", (FIRE_EMS, ACS), "fire/EMS lead on the medical need; ACS follows up"),
            _mode(
                "FIRE_EMS_WITH_POLICE_ACS",
                (FIRE_EMS, POLICE, ACS),
                "fire/EMS lead; police assist; ACS follows up",
            ),
        ]
    )
)
# (lead, set of agencies) -> mode name: guards change agencies and lead, then look the mode up here.
_MODE_BY_SHAPE: Final = MappingProxyType({(m.lead, frozenset(m.agencies)): m.name for m in MODES.values()})

ANSWERS: Final = ("yes", "no", "unknown")
SCREENING_FIELDS: Final = ("weapons", "violence", "medical", "caller_is_subject")
KEYWORD_KINDS: Final = ("keywords_any", "keywords_all", "keywords_none")
CONDITION_KINDS: Final = ("call_types", *KEYWORD_KINDS, *SCREENING_FIELDS, "zones", "time_window", "always")
EXCLUSIONS: Final = ("weapon", "violence", "medical", "crime_in_progress", "no_rule")
GUARDS: Final = ("weapon", "violence", "medical", "crime_in_progress", "no_rule")
MAX_KEYWORD_TOKENS: Final = 8

# Screening question -> lexicon signal read from the narrative.
_SIGNAL_OF: Final = MappingProxyType(
    {"weapons": narrative.WEAPON, "violence": narrative.VIOLENCE, "medical": narrative.MEDICAL}
)


# --- inputs and outputs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CallInput:
    """What the call-taker knows. Screening answers: True / False / None (not asked or unknown)."""

    call_type: str | None = None
    narrative: str = ""
    weapons: bool | None = None
    violence: bool | None = None
    medical: bool | None = None
    caller_is_subject: bool | None = None
    zone: str | None = None  # service zone name
    at: dt.datetime | None = None  # aware; time windows compare its America/Denver wall-clock time


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

    __slots__ = ("version", "rules", "index", "_by_call_type", "_by_keyword", "_unanchored", "specs")

    def __init__(self, *, version: int, rules: tuple[_Rule, ...], index: PhraseIndex, specs: list[dict]):
        self.version = version
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


def compile_ruleset(*, version: int, rules: list[dict[str, Any]]) -> CompiledRuleSet:
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
    return CompiledRuleSet(version=version, rules=tuple(compiled), index=index, specs=kept_specs)


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


def _local_minutes(at: dt.datetime | None) -> int | None:
    if at is None:
        return None
    # astimezone applies the DST offset in force at that instant: 01:30 UTC is 18:30 in January
    # (MST, -7) and 19:30 in July (MDT, -6). A naive datetime would be read as the server's zone.
    if at.tzinfo is None:
        raise ValueError("CallInput.at must be timezone-aware")
    local = at.astimezone(LOCAL_TZ)
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
                minutes = _local_minutes(call.at)
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
    return MODES[_MODE_BY_SHAPE[(lead, frozenset(agencies))]], priority


def _matched_words(compiled: CompiledRuleSet, rule: _Rule, keywords: set[int]) -> list[str]:
    phrases = compiled.index.keyword_phrases
    hits = [k for k in (rule.keywords_any or ()) if k in keywords] + list(rule.keywords_all)
    if not hits:
        return []
    return ["words " + ", ".join(f"'{' '.join(phrases[k])}'" for k in dict.fromkeys(hits))]


# --- validation ------------------------------------------------------------------------------------

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _minutes(text: str) -> int:
    match = _HHMM.match(text)
    if match is None:
        raise ValueError(f"not HH:MM: {text!r}")
    return int(match.group(1)) * 60 + int(match.group(2))


def validate_rules(
    rules: Any, known_call_types: Iterable[str] | None = None, zones: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Every problem in `rules`, each {"rule", "index", "field", "message"}; [] when the set is sound.

    Finds malformed specs, unknown modes, call types and zones (when lists are given), empty or
    contradictory conditions, malformed keywords, missing explanations, rules that an earlier rule
    shadows (they can never match), and outcomes the safety guards would always change.
    """
    errors: list[dict[str, Any]] = []
    if not isinstance(rules, list):
        return [{"rule": "", "index": -1, "field": "rules", "message": "rules must be a list"}]
    known = {c.strip().upper() for c in known_call_types} if known_call_types is not None else None
    zone_names = set(zones) if zones is not None else None
    seen_names: dict[str, int] = {}
    parsed: list[_Parsed | None] = []
    for i, spec in enumerate(rules):
        name = spec.get("name") if isinstance(spec, Mapping) else None
        label = name if isinstance(name, str) else ""

        def err(field_name: str, message: str, *, _i: int = i, _label: str = label) -> None:
            errors.append({"rule": _label, "index": _i, "field": field_name, "message": message})

        if not isinstance(spec, Mapping):
            err("rule", "each rule must be a mapping with name, conditions, outcome and explanation")
            parsed.append(None)
            continue
        unknown_keys = set(spec) - {"name", "enabled", "conditions", "outcome", "explanation"}
        if unknown_keys:
            err("rule", f"unknown keys: {', '.join(sorted(unknown_keys))}")
        if not isinstance(name, str) or not name.strip():
            err("name", "a rule needs a name")
        elif name in seen_names:
            err("name", f"duplicate name: rule {seen_names[name] + 1} has the same name")
        else:
            seen_names[name] = i
        if not isinstance(spec.get("enabled", True), bool):
            err("enabled", "enabled must be true or false")
        explanation = spec.get("explanation")
        if not isinstance(explanation, str) or not explanation.strip():
            err("explanation", "missing explanation: dispatchers read it in the triage reasons")
        outcome = spec.get("outcome")
        mode = None
        if not isinstance(outcome, Mapping):
            err("outcome", "outcome must be a mapping with mode and priority")
        else:
            mode = outcome.get("mode")
            if mode not in MODES:
                err("outcome.mode", f"unknown mode {mode!r}; one of: {', '.join(MODES)}")
                mode = None
            priority = outcome.get("priority")
            if isinstance(priority, bool) or not isinstance(priority, int) or not 1 <= priority <= 4:
                err("outcome.priority", f"priority must be an integer 1 (most urgent) to 4, not {priority!r}")
        rule = _parse_conditions(spec.get("conditions"), err, known, zone_names)
        if rule is not None and mode is not None:
            _check_guard_conflict(rule, MODES[mode], err)
        parsed.append(rule if spec.get("enabled", True) is not False else None)
    # Shadowing: a later rule that matches only calls an earlier rule already takes can never fire.
    for j, later in enumerate(parsed):
        if later is None:
            continue
        for i in range(j):
            earlier = parsed[i]
            if earlier is not None and earlier.covers(later):
                errors.append(
                    {
                        "rule": rules[j].get("name", ""),
                        "index": j,
                        "field": "conditions",
                        "message": (
                            f"can never match: every call it matches is taken first by rule {i + 1} "
                            f"{rules[i].get('name', '')!r}"
                        ),
                    }
                )
                break
    return errors


@dataclass
class _Parsed:
    """A rule's conditions in comparable form, for the shadowing check."""

    always: bool = False
    call_types: frozenset[str] | None = None
    keywords_any: frozenset[tuple[str, ...]] | None = None
    keywords_all: frozenset[tuple[str, ...]] = frozenset()
    keywords_none: frozenset[tuple[str, ...]] = frozenset()
    answers: dict[str, frozenset[str]] = field(default_factory=dict)
    zones: frozenset[str] | None = None
    window: tuple[int, int] | None = None

    def covers(self, other: _Parsed) -> bool:
        """True when every call `other` matches is matched by self (so self, first, shadows it)."""
        if self.always:
            return True
        if self.call_types is not None and (
            other.call_types is None or not other.call_types <= self.call_types
        ):
            return False
        if self.keywords_any is not None:
            # other guarantees one of self's phrases if each of its any-phrases, or one of its
            # all-phrases, contains one of them.
            guaranteed = (
                other.keywords_any is not None
                and all(any(_contains(p, q) for q in self.keywords_any) for p in other.keywords_any)
            ) or any(any(_contains(p, q) for q in self.keywords_any) for p in other.keywords_all)
            if not guaranteed:
                return False
        for phrase in self.keywords_all:
            if not any(_contains(p, phrase) for p in other.keywords_all):
                return False
        if not self.keywords_none <= other.keywords_none:
            return False
        for name, allowed in self.answers.items():
            if not other.answers.get(name, frozenset(ANSWERS)) <= allowed:
                return False
        if self.zones is not None and (other.zones is None or not other.zones <= self.zones):
            return False
        return self.window is None or self.window == other.window


def _contains(phrase: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return any(phrase[i : i + n] == part for i in range(len(phrase) - n + 1))


def _parse_conditions(cond: Any, err, known: set[str] | None, zone_names: set[str] | None) -> _Parsed | None:
    if cond is None:
        cond = {}
    if not isinstance(cond, Mapping):
        err("conditions", "conditions must be a mapping")
        return None
    parsed = _Parsed()
    ok = True
    unknown = set(cond) - set(CONDITION_KINDS)
    if unknown:
        err(
            "conditions",
            f"unknown condition kinds: {', '.join(sorted(unknown))}; known: {', '.join(CONDITION_KINDS)}",
        )
        ok = False
    if not cond:
        err("conditions", "no conditions: it would match every call; add conditions or write `always: true`")
        return None
    if "always" in cond:
        if cond["always"] is not True or len(cond) > 1:
            err("conditions.always", "`always: true` marks a catch-all and must be the only condition")
            ok = False
        parsed.always = True
    if "call_types" in cond:
        codes = cond["call_types"]
        if not _is_str_list(codes):
            err("conditions.call_types", "call_types must be a non-empty list of call type codes")
            ok = False
        else:
            parsed.call_types = frozenset(c.strip().upper() for c in codes)
            if known is not None:
                missing = sorted(parsed.call_types - known)
                if missing:
                    err("conditions.call_types", f"unknown call types: {', '.join(missing)}")
                    ok = False
    for kind in KEYWORD_KINDS:
        if kind not in cond:
            continue
        phrases = cond[kind]
        if not _is_str_list(phrases):
            err(f"conditions.{kind}", f"{kind} must be a non-empty list of words or phrases")
            ok = False
            continue
        tokenised = []
        for phrase in phrases:
            tokens = phrase_tokens(phrase)
            if not tokens:
                err(f"conditions.{kind}", f"keyword {phrase!r} has no words once normalised")
                ok = False
            elif len(tokens) > MAX_KEYWORD_TOKENS:
                err(f"conditions.{kind}", f"keyword {phrase!r} is longer than {MAX_KEYWORD_TOKENS} words")
                ok = False
            elif re.search(r"[.,;:!?]", phrase):
                err(
                    f"conditions.{kind}",
                    f"keyword {phrase!r} holds clause punctuation; phrases never span it",
                )
                ok = False
            else:
                # A phrase may start with a negation ("not breathing"): it then matches that wording itself.
                tokenised.append(tokens)
        if kind == "keywords_any":
            parsed.keywords_any = frozenset(tokenised)
        elif kind == "keywords_all":
            parsed.keywords_all = frozenset(tokenised)
        else:
            parsed.keywords_none = frozenset(tokenised)
    clash = {p for p in parsed.keywords_all if any(_contains(p, q) for q in parsed.keywords_none)}
    if clash:
        err(
            "conditions.keywords_none",
            "contradicts keywords_all: " + ", ".join(" ".join(p) for p in sorted(clash)),
        )
        ok = False
    if (
        parsed.keywords_any
        and parsed.keywords_none
        and all(any(_contains(p, q) for q in parsed.keywords_none) for p in parsed.keywords_any)
    ):
        err("conditions.keywords_none", "excludes every phrase of keywords_any: the rule can never match")
        ok = False
    for name in SCREENING_FIELDS:
        if name not in cond:
            continue
        allowed = cond[name]
        if not _is_str_list(allowed) or any(a.lower() not in ANSWERS for a in allowed):
            err(f"conditions.{name}", f"{name} must list allowed answers among yes, no, unknown")
            ok = False
        else:
            parsed.answers[name] = frozenset(a.lower() for a in allowed)
    if "zones" in cond:
        names = cond["zones"]
        if not _is_str_list(names):
            err("conditions.zones", "zones must be a non-empty list of zone names")
            ok = False
        else:
            parsed.zones = frozenset(names)
            if zone_names is not None and set(names) - zone_names:
                err("conditions.zones", f"unknown zones: {', '.join(sorted(set(names) - zone_names))}")
                ok = False
    if "time_window" in cond:
        window = cond["time_window"]
        try:
            if not isinstance(window, Mapping) or set(window) != {"start", "end"}:
                raise ValueError("needs exactly start and end")
            start, end = _minutes(window["start"]), _minutes(window["end"])
            if start == end:
                raise ValueError("start equals end")
            parsed.window = (start, end)
        except (ValueError, TypeError) as exc:
            err("conditions.time_window", f'time_window must be {{"start": "HH:MM", "end": "HH:MM"}} ({exc})')
            ok = False
    return parsed if ok else None


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)


_WEAPON_WORDS: Final = frozenset(
    phrase_tokens(p) for p, cats in narrative.LEXICON.items() if narrative.WEAPON in cats
)
_VIOLENCE_WORDS: Final = frozenset(
    phrase_tokens(p) for p, cats in narrative.LEXICON.items() if narrative.VIOLENCE in cats
)
_MEDICAL_WORDS: Final = frozenset(
    phrase_tokens(p) for p, cats in narrative.LEXICON.items() if narrative.MEDICAL in cats
)


def _check_guard_conflict(rule: _Parsed, mode: Mode, err) -> None:
    """Report an outcome the guards would change on every call the rule matches."""

    def always(screening: str, words: frozenset[tuple[str, ...]]) -> bool:
        if rule.answers.get(screening) == frozenset({"yes"}):
            return True
        if rule.keywords_any and all(p in words for p in rule.keywords_any):
            return True
        return any(p in words for p in rule.keywords_all)

    for screening, words, agency in (
        ("weapons", _WEAPON_WORDS, POLICE),
        ("violence", _VIOLENCE_WORDS, POLICE),
        ("medical", _MEDICAL_WORDS, FIRE_EMS),
    ):
        if not always(screening, words):
            continue
        if agency not in mode.agencies:
            err("outcome.mode", f"{mode.name} lacks {agency}, but the rule is keyed on {screening}: the safety "
                "guard would always add it; choose a mode with " + agency)  # fmt: skip
        elif agency == FIRE_EMS and mode.lead == ACS:
            err("outcome.mode", f"{mode.name} is ACS-led, but the rule is keyed on a medical emergency: the "
                "safety guard would always make fire/EMS lead; choose a fire/EMS-led mode")  # fmt: skip
        elif agency == POLICE and mode.lead != POLICE:
            err("outcome.mode", f"{mode.name} is not police-led, but the rule is keyed on {screening}: the "
                "safety guard would always make police lead; choose a police-led mode")  # fmt: skip
