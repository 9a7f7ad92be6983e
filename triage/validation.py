"""Validation of rule specs: every problem named by rule and field, before a set can compile.

Finds malformed conditions, unknown call types and zones (when given), shadowed rules that can never
match, empty conditions, missing explanations, and outcomes the safety guards would always change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from triage import narrative
from triage.modes import (
    ACS,
    ANSWERS,
    CONDITION_KINDS,
    FIRE_EMS,
    KEYWORD_KINDS,
    MAX_KEYWORD_TOKENS,
    MODES,
    POLICE,
    SCREENING_FIELDS,
    Mode,
)
from triage.narrative import phrase_tokens

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
