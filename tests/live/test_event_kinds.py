"""The event log's vocabulary (live/kinds.py): one enum, every kind appended somewhere, nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from live.events import event_append
from live.kinds import EventKind
from live.models import Event

ROOT = Path(__file__).resolve().parents[2]
APPS = ("calls", "responders", "triage", "acs_dispatch", "live", "exchange")


def _source() -> str:
    return "\n".join(
        p.read_text()
        for app in APPS
        for p in (ROOT / app).rglob("*.py")
        # models.py: an index's SQL condition names a kind as the literal the column holds.
        if "migrations" not in p.parts and p.name not in ("kinds.py", "models.py")
    )


def test_it_appends_every_kind_somewhere():
    source = _source()
    unused = [k.name for k in EventKind if not re.search(rf"EventKind\.{k.name}\b", source)]
    assert unused == []


def test_it_names_every_kind_entity_dot_past_tense():
    for kind in EventKind:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", kind.value), kind


def test_it_leaves_no_bare_kind_string_in_the_services():
    source = _source()
    assert re.findall(r'\bkind="[a-z_]+\.[a-z_]+"', source) == []


@pytest.mark.django_db(transaction=True)
def test_it_refuses_an_unknown_kind():
    with pytest.raises(ValueError):
        event_append(kind="call.exploded", actor=None, data={}, streams=["audit"])
    assert Event.objects.count() == 0
