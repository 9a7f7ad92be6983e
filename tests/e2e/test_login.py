"""Each persona signs in through the real login form and lands on its own screen."""

from __future__ import annotations

import re

import pytest

LANDING = [
    ("calltaker", "/calls/intake/"),
    ("dispatcher", "/calls/board/"),
    ("supervisor", "/units/supervisor/"),
    ("responder", "/units/me/"),
    ("admin", "/triage/rules/"),
]


@pytest.mark.parametrize(("username", "path"), LANDING)
def test_it_lands_each_role_on_its_screen(page_as, e2e_server, username, path):
    page = page_as(username)

    assert page.url == e2e_server.url + path
    assert page.get_by_role("button", name="Log out").is_visible()


def test_it_sends_an_outsider_to_the_login_page(page, e2e_server):
    page.goto(e2e_server.url + "/calls/board/")

    assert re.search(r"/login/\?next=/calls/board/$", page.url)
    assert page.get_by_role("heading", name="Sign in").is_visible()


def test_it_refuses_a_wrong_password_with_a_message(page, e2e_server, login):
    login(page, "dispatcher", "not-the-password")

    assert page.url.startswith(e2e_server.url + "/login/")
    assert page.get_by_role("alert").is_visible()


def test_it_logs_out_back_to_the_login_page(page_as, e2e_server):
    page = page_as("dispatcher")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state("domcontentloaded")

    assert page.url.startswith(e2e_server.url + "/login/")
    page.goto(e2e_server.url + "/calls/board/")
    assert "/login/" in page.url


def test_it_has_an_accessible_login_page(page, e2e_server, axe_check):
    page.goto(e2e_server.url + "/login/")

    assert axe_check(page) == []
