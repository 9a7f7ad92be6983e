from __future__ import annotations

import re

from django.urls import reverse

from calls.models import CallerLanguage


def test_it_offers_every_caller_language_spanish_first_after_unknown(client_as, carla, zones, call_types):
    html = client_as(carla).get(reverse("calls:intake")).content.decode()

    select = re.search(r'<select id="caller_language".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    assert options == list(CallerLanguage.choices)
    assert options[1] == ("es", "Spanish")
    assert 'id="interpreter_needed" name="interpreter_needed" type="checkbox"' in html
