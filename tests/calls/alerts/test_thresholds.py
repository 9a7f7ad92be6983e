"""Thresholds: defaults stored once, edited by admins only, always warn before escalating."""

from __future__ import annotations

import pytest

from acs_dispatch.exceptions import NotAllowed, ValidationFailed
from calls.models import DeadlineThreshold
from calls.policies import DEFAULT_THRESHOLDS
from calls.selectors.alerts import thresholds_effective
from calls.services.alerts import threshold_update, thresholds_ensure_defaults
from live.models import Event


def test_it_covers_every_clock_agency_and_priority_with_a_default():
    assert len(DEFAULT_THRESHOLDS) == 4 * 3 * 4
    assert all(escalate > warn > 0 for warn, escalate in DEFAULT_THRESHOLDS.values())
    assert DEFAULT_THRESHOLDS[("ACK", "POLICE", 1)] == (60, 120)


def test_it_stores_the_defaults_once_and_keeps_an_admins_edit(db, ada):
    assert thresholds_ensure_defaults() == 48
    threshold_update(kind="ACK", agency="ACS", priority=4, warn_seconds=400, escalate_seconds=800, actor=ada)

    assert thresholds_ensure_defaults() == 0

    assert DeadlineThreshold.objects.count() == 48
    assert thresholds_effective()[("ACK", "ACS", 4)] == (400, 800)


def test_it_records_the_change_in_the_audit_log(db, ada):
    threshold_update(
        kind="QUEUE", agency="ACS", priority=4, warn_seconds=1800, escalate_seconds=7200, actor=ada
    )

    event = Event.objects.get(kind="threshold.updated")
    assert event.actor == ada
    assert event.data["before"] == [3600, 14400]
    assert event.data["after"] == [1800, 7200]


def test_it_refuses_anyone_but_an_admin(db, dana, sam):
    for user in (dana, sam):
        with pytest.raises(NotAllowed, match="Only an admin"):
            threshold_update(
                kind="ACK", agency="ACS", priority=1, warn_seconds=30, escalate_seconds=60, actor=user
            )

    assert not DeadlineThreshold.objects.exists()


def test_it_refuses_an_escalation_that_does_not_come_after_the_warning(db, ada):
    with pytest.raises(ValidationFailed) as refused:
        threshold_update(
            kind="ACK", agency="ACS", priority=1, warn_seconds=120, escalate_seconds=120, actor=ada
        )

    assert set(refused.value.extra["errors"]) == {"escalate_seconds"}


def test_it_refuses_an_unknown_clock_agency_or_priority(db, ada):
    with pytest.raises(ValidationFailed) as refused:
        threshold_update(
            kind="LUNCH", agency="NAVY", priority=7, warn_seconds=60, escalate_seconds=120, actor=ada
        )

    assert set(refused.value.extra["errors"]) == {"kind", "agency", "priority"}
