"""manage.py set_role: the one way to move staff between roles, recorded and closing their screens."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from live.models import Event


def test_it_moves_a_dispatcher_to_the_supervisor_role_and_records_it(dana):
    call_command("set_role", "dana", "--role", "acs_supervisor")

    dana.refresh_from_db()
    assert dana.role == "acs_supervisor"
    event = Event.objects.get(kind="user.role_changed")
    assert event.data == {"username": "dana", "from": "dispatcher", "to": "acs_supervisor", "unit": None}


def test_it_binds_a_responder_to_a_unit(dana, acs_12):
    call_command("set_role", "dana", "--role", "responder", "--unit", "acs-12")

    dana.refresh_from_db()
    assert (dana.role, dana.unit_id) == ("responder", acs_12.pk)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "--role", "dispatcher"], "unknown user"),
        (["dana", "--role", "pilot"], "unknown role"),
        (["dana", "--role", "responder"], "must crew a unit"),
        (["dana", "--role", "responder", "--unit", "XX-1"], "unknown unit"),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(dana, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("set_role", *args)

    dana.refresh_from_db()
    assert dana.role == "dispatcher"
    assert not Event.objects.filter(kind="user.role_changed").exists()
