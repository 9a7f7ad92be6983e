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
from typing import Any, Final
from zoneinfo import ZoneInfo

from acs_dispatch.exceptions import ValidationFailed
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
    SAFETY_SIGNALS,
    SCOPE_SIGNALS,
    SCREENING_FIELDS,
    Mode,
)
from triage.narrative import ABSENT, DENIED, PRESENT, SUGGESTED, PhraseIndex, Reading, phrase_tokens
from triage.validation import _minutes, validate_rules  # noqa: F401  (validate_rules re-exported)

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
        "_typed",
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
        # Call types repeat all day: their reading (words, acuity) is kept, bounded, per text.
        self._typed: dict[str, tuple[Reading, tuple[str, int, tuple[str, ...]] | None]] = {}

    def read_call_type(self, text: str) -> tuple[Reading, tuple[str, int, tuple[str, ...]] | None]:
        """The reading of a call type's words and the acuity it states, memoised per text."""
        cached = self._typed.get(text)
        if cached is None:
            if len(self._typed) >= 8192:
                self._typed.clear()
            cached = self._typed[text] = (self.index.read(text), narrative.read_acuity(text))
        return cached

    def __len__(self) -> int:
        return len(self.rules)

    def knows_call_type(self, call_type: str | None) -> bool:
        """True when some rule names this call type code."""
        return bool(call_type) and call_type.strip().upper() in self._by_call_type

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
    """One safety signal after weighing screening against text."""

    present: bool
    reason: str  # why present, or "" when absent


_NO_DANGER: Final = _Danger(False, "")
_STATE_NAMES: Final = {DENIED: "denied", SUGGESTED: "suggested", PRESENT: "present"}
_SCREENED: Final = (
    ("weapons", narrative.WEAPON),
    ("violence", narrative.VIOLENCE),
    ("medical", narrative.MEDICAL),
)
_SCREENED_KINDS: Final = frozenset(kind for _, kind in _SCREENED)


def _weigh(name: str, given: bool | None, state: int, words: str, where: str) -> _Danger:
    # Screening answers outrank the text, with one exception chosen for safety: a narrative that
    # plainly states the danger ("he has a knife") keeps the guard on even if the screening answer
    # was "no". The answer may have been about someone else or clicked in haste, and an extra officer
    # costs far less than an ACS team walking in on a knife. A hedged mention ("might have a knife")
    # yields to an explicit "no": that is exactly the doubt the screening question settles.
    if given is True:
        return _Danger(True, f"screening: {name} yes")
    if state == PRESENT:
        if given is False:
            return _Danger(True, f"{where} says '{words}' although screening answered {name}: no")
        return _Danger(True, f"{where} says '{words}'")
    if state == SUGGESTED and given is None:
        return _Danger(True, f"{where} suggests '{words}'")
    return _NO_DANGER


class _Read:
    """The call type and the narrative read together: per signal its strongest state, the words
    and where they were read. The call type is read as words as well as matched as a code, so a
    center's own nature ("BREATHING PROBLEMS", "MVC W/INJ", "WELL CK") is understood."""

    __slots__ = ("state", "evidence", "source", "keywords", "priority", "answer_state")

    def __init__(self, compiled: CompiledRuleSet, call: CallInput) -> None:
        index = compiled.index
        # A narrative's Reading is fresh per call, so its dicts are taken over, not copied; the call
        # type's Reading is memoised and only read from.
        text = index.read(call.narrative or "")
        self.state = text.state
        self.evidence = text.evidence
        self.source = dict.fromkeys(text.state, "narrative")
        self.keywords = text.keywords
        self.priority = text.priority
        # What rule conditions on screening answers see. A code the rules name is decided by its own
        # rule, so only the narrative answers for it; the words of its catalogue name still raise
        # the guards below. Another center's nature is read whole.
        self.answer_state = self.state
        if call.call_type_name:
            type_text = f"{call.call_type} {call.call_type_name}" if call.call_type else call.call_type_name
        elif call.call_type:
            type_text = call.call_type
        else:
            return
        typed, acuity = compiled.read_call_type(type_text)
        if compiled.knows_call_type(call.call_type):
            self.answer_state = dict(self.state)
        else:
            # A code the rules name decides by code; another center's nature is read for keywords.
            self.keywords |= typed.keywords
        for kind, level in typed.state.items():
            self._raise(kind, level, typed.evidence[kind])
        self._lower_priority(typed.priority)
        if acuity is not None:
            words, priority, kinds = acuity
            for kind in kinds:
                self._raise(kind, PRESENT, words)
            self._lower_priority(priority)

    def _raise(self, kind: str, level: int, words: str) -> None:
        self.raise_to(kind, level, words, source="call_type")

    def raise_to(self, kind: str, level: int, words: str, source: str) -> None:
        if level > self.state.get(kind, ABSENT):
            self.state[kind] = level
            self.evidence[kind] = words
            self.source[kind] = source

    def _lower_priority(self, priority: int | None) -> None:
        if priority is not None:
            self.priority = priority if self.priority is None else min(self.priority, priority)

    def where(self, kind: str) -> str:
        return "call type" if self.source.get(kind) == "call_type" else "narrative"


def triage(compiled: CompiledRuleSet, call: CallInput) -> Decision:
    """Decide agencies, lead, mode and priority for `call`. Pure and deterministic."""
    read = _Read(compiled, call)
    state = read.state
    call_type = call.call_type.strip().upper() if call.call_type else None
    violence_state = state.get(narrative.VIOLENCE, ABSENT)
    medical_state = state.get(narrative.MEDICAL, ABSENT)
    seen = read.answer_state
    answers = (
        _answer(call.weapons, seen.get(narrative.WEAPON, ABSENT)),
        _answer(call.violence, seen.get(narrative.VIOLENCE, ABSENT)),
        _answer(call.medical, seen.get(narrative.MEDICAL, ABSENT)),
        _answer(call.caller_is_subject, ABSENT),
    )
    rule = _first_match(compiled, call, call_type, read.keywords, answers)

    dangers: dict[str, _Danger] = {}
    for name, kind in _SCREENED:
        given = getattr(call, name)
        if state.get(kind) or given:
            danger = _weigh(
                name, given, state.get(kind, ABSENT), read.evidence.get(kind, ""), read.where(kind)
            )
            if danger.present:
                dangers[kind] = danger
    if state.get("crime") == PRESENT and state.get(narrative.IN_PROGRESS) == PRESENT:
        # A modifier, not a signal: "theft i/p", "burglary just occurred" are crimes in progress.
        read.raise_to(
            "crime_in_progress", PRESENT, read.evidence["crime"] + " (in progress)", read.source["crime"]
        )
    violence_denied = call.violence is False or (call.violence is None and violence_state == DENIED)
    if violence_denied and narrative.WEAPON not in dangers and state.get("unknown_trouble"):
        # "Disturbance" alone says nothing of violence; once violence is denied it is ACS's call.
        state["unknown_trouble"] = DENIED
    scope = set()
    for kind, level in state.items():
        if level < SUGGESTED or kind in _SCREENED_KINDS:
            continue
        if kind in SAFETY_SIGNALS:
            word = "says" if level == PRESENT else "suggests"
            dangers[kind] = _Danger(True, f"{read.where(kind)} {word} '{read.evidence[kind]}'")
        elif kind in SCOPE_SIGNALS:
            # A hedged nature still says what the call is: "ALARM UNK" is an alarm of unknown kind.
            scope.add(kind)
    # A crash whose injuries are denied in writing ("MVA NON-INJURY", "no injuries", screening
    # medical: no) needs no ambulance: the one case where a denial takes an agency off a rule's call.
    injuries_denied = (
        narrative.MEDICAL not in dangers
        and "traffic" in dangers
        and "fire" not in dangers
        and (call.medical is False or (call.medical is None and medical_state == DENIED))
    )

    reasons: list[str] = []
    guards: list[str] = []
    recognised = bool(dangers or scope) or any(level >= SUGGESTED for level in state.values())
    if rule is None:
        base = _nature_base(dangers, scope, read)
        if base is None:
            mode = MODES["POLICE_ALONE"]
            priority = 2 if dangers else 3
            guards.append("no_rule")
            reasons.append(
                "No rule matched and nothing in the call type or narrative was recognised: police go by "
                "default, the safe choice (guard no_rule). Pick a call type or answer the screening questions."
            )
            recognised = False
        else:
            mode, priority, reason = base
            reasons.append(reason)
        in_scope = ACS in mode.agencies
    else:
        mode = rule.mode
        priority = rule.priority
        reasons.append(f"{rule.name}: {rule.explanation}" if rule.explanation else rule.name)
        matched = _matched_words(compiled, rule, read.keywords)
        if call_type and rule.call_types is not None:
            matched.insert(0, f"call type {call_type}")
            recognised = True
        elif rule.keywords_any is not None or rule.keywords_all:
            recognised = True
        if matched:
            reasons.append("Matched " + "; ".join(matched))
        in_scope = ACS in mode.agencies

    if injuries_denied and FIRE_EMS in mode.agencies:
        agencies = [a for a in mode.agencies if a != FIRE_EMS]
        lead = POLICE if mode.lead == FIRE_EMS else mode.lead
        mode = MODES[MODE_BY_SHAPE[(lead, frozenset(agencies))]]
        reasons.append(f"Injuries denied ('{read.evidence.get(narrative.MEDICAL, 'screening: medical no')}'): "
                       "no fire/EMS for a crash without injuries")  # fmt: skip
    if dangers:
        mode, priority = _guard(mode, priority, dangers, guards, reasons)

    # ACS eligibility: the kind of call ACS exists for (its rule sends ACS, or the text is about a
    # crisis, homelessness, intoxication...) with nothing that rules ACS out.
    if not in_scope and recognised:
        in_scope = bool(scope & {narrative.CRISIS, narrative.ACS_SCOPE})
    exclusion = next((kind for kind in SAFETY_SIGNALS if kind in dangers), "")
    if not exclusion and not recognised:
        exclusion = "no_rule"
    eligible = in_scope and not exclusion
    denied = [f"{name} ('{read.evidence[kind]}')" for name, kind in _SCREENED if state.get(kind) == DENIED]
    if denied:
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
        signals=_signals(read, call),
        recognised=recognised,
    )


def _signals(read: _Read, call: CallInput) -> list[dict[str, str]]:
    """Every signal read, with its words and where: what the unit's safety panel shows."""
    out = [
        {
            "kind": kind,
            "state": _STATE_NAMES[level],
            "words": read.evidence[kind],
            "source": read.source[kind],
        }
        for kind, level in read.state.items()
        if level != ABSENT and kind not in (narrative.NEUTRAL, narrative.IN_PROGRESS)
    ]
    for name, kind in _SCREENED:
        given = getattr(call, name)
        if given is None:
            continue
        level = read.state.get(kind, ABSENT)
        if given or level < PRESENT:
            out.append(
                {
                    "kind": kind,
                    "state": "present" if given else "denied",
                    "words": f"screening: {name} {'yes' if given else 'no'}",
                    "source": "screening",
                }
            )
    return out


def _nature_base(dangers: dict[str, _Danger], scope: set[str], read: _Read) -> tuple[Mode, int, str] | None:
    """With no rule, the decision the natures read make by themselves; None when nothing was read.

    Each safety signal brings the agencies it requires; ACS's own scope brings ACS (leading only
    when no danger is read); a police-service nature brings police when nothing else decides.
    """
    if not dangers and not scope:
        return None
    agencies: set[str] = set()
    for kind in dangers:
        agencies.update(SAFETY_SIGNALS[kind].requires)
    acs_scope = scope & {narrative.CRISIS, narrative.ACS_SCOPE}
    if acs_scope:
        agencies.add(ACS)
    elif "police" in scope or not agencies:
        agencies.add(POLICE)
    if any(SAFETY_SIGNALS[k].police_lead for k in dangers) or "crime_in_progress" in dangers:
        lead = POLICE
    elif "fire" in dangers or narrative.MEDICAL in dangers:
        lead = FIRE_EMS
    elif POLICE in agencies and (dangers or ACS not in agencies):
        lead = POLICE
    else:
        lead = ACS
    agencies.add(lead)
    mode = MODES[MODE_BY_SHAPE[(lead, frozenset(agencies))]]
    priorities = [SAFETY_SIGNALS[k].default_priority for k in dangers]
    priorities += [SCOPE_SIGNALS[k][1] for k in scope]
    priority = read.priority if read.priority is not None else min(priorities)
    if dangers:
        priority = min(priority, min(SAFETY_SIGNALS[k].default_priority for k in dangers))
    kinds = [*dangers, *sorted(scope)]
    read_as = "; ".join(
        f"{_LABELS.get(k, k)} ('{read.evidence[k]}', {read.where(k)})"
        if k in read.evidence
        else _LABELS.get(k, k)
        for k in kinds
    )
    return mode, priority, f"No rule matched; read as {read_as} -> {mode.description}"


_LABELS: Final = {
    **{kind: policy.label for kind, policy in SAFETY_SIGNALS.items()},
    "police": "a police-service call",
    "crisis": "a behavioral-health crisis",
    "acs_scope": "ACS's scope (homelessness, intoxication, welfare)",
}
_PRIORITY_FLOOR: Final = {"weapon": 2, "violence": 2, "medical": 2, "suicide_attempt": 1, "fire": 2}


def _guard(
    mode: Mode, priority: int, dangers: dict[str, _Danger], guards: list[str], reasons: list[str]
) -> tuple[Mode, int]:
    """The safety guards, in order of precedence: each signal adds the agencies it requires and may
    take the lead; each guard that changes the outcome says what it changed."""
    agencies = set(mode.agencies)
    lead = mode.lead
    for kind, policy in SAFETY_SIGNALS.items():
        danger = dangers.get(kind)
        if danger is None:
            continue
        changed = []
        for agency in policy.requires:
            if agency not in agencies:
                agencies.add(agency)
                changed.append(f"{agency} added")
        if policy.police_lead and lead != POLICE:
            # Scene safety first: with a weapon or violence, police lead and the others stage.
            lead = POLICE
            changed.append("police lead")
        elif lead == ACS and policy.lead_over_acs:
            lead = policy.lead_over_acs
            changed.append(f"{_AGENCY_WORDS[lead]} lead")
        if changed:
            guards.append(kind)
            if kind in _PRIORITY_FLOOR:
                priority = min(priority, _PRIORITY_FLOOR[kind])
            reasons.append(f"Guard {kind}: {danger.reason} -> {', '.join(changed)}")
    return MODES[MODE_BY_SHAPE[(lead, frozenset(agencies))]], priority


_AGENCY_WORDS: Final = {POLICE: "police", FIRE_EMS: "fire/EMS", ACS: "ACS"}


def _matched_words(compiled: CompiledRuleSet, rule: _Rule, keywords: set[int]) -> list[str]:
    phrases = compiled.index.keyword_phrases
    hits = [k for k in (rule.keywords_any or ()) if k in keywords] + list(rule.keywords_all)
    if not hits:
        return []
    return ["words " + ", ".join(f"'{' '.join(phrases[k])}'" for k in dict.fromkeys(hits))]
