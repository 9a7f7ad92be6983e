"""GET /api/v1/kpis: who may read, JSON and CSV, and bad parameters answered 400 in the API's shape."""

from __future__ import annotations

import csv
import io

import pytest

from tests.calls.selectors.test_kpis import NOW, history  # noqa: F401 (the hand-computed history)

URL = "/api/v1/kpis"
RANGE = {"from": "2026-03-07", "to": "2026-03-09"}


def field_errors(response) -> dict:
    """The errors by field name, in the problem+json body or DRF's plain one."""
    body = response.json()
    return body.get("errors", body)


@pytest.fixture(autouse=True)
def _now():
    import time_machine

    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize("who", ["sam", "dana", "ada"])
def test_it_gives_the_kpis_to_supervisors_dispatchers_and_admins(who, request, history, api_as):  # noqa: F811
    response = api_as(request.getfixturevalue(who)).get(URL, RANGE)

    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"], body["zone"]) == ("2026-03-07", "2026-03-09", None)
    assert (body["acs"]["eligible"], body["acs"]["missed"]) == (6, 4)
    assert body["volume"]["total"] == 8


@pytest.mark.parametrize("who", ["carla", "riley", "otto"])
def test_it_refuses_everyone_else(who, request, db, api_as):
    response = api_as(request.getfixturevalue(who)).get(URL, RANGE)

    assert response.status_code == 403


def test_it_refuses_an_anonymous_client(db, api_as):
    assert api_as().get(URL, RANGE).status_code in (401, 403)


def test_it_exports_the_same_figures_as_csv(history, api_as, sam):  # noqa: F811
    response = api_as(sam).get(URL, {**RANGE, "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="kpis_2026-03-07_2026-03-09.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "key", "subkey", "detail", "value"]
    assert ["acs", "eligible", "", "", "6"] in rows
    missed = [r for r in rows if r[0] == "acs_missed_call"]
    assert sorted(r[2] for r in missed) == ["guard", "no_acs_unit", "overridden", "sent_back_to_police"]


def test_it_narrows_to_a_zone(history, api_as, sam):  # noqa: F811
    body = api_as(sam).get(URL, {**RANGE, "zone": "Northeast"}).json()

    assert (body["zone"], body["volume"]["total"]) == ("Northeast", 1)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-03-09", "to": "2026-03-07"}, "to"),
        ({"from": "yesterday", "to": "2026-03-07"}, "from"),
        ({"from": "2026-03-07"}, "to"),
        ({**RANGE, "zone": "Atlantis"}, "zone"),
        ({**RANGE, "format": "xml"}, "format"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
    ],
)
def test_it_answers_bad_parameters_with_400_and_the_field(params, field, zones, api_as, sam):
    response = api_as(sam).get(URL, params)

    assert response.status_code == 400
    assert response["Content-Type"].startswith(("application/json", "application/problem+json"))
    assert field in field_errors(response)


def test_it_answers_a_bad_csv_request_in_json_not_csv(zones, api_as, sam):
    response = api_as(sam).get(URL, {"from": "2026-03-09", "to": "2026-03-07", "format": "csv"})

    assert response.status_code == 400
    assert not response["Content-Type"].startswith("text/csv")
    assert "to" in field_errors(response)


def test_it_defaults_to_the_last_seven_days(zones, api_as, sam):
    body = api_as(sam).get(URL).json()

    assert (body["from"], body["to"]) == ("2026-03-03", "2026-03-10")
