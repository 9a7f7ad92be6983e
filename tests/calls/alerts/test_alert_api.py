"""REST: GET /api/v1/alerts, POST /api/v1/alerts/{id}/acknowledge, GET/PUT /api/v1/thresholds,
and the admin's thresholds page."""

from __future__ import annotations

import pytest

from calls.models import Alert, DeadlineThreshold
from calls.services import assignment_acknowledge, unit_status_change


@pytest.fixture
def ack_alert(acs_call, acs_12, assign, sweep):
    assign(acs_call, acs_12)
    sweep(after=90)
    return Alert.objects.get(kind="ACK")


@pytest.fixture
def police_status_check(police_call, apd_2a31, pete, assign, sweep):
    assignment_acknowledge(assignment=assign(police_call, apd_2a31), actor=pete)
    unit_status_change(unit=apd_2a31, status="ON_SCENE", actor=pete)
    sweep(after=1200)
    return Alert.objects.get(kind="ON_SCENE")


def test_it_lists_the_open_alerts_the_user_handles(ack_alert, api_as, dana, pete, sam):
    as_dana = api_as(dana).get("/api/v1/alerts?open=1")
    as_pete = api_as(pete).get("/api/v1/alerts?open=1")
    as_sam = api_as(sam).get("/api/v1/alerts?open=1")

    assert as_dana.status_code == 200
    assert [a["id"] for a in as_dana.json()] == [ack_alert.pk]
    assert as_dana.json()[0]["unit_call_sign"] == "ACS-12"
    assert as_dana.json()[0]["kind_label"] == "Assignment not acknowledged"
    assert [a["id"] for a in as_sam.json()] == [ack_alert.pk]
    assert as_pete.json() == []


def test_it_lists_a_status_check_to_its_unit_only(police_status_check, api_as, dana, pete, riley, sam):
    assert [a["id"] for a in api_as(pete).get("/api/v1/alerts?open=1").json()] == [police_status_check.pk]
    for user in (dana, riley, sam):
        assert api_as(user).get("/api/v1/alerts?open=1").json() == []


def test_it_lists_escalated_alerts_first(acs_call, acs_12, assign, sweep, api_as, dana):
    assign(acs_call, acs_12)
    sweep(after=180)  # ACS-12 taken off the call: the escalation, back in the queue
    sweep(after=300)  # the queue clock's warning

    rows = api_as(dana).get("/api/v1/alerts?open=1").json()

    assert [(a["kind"], a["level"]) for a in rows] == [("ACK", 2), ("QUEUE", 1)]


def test_it_leaves_acknowledged_alerts_out_of_the_open_list(ack_alert, api_as, dana):
    api_as(dana).post(f"/api/v1/alerts/{ack_alert.pk}/acknowledge")

    assert api_as(dana).get("/api/v1/alerts?open=1").json() == []
    history = api_as(dana).get("/api/v1/alerts?open=0").json()
    assert [(a["id"], a["acknowledged_by"]) for a in history] == [(ack_alert.pk, "dana")]


def test_it_acknowledges_for_the_dispatcher(ack_alert, api_as, dana):
    response = api_as(dana).post(f"/api/v1/alerts/{ack_alert.pk}/acknowledge")

    assert response.status_code == 200
    assert response.json()["acknowledged_by"] == "dana"
    ack_alert.refresh_from_db()
    assert ack_alert.acknowledged_by == dana


def test_it_refuses_the_wrong_role_with_403(ack_alert, api_as, pete):
    response = api_as(pete).post(f"/api/v1/alerts/{ack_alert.pk}/acknowledge")

    assert response.status_code == 403
    assert response.json()["error"] == "not_allowed"
    ack_alert.refresh_from_db()
    assert ack_alert.acknowledged_at is None


def test_it_refuses_otto_and_the_anonymous_outsider(ack_alert, api_as, otto):
    assert api_as(otto).get("/api/v1/alerts?open=1").status_code == 403
    assert api_as(otto).post(f"/api/v1/alerts/{ack_alert.pk}/acknowledge").status_code == 403
    assert api_as().get("/api/v1/alerts?open=1").status_code == 401
    assert api_as().post(f"/api/v1/alerts/{ack_alert.pk}/acknowledge").status_code == 401


def test_it_answers_404_for_an_unknown_alert(db, api_as, dana):
    assert api_as(dana).post("/api/v1/alerts/999/acknowledge").status_code == 404


def test_it_shows_the_thresholds_to_an_admin(db, api_as, ada):
    rows = api_as(ada).get("/api/v1/thresholds").json()

    assert len(rows) == 48
    assert rows[0] == {
        "kind": "ACK",
        "kind_label": "Assignment not acknowledged",
        "agency": "ACS",
        "priority": 1,
        "warn_seconds": 60,
        "escalate_seconds": 120,
        "is_default": True,
    }


def test_it_updates_thresholds_for_an_admin(db, api_as, ada):
    body = [{"kind": "QUEUE", "agency": "ACS", "priority": 4, "warn_seconds": 1800, "escalate_seconds": 7200}]

    response = api_as(ada).put("/api/v1/thresholds", body, format="json")

    assert response.status_code == 200
    row = next(r for r in response.json() if (r["kind"], r["agency"], r["priority"]) == ("QUEUE", "ACS", 4))
    assert (row["warn_seconds"], row["escalate_seconds"], row["is_default"]) == (1800, 7200, False)


def test_it_answers_400_with_field_messages_for_bad_thresholds(db, api_as, ada):
    bad = [
        {"kind": "QUEUE", "agency": "ACS", "priority": 4, "warn_seconds": 1800, "escalate_seconds": 7200},
        {"kind": "QUEUE", "agency": "ACS", "priority": 9, "warn_seconds": 5, "escalate_seconds": 7200},
    ]
    response = api_as(ada).put("/api/v1/thresholds", bad, format="json")
    too_early = [
        {"kind": "ACK", "agency": "ACS", "priority": 1, "warn_seconds": 300, "escalate_seconds": 200}
    ]
    refused = api_as(ada).put("/api/v1/thresholds", too_early, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]["1"]) == {"priority", "warn_seconds"}  # errors keyed by row
    assert refused.status_code == 400
    assert "escalate_seconds" in refused.json()["errors"]
    assert not DeadlineThreshold.objects.exists()


def test_it_keeps_thresholds_from_everyone_but_admins(db, api_as, dana, otto):
    body = [{"kind": "ACK", "agency": "ACS", "priority": 1, "warn_seconds": 30, "escalate_seconds": 60}]
    for user in (dana, otto):
        assert api_as(user).get("/api/v1/thresholds").status_code == 403
        assert api_as(user).put("/api/v1/thresholds", body, format="json").status_code == 403
    assert api_as().get("/api/v1/thresholds").status_code == 401


def test_it_saves_changed_rows_from_the_thresholds_page(db, client_as, ada):
    page = client_as(ada).get("/alerts/thresholds/")
    assert page.status_code == 200
    assert b"Alert thresholds" in page.content

    response = client_as(ada).post(
        "/alerts/thresholds/", {"warn__ON_SCENE__ACS__3": "2400", "escalate__ON_SCENE__ACS__3": "3000"}
    )

    assert response.status_code == 302
    saved = DeadlineThreshold.objects.get()
    assert (saved.kind, saved.agency, saved.priority, saved.warn_seconds, saved.escalate_seconds) == (
        "ON_SCENE",
        "ACS",
        3,
        2400,
        3000,
    )


def test_it_shows_why_nothing_was_saved_on_the_thresholds_page(db, client_as, ada):
    response = client_as(ada).post(
        "/alerts/thresholds/", {"warn__ON_SCENE__ACS__3": "3000", "escalate__ON_SCENE__ACS__3": "2000"}
    )

    assert response.status_code == 400
    assert b"Nothing was saved" in response.content
    assert not DeadlineThreshold.objects.exists()


def test_it_keeps_the_thresholds_page_from_a_dispatcher(db, client_as, dana):
    assert client_as(dana).get("/alerts/thresholds/").status_code == 403


def test_it_puts_the_alerts_panel_on_the_dispatch_board(db, client_as, dana):
    page = client_as(dana).get("/calls/board/")

    assert b'id="alerts"' in page.content
    assert b"js/alerts.js" in page.content
