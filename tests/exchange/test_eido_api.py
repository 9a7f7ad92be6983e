"""EIDO export (GET /api/v1/calls/{id}/eido) and import (POST /api/v1/eido), exchange/."""

from __future__ import annotations

import copy
import json

import pytest

from calls.models import Answer, Call, CallType
from calls.services import clinical_note_add
from exchange.eido import apco_types, pidf_read
from exchange.models import EidoReceipt
from exchange.schema import SCHEMA_DIR, eido_errors
from live.models import Event
from tests.calls.support import assign

NENA_SAMPLE = SCHEMA_DIR / "samples" / "Sample call transfer EIDO.json"


def _sample() -> dict:
    return json.loads(NENA_SAMPLE.read_text())


@pytest.fixture
def welfare_call(make_call, acs_12, apd_2a31, dana):
    """A welfare check with a caller and a weapon reported: APD-2A31 then ACS-12 assigned (police
    first, as the weapon requires). APCO common type WELFARE."""
    CallType.objects.filter(code="WELCK").update(apco_code="WELFARE")
    call = make_call(
        call_type="WELCK",
        narrative="elderly man confused in the street, son says he keeps a knife",
        address="400 Marquette Ave NW",
        caller_name="Rosa Baca",
        caller_phone="505-555-0142",
        weapons=True,
    )
    assign(call, apd_2a31, dana)
    assign(call, acs_12, dana)
    call.refresh_from_db()
    return call


def test_it_exports_a_call_that_follows_nenas_schema(api_as, dana, welfare_call):
    response = api_as(dana).get(f"/api/v1/calls/{welfare_call.pk}/eido")

    assert response.status_code == 200
    document = response.json()
    assert eido_errors(document) == {}
    incident = document["incidentComponent"]
    assert incident["incidentTypeInternalCode"] == "WELCK"
    assert incident["incidentTypeCommonRegistryText"] == "WELFARE"
    assert "WELFARE" in apco_types()
    assert incident["beatOrDispatchGroupText"] == welfare_call.zone.name
    resources = {r["emergencyResourceName"]: r for r in document["emergencyResourceComponent"]}
    assert sorted(resources) == ["ACS-12", "APD-2A31"]
    assert resources["ACS-12"]["emergencyResourceTypeCommonRegistryText"] == "CrisisInterventionUnit"
    assert resources["APD-2A31"]["emergencyResourceTypeCommonRegistryText"] == "PatrolUnit"
    assert resources["ACS-12"]["primaryUnitStatusRegistryText"] == "NotAvailable"
    assert resources["ACS-12"]["secondaryUnitStatusRegistryText"] == ["Dispatched"]
    assert document["dispatchComponent"][0]["emergencyResourceReference"] == [
        {"$ref": r["$id"]} for r in document["emergencyResourceComponent"]
    ]
    assert [c["cautionTypeInternalText"] for c in document["cautionComponent"]] == ["weapons"]
    assert document["callbackComponent"][0]["callBackInformationUri"] == [f"tel:{welfare_call.caller_phone}"]


def test_it_never_exports_a_clinical_note(api_as, sam, welfare_call):
    clinical_note_add(call=welfare_call, text="takes lithium, missed two doses", actor=sam)

    response = api_as(sam).get(f"/api/v1/calls/{welfare_call.pk}/eido")

    assert response.status_code == 200
    assert "lithium" not in response.content.decode()


def test_it_round_trips_type_location_caller_cautions_and_units(api_as, dana, carla, welfare_call):
    document = api_as(dana).get(f"/api/v1/calls/{welfare_call.pk}/eido").json()
    # As a second center receives it: another sender name, the same document.
    document["issuingElementIdentification"] = "cad.neighbour.example.org"

    response = api_as(carla).post("/api/v1/eido", document, format="json")

    assert response.status_code == 201, response.content
    copy_ = Call.objects.get(pk=response.json()["id"])
    assert copy_.pk != welfare_call.pk
    assert copy_.call_type.code == welfare_call.call_type.code == "WELCK"
    assert (copy_.lat, copy_.lon, copy_.address) == (welfare_call.lat, welfare_call.lon, welfare_call.address)
    assert copy_.zone == welfare_call.zone
    assert (copy_.caller_name, copy_.caller_phone) == (welfare_call.caller_name, welfare_call.caller_phone)
    assert copy_.weapons == Answer.YES
    assert welfare_call.narrative in copy_.narrative
    assert copy_.status == Call.Status.PENDING  # triaged like any other call
    assert copy_.triaged_at is not None
    receipt = EidoReceipt.objects.get(call=copy_)
    assert sorted((r["name"], r["agency"]) for r in receipt.resources) == [
        ("ACS-12", "ACS"),
        ("APD-2A31", "POLICE"),
    ]
    assert receipt.sender == "cad.neighbour.example.org"
    assert response.json()["resources"] == receipt.resources


def test_it_records_the_sender_in_an_event(api_as, carla, zones, call_types, rules):
    response = api_as(carla).post("/api/v1/eido", _sample(), format="json")

    event = Event.objects.get(kind="call.eido_received")
    assert event.call_id == response.json()["id"]
    assert event.actor == carla
    assert event.data["sender"] == "idx.state.pa.us"
    assert event.data["sender_agency"] == "state.pa.us"
    assert event.data["eido_id"] == "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us"


def test_it_validates_and_imports_nenas_own_sample(api_as, carla, zones, call_types, rules):
    assert eido_errors(_sample()) == {}

    response = api_as(carla).post("/api/v1/eido", _sample(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    call = Call.objects.get(pk=body["id"])
    # The civic address of the PIDF-LO, the caller's callback number, the RFC 7852 comment.
    assert call.address == "42 W Cellular Street, Wilmington, DE"
    assert call.lat is None and call.zone is None
    assert call.caller_phone == "8195551212"
    assert "This is an example text." in call.narrative
    assert "[EIDO from idx.state.pa.us]" in call.narrative
    assert body["sender"] == "idx.state.pa.us"
    assert body["triage"]["agencies"]  # triaged: the safe default when nothing is recognised
    assert call.status == Call.Status.PENDING


def test_it_answers_the_same_call_when_the_same_eido_comes_again(api_as, carla, zones, call_types, rules):
    first = api_as(carla).post("/api/v1/eido", _sample(), format="json")
    again = api_as(carla).post("/api/v1/eido", _sample(), format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert EidoReceipt.objects.count() == 1


def test_it_refuses_an_invalid_eido_with_field_messages(api_as, carla, zones, call_types, rules):
    document = _sample()
    del document["eidoVersion"]
    document["callComponent"][0]["direction"] = "sideways"
    document["agentComponent"][0]["agentRoleRegistryText"] = []  # the fixed minItems: 1

    response = api_as(carla).post("/api/v1/eido", document, format="json")

    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {
        "eidoVersion",
        "callComponent[0].direction",
        "agentComponent[0].agentRoleRegistryText",
    }
    assert "'sideways' is not one of" in body["errors"]["callComponent[0].direction"][0]
    assert Call.objects.count() == 0


@pytest.mark.parametrize("body", [[1, 2], "not an object"])
def test_it_refuses_a_body_that_is_not_an_object(api_as, carla, db, body):
    response = api_as(carla).post("/api/v1/eido", body, format="json")

    assert response.status_code == 400
    assert "document" in response.json()["errors"]


def test_it_refuses_a_nested_niem_field_of_the_wrong_type(api_as, carla, zones, call_types, rules):
    document = _sample()
    document["personComponent"][0]["ncPersonComponent"] = {"name": [{"personFullName": [{"value": 5}]}]}

    response = api_as(carla).post("/api/v1/eido", document, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [
        "personComponent[0].ncPersonComponent.name[0].personFullName[0].value"
    ]


def test_it_reads_a_point_and_a_civic_address_from_a_pidf_lo():
    text = (
        '<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gml="http://www.opengis.net/gml">'
        "<gml:Point><gml:pos>35.0844 -106.6504</gml:pos></gml:Point>"
        '<civicAddress xmlns="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr">'
        "<A1>NM</A1><A3>Albuquerque</A3><HNO>400</HNO><RD>Marquette</RD><STS>Ave</STS><POD>NW</POD>"
        "</civicAddress></presence>"
    )

    assert pidf_read(text) == (35.0844, -106.6504, "400 Marquette Ave NW, Albuquerque, NM")


def test_it_ignores_a_pidf_lo_with_entity_declarations():
    text = '<!DOCTYPE x [<!ENTITY a "aaaa">]><presence><pos>&a; 1 2</pos></presence>'

    assert pidf_read(text) == (None, None, "")


# --- who may
def test_it_refuses_export_to_a_responder_and_to_otto(api_as, riley, otto, welfare_call):
    assert api_as(riley).get(f"/api/v1/calls/{welfare_call.pk}/eido").status_code == 403
    assert api_as(otto).get(f"/api/v1/calls/{welfare_call.pk}/eido").status_code == 403
    assert api_as().get(f"/api/v1/calls/{welfare_call.pk}/eido").status_code in (401, 403)


def test_it_refuses_import_to_roles_that_do_not_take_calls(
    api_as, sam, riley, otto, zones, call_types, rules
):
    for user in (sam, riley, otto, None):
        response = api_as(user).post("/api/v1/eido", _sample(), format="json")
        assert response.status_code in (401, 403), user
    assert Call.objects.count() == 0


def test_it_answers_404_for_an_unknown_call(api_as, dana, db):
    assert api_as(dana).get("/api/v1/calls/999999/eido").status_code == 404


def test_it_leaves_the_sample_untouched_by_a_failed_import(api_as, carla, db):
    document = _sample()
    before = copy.deepcopy(document)
    del document["agencyComponent"]

    response = api_as(carla).post("/api/v1/eido", document, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"agencyComponent"}
    assert _sample() == before
