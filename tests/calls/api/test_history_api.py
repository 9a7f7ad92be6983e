"""Looking back: GET /api/v1/calls/search, GET /api/v1/calls/{id}/timeline, GET /api/v1/audit, and
failed sign-ins and lockouts in the event log."""

from __future__ import annotations

import csv
import io

import pytest

from acs_dispatch.services import user_create
from calls.services import call_close, call_override, clinical_note_add, unit_assign
from live.models import Event

SEARCH = "/api/v1/calls/search"
AUDIT = "/api/v1/audit"


def field_errors(response) -> dict:
    """The errors by field name, in the problem+json body or DRF's plain one."""
    body = response.json()
    return body.get("errors", body)


@pytest.fixture
def worked(make_call, dana, sam, acs_12, apd_2a31):
    """Three calls: one ACS call closed by ACS-12 with a clinical note, one overridden to police and
    worked by APD-2A31 (still open), one untouched in the queue."""
    acs_call = make_call(call_type="WELCK", narrative="man sleeping in the doorway of the library",
                         address="501 Copper Ave NW")  # fmt: skip
    unit_assign(call=acs_call, unit=acs_12, actor=dana)
    clinical_note_add(call=acs_call, text="client says he hears voices", actor=sam)
    call_close(call=acs_call, disposition="ACS-RA", actor=dana)
    police_call = make_call(narrative="neighbour shouting in the street", address="1 Civic Plaza NW")
    call_override(call=police_call, agencies=["POLICE"], lead="POLICE", priority=2, reason="caller known to be armed",
                  actor=dana)  # fmt: skip
    unit_assign(call=police_call, unit=apd_2a31, actor=dana)
    queued = make_call(narrative="welfare check on an elderly woman")
    return {"acs": acs_call, "police": police_call, "queued": queued}


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["number"] for r in response.json()["results"]]


def test_it_searches_calls_by_text_state_unit_agency_and_disposition(worked, api_as, dana):
    api = api_as(dana)
    acs, police, queued = worked["acs"].number, worked["police"].number, worked["queued"].number

    assert numbers(api.get(SEARCH)) == [queued, police, acs]  # newest first
    assert numbers(api.get(SEARCH, {"q": "doorway"})) == [acs]
    assert numbers(api.get(SEARCH, {"q": "civic plaza"})) == [police]
    assert numbers(api.get(SEARCH, {"state": "closed"})) == [acs]
    assert numbers(api.get(SEARCH, {"state": "open"})) == [queued, police]
    assert numbers(api.get(SEARCH, {"unit": "acs-12"})) == [acs]
    queued_police = "POLICE" in worked["queued"].agencies
    assert numbers(api.get(SEARCH, {"agency": "POLICE"})) == ([queued] if queued_police else []) + [police]
    assert acs in numbers(api.get(SEARCH, {"agency": "ACS"}))
    assert numbers(api.get(SEARCH, {"disposition": "ACS-RA"})) == [acs]
    assert numbers(api.get(SEARCH, {"zone": "Valley"})) == [queued, police, acs]
    assert numbers(api.get(SEARCH, {"from": "2026-01-01", "to": "2026-01-02"})) == []


def test_it_pages_the_results(worked, api_as, dana):
    body = api_as(dana).get(SEARCH, {"page_size": 2, "page": 2}).json()

    assert (body["count"], body["pages"], body["page"]) == (3, 2, 2)
    assert [r["number"] for r in body["results"]] == [worked["acs"].number]
    assert body["results"][0]["units"] == ["ACS-12"]


@pytest.mark.parametrize(("params", "field"), [({"state": "gone"}, "state"), ({"page": 0}, "page"),
                                               ({"from": "2026-02-01", "to": "2026-01-01"}, "to")])  # fmt: skip
def test_it_answers_bad_search_parameters_with_400(params, field, db, api_as, dana):
    response = api_as(dana).get(SEARCH, params)

    assert response.status_code == 400
    assert field in field_errors(response)


@pytest.mark.parametrize("who", ["riley", "otto"])
def test_it_refuses_the_search_to_responders_and_the_roleless(who, request, db, api_as):
    assert api_as(request.getfixturevalue(who)).get(SEARCH).status_code == 403


def test_it_gives_a_calls_whole_timeline_with_who_and_the_rule_set(worked, api_as, dana):
    call = worked["police"]

    body = api_as(dana).get(f"/api/v1/calls/{call.pk}/timeline").json()

    kinds = [e["kind"] for e in body["events"]]
    assert kinds[:3] == ["call.created", "call.triaged", "call.overridden"]
    assert "unit.assigned" in kinds
    overridden = body["events"][2]
    assert overridden["actor"] == "dana"
    assert "reason: caller known to be armed" in overridden["changes"]
    triaged = body["events"][1]
    assert triaged["actor"] == "carla"
    assert f"rule set v{call.ruleset_version}" in triaged["changes"]
    assert body["call"]["number"] == call.number


def test_it_hides_a_clinical_note_from_the_dispatcher_but_not_from_the_supervisor(worked, api_as, dana, sam):
    url = f"/api/v1/calls/{worked['acs'].pk}/timeline"

    def note_lines(user):
        events = api_as(user).get(url).json()["events"]
        return [line for e in events if e["kind"] == "note.added" for line in e["changes"]]

    assert note_lines(dana) == ["clinical note (ACS staff only)"]
    assert note_lines(sam) == ["clinical note: client says he hears voices"]


def test_it_lets_an_auditor_find_who_overrode_a_call_and_when(worked, api_as, sam):
    body = api_as(sam).get(AUDIT, {"kind": "call.overridden"}).json()

    assert body["count"] == 1
    row = body["results"][0]
    assert (row["actor"], row["call_number"]) == ("dana", worked["police"].number)
    assert "reason: caller known to be armed" in row["changes"]


def test_it_filters_the_audit_by_user_call_unit_and_kind_prefix(worked, api_as, ada):
    api = api_as(ada)

    by_carla = api.get(AUDIT, {"user": "carla", "page_size": 200}).json()["results"]
    assert by_carla and {r["actor"] for r in by_carla} == {"carla"}
    by_call = api.get(AUDIT, {"call": worked["acs"].number, "page_size": 200}).json()["results"]
    assert {r["call_id"] for r in by_call} == {worked["acs"].pk}
    by_unit = api.get(AUDIT, {"unit": "APD-2A31", "kind": "unit."}).json()["results"]
    assert [r["kind"] for r in by_unit] == ["unit.assigned", "unit.created"]


def test_it_lists_user_events_that_name_a_unit_by_its_call_sign(worked, api_as, sam, acs_12):
    # user.created of a responder carries "unit": "ACS-12" (a call sign, not a unit summary);
    # the unfiltered first page of the audit answered 500 on it.
    user_create(username="rita", role="responder", password="Long-enough-pass-42", unit=acs_12, actor=sam)

    response = api_as(sam).get(AUDIT)

    assert response.status_code == 200, response.content
    row = next(r for r in response.json()["results"] if r["kind"] == "user.created")
    assert row["unit"] == "ACS-12"
    assert "username: rita" in row["changes"]
    assert "unit: ACS-12" in row["changes"]


def test_it_exports_the_audit_as_csv(worked, api_as, sam):
    response = api_as(sam).get(AUDIT, {"kind": "call.overridden", "format": "csv"})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0] == ["id", "at_utc", "at_local", "kind", "actor", "call", "unit", "changes"]
    assert [(r[3], r[4], r[5]) for r in rows[1:]] == [("call.overridden", "dana", worked["police"].number)]


@pytest.mark.parametrize("who", ["dana", "carla", "riley", "otto"])
def test_it_refuses_the_audit_to_everyone_but_supervisors_and_admins(who, request, db, api_as):
    assert api_as(request.getfixturevalue(who)).get(AUDIT).status_code == 403


def test_it_records_a_failed_sign_in_and_a_lockout(client, dana, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post("/login/", {"username": "dana", "password": "wrong password"})

    failed = Event.objects.filter(kind="user.login_failed")
    assert failed.count() == 2
    assert {(e.actor_id, e.data["username"]) for e in failed} == {(dana.pk, "dana")}
    locked = Event.objects.get(kind="user.locked_out")
    assert (locked.actor_id, locked.data["username"]) == (dana.pk, "dana")


def test_it_records_a_failed_sign_in_for_an_unknown_name(db, client):
    client.post("/login/", {"username": "mallory", "password": "guess"})

    event = Event.objects.get(kind="user.login_failed")
    assert (event.actor_id, event.data["username"], event.data["known_user"]) == (None, "mallory", False)


def test_it_finds_logins_and_failed_logins_of_a_user_in_the_audit(client, dana, sam, api_as):
    client.post("/login/", {"username": "dana", "password": "wrong password"})
    client.post("/login/", {"username": "dana", "password": "pw-dana"})

    kinds = [r["kind"] for r in api_as(sam).get(AUDIT, {"user": "dana", "kind": "user."}).json()["results"]]

    assert kinds == ["user.logged_in", "user.login_failed"]
