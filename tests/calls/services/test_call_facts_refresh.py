"""The KPI read model (CallFact, StepFact) follows calls changed through the services, and the KPIs
read from it equal the live computation over the same rows (issue 14)."""

from __future__ import annotations

import datetime as dt
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from calls.models import Assignment, Call, CallFact, KpiCount, KpiPeriod, StepFact
from calls.selectors.kpis import kpis_compute, kpis_facts_complete, kpis_period
from calls.services import (
    assignment_acknowledge,
    assignment_clear,
    backup_request,
    call_agency_waive,
    call_close,
    call_override,
    unit_assign,
    unit_status_change,
)
from calls.services.kpi_facts import call_facts_rebuild, kpi_periods_build

# 23:50 MST on the eve of the spring DST change: the calls run across local midnight and 02:00 MST.
START_AT = dt.datetime(2026, 3, 8, 6, 50, tzinfo=dt.UTC)
RANGE = (dt.date(2026, 3, 7), dt.date(2026, 3, 9))
NOW = dt.datetime(2026, 3, 9, 12, 0, tzinfo=dt.UTC)


def facts_rows() -> tuple[list[tuple], list[tuple]]:
    calls = list(CallFact.objects.order_by("call_id").values_list())
    steps = sorted(
        StepFact.objects.values_list("call_id", "step", "priority", "agency", "seconds", "zone_id")
    )
    return calls, steps


def live_kpis(start: dt.date = RANGE[0], end: dt.date = RANGE[1], **kwargs) -> dict:
    """The answer of the live SQL over the same rows (the read model is there, and not read)."""
    with patch("calls.selectors.kpis.kpis_facts_complete", return_value=False):
        return kpis_compute(start=start, end=end, now=NOW, **kwargs)


@pytest.fixture
def worked(make_call, dana, acs_12, apd_2a31, medic_12):
    """Four calls worked through the services over the night of the DST change."""
    calls = {}
    with time_machine.travel(START_AT, tick=False) as clock:

        def later(minutes: int) -> None:
            clock.shift(dt.timedelta(minutes=minutes))

        # Served by ACS: assigned, acknowledged, en route, on scene, closed with a destination-free outcome.
        calls["served"] = make_call(call_type="5150")
        later(3)
        served = unit_assign(call=calls["served"], unit=acs_12, actor=dana)
        later(1)
        assignment_acknowledge(assignment=served, actor=dana)
        later(2)
        unit_status_change(unit=acs_12, status="EN_ROUTE", actor=dana)
        later(9)
        unit_status_change(unit=acs_12, status="ON_SCENE", actor=dana)
        later(5)
        backup_request(
            call=calls["served"], unit=acs_12, agency="POLICE", reason=" Man became AGGRESSIVE ", actor=dana
        )
        later(35)  # closed at 00:45 MST, on the day after it was received
        call_close(call=calls["served"], disposition="ACS-RA", actor=dana)

        # Kicked back: the ACS unit leaves for police, who close the call.
        later(5)
        calls["kicked"] = make_call(call_type="WELCK")
        later(2)
        first = unit_assign(call=calls["kicked"], unit=acs_12, actor=dana)
        later(20)
        assignment_clear(assignment=first, reason="subject wants police", actor=dana)
        later(1)
        unit_assign(call=calls["kicked"], unit=apd_2a31, actor=dana, override_reason="ACS left")
        later(30)
        call_close(call=calls["kicked"], disposition="K", actor=dana)

        # Overridden to police by a dispatcher, still waiting; received at 03:13 MDT.
        later(30)
        calls["overridden"] = make_call(call_type="5150")
        later(1)
        call_override(
            call=calls["overridden"], agencies=["POLICE"], lead="POLICE", priority=2,
            reason="caller known to be armed", actor=dana,
        )  # fmt: skip

        # No ACS team: waived, then a medic works it.
        later(6)
        calls["waived"] = make_call(call_type="WELCK")
        call_agency_waive(call=calls["waived"], agency="ACS", reason="no ACS team on shift", actor=dana)
        later(3)
        unit_assign(call=calls["waived"], unit=medic_12, actor=dana, override_reason="nobody else")
    return calls


def test_it_writes_the_facts_of_each_call_in_the_transaction_that_changes_it(worked):
    calls, steps = facts_rows()

    assert [row[0] for row in calls] == sorted(c.pk for c in worked.values())
    served = CallFact.objects.get(call_id=worked["served"].pk)
    assert (served.eligible, served.served, served.led, served.missed_reason) == (1, 1, 1, "")
    assert served.day == dt.date(2026, 3, 7)  # 23:50 MST
    assert served.hour == 23
    assert (served.status, served.disposition) == ("CLOSED", "ACS-RA")
    kicked = CallFact.objects.get(call_id=worked["kicked"].pk)
    assert (kicked.kicked_back, kicked.missed_reason, kicked.detail) == (
        1,
        "sent_back_to_police",
        "subject wants police",
    )
    overridden = CallFact.objects.get(call_id=worked["overridden"].pk)
    assert (overridden.missed_reason, overridden.detail) == ("overridden", "caller known to be armed")
    assert (overridden.day, overridden.hour) == (dt.date(2026, 3, 8), 3)
    waived = CallFact.objects.get(call_id=worked["waived"].pk)
    # Still open: "open" comes before "no_acs_unit" (calls.selectors.kpis).
    assert (waived.missed_reason, waived.fire_ems_assigned, waived.first_assigned_at) == (
        "open",
        1,
        START_AT + dt.timedelta(minutes=153),
    )
    # The served call: queue 3 min, acknowledge 1, en route -> on scene 9, on scene 40, closed after
    # 55 (SQLite's julianday is exact to a few microseconds only).
    timed = {(step, agency): round(s, 1) for call_id, step, _, agency, s, _ in steps if call_id == served.pk}
    assert timed == {
        ("queue", "ACS"): 180.0,
        ("acknowledge", "ACS"): 60.0,
        ("en_route", "ACS"): 540.0,
        ("on_scene", "ACS"): 2400.0,
        ("close", "ACS"): 3300.0,
    }


def test_it_keeps_the_facts_equal_to_a_rebuild_from_the_rows(worked):
    refreshed = facts_rows()

    call_facts_rebuild()

    assert facts_rows() == refreshed


def test_it_answers_the_kpis_from_the_facts_as_the_live_sql_does(worked):
    since, until = kpis_period(start=RANGE[0], end=RANGE[1])
    assert kpis_facts_complete(since=since, until=until, zone=None)
    from_facts = kpis_compute(start=RANGE[0], end=RANGE[1], now=NOW)

    live = live_kpis()

    assert from_facts["acs"]["eligible"] == 4
    assert from_facts["acs"]["kickbacks"]["calls"] == 1
    assert from_facts["backups"]["reasons"] == [
        {"reason": "man became aggressive", "agency": "POLICE", "requests": 1}
    ]
    assert from_facts == live


def test_it_answers_a_zone_from_the_facts_as_the_live_sql_does(worked):
    zone = worked["served"].zone.name
    from_facts = kpis_compute(start=RANGE[0], end=RANGE[1], now=NOW, zone=zone)

    assert from_facts == live_kpis(zone=zone)


def test_it_falls_back_to_the_live_sql_for_calls_written_around_the_services(worked, acs_12):
    since, until = kpis_period(start=RANGE[0], end=RANGE[1])
    CallFact.objects.filter(call_id=worked["waived"].pk).delete()

    assert not kpis_facts_complete(since=since, until=until, zone=None)
    assert kpis_compute(start=RANGE[0], end=RANGE[1], now=NOW)["acs"]["eligible"] == 4


def test_it_keeps_the_city_clock_of_the_facts(worked):
    tz = ZoneInfo(settings.CITY_TIME_ZONE)
    for fact in CallFact.objects.all():
        local = fact.received_at.astimezone(tz)
        assert (fact.day, fact.hour) == (local.date(), local.hour)
    assert Assignment.objects.count() == 4


def test_it_answers_from_the_cached_days_and_months_as_the_live_sql_does(worked):
    """March is cached whole (its step counts by bucket); the live SQL sorts every step."""
    built = kpi_periods_build(before=dt.date(2026, 4, 1))
    march = kpis_compute(start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 1), now=NOW)

    assert built == {
        "days": 25,
        "months": 1,
        "days_left_out": 0,
    }  # 03-07 (the first call's day) to 03-31; March
    assert KpiCount.objects.filter(kind="month", metric="step").exists()
    assert march == live_kpis(dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def test_it_drops_the_cached_counts_of_a_day_when_one_of_its_calls_changes(worked, dana):
    kpi_periods_build(before=dt.date(2026, 4, 1))

    with time_machine.travel(dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC)):
        call_close(call=worked["overridden"], disposition="K", actor=dana)

    cached = set(KpiPeriod.objects.values_list("kind", "start"))
    assert ("day", dt.date(2026, 3, 8)) not in cached and ("month", dt.date(2026, 3, 1)) not in cached
    assert ("day", dt.date(2026, 3, 7)) in cached
    assert not KpiCount.objects.filter(kind="day", start=dt.date(2026, 3, 8)).exists()
    from_cache = kpis_compute(start=RANGE[0], end=RANGE[1], now=NOW)
    assert from_cache["volume"]["by_status"]["CLOSED"] == 3
    assert from_cache == live_kpis()


def test_it_leaves_a_day_with_calls_written_around_the_services_out_of_the_cache(worked):
    Call.objects.create(number="26-BULK1", received_at=START_AT + dt.timedelta(hours=3), status="PENDING")

    built = kpi_periods_build(before=dt.date(2026, 4, 1))

    assert built["days_left_out"] == 1  # 03-08; and so March is not cached whole either
    assert built["months"] == 0
    from_facts = kpis_compute(start=RANGE[0], end=RANGE[1], now=NOW)
    assert from_facts["volume"]["total"] == 5
    assert from_facts == live_kpis()


def test_it_counts_a_call_waiting_since_the_day_before_at_the_start_of_a_period(worked):
    later = (dt.date(2026, 3, 10), dt.date(2026, 3, 11))  # the overridden call still waits, 2 days on
    now = dt.datetime(2026, 3, 11, 7, 0, tzinfo=dt.UTC)

    coverage = kpis_compute(start=later[0], end=later[1], now=now)["coverage"]

    assert CallFact.objects.get(call_id=worked["overridden"].pk).long_wait == 1
    assert CallFact.objects.get(call_id=worked["served"].pk).long_wait == 0
    assert {r["calls_waiting"] for r in coverage} == {1}
    with patch("calls.selectors.kpis.kpis_facts_complete", return_value=False):
        assert kpis_compute(start=later[0], end=later[1], now=now)["coverage"] == coverage


def test_it_adds_the_time_of_a_unit_still_on_a_call_to_a_cached_month(worked, dana, medic_12):
    april = dt.datetime(2026, 4, 2, 12, 0, tzinfo=dt.UTC)
    march = {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 4, 1), "now": april}
    kpi_periods_build(before=dt.date(2026, 4, 1))

    cached = kpis_compute(**march)["utilisation"]

    medic = {r["unit"]: r for r in cached}["MEDIC-12"]
    # Still on the waived call since 03-08 03:23 MDT (09:23 UTC): to the end of March, local time.
    assert (
        medic["committed_s"]
        == (dt.datetime(2026, 4, 1, 6, 0, tzinfo=dt.UTC) - START_AT).total_seconds() - 153 * 60
    )
    with patch("calls.selectors.kpis.kpis_facts_complete", return_value=False):
        assert kpis_compute(**march)["utilisation"] == cached

    with time_machine.travel(april):
        assignment_clear(assignment=Assignment.objects.get(unit=medic_12), reason="back", actor=dana)

    assert not KpiPeriod.objects.filter(kind="month", start=dt.date(2026, 3, 1)).exists()
    assert kpis_compute(**march)["utilisation"] == cached
