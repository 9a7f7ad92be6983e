"""Facilities (issue 14): the seeded Albuquerque list, bed updates by ACS supervisors (an event to the
supervisor, every ACS unit and the audit), the API, and the destination recorded with an ACS outcome."""

from __future__ import annotations

import pytest

from acs_dispatch.exceptions import NotAllowed, ValidationFailed
from calls.models import Call
from calls.services import call_close, unit_assign
from live.models import Event
from responders.facility_services import ALBUQUERQUE_FACILITIES, facilities_seed, facility_beds_update
from responders.models import Facility


@pytest.fixture
def facilities(db):
    facilities_seed()
    return {f.name: f for f in Facility.objects.all()}


@pytest.fixture
def crisis(facilities):
    return facilities["UNM Psychiatric Center: Crisis Triage Center"]


def test_it_seeds_the_albuquerque_facilities_once(facilities):
    again = facilities_seed()

    assert again == {"created": 0, "updated": 0}
    assert Facility.objects.count() == len(ALBUQUERQUE_FACILITIES)
    kinds = set(Facility.objects.values_list("kind", flat=True))
    assert kinds == {"SHELTER", "DETOX", "CRISIS"}
    assert all(f.approximate and f.source for f in Facility.objects.all())


def test_it_records_beds_free_with_who_and_when_and_tells_the_acs_screens(
    crisis, sam, acs_12, capture_events
):
    with capture_events() as pushed:
        facility_beds_update(facility=crisis, beds_free=3, actor=sam)

    crisis.refresh_from_db()
    assert (crisis.beds_free, crisis.updated_by, crisis.updated_at is not None) == (3, sam, True)
    streams = sorted(stream for stream, frame in pushed if frame["kind"] == "facility.beds_updated")
    assert streams == ["audit", "supervisor", f"unit.{acs_12.pk}"]
    frame = pushed[0][1]
    assert frame["data"]["facility"]["beds_free"] == 3
    assert frame["data"]["before"] == {"beds_free": 0, "capacity": 16}


def test_it_refuses_more_beds_free_than_the_capacity(crisis, sam):
    with pytest.raises(ValidationFailed, match="bed count"):
        facility_beds_update(facility=crisis, beds_free=17, actor=sam)

    assert not Event.objects.filter(kind="facility.beds_updated").exists()


def test_it_refuses_a_dispatcher(crisis, dana):
    with pytest.raises(NotAllowed):
        facility_beds_update(facility=crisis, beds_free=1, actor=dana)


def test_it_lists_facilities_to_staff_and_takes_bed_updates_from_supervisors(
    crisis, api_as, riley, sam, dana
):
    listed = api_as(riley).get("/api/v1/facilities").json()
    assert {f["name"] for f in listed} >= {crisis.name}

    ok = api_as(sam).post(
        f"/api/v1/facilities/{crisis.pk}/beds", {"beds_free": 2, "capacity": 20}, format="json"
    )
    assert ok.status_code == 200
    assert (ok.json()["beds_free"], ok.json()["capacity"], ok.json()["updated_by"]) == (2, 20, "sam")
    assert (
        api_as(dana).post(f"/api/v1/facilities/{crisis.pk}/beds", {"beds_free": 2}, format="json").status_code
        == 403
    )
    bad = api_as(sam).post(f"/api/v1/facilities/{crisis.pk}/beds", {"beds_free": -1}, format="json")
    assert bad.status_code == 400


def test_it_records_the_destination_with_an_acs_outcome(make_call, crisis, dana, riley, acs_12, api_as):
    call = make_call(call_type="WELCK", narrative="woman confused and wandering, no weapons")
    assignment = unit_assign(call=call, unit=acs_12, actor=dana)

    response = api_as(riley).post(
        f"/api/v1/assignments/{assignment.pk}/clear",
        {"disposition": "ACS-TF", "destination": crisis.pk},
        format="json",
    )

    assert response.status_code == 200, response.content
    call.refresh_from_db()
    assert (call.status, call.disposition, call.destination) == (Call.Status.CLOSED, "ACS-TF", crisis)
    closed = Event.objects.get(kind="call.closed", call_id=call.pk)
    assert closed.data["destination"] == {"id": crisis.pk, "name": crisis.name}


def test_it_refuses_a_destination_with_a_police_disposition(make_call, crisis, dana, apd_2a31):
    call = make_call()
    unit_assign(call=call, unit=apd_2a31, actor=dana)

    with pytest.raises(ValidationFailed, match="ACS outcome"):
        call_close(call=call, disposition="K", actor=dana, destination=crisis)


def test_it_answers_400_for_an_unknown_destination(make_call, crisis, dana, api_as, acs_12):
    call = make_call(call_type="WELCK", narrative="woman confused and wandering, no weapons")
    unit_assign(call=call, unit=acs_12, actor=dana)

    response = api_as(dana).post(
        f"/api/v1/calls/{call.pk}/close", {"disposition": "ACS-TF", "destination": 99999}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert "destination" in body.get("errors", body)
