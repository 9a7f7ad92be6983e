from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from triage.models import RuleSet
from triage.selectors import engine_published


@pytest.mark.parametrize(
    "url", ["/triage/rules/", "/triage/rules/{draft}/", "/triage/rules/{live}/", "/triage/rules/diff/"]
)
def test_it_shows_the_editor_pages_to_an_admin(client_as, ada, small_draft, small_published, url):
    response = client_as(ada).get(url.format(draft=small_draft.pk, live=small_published.pk))

    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["dana", "carla", "sam", "otto"])
def test_it_refuses_the_editor_to_non_admins(client_as, request, small_draft, persona):
    client = client_as(request.getfixturevalue(persona))

    assert client.get("/triage/rules/").status_code == 403
    assert client.get(f"/triage/rules/{small_draft.pk}/").status_code == 403
    response = client.post(f"/triage/rules/{small_draft.pk}/publish/", {"notes": "x", "lock_version": 0})
    assert response.status_code == 403
    small_draft.refresh_from_db()
    assert small_draft.status == RuleSet.Status.DRAFT


def test_it_sends_the_anonymous_outsider_to_the_login_page(client, small_draft):
    response = client.get(f"/triage/rules/{small_draft.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_shows_the_live_version_history_and_drafts(client_as, ada, small_draft):
    page = client_as(ada).get("/triage/rules/").content.decode()

    assert 'data-testid="live-version">v1<' in page
    assert f"/triage/rules/{small_draft.pk}/" in page


def test_it_shows_a_published_set_read_only_with_its_rules(client_as, ada, small_published):
    page = client_as(ada).get(f"/triage/rules/{small_published.pk}/").content.decode()

    assert "Published sets cannot be edited" in page
    assert "Person sleeping" in page
    assert 'id="rule-editor"' not in page


def test_it_gives_the_editor_its_rules_modes_and_call_types(client_as, ada, small_draft):
    response = client_as(ada).get(f"/triage/rules/{small_draft.pk}/")

    editor = response.context["editor"]
    assert [r["name"] for r in editor["rules"]] == ["Person sleeping", "Welfare check", "Everything else"]
    assert {"code": "WELCK", "name": "WELFARE CHECK"} in editor["call_types"]
    assert {"code": "ACS_LEAD_POLICE_STAGED", "agencies": ["ACS", "POLICE"], "lead": "ACS"}.items() <= next(
        m for m in editor["modes"] if m["code"] == "ACS_LEAD_POLICE_STAGED"
    ).items()
    assert editor["issues"] == []


def test_it_publishes_a_draft_from_the_form(client_as, ada, small_draft):
    response = client_as(ada).post(
        f"/triage/rules/{small_draft.pk}/publish/", {"notes": "reviewed", "lock_version": 0}, follow=True
    )

    assert "v2 is live." in response.content.decode()
    assert engine_published().version == 2


def test_it_keeps_the_draft_and_says_why_when_a_publish_is_refused(client_as, ada, small_draft):
    response = client_as(ada).post(
        f"/triage/rules/{small_draft.pk}/publish/", {"notes": "reviewed", "lock_version": 7}, follow=True
    )

    assert "Not published: This draft was saved by someone else" in response.content.decode()
    assert engine_published().version == 1


def test_it_rolls_back_from_the_form(client_as, ada, small_published, small_draft):
    client = client_as(ada)
    client.post(f"/triage/rules/{small_draft.pk}/publish/", {"notes": "v2", "lock_version": 0})

    response = client.post(f"/triage/rules/{small_published.pk}/rollback/", {"notes": "back"}, follow=True)

    assert "Rolled back: v3 (a copy of v1) is live." in response.content.decode()


def test_it_names_the_rule_and_field_of_a_refused_import(client_as, ada, small_published):
    bad = b"rules:\n  - name: Broken\n    conditions: {keywords_any: [sleeping]}\n    outcome: {mode: NOPE, priority: 3}\n    explanation: x\n"

    response = client_as(ada).post("/triage/rules/import/", {"file": SimpleUploadedFile("bad.yaml", bad)})

    assert response.status_code == 400
    page = response.content.decode()
    assert "The file was not imported" in page
    assert "Rule 1 “Broken”, outcome.mode: unknown mode &#x27;NOPE&#x27;" in page
    assert RuleSet.objects.count() == 1


def test_it_shows_the_diff_of_two_versions(client_as, ada, small_published, small_draft):
    page = (
        client_as(ada).get(f"/triage/rules/diff/?a={small_published.pk}&b={small_draft.pk}").content.decode()
    )

    assert "The two sets hold the same rules in the same order." in page


def test_it_discards_a_draft(client_as, ada, small_draft):
    client_as(ada).post(f"/triage/rules/{small_draft.pk}/discard/")

    assert not RuleSet.objects.filter(pk=small_draft.pk).exists()
