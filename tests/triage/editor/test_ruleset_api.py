from __future__ import annotations

import pytest

from triage.models import RuleSet, TriageTestCase
from triage.selectors import engine_published

ENDPOINTS = [
    ("get", "/api/v1/rulesets"),
    ("post", "/api/v1/rulesets"),
    ("get", "/api/v1/rulesets/{id}"),
    ("delete", "/api/v1/rulesets/{id}"),
    ("put", "/api/v1/rulesets/{id}/rules"),
    ("post", "/api/v1/rulesets/{id}/validate"),
    ("post", "/api/v1/rulesets/{id}/publish"),
    ("post", "/api/v1/rulesets/{id}/rollback"),
    ("post", "/api/v1/rulesets/{id}/test"),
    ("post", "/api/v1/rulesets/{id}/try"),
    ("post", "/api/v1/rulesets/{id}/whatif"),
    ("get", "/api/v1/rulesets/{id}/export"),
    ("get", "/api/v1/rulesets/{id}/diff/{id}"),
    ("post", "/api/v1/rulesets/import"),
    ("get", "/api/v1/triage-tests"),
    ("post", "/api/v1/triage-tests"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
@pytest.mark.parametrize("persona", ["otto", "dana", "sam"])
def test_it_refuses_everyone_but_admins(api_as, small_draft, request, persona, method, url):
    user = request.getfixturevalue(persona)

    response = getattr(api_as(user), method)(url.format(id=small_draft.pk), {}, format="json")

    assert response.status_code == 403
    small_draft.refresh_from_db()
    assert small_draft.lock_version == 0


def test_it_refuses_the_anonymous_outsider(api_as, small_draft):
    assert api_as(None).get("/api/v1/rulesets").status_code == 401


def test_it_lists_the_live_set_its_history_and_the_drafts(api_as, ada, small_draft):
    body = api_as(ada).get("/api/v1/rulesets").json()

    assert body["published"]["version"] == 1
    assert [r["version"] for r in body["history"]] == [1]
    assert [(d["id"], d["based_on_version"]) for d in body["drafts"]] == [(small_draft.pk, 1)]


def test_it_creates_a_draft_copying_the_live_set(api_as, ada, small_published):
    response = api_as(ada).post("/api/v1/rulesets", {}, format="json")

    assert response.status_code == 201
    draft = RuleSet.objects.get(pk=response.json()["id"])
    assert (draft.status, draft.rules.count()) == ("DRAFT", 3)


def test_it_saves_rules_and_answers_the_new_lock_version(api_as, ada, small_draft, small_rules):
    small_rules[0]["explanation"] = "Sleeping people: ACS checks"

    response = api_as(ada).put(
        f"/api/v1/rulesets/{small_draft.pk}/rules", {"lock_version": 0, "rules": small_rules}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["lock_version"] == 1
    assert small_draft.rules.get(position=0).explanation == "Sleeping people: ACS checks"


def test_it_answers_409_with_a_clear_message_to_a_stale_save(api_as, ada, small_draft, small_rules):
    api = api_as(ada)
    api.put(
        f"/api/v1/rulesets/{small_draft.pk}/rules", {"lock_version": 0, "rules": small_rules}, format="json"
    )

    response = api.put(
        f"/api/v1/rulesets/{small_draft.pk}/rules",
        {"lock_version": 0, "rules": small_rules[:1]},
        format="json",
    )

    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "stale_draft"
    assert "Nothing was overwritten" in body["detail"]
    assert body["lock_version"] == 1
    assert small_draft.rules.count() == 3


def test_it_answers_400_naming_the_rule_and_field_of_an_invalid_save(api_as, ada, small_draft, small_rules):
    small_rules[1]["conditions"]["call_types"] = ["WELCK", "BOGUS"]

    response = api_as(ada).put(
        f"/api/v1/rulesets/{small_draft.pk}/rules", {"lock_version": 0, "rules": small_rules}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert body["errors"] == [
        {
            "rule": "Welfare check",
            "index": 1,
            "field": "conditions.call_types",
            "message": "unknown call types: BOGUS",
        }
    ]


def test_it_answers_409_to_an_edit_of_a_published_set(api_as, ada, small_published, small_rules):
    response = api_as(ada).put(
        f"/api/v1/rulesets/{small_published.pk}/rules",
        {"lock_version": 0, "rules": small_rules[:1]},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["error"] == "ruleset_immutable"
    assert small_published.rules.count() == 3


def test_it_validates_rules_without_saving_them(api_as, ada, small_draft, small_rules):
    small_rules[0]["explanation"] = ""

    body = (
        api_as(ada)
        .post(f"/api/v1/rulesets/{small_draft.pk}/validate", {"rules": small_rules}, format="json")
        .json()
    )

    assert body["valid"] is False
    assert [(e["rule"], e["field"]) for e in body["errors"]] == [("Person sleeping", "explanation")]
    assert small_draft.rules.get(position=0).explanation != ""


def test_it_publishes_then_diffs_then_rolls_back(api_as, ada, small_published, small_draft, small_rules):
    api = api_as(ada)
    small_rules[0]["outcome"]["priority"] = 4
    api.put(
        f"/api/v1/rulesets/{small_draft.pk}/rules", {"lock_version": 0, "rules": small_rules}, format="json"
    )

    published = api.post(
        f"/api/v1/rulesets/{small_draft.pk}/publish",
        {"notes": "sleepers P4", "lock_version": 1},
        format="json",
    )
    diff = api.get(f"/api/v1/rulesets/{small_published.pk}/diff/{small_draft.pk}").json()
    rolled = api.post(f"/api/v1/rulesets/{small_published.pk}/rollback", {"notes": "too low"}, format="json")

    assert (published.status_code, published.json()["version"]) == (201, 2)
    assert diff["changed"] == [
        {"rule": "Person sleeping", "fields": [{"field": "outcome.priority", "old": 3, "new": 4}]}
    ]
    assert (rolled.status_code, rolled.json()["version"]) == (201, 3)
    assert engine_published().version == 3


def test_it_refuses_a_publish_without_a_note(api_as, ada, small_draft):
    response = api_as(ada).post(f"/api/v1/rulesets/{small_draft.pk}/publish", {"notes": ""}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "notes"
    small_draft.refresh_from_db()
    assert small_draft.status == "DRAFT"


def test_it_exports_yaml_and_json_and_imports_them_back(api_as, ada, small_published):
    api = api_as(ada)
    yaml_body = api.get(f"/api/v1/rulesets/{small_published.pk}/export").content.decode()
    json_response = api.get(f"/api/v1/rulesets/{small_published.pk}/export?format=json")

    from django.core.files.uploadedfile import SimpleUploadedFile

    imported = api.post(
        "/api/v1/rulesets/import",
        {"file": SimpleUploadedFile("v1.yaml", yaml_body.encode())},
        format="multipart",
    )

    assert "name: Person sleeping" in yaml_body
    assert json_response["Content-Disposition"] == 'attachment; filename="triage-rules-v1.json"'
    assert json_response.json()["rules"][0]["name"] == "Person sleeping"
    assert imported.status_code == 201
    assert RuleSet.objects.get(pk=imported.json()["id"]).rules.count() == 3


def test_it_answers_400_to_a_malformed_import(api_as, ada, small_published):
    response = api_as(ada).post(
        "/api/v1/rulesets/import", {"content": "rules: [\n", "filename": "x.yaml"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert "not valid YAML" in response.json()["detail"]
    assert RuleSet.objects.count() == 1  # only the live set


def test_it_tries_a_call_against_the_draft(api_as, ada, small_draft):
    body = (
        api_as(ada)
        .post(
            f"/api/v1/rulesets/{small_draft.pk}/try",
            {"narrative": "man sleeping by the library"},
            format="json",
        )
        .json()
    )

    assert (body["agencies"], body["rule"], body["ruleset_version"]) == (["ACS"], "Person sleeping", 0)
    assert body["reasons"][0] == "Person sleeping: A person sleeping in public: ACS checks on them"


def test_it_runs_the_saved_test_cases_against_the_draft(api_as, ada, small_draft):
    api = api_as(ada)
    ok = api.post(
        "/api/v1/triage-tests",
        {
            "name": "sleeper",
            "narrative": "man sleeping",
            "expected_agencies": ["ACS"],
            "expected_lead": "ACS",
        },
        format="json",
    )
    api.post(
        "/api/v1/triage-tests",
        {"name": "wrong on purpose", "narrative": "loud music", "expected_agencies": ["ACS"]},
        format="json",
    )

    body = api.post(f"/api/v1/rulesets/{small_draft.pk}/test").json()

    assert ok.status_code == 201
    assert (body["total"], body["passed"], body["failed"]) == (2, 1, 1)
    failed = next(r for r in body["results"] if not r["passed"])
    assert failed["failures"] == ["agencies POLICE, expected ACS"]


def test_it_refuses_a_test_case_without_expected_agencies(api_as, ada):
    response = api_as(ada).post("/api/v1/triage-tests", {"name": "t", "narrative": "x"}, format="json")

    assert response.status_code == 400
    assert "expected_agencies" in response.json()["errors"]
    assert TriageTestCase.objects.count() == 0


def test_it_replays_the_san_diego_calls_chunk_by_chunk(api_as, ada, small_draft):
    api = api_as(ada)

    first = api.post(
        f"/api/v1/rulesets/{small_draft.pk}/whatif", {"limit": 300, "chunk": 200}, format="json"
    ).json()
    second = api.post(
        f"/api/v1/rulesets/{small_draft.pk}/whatif",
        {"limit": 300, "chunk": 200, "offset": 200},
        format="json",
    ).json()

    assert (first["total"], first["next_offset"], first["done"]) == (300, 200, False)
    assert (second["offset"], second["next_offset"], second["done"]) == (200, 300, True)
    assert first["result"]["calls"] + second["result"]["calls"] == 300
    assert first["result"]["changed"] == 0  # the draft is a copy of the live set
    assert first["published_version"] == 1


def test_it_replays_the_centers_own_calls(api_as, ada, small_draft, small_rules):
    from calls.models import Call

    Call.objects.create(number="T-1", narrative="man sleeping at the bus stop")
    Call.objects.create(number="T-2", narrative="loud party")
    small_rules[0]["outcome"]["priority"] = 4
    api = api_as(ada)
    api.put(
        f"/api/v1/rulesets/{small_draft.pk}/rules", {"lock_version": 0, "rules": small_rules}, format="json"
    )

    body = api.post(
        f"/api/v1/rulesets/{small_draft.pk}/whatif", {"source": "history", "limit": 10}, format="json"
    ).json()

    assert body["total"] == 2
    assert body["result"]["changed"] == 1
    assert body["result"]["transitions"][0]["from"] == "ACS (lead ACS) P3"
    assert body["result"]["transitions"][0]["to"] == "ACS (lead ACS) P4"
    assert body["result"]["transitions"][0]["examples"][0]["label"].startswith("T-1")


def test_it_documents_the_editor_endpoints_in_the_openapi_schema(api_as, ada):
    schema = api_as(ada).get("/api/v1/schema/?format=json").json()

    for path in (
        "/api/v1/rulesets",
        "/api/v1/rulesets/{ruleset_id}/publish",
        "/api/v1/rulesets/{ruleset_id}/whatif",
        "/api/v1/rulesets/{ruleset_id}/diff/{other_id}",
        "/api/v1/rulesets/import",
        "/api/v1/triage-tests",
    ):
        assert path in schema["paths"], path


def test_it_updates_and_deletes_a_saved_test_case(api_as, ada):
    api = api_as(ada)
    created = api.post(
        "/api/v1/triage-tests",
        {"name": "t1", "narrative": "man sleeping", "expected_agencies": ["ACS"]},
        format="json",
    ).json()

    updated = api.put(
        f"/api/v1/triage-tests/{created['id']}",
        {"name": "t1 renamed", "narrative": "man sleeping", "expected_agencies": ["ACS", "POLICE"]},
        format="json",
    )
    deleted = api.delete(f"/api/v1/triage-tests/{created['id']}")

    assert (updated.status_code, updated.json()["name"], updated.json()["expected_agencies"]) == (
        200,
        "t1 renamed",
        ["ACS", "POLICE"],
    )
    assert deleted.status_code == 204
    assert TriageTestCase.objects.count() == 0


def test_it_answers_409_to_a_replay_when_nothing_is_published(api_as, ada, call_types):
    from triage.services import ruleset_draft_create

    draft = ruleset_draft_create(actor=ada)

    response = api_as(ada).post(f"/api/v1/rulesets/{draft.pk}/whatif", {"limit": 10}, format="json")

    assert response.status_code == 409
    assert "Nothing is published yet" in response.json()["detail"]
