"""ACS clinical notes reach ACS screens only: never the dispatch board or a police unit."""

from __future__ import annotations

import pytest

from live.events import DISPATCH, event_append

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "client says he stopped taking lithium last week"


async def test_it_never_sends_a_clinical_note_to_the_dispatch_stream_or_a_police_unit(
    socket, dana, sam, riley, pete, acs_12, apd_2a31, make_call, assign, note_event
):
    call = await make_call(agencies=["ACS", "POLICE"])
    await assign(call, acs_12)
    await assign(call, apd_2a31)

    async with (
        socket("/ws/dispatch/", dana) as board,
        socket("/ws/unit/", pete) as police,
        socket("/ws/supervisor/", sam) as supervisor,
        socket("/ws/unit/", riley) as acs,
    ):
        for ws in (board, police, supervisor, acs):
            await ws.receive_json_from()
        await note_event(call, text=NOTE)
        to_supervisor = await supervisor.receive_json_from()
        to_acs = await acs.receive_json_from()
        assert await board.receive_nothing(timeout=0.2)
        assert await police.receive_nothing(timeout=0.05)

    assert to_supervisor["data"]["note"]["text"] == NOTE
    assert to_acs["data"]["note"]["text"] == NOTE


async def test_it_keeps_clinical_notes_out_of_the_dispatch_and_police_snapshots(
    socket, dana, sam, riley, pete, acs_12, apd_2a31, make_call, assign, note_event
):
    call = await make_call(agencies=["ACS", "POLICE"])
    await assign(call, acs_12)
    await assign(call, apd_2a31)
    await note_event(call, text=NOTE)

    snapshots = {}
    for name, path, user in [
        ("dispatch", "/ws/dispatch/", dana),
        ("police", "/ws/unit/", pete),
        ("supervisor", "/ws/supervisor/", sam),
        ("acs", "/ws/unit/", riley),
    ]:
        async with socket(path, user) as ws:
            snapshots[name] = await ws.receive_json_from()

    assert NOTE not in str(snapshots["dispatch"])
    assert NOTE not in str(snapshots["police"])
    assert snapshots["police"]["call"]["id"] == call.id  # the police unit does see the call itself
    assert [n["text"] for n in snapshots["supervisor"]["notes"]] == [NOTE]
    assert [n["text"] for n in snapshots["acs"]["notes"]] == [NOTE]


async def test_it_keeps_clinical_notes_out_of_a_police_units_replay(
    socket, pete, apd_2a31, acs_12, make_call, assign, note_event, call_event
):
    call = await make_call(agencies=["ACS", "POLICE"])
    await assign(call, acs_12)
    await assign(call, apd_2a31)
    await note_event(call, text=NOTE)
    await call_event(call)

    async with socket("/ws/unit/", pete) as ws:
        await ws.receive_json_from()
        await ws.send_json_to({"type": "resume", "after": 0})
        frames = []
        while (frame := await ws.receive_json_from())["type"] != "replayed":
            frames.append(frame)

    assert frames
    assert NOTE not in str(frames)


async def test_it_redacts_a_clinical_note_misaddressed_to_the_dispatch_stream(socket, dana):
    from channels.db import database_sync_to_async

    async with socket("/ws/dispatch/", dana) as ws:
        await ws.receive_json_from()
        await database_sync_to_async(event_append)(
            kind="note.added", actor=None, data={"note": {"text": NOTE}}, streams=[DISPATCH]
        )
        frame = await ws.receive_json_from()

    assert frame["kind"] == "note.added"
    assert frame["data"] == {"redacted": True}
