"""The postgres/redis markers skip only on a developer's machine: under CI a missing service fails."""

from __future__ import annotations

import pytest

from tests import conftest


@pytest.fixture
def service_missing(monkeypatch):
    monkeypatch.setattr(conftest, "service_available", lambda kind: (False, f"needs {kind}"))


@pytest.mark.parametrize("kind", ["postgres", "redis"])
def test_it_fails_instead_of_skipping_when_ci_is_set_and_the_service_is_missing(
    kind, service_missing, monkeypatch
):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        conftest.service_required(kind)


@pytest.mark.parametrize("kind", ["postgres", "redis"])
def test_it_skips_on_a_developer_machine_without_the_service(kind, service_missing, monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match=f"needs {kind}"):
        conftest.service_required(kind)


def test_it_sees_redis_only_when_redis_url_is_set(settings):
    settings.REDIS_URL = ""

    assert conftest.service_available("redis")[0] is False
