"""The history search, the printable call record and the audit screens: who may open them, and what
the record shows."""

from __future__ import annotations

import pytest

from calls.services import call_override


@pytest.mark.parametrize("who", ["carla", "dana", "sam", "ada"])
def test_it_shows_the_history_search_to_staff_who_take_and_watch_calls(who, request, zones, client_as):
    response = client_as(request.getfixturevalue(who)).get("/calls/history/")

    assert response.status_code == 200
    assert 'id="history-form"' in response.content.decode()


@pytest.mark.parametrize("who", ["riley", "otto"])
def test_it_refuses_the_history_to_others(who, request, db, client_as):
    assert client_as(request.getfixturevalue(who)).get("/calls/history/").status_code == 403


def test_it_prints_a_calls_record_with_every_event_who_and_the_rule_set(make_call, dana, client_as):
    call = make_call(narrative="man yelling at cars, no weapons")
    call_override(
        call=call, agencies=["POLICE"], lead="POLICE", priority=2, reason="known to carry a knife", actor=dana
    )

    html = client_as(dana).get(f"/calls/{call.pk}/timeline/").content.decode()

    assert f"Call {call.number}: full record" in html
    assert "call.created" in html and "call.triaged" in html and "call.overridden" in html
    assert "by carla" in html and "by dana" in html
    assert "reason: known to carry a knife" in html
    assert f"rule set v{call.ruleset_version}" in html


def test_it_answers_404_for_a_call_that_does_not_exist(db, zones, client_as, dana):
    assert client_as(dana).get("/calls/999999/timeline/").status_code == 404


@pytest.mark.parametrize(("who", "code"), [("sam", 200), ("ada", 200), ("dana", 403), ("carla", 403)])
def test_it_opens_the_audit_screen_to_supervisors_and_admins_only(who, code, request, db, client_as):
    response = client_as(request.getfixturevalue(who)).get("/calls/audit/")

    assert response.status_code == code
    if code == 200:
        assert 'id="audit-form"' in response.content.decode()
