from __future__ import annotations

import json

import pytest

from acs_dispatch.exceptions import ValidationFailed
from triage.models import RuleSet
from triage.selectors import engine_published, ruleset_export, ruleset_rules_spec
from triage.services import ruleset_import


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_it_imports_an_exported_set_as_a_new_draft(ada, small_published, fmt):
    exported = ruleset_export(ruleset=small_published, fmt=fmt)

    draft = ruleset_import(content=exported.encode(), filename=f"rules.{fmt}", actor=ada)

    assert draft.status == RuleSet.Status.DRAFT
    assert draft.name == f"Imported rules.{fmt}"
    assert ruleset_rules_spec(ruleset=draft) == ruleset_rules_spec(ruleset=small_published)


def test_it_refuses_a_malformed_yaml_file_with_its_line(ada, small_published):
    with pytest.raises(ValidationFailed, match="not valid YAML") as caught:
        ruleset_import(content=b"rules:\n  - name: [unclosed\n", filename="rules.yaml", actor=ada)

    assert caught.value.extra["errors"][0]["field"] == "file"
    assert "line" in caught.value.message
    assert RuleSet.objects.count() == 1


def test_it_refuses_a_malformed_json_file(ada, small_published):
    with pytest.raises(ValidationFailed, match="not valid JSON: .* line 1"):
        ruleset_import(content=b'{"rules": [', filename="rules.json", actor=ada)


def test_it_refuses_a_file_without_rules(ada, small_published):
    with pytest.raises(ValidationFailed, match="holds no rules"):
        ruleset_import(content=b"name: nothing here\n", filename="rules.yaml", actor=ada)


def test_it_refuses_an_invalid_rule_naming_the_rule_and_field_and_creates_nothing(
    ada, small_published, small_rules
):
    small_rules[1]["outcome"]["priority"] = 9

    with pytest.raises(ValidationFailed, match="The file was not imported") as caught:
        ruleset_import(content=json.dumps({"rules": small_rules}), filename="rules.json", actor=ada)

    assert caught.value.extra["errors"] == [
        {
            "rule": "Welfare check",
            "index": 1,
            "field": "outcome.priority",
            "message": "priority must be an integer 1 (most urgent) to 4, not 9",
        }
    ]
    assert list(RuleSet.objects.values_list("version", flat=True)) == [1]
    assert engine_published().version == 1


def test_it_refuses_a_file_that_is_not_utf8(ada, small_published):
    with pytest.raises(ValidationFailed, match="not UTF-8"):
        ruleset_import(content=b"\xff\xfe\x00r", filename="rules.yaml", actor=ada)
