from __future__ import annotations

import pytest

from acs_dispatch.exceptions import NotAllowed
from calls.models import ClinicalNote
from calls.services import clinical_note_add
from tests.calls.support import assign

NOTE = "Reports voices for 3 days; off meds since October."


def test_it_sends_the_note_only_to_the_acs_supervisor_and_the_acs_units_on_the_call(
    make_call, dana, riley, acs_12, apd_2a31, capture_events
):
    call = make_call(call_type="5150")
    assign(call, acs_12, dana)
    assign(call, apd_2a31, dana)

    with capture_events() as pushed:
        note = clinical_note_add(call=call, text=NOTE, actor=riley)

    assert note.author == riley
    assert {stream for stream, frame in pushed} == {"supervisor", f"unit.{acs_12.pk}"}
    assert all(frame["data"]["note"]["text"] == NOTE for _, frame in pushed)
    assert NOTE not in str(pushed[0][1]["data"]["call"])


@pytest.mark.parametrize("persona", ["pete", "dana", "carla"])
def test_it_refuses_a_note_from_anyone_outside_acs(request, make_call, dana, acs_12, apd_2a31, persona):
    call = make_call(call_type="5150")
    assign(call, apd_2a31, dana)

    with pytest.raises(NotAllowed):
        clinical_note_add(call=call, text=NOTE, actor=request.getfixturevalue(persona))

    assert not ClinicalNote.objects.exists()


def test_it_refuses_a_note_from_an_acs_responder_not_on_the_call(make_call, riley):
    with pytest.raises(NotAllowed):
        clinical_note_add(call=make_call(call_type="5150"), text=NOTE, actor=riley)


def test_it_lets_the_acs_supervisor_write_a_note(make_call, sam):
    note = clinical_note_add(call=make_call(call_type="5150"), text=NOTE, actor=sam)

    assert ClinicalNote.objects.get() == note
