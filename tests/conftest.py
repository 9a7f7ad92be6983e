"""The fixed cast of the tests, and helpers every test folder shares.

Personas (see STYLE.md §11):
- carla: call-taker; enters calls, may not assign.
- dana: dispatcher; assigns, overrides triage with a reason, closes calls.
- sam: ACS supervisor; watches ACS units, acknowledges their alerts, reads ACS clinical notes.
- riley: ACS responder crewing ACS-12; may act only on ACS-12's assignments.
- pete: police responder crewing APD-2A31; must never see an ACS clinical note.
- mia: fire/EMS responder crewing MEDIC-12.
- ada: admin; edits and publishes triage rules.
- otto: logged-in user with no role; with the anonymous outsider, refused everywhere.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from functools import cache

import pytest
from django.conf import settings

CURRENT_TIME = dt.datetime(2026, 11, 25, 14, 30, tzinfo=dt.UTC)  # 07:30 in Albuquerque


def pytest_configure(config):
    # Hashing a password the real way costs ~0.3 s; the cast logs in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def service_available(kind: str) -> tuple[bool, str]:
    """Whether the settings point at PostgreSQL / Redis, and what to set when they do not."""
    if kind == "postgres":
        return settings.DATABASES["default"]["ENGINE"].endswith(
            "postgresql"
        ), "needs PostgreSQL: set DATABASE_URL"
    return bool(settings.REDIS_URL), "needs Redis: set REDIS_URL"


def service_required(kind: str) -> None:
    """Skip a test needing PostgreSQL or Redis when it is absent, except in CI, where it fails."""
    ok, why = service_available(kind)
    if ok:
        return
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{why} (CI is set: a missing service is a failure, not a skip)")
    pytest.skip(why)


@pytest.fixture(autouse=True)
def _services_for_markers(request):
    for kind in ("postgres", "redis"):
        if request.node.get_closest_marker(kind):
            service_required(kind)


def _sign_in_throttles_reset() -> None:
    """Forget the sign-in attempts counted per address (acs_dispatch.throttles). Only those keys:
    with REDIS_URL the cache is a Redis shared with other runs, where clear() would flush it all."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    cache = caches["default"]
    if isinstance(cache, LocMemCache):
        cache.clear()
        return
    client = cache._cache.get_client(None, write=True)
    keys = list(client.scan_iter(match="*throttle_auth_*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Caches keyed by database content must not leak from one test's rolled-back data to the next."""
    from responders.selectors import units_index_clear, zone_index_clear
    from triage.selectors import engine_cache_clear

    zone_index_clear()
    units_index_clear()
    engine_cache_clear()
    _sign_in_throttles_reset()
    yield
    zone_index_clear()
    units_index_clear()
    engine_cache_clear()


@cache
def _abq_zone_shapes():
    from shapely.geometry import shape

    from responders.geography import albuquerque_area_commands, read_geojson, shared_data_dir

    limits = read_geojson(shared_data_dir() / "abq_city_limits.geojson")
    return tuple(albuquerque_area_commands(shape(limits["features"][0]["geometry"])))


@pytest.fixture
def agencies(db):
    from responders.services import agencies_ensure

    return {a.code: a for a in agencies_ensure()}


@pytest.fixture
def zones(db, agencies):
    """The seven approximate Albuquerque area commands, by name."""
    from responders.models import Zone
    from responders.services import zones_import

    zones_import(zones=_abq_zone_shapes(), city="albuquerque")
    return {z.name: z for z in Zone.objects.filter(kind=Zone.Kind.SERVICE)}


def _unit(call_sign, agency, caps, zone, lat, lon):
    from responders.services import unit_ensure

    unit, _ = unit_ensure(
        call_sign=call_sign, agency=agency, capabilities=caps, home_zone=zone, lat=lat, lon=lon
    )
    return unit


@pytest.fixture
def acs_12(zones):
    # Downtown, in the Valley area command.
    return _unit(
        "ACS-12", "ACS", ["behavioral_health", "homeless_outreach"], zones["Valley"], 35.0844, -106.6504
    )


@pytest.fixture
def apd_2a31(zones):
    return _unit("APD-2A31", "POLICE", ["patrol", "cit"], zones["Valley"], 35.0900, -106.6550)


@pytest.fixture
def medic_12(zones):
    return _unit("MEDIC-12", "FIRE_EMS", ["als"], zones["University"], 35.0700, -106.6200)


def _user(username, role, unit=None):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username=username, password="pw-" + username, role=role, unit=unit
    )


@pytest.fixture
def carla(db):
    return _user("carla", "call_taker")


@pytest.fixture
def dana(db):
    return _user("dana", "dispatcher")


@pytest.fixture
def sam(db):
    return _user("sam", "acs_supervisor")


@pytest.fixture
def riley(acs_12):
    return _user("riley", "responder", acs_12)


@pytest.fixture
def pete(apd_2a31):
    return _user("pete", "responder", apd_2a31)


@pytest.fixture
def mia(medic_12):
    return _user("mia", "responder", medic_12)


@pytest.fixture
def ada(db):
    return _user("ada", "admin")


@pytest.fixture
def otto(db):
    return _user("otto", "")


def _second_factor_given(client, user) -> None:
    """For a role that signs in with a second factor (admin, ACS supervisor), mark the session as
    having passed it, as the two-step login does (acs_dispatch.mfa_views); else the session is
    ended (acs_dispatch.mfa_middleware)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from acs_dispatch.mfa import mfa_role_requires

    if not mfa_role_requires(user.role):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def client_as(client):
    """client_as(user) -> a test client logged in as `user`."""

    def login(user):
        client.force_login(user)
        _second_factor_given(client, user)
        return client

    return login


@pytest.fixture
def api_as():
    """api_as(user) -> a DRF APIClient authenticated as `user` (None: anonymous)."""
    from rest_framework.test import APIClient

    def make(user=None):
        api = APIClient()
        if user is not None:
            api.force_authenticate(user)
        return api

    return make


@pytest.fixture
def capture_events(monkeypatch, django_capture_on_commit_callbacks):
    """with capture_events() as pushed: ... -> pushed is a list of (stream, frame) sent after commit."""

    from live.events import pusher_get

    @contextlib.contextmanager
    def capture():
        pushed: list[tuple[str, dict]] = []
        monkeypatch.setattr(pusher_get(), "push", lambda frames: pushed.extend(frames))
        with django_capture_on_commit_callbacks(execute=True):
            yield pushed

    return capture


@pytest.fixture
def published_rules(db):
    """The default rule set, published as version 1."""
    from triage.services import ruleset_seed_default

    return ruleset_seed_default()


@pytest.fixture
def call_types(db):
    """A handful of call types (tests.calls.support.CALL_TYPES)."""
    from calls.services import call_types_load
    from tests.calls.support import CALL_TYPES

    call_types_load(rows=CALL_TYPES)


@pytest.fixture
def dispositions(db):
    from calls.services import dispositions_load

    dispositions_load()


@pytest.fixture
def now():
    """Time stands still at CURRENT_TIME."""
    import time_machine

    with time_machine.travel(CURRENT_TIME, tick=False):
        yield CURRENT_TIME


@pytest.fixture
def rules(db):
    """A small rule set published as version 1 (tests.calls.support.RULES)."""
    from tests.calls.support import rules_publish

    return rules_publish()


@pytest.fixture
def make_call(carla, zones, call_types, rules, dispositions):
    """make_call(**fields) -> a triaged PENDING call entered by carla (downtown by default)."""
    from tests.calls.support import make_call_factory

    return make_call_factory(carla)
