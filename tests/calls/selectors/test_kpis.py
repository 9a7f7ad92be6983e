"""Every KPI of calls.selectors.kpis on a seeded history whose answers were worked out by hand.

The history (America/Denver; MST = UTC-7 until 2026-03-08 02:00, MDT = UTC-6 after):
- C1 03-07 23:50 MST, ACS alone, P3: ACS-12 assigned 23:52, ack 23:53, en route 23:54, on scene
  00:04 (next day), cleared and closed ACS-RA 00:34. Crosses midnight; served and led by ACS.
- C2 03-08 01:30 MST, ACS alone, P2: ACS waived ("no ACS team on shift"); APD-2A31 assigned 01:40,
  ack 01:41, en route 01:45 MST, on scene 03:10 MDT (25 real minutes across the DST change),
  cleared and closed K 03:40 MDT. Missed: no ACS unit.
- C3 03-08 03:30 MDT, engine ACS alone, overridden to police ("caller known to be armed"); waiting.
- C4 03-08 10:00 MDT, Northeast, weapon guard: police lead, ACS follows (not eligible by the
  engine, eligible by nature); APD assigned 10:05, never acknowledged, closed K 10:45.
- C5 03-08 12:00 MDT, ACS alone, P3: ACS-12 assigned 12:10, ack 12:12, on scene 12:30, backup
  POLICE "man became aggressive" 12:40, cleared and closed ACS-HP 12:50: a kick-back.
- C6 03-08 14:00 MDT, police alone, P2: APD assigned 14:01, ack 14:03, backup FIRE_EMS "Injured
  person" 14:10, closed K 14:31.
- C7 03-08 23:30 MDT, ACS alone, P3: ACS-12 assigned 23:35, ack 23:36, en route 23:37, on scene
  23:47, still there; backup POLICE "  Man became AGGRESSIVE " 23:50.
- C8 03-08 15:00 MDT, ACS-eligible but a duplicate (closed 15:02): counted in volume only.
- Outside the range [03-07, 03-09): 03-06 23:59 MST and 03-09 00:30 MDT.
- MEDIC-12 out of service 03-08 13:30 to 15:10 UTC (unit.status_changed events).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from acs_dispatch.exceptions import ValidationFailed
from calls.models import Assignment, BackupRequest, Call, CallAgencyWaiver
from calls.selectors.kpis import kpis_compute, kpis_csv_rows, kpis_period
from live.models import Event

DENVER = ZoneInfo("America/Denver")
NOW = dt.datetime(2026, 3, 9, 12, 0, tzinfo=dt.UTC)
START, END = dt.date(2026, 3, 7), dt.date(2026, 3, 9)
ACS_ALONE = {"agencies": ["ACS"], "lead": "ACS", "mode": "ACS_ALONE", "acs_eligible": True}
POLICE_ALONE = {"agencies": ["POLICE"], "lead": "POLICE", "mode": "POLICE_ALONE", "acs_eligible": False}


def local(month: int, day: int, hour: int, minute: int) -> dt.datetime:
    """A wall-clock time in Albuquerque (zoneinfo resolves MST/MDT; the DST gap is never used)."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=DENVER)


_numbers = iter(range(1, 1000))


def call(received: dt.datetime, *, zone=None, priority=3, status="PENDING", **fields) -> Call:
    return Call.objects.create(
        number=f"26-9{next(_numbers):05d}",
        received_at=received,
        zone=zone,
        priority=priority,
        status=status,
        **{**ACS_ALONE, **fields},
    )


def assign(c: Call, unit, assigned, ack=None, en_route=None, on_scene=None, cleared=None, reason=""):
    return Assignment.objects.create(
        call=c,
        unit=unit,
        assigned_at=assigned,
        acknowledged_at=ack,
        en_route_at=en_route,
        on_scene_at=on_scene,
        cleared_at=cleared,
        cleared_reason=reason,
    )


def close(c: Call, at: dt.datetime, disposition: str) -> None:
    c.status, c.closed_at, c.disposition = Call.Status.CLOSED, at, disposition
    c.save(update_fields=["status", "closed_at", "disposition"])


def status_event(unit, at: dt.datetime, before: str, after: str) -> None:
    last = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    Event.objects.create(
        id=last + 1,
        kind="unit.status_changed",
        unit_id=unit.pk,
        data={"before": before, "after": after},
        created_at=at,
    )


@pytest.fixture
def history(zones, dispositions, acs_12, apd_2a31, medic_12):
    valley, northeast = zones["Valley"], zones["Northeast"]
    c = {}
    call(local(3, 6, 23, 59), zone=valley)  # the day before: outside
    call(local(3, 9, 0, 30), zone=valley)  # the day after: outside

    c[1] = call(local(3, 7, 23, 50), zone=valley)
    assign(c[1], acs_12, local(3, 7, 23, 52), local(3, 7, 23, 53), local(3, 7, 23, 54), local(3, 8, 0, 4),
           local(3, 8, 0, 34), "cleared: ACS-RA")  # fmt: skip
    close(c[1], local(3, 8, 0, 34), "ACS-RA")

    c[2] = call(local(3, 8, 1, 30), zone=valley, priority=2)
    CallAgencyWaiver.objects.create(call=c[2], agency="ACS", reason="no ACS team on shift")
    assign(c[2], apd_2a31, local(3, 8, 1, 40), local(3, 8, 1, 41), local(3, 8, 1, 45), local(3, 8, 3, 10),
           local(3, 8, 3, 40), "cleared: K")  # fmt: skip
    close(c[2], local(3, 8, 3, 40), "K")

    c[3] = call(
        local(3, 8, 3, 30),
        zone=valley,
        **POLICE_ALONE,
        original_decision={**ACS_ALONE, "priority": 3},
        override_reason="caller known to be armed",
        overridden_at=local(3, 8, 3, 32),
    )
    c[3].acs_eligible = True  # an override leaves the engine's eligibility as it was
    c[3].save(update_fields=["acs_eligible"])

    c[4] = call(
        local(3, 8, 10, 0),
        zone=northeast,
        priority=1,
        agencies=["POLICE", "ACS"],
        lead="POLICE",
        mode="POLICE_LEAD_ACS_FOLLOW",
        acs_eligible=False,
        acs_exclusion="weapon",
        triage_guards=["weapon"],
    )
    assign(c[4], apd_2a31, local(3, 8, 10, 5), cleared=local(3, 8, 10, 45), reason="call closed: K")
    close(c[4], local(3, 8, 10, 45), "K")

    c[5] = call(local(3, 8, 12, 0), zone=valley)
    assign(c[5], acs_12, local(3, 8, 12, 10), local(3, 8, 12, 12), None, local(3, 8, 12, 30),
           local(3, 8, 12, 50), "cleared: ACS-HP")  # fmt: skip
    BackupRequest.objects.create(
        call=c[5],
        unit=acs_12,
        agency="POLICE",
        reason="man became aggressive",
        requested_at=local(3, 8, 12, 40),
    )
    close(c[5], local(3, 8, 12, 50), "ACS-HP")

    c[6] = call(local(3, 8, 14, 0), zone=valley, priority=2, **POLICE_ALONE)
    assign(c[6], apd_2a31, local(3, 8, 14, 1), local(3, 8, 14, 3), cleared=local(3, 8, 14, 31))
    BackupRequest.objects.create(
        call=c[6], unit=apd_2a31, agency="FIRE_EMS", reason="Injured person", requested_at=local(3, 8, 14, 10)
    )
    close(c[6], local(3, 8, 14, 31), "K")

    c[7] = call(local(3, 8, 23, 30), zone=valley, status="ON_SCENE")
    assign(c[7], acs_12, local(3, 8, 23, 35), local(3, 8, 23, 36), local(3, 8, 23, 37), local(3, 8, 23, 47))
    BackupRequest.objects.create(
        call=c[7],
        unit=acs_12,
        agency="POLICE",
        reason="  Man became AGGRESSIVE ",
        requested_at=local(3, 8, 23, 50),
    )

    c[8] = call(
        local(3, 8, 15, 0), zone=valley, status="DUPLICATE", closed_at=local(3, 8, 15, 2), disposition="DUP"
    )

    status_event(medic_12, dt.datetime(2026, 3, 8, 13, 30, tzinfo=dt.UTC), "AVAILABLE", "OUT_OF_SERVICE")
    status_event(medic_12, dt.datetime(2026, 3, 8, 15, 10, tzinfo=dt.UTC), "OUT_OF_SERVICE", "AVAILABLE")
    return c


@pytest.fixture
def kpis(history):
    return kpis_compute(start=START, end=END, now=NOW)


def step(kpis, name, priority=None, agency=None):
    rows = [
        r for r in kpis["step_times"] if (r["step"], r["priority"], r["agency"]) == (name, priority, agency)
    ]
    assert len(rows) == 1, (name, priority, agency, kpis["step_times"])
    return rows[0]


def test_it_takes_the_range_from_local_midnight_to_local_midnight_across_the_spring_change():
    since, until = kpis_period(start=START, end=END)

    assert since == dt.datetime(2026, 3, 7, 7, 0, tzinfo=dt.UTC)  # MST
    assert until == dt.datetime(2026, 3, 9, 6, 0, tzinfo=dt.UTC)  # MDT: a 47-hour range


def test_it_counts_volume_by_local_day_hour_and_family_with_the_midnight_call_on_its_first_day(kpis):
    volume = kpis["volume"]

    assert volume["total"] == 8
    assert volume["by_day"] == [{"date": "2026-03-07", "calls": 1}, {"date": "2026-03-08", "calls": 7}]
    by_hour = {r["hour"]: r["calls"] for r in volume["by_hour"] if r["calls"]}
    assert by_hour == {1: 1, 3: 1, 10: 1, 12: 1, 14: 1, 15: 1, 23: 2}
    families = {(r["lead"], r["mode"]): r["calls"] for r in volume["by_family"]}
    assert families == {
        ("ACS", "ACS_ALONE"): 5,
        ("POLICE", "POLICE_ALONE"): 2,
        ("POLICE", "POLICE_LEAD_ACS_FOLLOW"): 1,
    }


def test_it_counts_eligible_calls_and_the_share_served_and_led_by_acs(kpis):
    acs = kpis["acs"]

    assert (acs["eligible"], acs["served"], acs["led"], acs["missed"]) == (6, 2, 2, 4)
    assert acs["share_led"] == 0.3333


def test_it_gives_each_missed_eligible_call_its_reason(kpis, history):
    acs = kpis["acs"]

    by_reason = {r["reason"]: r["calls"] for r in acs["missed_by_reason"]}
    assert by_reason == {"sent_back_to_police": 1, "overridden": 1, "guard": 1, "no_acs_unit": 1, "open": 0}
    missed = {r["number"]: (r["reason"], r["detail"]) for r in acs["missed_calls"]}
    assert missed == {
        history[2].number: ("no_acs_unit", "no ACS team on shift"),
        history[3].number: ("overridden", "caller known to be armed"),
        history[4].number: ("guard", "weapon"),
        history[5].number: ("sent_back_to_police", "closed as ACS-HP: handed to police"),
    }
    assert acs["missed_by_guard"] == [{"signal": "weapon", "calls": 1}]


def test_it_counts_kick_backs_among_the_calls_acs_led_and_worked(kpis, history):
    kick = kpis["acs"]["kickbacks"]

    assert (kick["calls"], kick["acs_led_worked"], kick["rate"]) == (1, 3, 0.3333)
    assert [k["number"] for k in kick["list"]] == [history[5].number]


def test_it_counts_a_kick_back_when_the_acs_unit_left_and_police_took_over(history, acs_12, apd_2a31):
    c = call(local(3, 8, 16, 0))
    assign(c, acs_12, local(3, 8, 16, 5), cleared=local(3, 8, 16, 20), reason="subject wants police")
    assign(c, apd_2a31, local(3, 8, 16, 21), cleared=local(3, 8, 16, 50), reason="call closed: K")
    close(c, local(3, 8, 16, 50), "K")

    kick = kpis_compute(start=START, end=END, now=NOW)["acs"]["kickbacks"]

    assert kick["calls"] == 2
    assert {k["number"]: k["detail"] for k in kick["list"]}[c.number] == "subject wants police"


def test_it_gives_median_and_p90_of_each_step_by_priority_and_agency(kpis):
    assert step(kpis, "queue") | {} == {
        "step": "queue", "priority": None, "agency": None, "count": 6, "median_s": 300.0, "p90_s": 600.0,
    }  # fmt: skip
    assert (step(kpis, "queue", 3, "ACS")["median_s"], step(kpis, "queue", 3, "ACS")["p90_s"]) == (
        300.0,
        600.0,
    )
    assert (step(kpis, "acknowledge")["count"], step(kpis, "acknowledge")["median_s"]) == (5, 60.0)
    assert step(kpis, "acknowledge")["p90_s"] == 120.0
    assert (
        step(kpis, "acknowledge", 3, "ACS")["median_s"],
        step(kpis, "acknowledge", 3, "ACS")["p90_s"],
    ) == (
        60.0,
        120.0,
    )
    # 01:45 MST to 03:10 MDT is 25 real minutes, not 85 on the wall clock.
    assert step(kpis, "en_route", 2, "POLICE")["median_s"] == 1500.0
    assert step(kpis, "en_route", 3, "ACS")["median_s"] == 600.0
    assert (step(kpis, "on_scene")["count"], step(kpis, "on_scene", 3, "ACS")["median_s"]) == (3, 1200.0)
    assert step(kpis, "on_scene", 3, "ACS")["p90_s"] == 1800.0
    # The midnight call: 23:50 to 00:34 is 44 minutes.
    assert step(kpis, "close", 3, "ACS")["median_s"] == 2640.0
    assert (step(kpis, "close")["count"], step(kpis, "close")["median_s"], step(kpis, "close")["p90_s"]) == (
        5,
        2700.0,
        4200.0,
    )


def test_it_gives_the_backup_request_rate_and_reasons(kpis):
    backups = kpis["backups"]

    assert backups["requests"] == 3
    assert backups["asked_for"] == {"POLICE": 2, "FIRE_EMS": 1}
    rates = {
        r["agency"]: (r["calls_worked"], r["calls_with_request"], r["rate"])
        for r in backups["by_requesting_agency"]
    }
    assert rates == {"ACS": (3, 2, 0.6667), "POLICE": (3, 1, 0.3333)}
    assert backups["reasons"] == [
        {"reason": "man became aggressive", "agency": "POLICE", "requests": 2},
        {"reason": "injured person", "agency": "FIRE_EMS", "requests": 1},
    ]


def test_it_gives_the_disposition_mix_of_closed_calls(kpis):
    mix = [(r["code"], r["lead"], r["calls"], r["acs_outcome"]) for r in kpis["dispositions"]]

    assert mix == [
        ("K", "POLICE", 2, False),
        ("ACS-HP", "ACS", 1, True),
        ("ACS-RA", "ACS", 1, True),
        ("K", "ACS", 1, False),
    ]


def test_it_counts_where_acs_took_people(history):
    from responders.models import Facility

    shelter = Facility.objects.create(name="Joy Junction", kind="SHELTER", capacity=300)
    Call.objects.filter(pk__in=[history[1].pk, history[5].pk]).update(destination=shelter)

    kpis = kpis_compute(start=START, end=END, now=NOW)

    assert kpis["destinations"] == [{"name": "Joy Junction", "kind": "SHELTER", "calls": 2}]
    assert ["destination", "Joy Junction", "SHELTER", "", 2] in kpis_csv_rows(kpis)


def test_it_gives_each_units_share_of_the_period_on_calls(kpis):
    by_unit = {r["unit"]: (r["assignments"], r["committed_s"], r["utilisation"]) for r in kpis["utilisation"]}

    # ACS-12: 42 min (C1) + 40 min (C5) + 25 min of C7 until the range ends = 6420 s of 47 h.
    assert by_unit["ACS-12"] == (3, 6420.0, round(6420 / 169200, 4))
    assert by_unit["APD-2A31"] == (3, 7800.0, round(7800 / 169200, 4))
    assert by_unit["MEDIC-12"] == (0, 0.0, 0.0)


def test_it_gives_coverage_at_the_start_of_each_hour(kpis):
    coverage = {r["hour"]: r for r in kpis["coverage"]}

    assert len(kpis["coverage"]) == 47
    assert coverage["2026-03-08T00:00:00-07:00"]["acs_units_busy"] == 1  # C1
    # The call of 03-06 is still waiting; 02:00 MST never happened; C3 waits from 03:30 MDT.
    assert coverage["2026-03-08T01:00:00-07:00"]["calls_waiting"] == 1
    assert coverage["2026-03-08T03:00:00-06:00"]["calls_waiting"] == 1
    assert coverage["2026-03-08T04:00:00-06:00"]["calls_waiting"] == 2
    # MEDIC-12 out of service from 13:30 to 15:10 UTC (07:30 to 09:10 MDT).
    on_duty = [coverage[f"2026-03-08T{h:02d}:00:00-06:00"]["units_on_duty"] for h in (7, 8, 9, 10)]
    assert on_duty == [3, 2, 2, 3]
    assert coverage["2026-03-08T09:00:00-06:00"]["acs_units_on_duty"] == 1


def test_it_narrows_every_kpi_to_a_zone(history):
    kpis = kpis_compute(start=START, end=END, zone="Northeast", now=NOW)

    assert kpis["volume"]["total"] == 1
    assert kpis["acs"]["missed_by_reason"][2] == {
        "reason": "guard",
        "label": "Excluded by a safety guard",
        "calls": 1,
    }
    assert step(kpis, "queue")["count"] == 1
    assert {r["unit"]: r["assignments"] for r in kpis["utilisation"]}["APD-2A31"] == 1


def test_it_counts_both_one_thirty_calls_of_the_autumn_change_in_hour_one(db, zones):
    call(dt.datetime(2026, 11, 1, 7, 30, tzinfo=dt.UTC))  # 01:30 MDT
    call(dt.datetime(2026, 11, 1, 8, 30, tzinfo=dt.UTC))  # 01:30 MST, an hour later

    kpis = kpis_compute(start=dt.date(2026, 10, 31), end=dt.date(2026, 11, 2), now=NOW.replace(month=12))

    assert kpis["volume"]["by_day"] == [{"date": "2026-11-01", "calls": 2}]
    assert kpis["volume"]["by_hour"][1] == {"hour": 1, "calls": 2}
    assert len(kpis["coverage"]) == 49  # 24 + 25 hours
    hours = [r["hour"] for r in kpis["coverage"]]
    assert "2026-11-01T01:00:00-06:00" in hours and "2026-11-01T01:00:00-07:00" in hours


def test_it_refuses_a_reversed_range_and_an_unknown_zone(db, zones):
    with pytest.raises(ValidationFailed, match="date range"):
        kpis_compute(start=END, end=START)
    with pytest.raises(ValidationFailed, match="Unknown zone"):
        kpis_compute(start=START, end=END, zone="Atlantis")


def test_it_writes_every_kpi_into_the_csv_rows(kpis, history):
    rows = kpis_csv_rows(kpis)
    sections = {r[0] for r in rows[1:]}

    assert {"volume_by_day", "acs", "acs_missed_call", "kickback_call", "step_time_median_s", "backup_rate",
            "disposition", "utilisation", "coverage"} <= sections  # fmt: skip
    assert ["acs", "eligible", "", "", 6] in rows
    assert ["acs_missed_call", history[3].number, "overridden", "caller known to be armed",
            history[3].received_at.astimezone(dt.UTC).isoformat()] in rows  # fmt: skip


@pytest.mark.postgres
def test_it_computes_the_same_answers_on_postgresql(kpis):
    """The SQL differs by database only in the epoch arithmetic; the answers must not."""
    test_it_gives_median_and_p90_of_each_step_by_priority_and_agency(kpis)
    assert kpis["acs"]["eligible"] == 6
