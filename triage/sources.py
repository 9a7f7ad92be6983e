"""What triage needs to know of the rest of the center, handed in by the apps that own it.

Triage is a leaf: it reads no other app's models. The rule editor still needs the call-type codes
and zone names a rule may name, and the what-if replay needs the center's recent calls; the calls
app registers those providers at start-up (calls.apps.CallsConfig.ready -> sources_register).
Without a provider (a test of the engine alone, a tool) each answers "nothing known".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Sources:
    # [(code, name)] of every call type, by code.
    call_types: Callable[[], list[tuple[str, str]]] = lambda: []
    # The names of the service zones a rule may name.
    zone_names: Callable[[], list[str]] = lambda: []
    # The city the service zones are of ("san-diego" in the demo), or "".
    zones_city: Callable[[], str] = lambda: ""
    # The center's last `limit` calls, newest first: [(CallInput fields as a dict, label)].
    recent_calls: Callable[[int], list[tuple[dict[str, Any], str]]] = lambda limit: []


_sources = Sources()


def sources_register(**providers: Callable[..., Any]) -> None:
    """Register the providers (keyword names: the fields of Sources)."""
    for name, provider in providers.items():
        if not hasattr(_sources, name):
            raise TypeError(f"unknown triage source {name!r}")
        setattr(_sources, name, provider)


def sources_get() -> Sources:
    return _sources
