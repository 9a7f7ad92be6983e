from __future__ import annotations

import json

from django.urls import reverse

from calls.models import CallerLanguage


def test_it_labels_every_caller_language_on_the_unit_dashboard(client_as, riley):
    response = client_as(riley).get(reverse("units:unit_dashboard"))

    assert response.status_code == 200
    html = response.content.decode()
    labels = json.loads(
        html.split('<script type="application/json" id="caller-languages">')[1].split("</script>")[0]
    )
    assert labels == dict(CallerLanguage.choices)
    assert "css/unit.css" in html


def test_it_asks_a_reason_for_backup_on_the_unit_dashboard(client_as, riley):
    html = client_as(riley).get(reverse("units:unit_dashboard")).content.decode()

    assert 'id="backup-reason" name="reason" type="text" maxlength="300" required' in html
