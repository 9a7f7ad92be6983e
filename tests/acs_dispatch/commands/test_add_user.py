from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command


def add_user(*args, password="a-long-pass-phrase-42"):
    stdin = io.StringIO(password + "\n")
    out = io.StringIO()
    import sys

    old = sys.stdin
    sys.stdin = stdin
    try:
        call_command("add_user", *args, "--password-stdin", stdout=out)
    finally:
        sys.stdin = old
    return out.getvalue()


def test_it_creates_a_dispatcher(db):
    out = add_user("dora", "--role", "dispatcher")

    user = get_user_model().objects.get(username="dora")
    assert user.role == "dispatcher"
    assert user.check_password("a-long-pass-phrase-42")
    assert "created dora" in out


def test_it_binds_a_responder_to_its_unit(acs_12):
    add_user("rae", "--role", "responder", "--unit", "acs-12")

    assert get_user_model().objects.get(username="rae").unit == acs_12


def test_it_refuses_an_unknown_role_with_exit_code_2(db):
    with pytest.raises(CommandError, match="unknown role 'pilot'") as excinfo:
        add_user("x", "--role", "pilot")

    assert excinfo.value.returncode == 2
    assert not get_user_model().objects.filter(username="x").exists()


def test_it_refuses_a_responder_without_a_unit(db):
    with pytest.raises(CommandError, match="a responder must crew a unit") as excinfo:
        add_user("x", "--role", "responder")

    assert excinfo.value.returncode == 2


def test_it_refuses_an_unknown_unit(db):
    with pytest.raises(CommandError, match="unknown unit 'NOPE-1'") as excinfo:
        add_user("x", "--role", "responder", "--unit", "NOPE-1")

    assert excinfo.value.returncode == 2


def test_it_refuses_a_duplicate_username(dana):
    with pytest.raises(CommandError, match="already exists"):
        add_user("dana", "--role", "dispatcher")


def test_it_refuses_a_weak_password(db):
    with pytest.raises(CommandError, match="password rejected"):
        add_user("x", "--role", "admin", password="123")


def test_it_exits_2_from_the_command_line(db, tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "manage.py", "add_user", "x", "--role", "responder", "--password-stdin"],
        input="a-long-pass-phrase-42\n",
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "SQLITE_PATH": str(tmp_path / "db.sqlite3")},
    )

    assert proc.returncode == 2
    assert "a responder must crew a unit" in proc.stderr
