from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from live.models import Event
from responders.avl_services import unit_avl_token_issue, unit_positions_flush, unit_positions_purge
from responders.models import UnitPosition


def fix(now, seconds_ago, lat=35.09, lon=-106.62, **extra):
    return {"lat": lat, "lon": lon, "at": (now - dt.timedelta(seconds=seconds_ago)).isoformat(), **extra}


def url(unit):
    return f"/api/v1/units/{unit.call_sign}/positions"


def test_it_takes_a_batch_from_the_crew_s_tablet_and_moves_the_unit(
    api_as, riley, acs_12, now, capture_events
):
    body = {"positions": [fix(now, 10, 35.10, -106.60, speed=12.5, heading=90), fix(now, 5, 35.11, -106.61)]}

    with capture_events() as pushed:
        response = api_as(riley).post(url(acs_12), body, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "accepted": 2,
        "dropped": {"out_of_order": 0, "stale": 0, "future": 0},
        "pushed": True,
    }
    acs_12.refresh_from_db()
    assert (acs_12.lat, acs_12.lon, acs_12.position_at) == (35.11, -106.61, now - dt.timedelta(seconds=5))
    assert list(UnitPosition.objects.filter(unit=acs_12).order_by("at").values_list("lat", "speed")) == [
        (35.10, 12.5),
        (35.11, None),
    ]
    moved = [frame for _, frame in pushed if frame["kind"] == "unit.moved"]
    assert {stream for stream, frame in pushed if frame["kind"] == "unit.moved"} == {
        "dispatch", "supervisor", f"unit.{acs_12.pk}"
    }  # fmt: skip
    assert moved[0]["data"]["unit"]["lat"] == 35.11


def test_it_sorts_a_batch_and_drops_fixes_older_than_the_last_position(api_as, riley, acs_12, now):
    api_as(riley).post(url(acs_12), {"positions": [fix(now, 20, 35.12)]}, format="json")

    response = api_as(riley).post(
        url(acs_12),
        {"positions": [fix(now, 5, 35.14), fix(now, 30, 35.10), fix(now, 10, 35.13)]},
        format="json",
    )

    assert response.json()["accepted"] == 2
    assert response.json()["dropped"]["out_of_order"] == 1
    acs_12.refresh_from_db()
    assert acs_12.lat == 35.14  # the newest, whatever the order in the batch


def test_it_drops_stale_and_future_fixes(api_as, riley, acs_12, now, settings):
    settings.AVL_MAX_FIX_AGE = 600
    body = {"positions": [fix(now, 601), fix(now, -3600), fix(now, 1, 35.2)]}

    response = api_as(riley).post(url(acs_12), body, format="json")

    assert response.json()["dropped"] == {"out_of_order": 0, "stale": 1, "future": 1}
    assert UnitPosition.objects.filter(unit=acs_12).count() == 1


def test_it_pushes_at_most_once_per_unit_per_interval(api_as, riley, acs_12, now, settings, capture_events):
    settings.AVL_PUSH_INTERVAL = 5
    api = api_as(riley)

    with capture_events() as pushed:
        results = []
        for second in range(12):  # a fix every second for 12 s
            with time_machine.travel(now + dt.timedelta(seconds=second), tick=False):
                at = now + dt.timedelta(seconds=second)
                body = {"positions": [{"lat": 35.09 + second / 1000, "lon": -106.62, "at": at.isoformat()}]}
                results.append(api.post(url(acs_12), body, format="json").json()["pushed"])

    assert results == [True, False, False, False, False, True, False, False, False, False, True, False]
    assert Event.objects.filter(kind="unit.moved", unit_id=acs_12.pk).count() == 3
    assert len([1 for s, f in pushed if f["kind"] == "unit.moved" and s == "dispatch"]) == 3
    assert UnitPosition.objects.filter(unit=acs_12).count() == 12


def test_it_sends_the_last_throttled_position_at_the_next_sweep(api_as, riley, acs_12, now, settings):
    settings.AVL_PUSH_INTERVAL = 5
    api_as(riley).post(url(acs_12), {"positions": [fix(now, 2, 35.10)]}, format="json")
    with time_machine.travel(now + dt.timedelta(seconds=1), tick=False):
        api_as(riley).post(url(acs_12), {"positions": [fix(now, 0, 35.20)]}, format="json")

    assert unit_positions_flush(now=now + dt.timedelta(seconds=2)) == 0  # interval not over
    assert unit_positions_flush(now=now + dt.timedelta(seconds=6)) == 1
    last = Event.objects.filter(kind="unit.moved").order_by("-id").first()
    assert last.data["unit"]["lat"] == 35.20
    assert unit_positions_flush(now=now + dt.timedelta(seconds=20)) == 0  # nothing new


def test_it_takes_a_vehicle_modem_s_batch_with_the_unit_s_token(api_as, acs_12, now):
    token = unit_avl_token_issue(unit=acs_12)
    api = api_as(None)

    good = api.post(url(acs_12), {"positions": [fix(now, 1)]}, format="json", HTTP_X_AVL_TOKEN=token)
    bad = api.post(url(acs_12), {"positions": [fix(now, 0)]}, format="json", HTTP_X_AVL_TOKEN="guess")

    assert good.status_code == 200 and good.json()["accepted"] == 1
    assert bad.status_code == 403


def test_it_refuses_another_unit_s_token(api_as, acs_12, apd_2a31, now):
    token = unit_avl_token_issue(unit=apd_2a31)

    response = api_as(None).post(
        url(acs_12), {"positions": [fix(now, 1)]}, format="json", HTTP_X_AVL_TOKEN=token
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("persona", "code"), [("pete", 403), ("dana", 403), ("carla", 403), ("otto", 403), (None, 401)]
)
def test_it_refuses_everyone_but_the_crew_and_the_modem(api_as, acs_12, pete, now, persona, code, request):
    user = request.getfixturevalue(persona) if persona else None

    response = api_as(user).post(url(acs_12), {"positions": [fix(now, 1)]}, format="json")

    assert response.status_code == code
    assert UnitPosition.objects.count() == 0


def test_it_answers_400_for_a_malformed_fix(api_as, riley, acs_12, now):
    response = api_as(riley).post(
        url(acs_12), {"positions": [{"lat": 135, "lon": -106.6, "at": "yesterday"}]}, format="json"
    )

    assert response.status_code == 400
    assert UnitPosition.objects.count() == 0


def test_it_answers_400_for_an_empty_batch(api_as, riley, acs_12):
    assert api_as(riley).post(url(acs_12), {"positions": []}, format="json").status_code == 400


def test_it_purges_the_track_past_its_retention(acs_12, riley, api_as, now, settings):
    settings.AVL_TRACK_RETENTION_HOURS = 1
    api_as(riley).post(url(acs_12), {"positions": [fix(now, 60)]}, format="json")

    assert unit_positions_purge(now=now + dt.timedelta(minutes=30)) == 0
    assert unit_positions_purge(now=now + dt.timedelta(hours=2)) == 1
    assert UnitPosition.objects.count() == 0
