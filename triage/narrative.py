"""Reading a call-taker's free-text narrative: normalisation, the danger lexicon, negation scope.

Pure standard library, no I/O. Everything expensive (typo tables, the lexicon trie) is built once, when
a rule set is compiled; per call the work is one lowercase, one regex pass (plus the rare abbreviation
substitutions), one token loop, one scope loop and one walk of a token trie (`PhraseIndex.read`) that
finds lexicon signals and every rule keyword together.

Guarantees:
- `normalise_tokens` is deterministic and maps the same text to the same tokens; rule keywords go
  through it too, so "w/ gun" in a rule matches "W/GUN" in a narrative.
- Clause punctuation survives as its own token, so no phrase ever matches across a "," or ".".
- `token_polarity` marks each token PLAIN, NEGATED or HEDGED. A hedge ("might", "not sure if")
  wins over a negation inside its scope: an uncertain danger is treated as present (safety first).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Final

from triage.modes import SIGNAL_KINDS

# Signal categories of lexicon phrases (triage/modes.py says what each requires). A "-" prefix
# marks an explicit denial ("unarmed").
WEAPON: Final = "weapon"
VIOLENCE: Final = "violence"
MEDICAL: Final = "medical"
CRISIS: Final = "crisis"
CRIME: Final = "crime_in_progress"
ACS_SCOPE: Final = "acs_scope"  # homelessness, intoxication, sleeping, welfare: ACS's own family
NEUTRAL: Final = "neutral"  # a phrase that only exists to hide a shorter one ("hit and run" hides "hit")
IN_PROGRESS: Final = "in_progress"  # a modifier: "burglary i/p" is a crime in progress
CATEGORIES: Final = frozenset({*SIGNAL_KINDS, NEUTRAL, IN_PROGRESS})

VOCABULARY_DIR: Final = Path(__file__).resolve().parent / "data" / "vocabulary"

PLAIN: Final = 0
NEGATED: Final = 1
HEDGED: Final = 2

CLAUSE_PUNCT: Final = frozenset({",", ".", ";", ":", "!", "?", "|"})

# --- normalisation -------------------------------------------------------------------------------

# Applied to the lowercased text before tokenising; order matters ("w/o" before "w/"). Each needs a
# character that plain words lack, so text without any of _PRE_SUB_TRIGGERS skips them all.
_PRE_SUBS: Final = (
    (re.compile(r"\u2019|\u2018"), "'"),
    (re.compile(r"\bw/o\b"), " without "),
    # CAD shorthand: in progress, just occurred, reporting party, complaining of, no further info.
    (re.compile(r"\bi/p\b"), " in progress "),
    (re.compile(r"\bj/o\b"), " just occurred "),
    (re.compile(r"\br/p\b"), " reporting party "),
    (re.compile(r"\bc/o\b"), " complaining of "),
    (re.compile(r"\bh/r\b"), " hit and run "),
    (re.compile(r"\bn/f/i\b"), " no further info "),
    (re.compile(r"\bw/"), " with "),
    (re.compile(r"\bb/c\b"), " because "),
    (re.compile(r"\by/o\b"), " year old "),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bcan't\b"), "can not"),
    (re.compile(r"\bain't\b"), "is not"),
    (re.compile(r"n't\b"), " not"),
    # Not r"od'?e?d": that also matches "odd", and "acting odd" is no overdose.
    (re.compile(r"\bod'd\b|\bo\.d\.'?d\b"), " overdosed "),
    (re.compile(r"\bo\.d\.?"), " overdose "),
    (re.compile(r"&"), " and "),
    (re.compile(r"@"), " at "),
)
_PRE_SUB_TRIGGERS: Final = re.compile(r"[/'&@\u2018\u2019]|o\.d")
# A hyphen or slash joins words ("non-violent", "drugs/alcohol"): split them. Other punctuation
# that ends a clause is kept as a token; everything else is dropped.
_TOKEN_RE: Final = re.compile(r"[a-z0-9]+|[.,;:!?]")

# One token -> its expansion (a few expand to several words). Digits are left alone on purpose:
# "doesn't want 2 talk" keeps its "2", and call-type codes such as 5150 are words in their own right.
ABBREVIATIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "pt": "patient",
        "pts": "patients",
        "subj": "subject",
        "subjs": "subjects",
        "sub": "subject",
        "unk": "unknown",
        "unkn": "unknown",
        "veh": "vehicle",
        "vehs": "vehicles",
        "od": "overdose",
        "ods": "overdoses",
        "bldg": "building",
        "approx": "approximately",
        "gsw": "gunshot wound",
        "adw": "assault with deadly weapon",
        "dv": "domestic violence",
        "mh": "mental health",
        "si": "suicidal ideation",
        "ams": "altered mental status",
        "sob": "short of breath",
        "unconc": "unconcealed",
        "yo": "year old",
        "yom": "year old male",
        "yof": "year old female",
        "bf": "boyfriend",
        "gf": "girlfriend",
        "hx": "history",
        "psych": "psychiatric",
        "rp": "reporting party",
        "apt": "apartment",
        "ppl": "people",
        "bc": "because",
        "cuz": "because",
        "thru": "through",
        "gonna": "going to",
        "wanna": "want to",
        "hse": "house",
        "occp": "occupied",
        "occpd": "occupied",
        "occ": "occupied",
        "dist": "disturbance",
        "juv": "juvenile",
        "inj": "injury",
        "hosp": "hospital",
        "amb": "ambulance",
        "ambo": "ambulance",
        "etoh": "alcohol",
        "intox": "intoxicated",
        "apd": "police",
        "pd": "police",
        "afr": "fire",
        "viol": "violence",
        "rx": "prescription",
        "prop": "property",
        "ped": "pedestrian",
        "diff": "difficulty",
        "lac": "laceration",
        "edp": "emotionally disturbed person",
        "cw": "welfare check",
        "ccw": "concealed weapon",
        "thc": "marijuana",
        "meth": "methamphetamine",
        "nonviolent": "non violent",
        "noone": "no one",
        "nobody": "no one",
        "gunpoint": "gun point",
        "knifepoint": "knife point",
        "skitzo": "schizophrenic",
        "schizo": "schizophrenic",
        "wont": "will not",
        "cant": "can not",
        "cannot": "can not",
        "aint": "is not",
        "dont": "do not",
        "doesnt": "does not",
        "didnt": "did not",
        "isnt": "is not",
        "wasnt": "was not",
        "hasnt": "has not",
        "oded": "overdosed",
        # CAD and EMS shorthand of call types and narratives.
        "pi": "personal injury",
        "injy": "injury",
        "injs": "injuries",
        "ck": "check",
        "chk": "check",
        "welf": "welfare",
        "wellck": "well check",
        "unc": "unconscious",
        "uncon": "unconscious",
        "unresp": "unresponsive",
        "resp": "respiratory",
        "abd": "abdominal",
        "cp": "chest pain",
        "sz": "seizure",
        "szr": "seizure",
        "fx": "fracture",
        "loc": "loss of consciousness",
        "agg": "aggravated",
        "aslt": "assault",
        "asslt": "assault",
        "batt": "battery",
        "burg": "burglary",
        "resid": "residential",
        "res": "residence",
        "comm": "commercial",
        "mv": "motor vehicle",
        "alrm": "alarm",
        "alm": "alarm",
        "disturb": "disturbance",
        "dom": "domestic",
        "ofc": "officer",
        "wpn": "weapon",
        "wpns": "weapons",
        "psy": "psychiatric",
        "nfi": "no further info",
        "hbd": "has been drinking",
        "breathg": "breathing",
        "brthg": "breathing",
        "ment": "mental",
        "emot": "emotionally",
        "sui": "suicidal",
        "susp": "suspicious",
    }
)

# Misspellings seen on 911 floors that the generic one-edit table below cannot reach
# (short words, substitutions).
MISSPELLINGS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "knif": "knife",
        "nife": "knife",
        "knive": "knife",
        "kife": "knife",
        "gunn": "gun",
        "wepon": "weapon",
        "weapen": "weapon",
        "weopon": "weapon",
        "wepons": "weapons",
        "sucidal": "suicidal",
        "suicidial": "suicidal",
        "sucidial": "suicidal",
        "suisidal": "suicidal",
        "suecidal": "suicidal",
        "siezure": "seizure",
        "sezure": "seizure",
        "seziure": "seizure",
        "siezing": "seizing",
        "unconcious": "unconscious",
        "unconsious": "unconscious",
        "unconscience": "unconscious",
        "unresposive": "unresponsive",
        "unresponive": "unresponsive",
        "breating": "breathing",
        "breahting": "breathing",
        "breathin": "breathing",
        "overdoes": "overdose",
        "overdosd": "overdosed",
        "homless": "homeless",
        "homeles": "homeless",
        "intoxicted": "intoxicated",
        "assualt": "assault",
        "asault": "assault",
        "threating": "threatening",
        "threatning": "threatening",
        "bleading": "bleeding",
        "pistal": "pistol",
        "machette": "machete",
        "mashete": "machete",
        "psycotic": "psychotic",
        "halucinating": "hallucinating",
        "hallucinateing": "hallucinating",
        "depresed": "depressed",
        "drunnk": "drunk",
        "drunck": "drunk",
        "sleepin": "sleeping",
        "slepping": "sleeping",
        "fightin": "fighting",
        "figthing": "fighting",
        "punchin": "punching",
        "hittin": "hitting",
        "stabing": "stabbing",
        "stabed": "stabbed",
        "shizophrenic": "schizophrenic",
        "skizophrenic": "schizophrenic",
        "agressive": "aggressive",
        "agresive": "aggressive",
        "violant": "violent",
        "encampent": "encampment",
        "incampment": "encampment",
        "needels": "needles",
        "neeldes": "needles",
        "panhandeling": "panhandling",
    }
)

# Real words that the one-edit table must never "correct" into a danger word.
# fmt: off
_PROTECTED_WORDS: Final = frozenset(
    {
        "violet", "treats", "seeping", "earing", "heater", "hooting", "eating", "eaten", "beater", "metal",
        "sealing", "braking", "tapering", "sapping", "sapped", "overdoes", "fighter", "sleepers",
        "corner", "corners", "deceased", "decease", "missing", "parking", "traffics", "abusing", "rescued",
        "dialing", "spilled", "smoker", "assisted", "informed", "reported", "property", "properly"
    }
)
# fmt: on


# token -> its replacement tokens, for abbreviations and known misspellings.
_EXPANSIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {token: tuple(text.split()) for table in (MISSPELLINGS, ABBREVIATIONS) for token, text in table.items()}
)


# "MVA-PD" is a crash with property damage only; everywhere else "PD" is the police department.
_PROPERTY_DAMAGE: Final = re.compile(r"\b(mva|mvc|mvi|accident|crash|collision|tc|hit and run)[\s/-]+pd\b")


def _fold(text: str) -> str:
    """Accents folded to plain letters: "apuñalado" -> "apunalado", "está" -> "esta"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _raw_tokens(text: str) -> list[str]:
    lowered = text.lower()
    if not lowered.isascii():
        lowered = _fold(lowered)
    if _PRE_SUB_TRIGGERS.search(lowered):
        for pattern, replacement in _PRE_SUBS:
            lowered = pattern.sub(replacement, lowered)
    if "pd" in lowered:
        lowered = _PROPERTY_DAMAGE.sub(r"\1 property damage", lowered)
    return _TOKEN_RE.findall(lowered)


def _expand(raw: list[str], table: Mapping[str, tuple[str, ...]]) -> list[str]:
    tokens: list[str] = []
    append = tokens.append
    get = table.get
    for token in raw:
        replacement = get(token)
        if replacement is None:
            append(token)
        elif len(replacement) == 1:
            append(replacement[0])
        else:
            tokens.extend(replacement)
    return tokens


def _tokenise(text: str) -> list[str]:
    return _expand(_raw_tokens(text), _EXPANSIONS)


# Harm verbs followed by a reflexive become "self <verb>": "going to kill himself" must read as a
# suicide risk, never as the violence phrase "going to kill" aimed at someone else.
# fmt: off
_HARM_VERBS: Final = frozenset(
    {
        "kill", "killing", "hurt", "hurting", "harm", "harming", "cut", "cutting", "shoot", "shooting",
        "stab", "stabbing", "hang", "hanging", "off"
    }
)
# fmt: on
_REFLEXIVES: Final = frozenset({"himself", "herself", "myself", "themselves", "themself", "yourself", "self"})
_HARM_VERB_BASE: Final[Mapping[str, str]] = MappingProxyType(
    {
        "killing": "kill",
        "hurting": "hurt",
        "harming": "harm",
        "cutting": "cut",
        "shooting": "shoot",
        "stabbing": "stab",
        "hanging": "hang",
        "off": "kill",
    }
)


class Normaliser:
    """Turns text into tokens; holds the one-edit typo table built for a vocabulary.

    Immutable after construction. The typo table maps a token that is one deletion, one adjacent
    swap or one doubled letter away from a vocabulary word (of 7+ letters, first letter kept) to
    that word, unless the token is itself a known word.
    """

    __slots__ = ("_table",)

    def __init__(self, vocabulary: Iterable[str]) -> None:
        vocab = {word for word in vocabulary if word.isalpha()}
        known = vocab | set(ABBREVIATIONS) | set(MISSPELLINGS) | _PROTECTED_WORDS | _REFLEXIVES
        typos: dict[str, str | None] = {}
        for word in vocab:
            if len(word) < 7:
                continue
            variants: set[str] = set()
            for i in range(1, len(word)):
                variants.add(word[:i] + word[i + 1 :])  # a letter dropped
                variants.add(word[:i] + word[i] + word[i:])  # a letter doubled
                if i < len(word) - 1:
                    variants.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])  # two letters swapped
            for variant in variants - known - {word}:
                # Ambiguous variants (near two words) are dropped rather than guessed.
                typos[variant] = None if variant in typos and typos[variant] != word else word
        # One table for abbreviations, misspellings and typos: one dict lookup per token.
        table = {k: (v,) for k, v in typos.items() if v is not None}
        table.update(_EXPANSIONS)
        self._table: Mapping[str, tuple[str, ...]] = MappingProxyType(table)

    def tokens(self, text: str) -> list[str]:
        """Normalised tokens of `text`: lowercase words and clause punctuation."""
        tokens = _expand(_raw_tokens(text), self._table)
        if not _REFLEXIVES.isdisjoint(tokens):
            _mark_self_harm(tokens)
        return tokens


def _mark_self_harm(tokens: list[str]) -> None:
    for i in range(1, len(tokens)):
        if tokens[i] in _REFLEXIVES and tokens[i - 1] in _HARM_VERBS:
            verb = tokens[i - 1]
            tokens[i - 1] = "self"
            tokens[i] = _HARM_VERB_BASE.get(verb, verb)


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """The tokens of a keyword phrase, without typo fixing (authors spell keywords on purpose)."""
    tokens = _tokenise(phrase)
    _mark_self_harm(tokens)
    return tuple(t for t in tokens if t not in CLAUSE_PUNCT)


# --- negation and hedging ------------------------------------------------------------------------

# fmt: off
_NEGATION_CUES: Final = frozenset(
    {
        "no", "not", "never", "without", "denies", "denied", "deny", "denying", "none", "nor", "neither",
        "non", "negative", "nothing",
        # Spanish: "no" is shared; "sin" (without), "nunca", "ningún", "ni", "tampoco", "niega".
        "sin", "nunca", "ningun", "ninguna", "ninguno", "ni", "tampoco", "niega", "negativo"
    }
)
# fmt: on
# Two-word cues that look like negations but are not ("no longer breathing" is a danger).
# Spanish phrases that start with a cue but state a danger or a condition: "no respira" (not
# breathing), "sin hogar" (homeless), "cuerpo sin vida" (lifeless body). Without this, "persona sin
# hogar con cuchillo" would read the knife as denied.
_PSEUDO_NEGATIONS: Final = frozenset(
    {
        ("no", "longer"),
        ("not", "only"),
        ("no", "doubt"),
        ("not", "just"),
        ("sin", "hogar"),
        ("sin", "casa"),
        ("sin", "vida"),
        ("sin", "pulso"),
        ("no", "respira"),
        ("no", "responde"),
        ("no", "reacciona"),
        ("no", "despierta"),
        ("no", "quiere"),
    }
)
# fmt: off
_HEDGE_CUES: Final = frozenset(
    {
        "might", "may", "maybe", "possibly", "possible", "poss", "probably", "could", "unknown", "unsure",
        "unclear", "suspects", "believes", "believed", "thinks", "reportedly", "allegedly", "perhaps",
        "quizas", "quiza", "posiblemente", "probablemente", "parece", "creo", "sospecha"
    }
)
# fmt: on
# fmt: off
_HEDGE_BIGRAMS: Final = frozenset(
    {
        ("not", "sure"), ("not", "known"), ("not", "clear"), ("not", "certain"), ("could", "not"),
        ("did", "not"), ("does", "not"), ("do", "not")
    }
)
# fmt: on
# A bigram above is a hedge only when followed by one of these: "did not say if armed" is unknown,
# while "did not see a weapon" stays a plain negation.
_HEDGE_BIGRAM_NEEDS_NEXT: Final[Mapping[tuple[str, str], frozenset[str]]] = MappingProxyType(
    {
        ("could", "not"): frozenset({"tell", "see", "say"}),
        ("did", "not"): frozenset({"say", "know"}),
        ("does", "not"): frozenset({"know"}),
        ("do", "not"): frozenset({"know"}),
    }
)
# Scope of a cue ends at a clause boundary or a word that starts a new statement.
# fmt: off
_SCOPE_ENDERS: Final = CLAUSE_PUNCT | frozenset(
    {
        "but", "however", "though", "although", "yet", "and", "then", "while", "when", "because", "who",
        "which", "except", "until", "after", "before", "now", "since", "or",
        "y", "e", "pero", "porque", "aunque", "cuando", "mientras", "entonces", "pues"
    }
)
# fmt: on
# "no guns or knives": "or" continues a denial list, so it never ends a negation's scope.
# "no guns or knives": "or" continues a denial list, so it never ends a negation's scope.
_LIST_JOINERS: Final = frozenset({"or", "nor"})
_SCOPE_WINDOW: Final = 6
_ALL_CUES: Final = _NEGATION_CUES | _HEDGE_CUES | frozenset(first for first, _ in _HEDGE_BIGRAMS)


def token_polarity(tokens: list[str]) -> list[int]:
    """PLAIN / NEGATED / HEDGED for each token, from the cues before it in the same clause.

    A cue covers at most the next six tokens and stops at a clause boundary or at a scope ender
    ("but", "and", ...). A hedge inside a negation, or a negation inside a hedge, leaves HEDGED.
    """
    n = len(tokens)
    polarity = [PLAIN] * n
    if _ALL_CUES.isdisjoint(tokens):
        return polarity
    for i, token in enumerate(tokens):
        if token not in _ALL_CUES:
            continue
        state = PLAIN
        start = i + 1
        pair = (token, tokens[i + 1]) if i + 1 < n else None
        if pair is not None and pair in _HEDGE_BIGRAMS:
            needs = _HEDGE_BIGRAM_NEEDS_NEXT.get(pair)
            if needs is None or (i + 2 < n and tokens[i + 2] in needs):
                state, start = HEDGED, i + 2
        if state == PLAIN:
            if token in _HEDGE_CUES:
                state = HEDGED
            elif token in _NEGATION_CUES and (pair is None or pair not in _PSEUDO_NEGATIONS):
                state = NEGATED
        if state == PLAIN:
            continue
        for j in range(start, min(n, start + _SCOPE_WINDOW)):
            word = tokens[j]
            if word in _SCOPE_ENDERS and not (word in _LIST_JOINERS and state == NEGATED):
                break
            if polarity[j] != HEDGED:
                polarity[j] = state
    return polarity


# --- the lexicon ---------------------------------------------------------------------------------


def _load_vocabulary() -> tuple[dict[str, tuple[str, ...]], dict[str, int]]:
    """Phrase -> signal categories, and phrase -> priority, from the reviewed vocabulary files.

    One file per language in triage/data/vocabulary/; each entry names its signals, its source and
    its phrases. A phrase that two entries give different signals is an error, not a silent choice.
    """
    import yaml  # the one dependency of this module; read once, at import

    lexicon: dict[str, tuple[str, ...]] = {}
    priorities: dict[str, int] = {}
    errors: list[str] = []
    for path in sorted(VOCABULARY_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        sources = data.get("sources") or {}
        for number, entry in enumerate(data["entries"], start=1):
            where = f"{path.name} entry {number}"
            signals = tuple(entry["signals"])
            unknown = [c for c in signals if c.lstrip("-") not in CATEGORIES]
            if unknown or entry.get("source") not in sources:
                raise ValueError(f"{where}: unknown signal {unknown} or source {entry.get('source')!r}")
            for phrase in entry["phrases"]:
                key = " ".join(phrase_tokens(str(phrase)))
                if not key:
                    errors.append(f"{where}: phrase {phrase!r} has no words")
                elif key in lexicon and lexicon[key] != signals:
                    errors.append(f"{where}: {phrase!r} already has signals {lexicon[key]}")
                lexicon.setdefault(key, signals)
                if "priority" in entry:
                    priorities[key] = int(entry["priority"])
    if errors:
        raise ValueError("triage vocabulary: " + "; ".join(errors))
    return lexicon, priorities


_LEXICON, _PRIORITY = _load_vocabulary()
# phrase -> categories. A phrase inside a longer lexicon phrase that matched is ignored, so
# "choking her" (violence) hides "choking" (medical) and "hit by a car" hides "hit".
LEXICON: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(_LEXICON)
# phrase -> the priority a call has when this phrase decides it (an acuity, "structure fire").
PHRASE_PRIORITY: Final[Mapping[str, int]] = MappingProxyType(_PRIORITY)

LEXICON_VOCABULARY: Final = frozenset(word for phrase in LEXICON for word in phrase_tokens(phrase))


# --- one pass over the narrative -----------------------------------------------------------------

ABSENT: Final = 0
DENIED: Final = 1  # only negated mentions, or an explicit denial ("unarmed")
SUGGESTED: Final = 2  # a hedged mention ("might have a knife")
PRESENT: Final = 3  # a plain mention

# "weapons: none", "weapons - no", "injuries neg": a denial written after the noun.
_POST_DENIALS: Final = frozenset({"none", "no", "negative", "neg", "denied", "nil", "zero"})
_POST_UNKNOWN: Final = frozenset({"unknown", "unsure", "possible", "possibly"})
_TERMINAL: Final = ""  # trie key of a node's payload; never a token


class Reading:
    """What one narrative says: per-signal state and evidence, plus the rule keywords it contains."""

    __slots__ = ("tokens", "keywords", "state", "evidence", "priority")

    def __init__(
        self,
        tokens: list[str],
        keywords: set[int],
        state: dict[str, int],
        evidence: dict[str, str],
        priority: int | None = None,
    ):
        self.tokens = tokens
        self.keywords = keywords  # ids of rule keyword phrases found, not negated
        self.state = state  # signal -> ABSENT / DENIED / SUGGESTED / PRESENT
        self.evidence = evidence  # signal -> the phrase that set its state
        self.priority = priority  # the most urgent priority of a phrase read plainly, if any


class PhraseIndex:
    """The lexicon and every rule keyword in one token trie, read in one left-to-right pass.

    Immutable after construction. Keyword ids are the positions in `keyword_phrases`.
    """

    __slots__ = ("normaliser", "_trie", "keyword_phrases")

    def __init__(self, keyword_phrases: Iterable[tuple[str, ...]] = ()) -> None:
        self.keyword_phrases: tuple[tuple[str, ...], ...] = tuple(keyword_phrases)
        vocabulary = set(LEXICON_VOCABULARY)
        for phrase in self.keyword_phrases:
            vocabulary.update(phrase)
        self.normaliser = Normaliser(vocabulary)
        trie: dict = {}
        # payload: [lexicon categories or None, keyword id or -1]
        for phrase, categories in LEXICON.items():
            node = trie
            for token in phrase_tokens(phrase):
                node = node.setdefault(token, {})
            payload = node.setdefault(_TERMINAL, [None, -1, None])
            payload[0] = categories
            payload[2] = PHRASE_PRIORITY.get(" ".join(phrase_tokens(phrase)))
        for kid, tokens in enumerate(self.keyword_phrases):
            node = trie
            for token in tokens:
                node = node.setdefault(token, {})
            node.setdefault(_TERMINAL, [None, -1, None])[1] = kid
        self._trie = trie

    def read(self, text: str) -> Reading:
        """Tokens, signals and keyword hits of `text`, in one pass over its tokens."""
        tokens = self.normaliser.tokens(text)
        polarity = token_polarity(tokens)
        n = len(tokens)
        trie = self._trie
        keywords: set[int] = set()
        state: dict[str, int] = {}
        evidence: dict[str, str] = {}
        covered = 0  # end of the longest lexicon phrase matched so far: phrases inside it are hidden
        priority: int | None = None
        for i in range(n):
            node = trie.get(tokens[i])
            if node is None:
                continue
            lexicon_hit = None
            lexicon_end = 0
            lexicon_priority = None
            j = i + 1
            while True:
                payload = node.get(_TERMINAL)
                if payload is not None:
                    if payload[1] >= 0 and _polarity_at(tokens, polarity, i, j) != NEGATED:
                        keywords.add(payload[1])
                    if payload[0] is not None:
                        lexicon_hit, lexicon_end, lexicon_priority = payload[0], j, payload[2]
                if j >= n:
                    break
                node = node.get(tokens[j])
                if node is None:
                    break
                j += 1
            if lexicon_hit is None or lexicon_end <= covered:
                continue
            covered = lexicon_end
            mention = _polarity_at(tokens, polarity, i, lexicon_end)
            if lexicon_priority is not None and mention != NEGATED:
                priority = lexicon_priority if priority is None else min(priority, lexicon_priority)
            for category in lexicon_hit:
                if category[0] == "-":
                    # An explicit denial ("unarmed") counts only when nothing stronger was read.
                    category, level = category[1:], DENIED if mention == PLAIN else ABSENT
                else:
                    level = PRESENT if mention == PLAIN else SUGGESTED if mention == HEDGED else DENIED
                if level > state.get(category, ABSENT):
                    state[category] = level
                    evidence[category] = _evidence(tokens, i, lexicon_end, mention)
        return Reading(tokens, keywords, state, evidence, priority)


def _polarity_at(tokens: list[str], polarity: list[int], start: int, end: int) -> int:
    """Polarity of the phrase tokens[start:end]: its first token's, or a denial written after it."""
    mark = polarity[start]
    if mark != PLAIN or end >= len(tokens):
        return mark
    following = tokens[end]
    at = end
    if following == ":" and end + 1 < len(tokens):
        following = tokens[end + 1]
        at = end + 1
    if following in _POST_DENIALS:
        # "weapons no" denies the weapons, but in "lightning strike no fire" the "no" begins a
        # denial of what follows it: a bare "no" denies backwards only where its clause ends.
        if following == "no" and at + 1 < len(tokens) and tokens[at + 1] not in CLAUSE_PUNCT:
            return PLAIN
        return NEGATED
    if following in _POST_UNKNOWN:
        return HEDGED
    return PLAIN


def _evidence(tokens: list[str], start: int, end: int, mention: int) -> str:
    """The phrase as a dispatcher should read it: with its cue when negated or hedged ("no weapons")."""
    if mention != PLAIN:
        for k in range(start - 1, max(-1, start - 1 - _SCOPE_WINDOW), -1):
            if tokens[k] in CLAUSE_PUNCT:
                break
            if tokens[k] in _ALL_CUES:
                start = k
                break
    return " ".join(tokens[start:end])


# --- acuity in a call type -------------------------------------------------------------------------

# Emergency medical dispatch determinant levels, most urgent first, and the priority each gives.
_ACUITY_LEVELS: Final[Mapping[str, int]] = MappingProxyType(
    {"echo": 1, "delta": 1, "charlie": 2, "bravo": 2, "alpha": 3, "omega": 4}
)
_ACUITY_WORD: Final = re.compile(r"\b(echo|delta|charlie|bravo|alpha|omega)\b")
# A determinant code such as "10-D-1", "17A1" or "26-O-1": protocol, level letter, number.
_DETERMINANT: Final = re.compile(r"\b(\d{1,2})\s?-?\s?([abcdeo])\s?-?\s?(\d{1,2})[a-z]?\b")
_LEVEL_LETTER: Final = MappingProxyType(
    {"e": "echo", "d": "delta", "c": "charlie", "b": "bravo", "a": "alpha", "o": "omega"}
)
# Chief-complaint protocols (1-33) whose nature adds to "medical": the signals they carry.
_PROTOCOL_SIGNALS: Final[Mapping[int, tuple[str, ...]]] = MappingProxyType(
    {
        4: ("violence",),  # assault / sexual assault
        7: ("fire",),  # burns / explosion
        8: ("fire",),  # carbon monoxide / inhalation / hazmat
        15: ("fire",),  # electrocution
        22: ("fire",),  # inaccessible incident / entrapment
        25: ("crisis",),  # psychiatric / abnormal behaviour / suicide attempt
        27: ("weapon", "violence"),  # stab / gunshot / penetrating trauma
        29: ("traffic",),  # traffic / transportation incidents
    }
)


def read_acuity(text: str) -> tuple[str, int, tuple[str, ...]] | None:
    """The acuity a call type states ("FALL - DELTA", "10D1", "26-O-1"): the words, its priority
    and the signals of its protocol (always medical). Read only in call types: in a narrative,
    "Charlie" is a name and "Delta" a street."""
    lowered = text.lower()
    match = _DETERMINANT.search(lowered)
    if match and 1 <= int(match.group(1)) <= 33:
        level = _LEVEL_LETTER[match.group(2)]
        extra = _PROTOCOL_SIGNALS.get(int(match.group(1)), ())
        return match.group(0), _ACUITY_LEVELS[level], ("medical", *extra)
    match = _ACUITY_WORD.search(lowered)
    if match:
        return match.group(0), _ACUITY_LEVELS[match.group(1)], ("medical",)
    return None
