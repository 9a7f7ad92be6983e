"""An EIDO exported from one running center imports into another (issue 15, "Done when").

Two real instances, each a daphne process on its own database with the demo loaded: a call is
taken and a unit assigned on the first; its EIDO (GET /api/v1/calls/{id}/eido) is posted to the
second (POST /api/v1/eido) as a neighbouring center would, over HTTP with tokens. The second
center holds the same call type, location, caller and units, and triages it itself."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import api_for, e2e_instance

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def second_center():
    with e2e_instance(prefix="acs-e2e-second-") as server:
        yield server


def test_it_moves_a_call_from_one_center_to_another_as_an_eido(e2e_server, second_center):
    first = api_for(e2e_server, "dispatcher")
    status, call = first.post(
        "calls",
        {
            "call_type": "CW",
            "narrative": "woman sleeping at the bus stop, breathing, no weapons",
            "address": "100 1st St SW",
            "lat": 35.0841,
            "lon": -106.6511,
            "caller_name": "Pat Lee",
            "caller_phone": "505-555-0142",
        },
    )
    assert status == 201, call.get("errors", call)
    status, units = first.get("units")
    assert status == 200, units
    free_acs = next(u for u in units if u["agency"] == "ACS" and u["status"] == "AVAILABLE")
    status, body = first.post(f"calls/{call['id']}/assignments", {"unit": free_acs["call_sign"]})
    assert status in (200, 201), body

    status, document = first.get(f"calls/{call['id']}/eido")
    assert status == 200, document
    status, received = api_for(second_center, "calltaker").post("eido", document)

    assert status == 201, received
    assert received["call_type"] == "CW"
    assert received["status"] == "PENDING"  # triaged by the second center's own rules
    assert received["triage"]["ruleset_version"] is not None
    assert [(r["name"], r["agency"]) for r in received["resources"]] == [(free_acs["call_sign"], "ACS")]
    status, copy = api_for(second_center, "dispatcher").get(f"calls/{received['id']}")
    assert status == 200, copy
    assert (copy["lat"], copy["lon"]) == (call["lat"], call["lon"])
    assert copy["address"] == call["address"]
    assert (copy["caller_name"], copy["caller_phone"]) == (call["caller_name"], call["caller_phone"])
    assert copy["zone"] == call["zone"]
    assert call["narrative"] in copy["narrative"]
    # Posting the same document again answers the call already made, not a second one.
    again_status, again = api_for(second_center, "calltaker").post("eido", document)
    assert (again_status, again["id"]) == (200, received["id"])
