"""Fixtures of the alert tests: calls in the queue, units on them, and the sweep at an offset.

Time is pinned by the `now` fixture (tests/calls/conftest.py: CURRENT_TIME, not ticking): rows are
created at CURRENT_TIME, and `sweep(after=seconds)` runs the deadline sweep that much later.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import CURRENT_TIME


@pytest.fixture
def sweep():
    from calls.services.timers import deadlines_sweep

    def run(*, after: float) -> dict[str, int]:
        return deadlines_sweep(now=CURRENT_TIME + dt.timedelta(seconds=after))

    return run


@pytest.fixture
def acs_call(make_call, now):
    """A mental-health crisis downtown: ACS alone, priority 2."""
    return make_call(call_type="5150", narrative="talking to himself, calm, no weapons")


@pytest.fixture
def police_call(make_call, now):
    """A disturbance downtown: police."""
    return make_call(call_type="415", narrative="two neighbours shouting in the street")


@pytest.fixture
def assign(dana):
    from calls.services import unit_assign

    def run(call, unit):
        return unit_assign(call=call, unit=unit, actor=dana)

    return run
