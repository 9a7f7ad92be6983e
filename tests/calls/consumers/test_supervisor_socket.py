"""The ACS supervisor's socket (/ws/supervisor/): ACS calls and units only, and today's figures."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from channels.db import database_sync_to_async
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

NOON_IN_ALBUQUERQUE = dt.datetime(2026, 11, 25, 19, 0, tzinfo=dt.UTC)  # MST, UTC-7


async def test_it_shows_acs_calls_and_units_only(socket, sam, acs_12, apd_2a31, medic_12, make_call):
    await make_call(number="26-000401", agencies=["ACS"])
    await make_call(number="26-000402", agencies=["POLICE"])

    async with socket("/ws/supervisor/", sam) as ws:
        snapshot = await ws.receive_json_from()

    assert [c["number"] for c in snapshot["calls"]] == ["26-000401"]
    assert [u["call_sign"] for u in snapshot["units"]] == ["ACS-12"]


@time_machine.travel(NOON_IN_ALBUQUERQUE, tick=True)
async def test_it_counts_todays_acs_calls_on_scene_times_and_backups(socket, sam, riley, acs_12, make_call):
    from calls.models import Assignment, BackupRequest

    now = timezone.now()
    await make_call(agencies=["ACS"], received_at=now - dt.timedelta(hours=13))  # yesterday in Albuquerque
    call = await make_call(agencies=["ACS"], received_at=now - dt.timedelta(minutes=20), status="ON_SCENE")
    await make_call(agencies=["ACS"], received_at=now - dt.timedelta(minutes=5))
    await make_call(agencies=["POLICE"], received_at=now - dt.timedelta(minutes=5))
    await database_sync_to_async(Assignment.objects.create)(
        call=call, unit=acs_12, on_scene_at=now - dt.timedelta(minutes=8)
    )
    await database_sync_to_async(BackupRequest.objects.create)(call=call, unit=acs_12, agency="POLICE")

    async with socket("/ws/supervisor/", sam) as ws:
        figures = (await ws.receive_json_from())["figures"]

    assert len(figures["calls"]) == 2
    assert figures["on_scene_seconds"] == {str(call.id): pytest.approx(12 * 60, abs=1)}
    assert figures["median_on_scene_seconds"] == pytest.approx(12 * 60, abs=1)
    assert len(figures["backups"]) == 1
