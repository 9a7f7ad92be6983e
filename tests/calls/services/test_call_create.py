from __future__ import annotations

import pytest

from acs_dispatch.exceptions import ValidationFailed
from calls.models import Call
from calls.services import call_create
from live.models import Event


def test_it_numbers_calls_from_the_gap_free_counter(make_call, now):
    first = make_call()
    second = make_call()

    assert first.number == "26-000001"
    assert second.number == "26-000002"


def test_it_triages_at_once_and_queues_the_call(make_call):
    call = make_call(call_type="5150", narrative="talking to himself, calm, no weapons")

    call.refresh_from_db()
    assert call.status == Call.Status.PENDING
    assert call.agencies == ["ACS"]
    assert call.lead == "ACS"
    assert call.priority == 2
    assert call.triage_rule == "Mental-health crisis"
    assert call.ruleset_version == 1
    assert call.triage_reasons
    assert call.triaged_at is not None


def test_it_places_the_call_in_its_zone(make_call, zones):
    call = make_call(lat=35.0844, lon=-106.6504)

    assert call.zone == zones["Valley"]
    assert call.outside_service_area is False


def test_it_accepts_and_flags_a_point_outside_the_service_area(make_call):
    call = make_call(lat=40.7128, lon=-74.0060, address="Times Square")

    call.refresh_from_db()
    assert call.zone is None
    assert call.outside_service_area is True
    assert call.status == Call.Status.PENDING


def test_it_appends_the_created_and_triaged_events(make_call, capture_events):
    with capture_events() as pushed:
        call = make_call(call_type="WELCK")

    kinds = [e.kind for e in Event.objects.filter(call_id=call.pk).order_by("id")]
    assert kinds == ["call.created", "call.triaged"]
    triaged = Event.objects.get(call_id=call.pk, kind="call.triaged")
    assert triaged.data["call"]["id"] == call.pk
    assert triaged.data["call"]["status"] == "PENDING"
    assert triaged.data["call"]["agencies"] == ["ACS"]
    assert {stream for stream, frame in pushed if frame["kind"] == "call.triaged"} == {
        "dispatch",
        "supervisor",
    }


def test_it_keeps_police_on_a_call_with_a_weapon(make_call):
    call = make_call(call_type="5150", narrative="he is waving a knife", weapons=True)

    assert "POLICE" in call.agencies
    assert call.acs_exclusion == "weapon"


def test_it_stores_the_screening_answers(make_call):
    call = make_call(weapons=False, violence=None, medical=True, caller_is_subject=False)

    call.refresh_from_db()
    assert (call.weapons, call.violence, call.medical, call.caller_is_subject) == (
        "NO",
        "UNKNOWN",
        "YES",
        "NO",
    )
    assert "FIRE_EMS" in call.agencies


def test_it_normalises_the_callers_phone(make_call):
    call = make_call(caller_phone="+1 (505) 555-0100")

    assert call.caller_phone == "5055550100"


def test_it_rejects_an_unknown_call_type_and_saves_nothing(carla, zones, call_types, rules):
    with pytest.raises(ValidationFailed) as refused:
        call_create(actor=carla, call_type="NOPE", narrative="help")

    assert "call_type" in refused.value.extra["errors"]
    assert Call.objects.count() == 0
    assert not Event.objects.filter(kind__startswith="call.").exists()


def test_it_sends_the_call_to_police_when_no_rule_set_is_published(carla, zones, call_types):
    call = call_create(actor=carla, call_type="5150", narrative="crying on the bench")

    assert call.agencies == ["POLICE"]
    assert call.ruleset_version is None
    assert "No triage rule set is published" in call.triage_reasons[0]
    assert call.status == Call.Status.PENDING
