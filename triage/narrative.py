"""Reading a call-taker's free-text narrative: normalisation, the danger lexicon, negation scope.

Pure standard library, no I/O. Everything expensive (typo tables, the lexicon) is built once at
import; per call the work is one lowercase, two regex passes, one token loop and one scope loop.

Guarantees:
- `normalise_tokens` is deterministic and maps the same text to the same tokens; rule keywords go
  through it too, so "w/ gun" in a rule matches "W/GUN" in a narrative.
- Clause punctuation survives as its own token, so no phrase ever matches across a "," or ".".
- `token_polarity` marks each token PLAIN, NEGATED or HEDGED. A hedge ("might", "not sure if")
  wins over a negation inside its scope: an uncertain danger is treated as present (safety first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

# Signal categories of lexicon phrases. A "-" suffix marks an explicit denial ("unarmed").
WEAPON: Final = "weapons"
VIOLENCE: Final = "violence"
MEDICAL: Final = "medical"
CRISIS: Final = "crisis"
CRIME: Final = "crime_in_progress"
ACS_SCOPE: Final = "acs_scope"  # homelessness, intoxication, sleeping, welfare: ACS's own family
NEUTRAL: Final = "neutral"  # a phrase that only exists to hide a shorter one ("hit and run" hides "hit")

SIGNAL_NAMES: Final = (WEAPON, VIOLENCE, MEDICAL, CRISIS, CRIME)

PLAIN: Final = 0
NEGATED: Final = 1
HEDGED: Final = 2

CLAUSE_PUNCT: Final = frozenset({",", ".", ";", ":", "!", "?", "|"})

# --- normalisation -------------------------------------------------------------------------------

# Applied to the lowercased text before tokenising; order matters ("w/o" before "w/").
_PRE_SUBS: Final = (
    (re.compile(r"\bw/o\b"), " without "),
    (re.compile(r"\bw/"), " with "),
    (re.compile(r"\bb/c\b"), " because "),
    (re.compile(r"\by/o\b"), " year old "),
    (re.compile(r"\bwon't\b|\bwont\b"), "will not"),
    (re.compile(r"\bcan't\b|\bcant\b|\bcannot\b"), "can not"),
    (re.compile(r"\bain't\b"), "is not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"\bod'?e?d\b|\bo\.d\.'?d\b"), " overdosed "),
    (re.compile(r"\bo\.d\.?"), " overdose "),
    (re.compile(r"&"), " and "),
    (re.compile(r"@"), " at "),
)
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
        "susp": "suspect",
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
        "loc": "loss of consciousness",
        "cpr": "cpr",
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
        "panhandler": "panhandler",
        "skitzo": "schizophrenic",
        "schizo": "schizophrenic",
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
        "schizophrenia": "schizophrenia",
        "agressive": "aggressive",
        "agresive": "aggressive",
        "violant": "violent",
        "encampent": "encampment",
        "incampment": "encampment",
        "needels": "needles",
        "neeldes": "needles",
        "syringes": "syringes",
        "panhandeling": "panhandling",
    }
)

# Real words that the one-edit table must never "correct" into a danger word.
_PROTECTED_WORDS: Final = frozenset(
    {"violet", "treats", "seeping", "earing", "heater", "hooting", "eating", "eaten", "beater", "metal"}
)


def _expand_token(token: str) -> str:
    """The token after abbreviation and spelling fixes (may be several words)."""
    return ABBREVIATIONS.get(token) or MISSPELLINGS.get(token) or token


def _tokenise(text: str) -> list[str]:
    lowered = text.lower()
    for pattern, replacement in _PRE_SUBS:
        lowered = pattern.sub(replacement, lowered)
    tokens: list[str] = []
    for raw in _TOKEN_RE.findall(lowered):
        expanded = _expand_token(raw)
        if " " in expanded:
            tokens.extend(expanded.split())
        else:
            tokens.append(expanded)
    return tokens


# Harm verbs followed by a reflexive become "self <verb>": "going to kill himself" must read as a
# suicide risk, never as the violence phrase "going to kill" aimed at someone else.
_HARM_VERBS: Final = frozenset(
    {"kill", "killing", "hurt", "hurting", "harm", "harming", "cut", "cutting", "shoot", "shooting",
     "stab", "stabbing", "hang", "hanging", "off"}  # fmt: skip
)
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

    __slots__ = ("_typos",)

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
        self._typos: Mapping[str, str] = MappingProxyType({k: v for k, v in typos.items() if v is not None})

    def tokens(self, text: str) -> list[str]:
        """Normalised tokens of `text`: lowercase words and clause punctuation."""
        tokens = _tokenise(text)
        typos = self._typos
        for i, token in enumerate(tokens):
            fixed = typos.get(token)
            if fixed is not None:
                tokens[i] = fixed
            elif token in _REFLEXIVES and i > 0 and tokens[i - 1] in _HARM_VERBS:
                verb = tokens[i - 1]
                tokens[i - 1] = "self"
                tokens[i] = _HARM_VERB_BASE.get(verb, verb)
        return tokens


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """The tokens of a keyword phrase, without typo fixing (authors spell keywords on purpose)."""
    tokens = _tokenise(phrase)
    for i, token in enumerate(tokens):
        if token in _REFLEXIVES and i > 0 and tokens[i - 1] in _HARM_VERBS:
            verb = tokens[i - 1]
            tokens[i - 1] = "self"
            tokens[i] = _HARM_VERB_BASE.get(verb, verb)
    return tuple(t for t in tokens if t not in CLAUSE_PUNCT)


# --- negation and hedging ------------------------------------------------------------------------

_NEGATION_CUES: Final = frozenset(
    {"no", "not", "never", "without", "denies", "denied", "deny", "denying", "none", "nor", "neither", "non",
     "negative", "nothing"}  # fmt: skip
)
# Two-word cues that look like negations but are not ("no longer breathing" is a danger).
_PSEUDO_NEGATIONS: Final = frozenset({("no", "longer"), ("not", "only"), ("no", "doubt"), ("not", "just")})
_HEDGE_CUES: Final = frozenset(
    {"might", "may", "maybe", "possibly", "possible", "poss", "probably", "could", "unknown", "unsure",
     "unclear", "suspects", "believes", "believed", "thinks", "reportedly", "allegedly", "perhaps"}  # fmt: skip
)
_HEDGE_BIGRAMS: Final = frozenset(
    {("not", "sure"), ("not", "known"), ("not", "clear"), ("not", "certain"), ("could", "not"),
     ("did", "not"), ("does", "not"), ("do", "not")}  # fmt: skip
)
# "did not see a weapon" is still "unknown": a bigram above is a hedge only when followed by these.
_HEDGE_BIGRAM_NEEDS_NEXT: Final[Mapping[tuple[str, str], frozenset[str]]] = MappingProxyType(
    {
        ("could", "not"): frozenset({"tell", "see", "say"}),
        ("did", "not"): frozenset({"say", "know"}),
        ("does", "not"): frozenset({"know"}),
        ("do", "not"): frozenset({"know"}),
    }
)
# Scope of a cue ends at a clause boundary or a word that starts a new statement.
_SCOPE_ENDERS: Final = CLAUSE_PUNCT | frozenset(
    {"but", "however", "though", "although", "yet", "and", "then", "while", "when", "because", "who",
     "which", "except", "until", "after", "before", "now", "since", "or"}  # fmt: skip
)
# "no guns or knives": "or" continues a denial list, so it ends a scope only after a verb-like word.
_LIST_JOINERS: Final = frozenset({"or", "nor"})
_SCOPE_WINDOW: Final = 6


def token_polarity(tokens: list[str]) -> list[int]:
    """PLAIN / NEGATED / HEDGED for each token, from the cues before it in the same clause.

    A cue covers at most the next six tokens and stops at a clause boundary or at a scope ender
    ("but", "and", ...). A hedge inside a negation, or a negation inside a hedge, leaves HEDGED.
    """
    n = len(tokens)
    polarity = [PLAIN] * n
    i = 0
    while i < n:
        token = tokens[i]
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
            i += 1
            continue
        end = min(n, start + _SCOPE_WINDOW)
        j = start
        while j < end:
            word = tokens[j]
            if word in _SCOPE_ENDERS and not (word in _LIST_JOINERS and state == NEGATED):
                break
            if polarity[j] != HEDGED:
                polarity[j] = state
            j += 1
        i += 1
    return polarity


# --- the lexicon ---------------------------------------------------------------------------------

W, V, M, C, X, A, N = WEAPON, VIOLENCE, MEDICAL, CRISIS, CRIME, ACS_SCOPE, NEUTRAL


def _lex(categories: tuple[str, ...], *phrases: str) -> dict[str, tuple[str, ...]]:
    return {phrase: categories for phrase in phrases}


# phrase -> categories. A phrase inside a longer lexicon phrase that matched is ignored, so
# "choking her" (violence) hides "choking" (medical) and "hit by a car" hides "hit".
LEXICON: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        **_lex((W,), "gun", "guns", "handgun", "handguns", "firearm", "firearms", "pistol", "pistols",
               "rifle", "rifles", "shotgun", "revolver", "ar 15", "weapon", "weapons", "armed", "knife",
               "knives", "machete", "machetes", "blade", "sword", "axe", "hatchet", "box cutter",
               "boxcutter", "razor", "baseball bat", "a bat", "metal pipe", "crowbar", "with a hammer",
               "brandishing", "brandished", "shots", "shots fired", "gunshot", "gunshots", "gunfire",
               "shooting", "shooter", "shoot", "shot at", "deadly weapon", "concealed weapon",
               "unconcealed weapon", "opened fire", "firing at", "discharging firearm", "discharging",
               "shot spotter", "bullet", "bullets", "ammo", "ammunition", "taser", "explosive",
               "explosives", "grenade", "bomb", "pipe bomb", "gun point", "knife point", "pointing a gun",
               "self shoot", "self stab"),  # fmt: skip
        **_lex(("-" + W,), "unarmed", "no weapons seen", "no weapon seen"),
        **_lex((W, V), "stabbed", "stabbing", "stab", "shot him", "shot her", "shot them", "shot someone",
               "shooting at", "pulled a gun", "pulled a knife", "armed robbery", "hostage"),  # fmt: skip
        **_lex((W, V, M), "gunshot wound", "stab wound", "was shot", "been shot", "got shot",
               "been stabbed", "was stabbed"),  # fmt: skip
        **_lex((V,), "hit", "hits", "hitting", "punch", "punched", "punching", "punches", "kick",
               "kicked", "kicking", "slap", "slapped", "slapping", "beat her", "beat him", "beat up",
               "beating", "beaten", "assault", "assaulted", "assaulting", "attack", "attacked",
               "attacking", "fight", "fighting", "fights", "brawl", "choking her", "choking him",
               "choked her", "choked him", "choking someone", "strangle", "strangled", "strangling",
               "threatening", "threatened", "threatens", "threat", "threats", "kill him", "kill her",
               "kill them", "kill me", "kill you", "kill us", "kill everyone", "kill somebody",
               "kill someone", "kill his", "kill my", "murder", "murdered", "homicide", "violent",
               "violence", "domestic violence", "combative", "aggressive", "swinging at",
               "throwing punches", "shoving", "shoved", "pushed her", "pushed him", "pushing her",
               "grabbed her", "grabbed him", "rape", "raped", "sexual assault", "kidnap", "kidnapped",
               "kidnapping", "abducted", "abduction", "battery", "throwing rocks", "throwing things",
               "breaking things", "smashing things", "hurt her", "hurt him", "hurt someone",
               "going to hurt", "riot", "attack on"),  # fmt: skip
        **_lex((M,), "not breathing", "no longer breathing", "stopped breathing", "can not breathe",
               "trouble breathing", "difficulty breathing", "hard time breathing", "short of breath",
               "shortness of breath", "struggling to breathe", "unresponsive", "not responsive",
               "unconscious", "not conscious", "loss of consciousness", "will not wake up",
               "can not wake", "not waking up", "unarousable", "overdose", "overdosed", "overdosing",
               "overdoses", "narcan", "seizure", "seizures", "seizing", "convulsing", "chest pain",
               "chest pains", "stroke", "cardiac arrest", "heart attack", "cpr", "no pulse", "bleeding",
               "bleeding heavily", "blood everywhere", "lots of blood", "hemorrhage", "hemorrhaging",
               "injured", "injury", "injuries", "seriously hurt", "badly hurt", "fell down", "fallen",
               "a fall", "diabetic", "low blood sugar", "allergic reaction", "anaphylaxis",
               "turning blue", "blue lips", "foaming at the mouth", "vomiting blood", "not moving",
               "in labor", "burned", "burns", "drowning", "hit by a car", "hit by car", "hit by a vehicle",
               "struck by a car", "struck by a vehicle", "hypothermia", "frostbite", "choking",
               "altered mental status", "ambulance", "medical emergency", "laceration", "fainted"),  # fmt: skip
        **_lex((M, C), "cut his wrists", "cut her wrists", "cut wrists", "cut his wrist", "cut her wrist",
               "slit wrists", "slit his wrists", "slit her wrists", "took pills", "took a bunch of pills",
               "swallowed pills", "took a handful of pills", "self cut"),  # fmt: skip
        **_lex((C,), "suicidal", "suicide", "suicidal ideation", "wants to die", "want to die",
               "wanting to die", "end his life", "end her life", "end my life", "end their life",
               "end it all", "self kill", "self hurt", "self harm", "self hang", "self harming",
               "hearing voices", "hears voices", "seeing things", "hallucinating", "hallucinations",
               "psychosis", "psychotic", "mental health", "mental illness", "mentally ill", "mental",
               "schizophrenia", "schizophrenic", "bipolar", "off meds", "off his meds", "off her meds",
               "off their meds", "off medication", "off his medication", "off her medication",
               "not taking meds", "not taking his meds", "not taking her meds", "5150", "paranoid",
               "paranoia", "delusional", "delusions", "crisis", "manic", "depressed", "depression",
               "panic attack", "emotionally disturbed", "talking to himself", "talking to herself",
               "talking to themselves", "talking to self", "behavioral health", "psychiatric",
               "distraught", "despondent", "hopeless", "rambling", "incoherent", "erratic"),  # fmt: skip
        **_lex((X,), "breaking in", "break in", "broke in", "breaking into", "broke into", "burglary",
               "burglar", "burglars", "robbery", "robbing", "being robbed", "stealing", "shoplifting",
               "shoplifter", "shoplifters", "in progress", "carjacking", "car jacking", "prowler",
               "prowling", "casing", "tampering", "trying doors", "checking car doors",
               "smashing windows", "breaking windows", "smashing car windows", "breaking car windows",
               "vandalizing", "spray painting", "tagging", "stolen", "theft", "dui", "drunk driver",
               "drunk driving", "reckless driver", "street racing", "arson", "setting fire",
               "selling drugs", "drug deal", "dealing drugs", "looting", "hot prowl", "suspect there now",
               "forgery", "fraud in progress"),  # fmt: skip
        **_lex((A,), "homeless", "unhoused", "transient", "transients", "encampment", "encampments",
               "camp", "camping", "tent", "tents", "sleeping", "asleep", "sleeper", "sleeping bag",
               "passed out", "loitering", "loiterer", "loiterers", "panhandling", "panhandler",
               "panhandlers", "pan handling", "asking for money", "begging", "intoxicated", "drunk",
               "inebriated", "under the influence", "alcohol", "needle", "needles", "syringe",
               "syringes", "sharps", "welfare check", "check the welfare", "welfare", "check on",
               "confused", "dementia", "alzheimers", "wandering", "disoriented", "lying on the sidewalk",
               "laying on the sidewalk", "shopping cart"),  # fmt: skip
        **_lex((N,), "hit and run", "hit his head", "hit her head", "hit their head", "hit head",
               "hit my head", "hit the curb", "toy gun", "water gun", "nerf gun", "gun shop",
               "heart beat", "high school", "fire alarm", "camp fire", "not threatening",
               "shot spotter activation", "fight fire", "stroke of", "shots of"),  # fmt: skip
    }
)

LEXICON_VOCABULARY: Final = frozenset(word for phrase in LEXICON for word in phrase_tokens(phrase))
