from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from calls.models import Call
from live.models import Event


def test_it_replays_real_calls_through_intake_and_triage(zones, call_types, rules):
    out = io.StringIO()

    call_command("replay_calls", "--limit", "12", "--speed", "0", stdout=out)

    calls = list(Call.objects.order_by("number"))
    assert len(calls) == 12
    assert all(c.status == Call.Status.PENDING and c.agencies and c.priority for c in calls)
    assert all(c.zone is not None for c in calls)  # a point inside a service zone each
    assert calls[0].narrative == "flag down/field initiated"  # the first real call of the file
    assert Event.objects.filter(kind="call.triaged").count() == 12
    assert "replayed 12 calls (0 refused)" in out.getvalue()


def test_it_refuses_to_replay_without_zones(db, call_types, rules):
    with pytest.raises(CommandError, match="seed_demo") as excinfo:
        call_command("replay_calls", "--limit", "1", "--speed", "0", stdout=io.StringIO())

    assert excinfo.value.returncode == 2
    assert not Call.objects.exists()


def test_it_refuses_a_negative_speed(zones):
    with pytest.raises(CommandError, match="--speed"):
        call_command("replay_calls", "--speed", "-1", stdout=io.StringIO())
