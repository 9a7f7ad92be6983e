"""manage.py triage_preview: JSON lines in, one JSON line out per input, in order."""

from __future__ import annotations

import io
import json

from django.core.management import call_command


def preview(monkeypatch, lines: list[str]) -> tuple[list[dict], str]:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    out, err = io.StringIO(), io.StringIO()
    call_command("triage_preview", stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_it_answers_bad_lines_with_an_error_and_goes_on(monkeypatch, published_rules):
    results, _ = preview(
        monkeypatch,
        [
            '{"narrative": "homeless man sleeping in the doorway, no weapons"}',
            "this is not json",
            "[1, 2]",
            '{"weapons": "yes"}',
            '{"lat": 35.08}',
            '{"narrative": 12}',
            '{"narrative": "man has a gun", "weapons": null}',
        ],
    )

    assert [r.get("error", "ok")[:20] for r in results] == [
        "ok",
        "not JSON: Expecting ",
        "each line must be a ",
        "weapons must be true",
        "lat and lon must bot",
        "narrative must be a ",
        "ok",
    ]
    assert results[0]["agencies"] == ["ACS"]
    assert results[0]["ruleset_version"] == 1
    assert results[6]["agencies"] == ["POLICE"]
    assert set(results[0]) >= {"agencies", "lead", "priority", "rule", "ruleset_version", "reasons"}


def test_it_places_a_call_in_its_zone_from_lat_lon(monkeypatch, published_rules, zones):
    results, _ = preview(monkeypatch, ['{"call_type": "CW", "lat": 35.0844, "lon": -106.6504}'])

    assert results[0]["agencies"] == ["ACS"]
    assert results[0]["rule"] == "Welfare check (call type)"


def test_it_falls_back_to_the_default_rules_file_when_nothing_is_published(monkeypatch, db):
    results, err = preview(
        monkeypatch, ['{"narrative": "not breathing"}', '{"narrative": "tent in the park"}']
    )

    assert [r["agencies"] for r in results] == [["FIRE_EMS"], ["ACS"]]
    assert results[0]["ruleset_version"] == 0
    assert err.count("no published rule set") == 1
