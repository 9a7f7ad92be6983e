"""A unit's own socket (/ws/unit/): a filtered stream that still proves nothing was missed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


async def test_it_shows_the_current_call_and_the_other_units_on_it(
    socket, riley, acs_12, apd_2a31, make_call, assign
):
    call = await make_call(number="26-000301", agencies=["ACS", "POLICE"])
    await assign(call, acs_12)
    await assign(call, apd_2a31)

    async with socket("/ws/unit/", riley) as ws:
        snapshot = await ws.receive_json_from()

    assert snapshot["unit"]["call_sign"] == "ACS-12"
    assert snapshot["unit"]["call_number"] == "26-000301"
    assert snapshot["call"]["number"] == "26-000301"
    assert {u["unit"] for u in snapshot["call"]["units"]} == {"ACS-12", "APD-2A31"}


async def test_it_chains_a_units_events_past_those_of_other_units(
    socket, riley, acs_12, medic_12, make_call, assign, call_event
):
    mine = await make_call()
    other = await make_call(agencies=["FIRE_EMS"])
    await assign(mine, acs_12)
    await assign(other, medic_12)

    async with socket("/ws/unit/", riley) as ws:
        snapshot = await ws.receive_json_from()
        first = await call_event(mine)
        await call_event(other)  # not on ACS-12's stream
        second = await call_event(mine)
        frames = [await ws.receive_json_from(), await ws.receive_json_from()]
        assert await ws.receive_nothing()

    assert [f["id"] for f in frames] == [first.id, second.id]
    assert frames[0]["prev"] == snapshot["last_event_id"]
    assert frames[1]["prev"] == first.id
    assert second.id == first.id + 2  # the gap in ids is not a gap in this stream


async def test_it_pushes_scene_safe_to_the_waiting_acs_unit(
    socket, riley, pete, acs_12, apd_2a31, make_call, assign
):
    from channels.db import database_sync_to_async

    from calls.services import assignment_scene_safe

    call = await make_call(
        agencies=["POLICE", "ACS"], lead="POLICE", mode="POLICE_LEAD_ACS_FOLLOW", weapons="YES"
    )
    police = await assign(call, apd_2a31)
    await assign(call, acs_12)

    async with socket("/ws/unit/", riley) as ws:
        snapshot = await ws.receive_json_from()
        assert snapshot["call"]["police_first"] == "weapon (caller answered yes)"
        assert snapshot["call"]["scene_safe_at"] is None
        await database_sync_to_async(assignment_scene_safe)(assignment=police, actor=pete)
        frame = await ws.receive_json_from()

    assert frame["kind"] == "assignment.scene_safe"
    assert frame["prev"] == snapshot["last_event_id"]
    assert frame["data"]["scene_safe"]["unit"] == "APD-2A31"
    assert frame["data"]["call"]["scene_safe_at"] == frame["data"]["scene_safe"]["at"]
