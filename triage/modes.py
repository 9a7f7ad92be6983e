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
EXCLUSIONS: Final = ("weapon", "violence", "medical", "crime_in_progress", "no_rule")
GUARDS: Final = ("weapon", "violence", "medical", "crime_in_progress", "no_rule")
MAX_KEYWORD_TOKENS: Final = 8
