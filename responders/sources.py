"""What responders needs to know of the calls on the floor, handed in by the calls app.

Responders sits below calls and reads none of its models. A unit's summary (on the screens) names
the call it works, so the AVL push asks here for the unit's active assignment; calls registers the
provider at start-up (calls.apps.CallsConfig.ready). Without one, a unit works no call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Sources:
    # The unit's active assignment (with its call), or None.
    assignment_active: Callable[[Any], Any] = lambda unit: None


_sources = Sources()


def sources_register(**providers: Callable[..., Any]) -> None:
    for name, provider in providers.items():
        if not hasattr(_sources, name):
            raise TypeError(f"unknown responders source {name!r}")
        setattr(_sources, name, provider)


def sources_get() -> Sources:
    return _sources
