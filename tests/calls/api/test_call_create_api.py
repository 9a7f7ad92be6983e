from __future__ import annotations

import pytest
from knox.models import AuthToken

from calls.models import Call
from live.models import Event

URL = "/api/v1/calls"
CALL = {
    "call_type": "5150",
    "narrative": "woman crying on the bench, no weapons",
    "weapons": False,
    "violence": None,
    "medical": None,
    "caller_is_subject": True,
    "lat": 35.0844,
    "lon": -106.6504,
    "address": "400 Marquette Ave NW",
    "caller_name": "Ana",
    "caller_phone": "505-555-0100",
}


@pytest.fixture
def ready(zones, call_types, rules, dispositions):
    return None


def test_it_creates_and_triages_a_call(ready, api_as, carla):
    response = api_as(carla).post(URL, CALL, format="json")

    assert response.status_code == 201
    body = response.json()
    call = Call.objects.get(pk=body["id"])
    assert body["number"] == call.number
    assert body["status"] == "PENDING"
    assert body["zone"] == "Valley"
    assert body["triage"]["agencies"] == ["ACS"]
    assert body["triage"]["lead"] == "ACS"
    assert body["triage"]["priority"] == 2
    assert body["triage"]["rule"] == "Mental-health crisis"
    assert body["triage"]["ruleset_version"] == 1
    assert body["triage"]["reasons"]
    assert {"agencies", "lead", "priority", "rule", "ruleset_version", "reasons"} <= set(body["triage"])
    assert call.caller_is_subject == "YES"


def test_it_takes_a_narrative_alone(ready, api_as, carla):
    response = api_as(carla).post(URL, {"narrative": "guy passed out, not breathing"}, format="json")

    assert response.status_code == 201
    assert "FIRE_EMS" in response.json()["triage"]["agencies"]
    assert response.json()["zone"] is None


def test_it_accepts_a_token(ready, client, carla):
    _, key = AuthToken.objects.create(user=carla)

    response = client.post(URL, CALL, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 201


def test_it_flags_a_point_outside_the_service_area(ready, api_as, carla):
    response = api_as(carla).post(URL, {**CALL, "lat": 32.7157, "lon": -117.1611}, format="json")

    assert response.status_code == 201
    assert response.json()["zone"] is None
    assert response.json()["outside_service_area"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lat": 91}, "lat"),
        ({"lat": -90.5}, "lat"),
        ({"lon": 180.01}, "lon"),
        ({"lon": "west"}, "lon"),
        ({"weapons": "maybe"}, "weapons"),
        ({"narrative": "x" * 4001}, "narrative"),
    ],
)
def test_it_answers_a_bad_field_with_a_field_error_and_saves_nothing(ready, api_as, carla, change, field):
    response = api_as(carla).post(URL, {**CALL, **change}, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Call.objects.count() == 0


def test_it_answers_an_unknown_call_type_with_a_field_error(ready, api_as, carla):
    response = api_as(carla).post(URL, {**CALL, "call_type": "ZZZ"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["call_type"] == ["Unknown call type 'ZZZ'."]
    assert Call.objects.count() == 0
    assert not Event.objects.filter(kind__startswith="call.").exists()


def test_it_refuses_a_call_with_neither_type_nor_narrative(ready, api_as, carla):
    response = api_as(carla).post(URL, {"address": "1 Main St"}, format="json")

    assert response.status_code == 400
    assert "narrative" in response.json()["errors"]


@pytest.mark.parametrize(
    ("persona", "code"), [("pete", 403), ("riley", 403), ("sam", 403), ("otto", 403), (None, 401)]
)
def test_it_refuses_a_call_from_anyone_but_call_takers_dispatchers_and_admins(
    request, ready, api_as, persona, code
):
    user = request.getfixturevalue(persona) if persona else None

    response = api_as(user).post(URL, CALL, format="json")

    assert response.status_code == code
    assert Call.objects.count() == 0


def test_it_lists_open_calls_and_filters_by_status(ready, api_as, carla, dana):
    api_as(carla).post(URL, CALL, format="json")

    pending = api_as(dana).get(URL, {"status": "PENDING"})
    closed = api_as(dana).get(URL, {"status": "CLOSED"})
    bad = api_as(dana).get(URL, {"status": "SLEEPING"})

    assert [c["status"] for c in pending.json()] == ["PENDING"]
    assert closed.json() == []
    assert bad.status_code == 400


def test_it_documents_the_endpoints_in_the_schema(api_as, ada):
    response = api_as(ada).get("/api/v1/schema/", {"format": "json"})

    paths = response.json()["paths"]
    for path in [
        "/api/v1/calls",
        "/api/v1/calls/{call_id}",
        "/api/v1/calls/{call_id}/assignments",
        "/api/v1/calls/{call_id}/recommendations",
        "/api/v1/calls/{call_id}/override",
        "/api/v1/calls/{call_id}/close",
        "/api/v1/assignments/{assignment_id}/acknowledge",
        "/api/v1/units/{call_sign}/status",
        "/api/v1/units",
        "/api/v1/events",
    ]:
        assert path in paths
    create = paths["/api/v1/calls"]["post"]
    assert "201" in create["responses"]
    assert "requestBody" in create
