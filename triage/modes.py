"""The vocabulary of triage rules: agencies, co-response modes and condition kinds.

Shared by the engine (triage/engine.py) and rule validation (triage/validation.py); pure data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

POLICE: Final = "POLICE"
FIRE_EMS: Final = "FIRE_EMS"
ACS: Final = "ACS"
AGENCIES: Final = (POLICE, FIRE_EMS, ACS)

# The default city clock of time windows (Albuquerque); the selectors compile with settings.CITY_TIME_ZONE.
LOCAL_TZ: Final = ZoneInfo("America/Denver")


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
MODE_BY_SHAPE: Final = MappingProxyType({(m.lead, frozenset(m.agencies)): m.name for m in MODES.values()})

ANSWERS: Final = ("yes", "no", "unknown")
SCREENING_FIELDS: Final = ("weapons", "violence", "medical", "caller_is_subject")
KEYWORD_KINDS: Final = ("keywords_any", "keywords_all", "keywords_none")
CONDITION_KINDS: Final = ("call_types", *KEYWORD_KINDS, *SCREENING_FIELDS, "zones", "time_window", "always")
MAX_KEYWORD_TOKENS: Final = 8


# --- signals ---------------------------------------------------------------------------------------
# A signal is one thing read in the call type, the narrative or the screening answers. Safety
# signals are policy in code, not rules: each adds the agencies it requires to whatever the rule
# decided, and may take the lead from ACS. They combine instead of competing: a stabbing victim is
# weapon + violence + medical, so police lead and fire/EMS go too.


@dataclass(frozen=True)
class SignalPolicy:
    """What one safety signal requires of every decision it appears in."""

    kind: str
    label: str  # in plain words, for reasons and screens
    requires: tuple[str, ...]  # agencies that must be on the call
    police_lead: bool  # police must lead (scene safety first)
    # Who takes the lead when ACS would otherwise lead alongside this signal (None: ACS may lead).
    lead_over_acs: str | None
    default_priority: int  # when no rule matched and this signal decides


def _policy(
    kind: str,
    label: str,
    requires: tuple[str, ...],
    *,
    police_lead: bool = False,
    lead_over_acs: str | None = None,
    priority: int = 2,
) -> tuple[str, SignalPolicy]:
    return kind, SignalPolicy(kind, label, requires, police_lead, lead_over_acs, priority)


# In order of precedence: the first signal of a decision that excludes ACS names the exclusion.
SAFETY_SIGNALS: Final[Mapping[str, SignalPolicy]] = MappingProxyType(
    dict(
        [
            _policy("weapon", "a weapon", (POLICE,), police_lead=True, lead_over_acs=POLICE, priority=1),
            _policy("violence", "violence", (POLICE,), police_lead=True, lead_over_acs=POLICE, priority=1),
            # An attempt or a suicide in progress: police secure the means, fire/EMS treat; ACS follows.
            _policy(
                "suicide_attempt",
                "a suicide attempt",
                (POLICE, FIRE_EMS, ACS),
                police_lead=True,
                lead_over_acs=POLICE,
                priority=1,
            ),
            _policy("medical", "a medical emergency", (FIRE_EMS,), lead_over_acs=FIRE_EMS, priority=2),
            _policy("fire", "fire, rescue or a hazard", (FIRE_EMS,), lead_over_acs=FIRE_EMS, priority=1),
            _policy("crime_in_progress", "a crime in progress", (POLICE,), lead_over_acs=POLICE, priority=2),
            # Never ACS alone, by policy: death, missing endangered people, runaway juveniles,
            # protection-order violations, crimes and crashes are police matters first.
            _policy("death", "a death", (POLICE,), lead_over_acs=POLICE, priority=2),
            _policy(
                "missing_endangered",
                "a missing or endangered person",
                (POLICE,),
                lead_over_acs=POLICE,
                priority=2,
            ),
            _policy("runaway", "a runaway juvenile", (POLICE,), lead_over_acs=POLICE, priority=3),
            _policy(
                "order_violation",
                "a protection-order violation",
                (POLICE,),
                police_lead=True,
                lead_over_acs=POLICE,
                priority=2,
            ),
            _policy("traffic", "a traffic crash or hazard", (POLICE,), lead_over_acs=POLICE, priority=2),
            # A domestic dispute is a police call even when no one says "violence": it can turn.
            _policy("domestic", "a domestic dispute", (POLICE,), lead_over_acs=POLICE, priority=2),
            _policy("crime", "a crime report", (POLICE,), lead_over_acs=POLICE, priority=3),
            # An open line or a 911 hang-up is unknown trouble until an officer has checked.
            _policy(
                "unknown_trouble",
                "unknown trouble (open line, 911 hang-up)",
                (POLICE,),
                lead_over_acs=POLICE,
                priority=2,
            ),
        ]
    )
)
# Scope signals: they say what kind of call it is, and decide only when no rule matched.
SCOPE_SIGNALS: Final[Mapping[str, tuple[str, int]]] = MappingProxyType(
    {
        "police": (POLICE, 3),  # a police-service nature (alarm, suspicious person, report, patrol)
        "crisis": (ACS, 2),  # behavioral-health crisis, suicidal ideation without means
        "acs_scope": (ACS, 3),  # homelessness, intoxication, sleepers, welfare: ACS's own family
    }
)
SIGNAL_KINDS: Final = (*SAFETY_SIGNALS, *SCOPE_SIGNALS)
SIGNAL_STATES: Final = ("present", "suggested", "denied")
SIGNAL_SOURCES: Final = ("call_type", "narrative", "screening")

EXCLUSIONS: Final = (*SAFETY_SIGNALS, "no_rule")
GUARDS: Final = (*SAFETY_SIGNALS, "no_rule")
