from __future__ import annotations

import pytest

from acs_dispatch.exceptions import ValidationFailed
from calls.events import call_summary
from calls.models import Call, CallerLanguage
from calls.services import call_create


def test_it_keeps_the_callers_language_and_the_interpreter_flag(make_call):
    call = make_call(caller_language="es", interpreter_needed=True)

    call.refresh_from_db()
    assert call.caller_language == CallerLanguage.SPANISH
    assert call.interpreter_needed is True


def test_it_refuses_a_language_not_in_the_list(carla, zones, call_types, rules):
    with pytest.raises(ValidationFailed) as refused:
        call_create(actor=carla, narrative="someone yelling", caller_language="xx")

    assert "caller_language" in refused.value.extra["errors"]
    assert Call.objects.count() == 0


def test_it_carries_the_language_in_the_call_summary(make_call):
    summary = call_summary(make_call(caller_language="nv"))

    assert summary["caller_language"] == "nv"
    assert summary["interpreter_needed"] is False


def test_it_lists_spanish_first_after_unknown():
    assert CallerLanguage.values[:2] == ["", "es"]
    assert set(CallerLanguage.values) == {"", "en", "es", "nv", "vi", "zh", "other"}
