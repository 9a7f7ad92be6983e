"""The thresholds page marks a row "edited" only when its limits differ from the default."""

from __future__ import annotations

import re

from calls.models import DeadlineThreshold
from calls.policies import DEFAULT_THRESHOLDS


def _source_cell(html, field):
    row = re.search(rf'<tr>(?:(?!</tr>).)*id="{field}"(?:(?!</tr>).)*</tr>', html, re.S).group(0)
    return re.search(r'<td class="threshold-source">(.*?)</td>', row, re.S).group(1)


def test_it_marks_only_rows_that_differ_from_the_default(client_as, ada):
    (kind, agency, priority), (warn, escalate) = next(iter(DEFAULT_THRESHOLDS.items()))
    other_key, (other_warn, other_escalate) = list(DEFAULT_THRESHOLDS.items())[1]
    # One row saved with the default values (saved once, set back since), one really changed.
    DeadlineThreshold.objects.create(
        kind=kind, agency=agency, priority=priority, warn_seconds=warn, escalate_seconds=escalate
    )
    DeadlineThreshold.objects.create(
        kind=other_key[0],
        agency=other_key[1],
        priority=other_key[2],
        warn_seconds=other_warn + 30,
        escalate_seconds=other_escalate,
    )

    html = client_as(ada).get("/alerts/thresholds/").content.decode()

    assert _source_cell(html, f"warn__{kind}__{agency}__{priority}").strip() == "default"
    edited = _source_cell(html, f"warn__{other_key[0]}__{other_key[1]}__{other_key[2]}")
    assert "edited" in edited
    assert f"(default {other_warn} / {other_escalate})" in edited
