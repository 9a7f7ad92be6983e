"""Two deadline sweeps at once (two beats by mistake, a redelivered task) on PostgreSQL:
every alert exists once, every escalation happens once, and none is lost.

Run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest

from calls.models import Alert, Assignment, Call
from calls.services.timers import deadlines_sweep
from live.models import Event
from responders.models import Unit
from responders.services import unit_ensure
from tests.conftest import CURRENT_TIME

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(now: dt.datetime) -> list[dict[str, int]]:
    from django.db import connection

    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(deadlines_sweep(now=now))
        except BaseException as exc:  # reported by the test below, not swallowed
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    return results


def _queue_call(n: int) -> Call:
    """An ACS priority 2 call waiting in the queue since CURRENT_TIME (rows written directly: the
    race under test is the sweep's, not intake's)."""
    return Call.objects.create(
        number=f"26-R{n:05d}",
        received_at=CURRENT_TIME,
        narrative="talking to himself, calm, no weapons",
        lat=35.0844,
        lon=-106.6504,
        agencies=["ACS"],
        lead="ACS",
        priority=2,
        status=Call.Status.PENDING,
    )


def test_it_raises_each_alert_once_when_two_sweeps_race(zones, acs_12, now):
    units = [acs_12] + [
        unit_ensure(
            call_sign=f"ACS-{20 + i}",
            agency="ACS",
            capabilities=["behavioral_health"],
            home_zone=zones["Valley"],
            lat=35.08 + i / 1000,
            lon=-106.65,
        )[0]
        for i in range(6)
    ]
    calls = [_queue_call(n) for n in range(10)]
    # Five assignments never acknowledged (to be warned, then unassigned), one unit on scene
    # (ACS-12), four calls left in the queue.
    for call, unit in zip(calls[:6], units[1:6] + [acs_12], strict=True):
        Assignment.objects.create(call=call, unit=unit, assigned_at=CURRENT_TIME)
        on_scene = unit == acs_12
        Unit.objects.filter(pk=unit.pk).update(
            status=Unit.Status.ON_SCENE if on_scene else Unit.Status.DISPATCHED, status_since=CURRENT_TIME
        )
        Call.objects.filter(pk=call.pk).update(
            status=Call.Status.ON_SCENE if on_scene else Call.Status.DISPATCHED
        )
    Assignment.objects.filter(unit=acs_12).update(acknowledged_at=CURRENT_TIME, on_scene_at=CURRENT_TIME)

    warned = _race(CURRENT_TIME + dt.timedelta(seconds=1800))
    escalated = _race(CURRENT_TIME + dt.timedelta(seconds=3600))

    alerts = Counter((a.kind, a.level) for a in Alert.objects.all())
    # Both sweeps run past both limits of the acknowledgement and queue clocks, so each clock gets
    # its escalation alone, never a warning superseded the same instant (issue 12).
    assert alerts == {
        ("ACK", 2): 5,
        ("QUEUE", 2): 9,  # the four waiting, and the five put back in the queue
        ("ON_SCENE", 1): 1,
        ("ON_SCENE", 2): 1,
    }
    # Nothing doubled, nothing lost: the two racers together raised each alert exactly once.
    raised_by_racers = sum(sum(r.values()) for r in warned + escalated)
    assert raised_by_racers == Alert.objects.count()
    assert Event.objects.filter(kind="alert.raised").count() == Alert.objects.count()
    assert Event.objects.filter(kind="unit.unassigned").count() == 5
    assert Assignment.objects.filter(cleared_at__isnull=True).count() == 1
    ids = list(Event.objects.order_by("id").values_list("id", flat=True))
    assert ids == list(range(ids[0], ids[0] + len(ids)))  # the event log stayed gap-free
