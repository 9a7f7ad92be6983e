"""The KPI page (/calls/kpis/): supervisors, dispatchers and admins; a nav link; the vendored chart library."""

from __future__ import annotations

import pytest

URL = "/calls/kpis/"


@pytest.mark.parametrize("who", ["sam", "dana", "ada"])
def test_it_shows_the_kpi_page_with_its_range_form_and_csv_link(who, request, zones, client_as):
    response = client_as(request.getfixturevalue(who)).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="kpi-from"' in html and 'id="kpi-csv"' in html
    assert "vendor/uplot/uPlot.iife.min.js" in html
    assert 'href="/calls/kpis/" aria-current="page">Figures</a>' in html
    assert "Northeast" in html  # the zones, from json_script


@pytest.mark.parametrize("who", ["carla", "riley", "otto"])
def test_it_refuses_other_roles(who, request, db, client_as):
    assert client_as(request.getfixturevalue(who)).get(URL).status_code == 403


def test_it_sends_an_anonymous_visitor_to_sign_in(db, client):
    response = client.get(URL)

    assert response.status_code == 302 and "/login/" in response["Location"]
