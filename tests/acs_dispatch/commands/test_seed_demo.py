from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from calls.models import CallType
from responders.models import Agency, Unit, Zone
from triage.models import Rule, RuleSet


def counts():
    return {
        "agencies": Agency.objects.count(),
        "call_types": CallType.objects.count(),
        "service_zones": Zone.objects.filter(kind=Zone.Kind.SERVICE).count(),
        "layer_zones": Zone.objects.filter(kind=Zone.Kind.LAYER).count(),
        "units": Unit.objects.count(),
        "users": get_user_model().objects.count(),
        "rulesets": RuleSet.objects.count(),
        "rules": Rule.objects.count(),
    }


def test_it_leaves_the_same_counts_when_run_twice(db):
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()

    call_command("seed_demo", stdout=io.StringIO())

    assert counts() == first
    assert first["agencies"] == 3
    assert first["service_zones"] == 7  # the approximate Albuquerque area commands
    assert first["layer_zones"] > 200  # the real neighborhoods
    assert 55 <= first["units"] <= 65
    assert first["users"] == 7
    assert first["call_types"] >= 288
    assert RuleSet.objects.get(status="PUBLISHED").version == 1


def test_it_covers_every_agency_and_role(db):
    call_command("seed_demo", stdout=io.StringIO())

    per_agency = {a: Unit.objects.filter(agency_id=a).count() for a in ("POLICE", "FIRE_EMS", "ACS")}
    assert all(n >= 15 for n in per_agency.values())
    roles = set(get_user_model().objects.values_list("role", flat=True))
    assert roles == {"call_taker", "dispatcher", "acs_supervisor", "responder", "admin"}
    capabilities = {a: set() for a in per_agency}
    for unit in Unit.objects.all():
        capabilities[unit.agency_id].update(unit.capabilities)
    assert capabilities["ACS"] == {
        "behavioral_health",
        "homeless_outreach",
        "violence_intervention",
        "spanish",
    }
    assert capabilities["FIRE_EMS"] >= {"als", "bls", "engine"}
    assert capabilities["POLICE"] == {"patrol", "cit", "spanish"}


def test_it_places_every_unit_inside_its_home_zone(db):
    from shapely.geometry import Point, shape

    call_command("seed_demo", stdout=io.StringIO())

    for unit in Unit.objects.select_related("home_zone"):
        assert shape(unit.home_zone.geometry).contains(Point(unit.lon, unit.lat)), unit.call_sign


def test_it_loads_the_san_diego_beats(db):
    out = io.StringIO()
    call_command("seed_demo", "--city", "san-diego", "--no-users", stdout=out)

    beats = Zone.objects.filter(city="san-diego", kind=Zone.Kind.SERVICE)
    assert beats.count() == 126  # 127 beats less the bay
    assert beats.filter(name__startswith="935 ").exists()
    assert Zone.objects.filter(city="san-diego", kind=Zone.Kind.LAYER).count() == 9
