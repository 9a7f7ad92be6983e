from __future__ import annotations

import json

import pytest
from django.urls import reverse


def test_it_serves_the_intake_form_with_call_types_and_zones(client_as, carla, zones, call_types):
    response = client_as(carla).get(reverse("calls:intake"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="intake-form"' in html
    assert 'data-api="/api/v1/calls"' in html
    types = json.loads(html.split('id="call-types-data" type="application/json">')[1].split("</script>")[0])
    assert {"code": "5150", "name": "MENTALLY ILL PERSON"} in types
    outlines = json.loads(html.split('id="zones-data" type="application/json">')[1].split("</script>")[0])
    assert sorted(f["properties"]["name"] for f in outlines["features"]) == sorted(zones)
    for label in (
        "Weapons involved?",
        "Violence or threats?",
        "Medical emergency?",
        "Is the caller the person in crisis?",
    ):
        assert label in html


@pytest.mark.parametrize("persona", ["pete", "sam", "otto"])
def test_it_refuses_the_intake_screen_to_other_roles(request, client_as, persona):
    assert client_as(request.getfixturevalue(persona)).get(reverse("calls:intake")).status_code == 403
