"""GET /session tells a screen how long its session has left, without sliding it (the idle lock of
static/js/lib/lock.js relies on both), and every page hands its scripts the idle limit and the city's
time zone."""

from __future__ import annotations

import json

import time_machine
from django.contrib.sessions.models import Session
from django.test import override_settings

from tests.conftest import CURRENT_TIME


def _expire_date(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_it_answers_the_time_left_without_sliding_the_session(client_as, dana):
    client = client_as(dana)
    with time_machine.travel(CURRENT_TIME, tick=False):
        client.get("/calls/board/")
        expires = _expire_date(client)
    with time_machine.travel(CURRENT_TIME.replace(minute=40), tick=False):
        body = client.get("/session").json()

    assert body == {"authenticated": True, "username": "dana", "idle_seconds": 1800, "expires_in": 1200}
    assert _expire_date(client) == expires


def test_it_slides_the_session_on_any_other_request(client_as, dana):
    client = client_as(dana)
    with time_machine.travel(CURRENT_TIME, tick=False):
        client.get("/calls/board/")
    with time_machine.travel(CURRENT_TIME.replace(minute=40), tick=False):
        client.get("/api/v1/units")
        body = client.get("/session").json()

    assert body["expires_in"] == 1800


def test_it_says_a_session_past_its_idle_limit_has_ended(client_as, dana):
    client = client_as(dana)
    with time_machine.travel(CURRENT_TIME, tick=False):
        client.get("/calls/board/")
    with time_machine.travel(CURRENT_TIME.replace(hour=15, minute=1), tick=False):
        body = client.get("/session").json()

    assert body == {"authenticated": False, "expires_in": 0}


def test_it_answers_the_anonymous_outsider_without_a_redirect(client):
    response = client.get("/session")

    assert response.status_code == 200
    assert response.json() == {"authenticated": False, "expires_in": 0}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@override_settings(SESSION_COOKIE_AGE=90, CITY_TIME_ZONE="America/Los_Angeles")
def test_it_hands_every_page_the_idle_limit_and_the_city_time_zone(client_as, dana):
    html = client_as(dana).get("/calls/board/").content.decode()

    config = json.loads(html.split('id="page-config" type="application/json">')[1].split("</script>")[0])
    # The page config also carries labels, status groups and navigation (acs_dispatch/page_config.py,
    # tests/acs_dispatch/test_page_config.py); the idle lock and the clock read these.
    lock_keys = ("time_zone", "idle_seconds", "session_url", "login_url", "username", "mfa")
    assert {key: config[key] for key in lock_keys} == {
        "time_zone": "America/Los_Angeles",
        "idle_seconds": 90,
        "session_url": "/session",
        "login_url": "/login/",
        "username": "dana",
        "mfa": False,  # the idle lock asks for no authenticator code (issue 15)
    }
    assert 'data-tz="America/Los_Angeles"' in html
    assert 'id="city-clock"' in html
    assert 'id="lock-template"' in html


def test_it_gives_the_login_page_the_clock_but_no_lock(client):
    html = client.get("/login/").content.decode()

    assert 'data-tz="America/Denver"' in html
    assert "page-config" not in html
    assert "lock-template" not in html
