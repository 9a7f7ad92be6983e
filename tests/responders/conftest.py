"""Fixtures of the responders tests: call types, dispositions and a small call factory.

(The same fixtures live in tests/calls/conftest.py; they would belong in tests/conftest.py.)
"""

from __future__ import annotations

import pytest
import time_machine

from tests.calls.support import CALL_TYPES, clear_units_index, make_call_factory, rules_publish


@pytest.fixture(autouse=True)
def _fresh_units_index():
    clear_units_index()
    yield
    clear_units_index()


@pytest.fixture
def call_types(db):
    from calls.services import call_types_load

    call_types_load(rows=CALL_TYPES)


@pytest.fixture
def dispositions(db):
    from calls.services import dispositions_load

    dispositions_load()


@pytest.fixture
def now():
    from tests.conftest import CURRENT_TIME

    with time_machine.travel(CURRENT_TIME, tick=False):
        yield CURRENT_TIME


@pytest.fixture
def rules(db):
    """A small rule set published as version 1 (tests.calls.support.RULES)."""
    return rules_publish()


@pytest.fixture
def make_call(carla, zones, call_types, rules, dispositions):
    """make_call(**fields) -> a triaged PENDING call entered by carla (downtown by default)."""
    return make_call_factory(carla)
