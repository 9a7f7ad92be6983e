"""manage.py seed_demo [--city albuquerque|san-diego]: idempotent demo data from the real sources
in ../shared/data: call types, default triage rules, zones, agencies, ~60 units, one user per role."""

from __future__ import annotations

import csv
import random
from base64 import b32decode
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from shapely.geometry import shape

from acs_dispatch.mfa import mfa_device_seed, mfa_role_requires
from acs_dispatch.roles import Role
from acs_dispatch.services import user_create
from calls.services import call_types_load, dispositions_load
from calls.services.alerts import thresholds_ensure_defaults
from responders.geography import (
    albuquerque_area_commands,
    point_inside,
    read_geojson,
    shared_data_dir,
    zones_from_geojson,
)
from responders.gis_seed import geocoder_seed
from responders.models import Agency, Zone
from responders.services import agencies_ensure, unit_ensure, zones_import
from triage.services import ruleset_seed_default

CALL_TYPES_FILE = Path(__file__).resolve().parents[3] / "calls" / "data" / "call_types.csv"
DEMO_PASSWORD = "acs-demo-2026"
# The demo's authenticator secret (base32, as typed into a TOTP app), published in the README: the
# demo users whose role needs two-factor sign-in (admin, supervisor by default) get a device with
# it, so anyone can sign in as them with `oathtool --totp -b ACSDEMOTOTPSECRETKEYACSDEMOTOTPS` or the app. Demo only.
DEMO_TOTP_SECRET = "ACSDEMOTOTPSECRETKEYACSDEMOTOTPS"

# (username, role, unit call sign)
DEMO_USERS = [
    ("calltaker", Role.CALL_TAKER, None),
    ("dispatcher", Role.DISPATCHER, None),
    ("supervisor", Role.ACS_SUPERVISOR, None),
    ("responder", Role.RESPONDER, "ACS-12"),
    ("officer", Role.RESPONDER, "APD-2A31"),
    ("medic", Role.RESPONDER, "MEDIC-12"),
    ("admin", Role.ADMIN, None),
]


def demo_roster(zone_names: list[str]) -> list[tuple[str, str, list[str], str]]:
    """~60 units: (call sign, agency, capabilities, home zone name). Deterministic."""
    roster = []
    acs_caps = [
        ["behavioral_health"],
        ["behavioral_health", "homeless_outreach"],
        ["homeless_outreach"],
        ["violence_intervention", "behavioral_health"],
    ]
    # A few crews speak Spanish (ACS-12 among them), so a Spanish-speaking caller's recommendation
    # has one to prefer (responders.selectors.units_recommend).
    spanish = ["spanish"]
    for i in range(18):
        caps = acs_caps[i % 4] + (spanish if i % 5 == 1 else [])
        roster.append((f"ACS-{11 + i}", "ACS", caps, zone_names[i % len(zone_names)]))
    for i in range(24):
        zone_no = i % len(zone_names) + 1
        caps = (["patrol", "cit"] if i % 3 == 0 else ["patrol"]) + (spanish if i % 6 == 1 else [])
        sign = "APD-2A31" if i == 0 else f"APD-{zone_no}{'ABC'[i % 3]}{20 + i}"
        roster.append((sign, "POLICE", caps, zone_names[i % len(zone_names)]))
    for i in range(18):
        kind = (
            ("MEDIC", ["als"])
            if i % 3 == 0
            else ("E", ["engine", "bls"])
            if i % 3 == 1
            else ("R", ["als", "engine"])
        )
        sign = f"{kind[0]}-{12 + i}"
        roster.append((sign, "FIRE_EMS", kind[1], zone_names[i % len(zone_names)]))
    return roster


def read_call_types(path: Path) -> list[dict]:
    rows = []
    with path.open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            rows.append(
                {
                    "code": row["code"],
                    "name": row["name"],
                    "description": row.get("description", ""),
                    "apco_code": row.get("apco_code", ""),
                    "agencies": [a for a in (row.get("agencies") or "").split("+") if a],
                    "priority": int(row["priority"]) if row.get("priority") else None,
                }
            )
    return rows


class Command(BaseCommand):
    help = "Load demo data from the real sources (idempotent: run it again, counts stay the same)."

    def add_arguments(self, parser):
        parser.add_argument("--city", choices=["albuquerque", "san-diego"], default=None)
        parser.add_argument("--no-users", action="store_true", help="skip the demo users")

    def handle(self, *args, city: str | None, no_users: bool, **options):
        city = city or settings.CITY
        data = shared_data_dir()
        if not data.exists():
            raise CommandError(f"{data}: the shared data folder is missing (set ACS_DATA_DIR)")
        agencies_ensure()

        counts = call_types_load(rows=read_call_types(CALL_TYPES_FILE))
        self.stdout.write(f"call types: {counts}")
        self.stdout.write(f"dispositions: {dispositions_load()}")

        if city == "albuquerque":
            from responders.facility_services import facilities_seed  # issue 14

            self.stdout.write(f"facilities: {facilities_seed()} (approximate points and capacities)")
            limits = read_geojson(data / "abq_city_limits.geojson")
            zones = albuquerque_area_commands(shape(limits["features"][0]["geometry"]))
            self.stdout.write(f"zones: {zones_import(zones=zones, city=city)} (approximate area commands)")
            hoods = zones_from_geojson(
                read_geojson(data / "abq_neighborhoods.geojson"),
                name_field="name",
                source="City of Albuquerque neighborhood associations",
                repair=True,  # a display layer: a few hand-drawn polygons cross themselves
            )
            self.stdout.write(
                f"neighborhood layer: {zones_import(zones=hoods, city=city, kind=Zone.Kind.LAYER)}"
            )
            # Geocoding (issue 13): the approximate arterial grid and the gazetteer of real places.
            self.stdout.write(f"streets: {geocoder_seed(data=data)}")
        else:
            beats_raw = read_geojson(data / "sd_pd_beats.geojson")
            # A beat may be several polygons, not all of them named (511 is "BARRIO LOGAN" once and
            # blank once): label every part with the beat's one name, so the parts merge into one zone.
            beat_names: dict = {}
            for feature in beats_raw["features"]:
                p = feature["properties"]
                beat_names[p["beat"]] = beat_names.get(p["beat"]) or (p.get("name") or "")
            for feature in beats_raw["features"]:
                p = feature["properties"]
                p["label"] = f"{p['beat']} {beat_names[p['beat']]}".strip()
            # Beat 0 is the bay: no calls come from the water.
            beats_raw["features"] = [f for f in beats_raw["features"] if f["properties"]["beat"] != 0]
            # Three polygons of the city's own beat file cross themselves (Tijuana River Valley among
            # them): mend them rather than refuse the city's official boundaries.
            beats = zones_from_geojson(
                beats_raw, name_field="label", parent_field="div", source="SDPD beats", repair=True
            )
            self.stdout.write(f"zones: {zones_import(zones=beats, city=city)} (police beats)")
            divisions = zones_from_geojson(
                read_geojson(data / "sd_pd_divisions.geojson"), name_field="div_name", source="SDPD divisions"
            )
            self.stdout.write(
                f"division layer: {zones_import(zones=divisions, city=city, kind=Zone.Kind.LAYER)}"
            )

        service_zones = list(Zone.objects.filter(city=city, kind=Zone.Kind.SERVICE).order_by("name"))
        by_name = {z.name: z for z in service_zones}
        rng = random.Random(f"acs-dispatch-{city}")
        created_units = 0
        for call_sign, agency, caps, zone_name in demo_roster(list(by_name)):
            zone = by_name[zone_name]
            lat, lon = point_inside(zone.geometry, rng)
            _, created = unit_ensure(
                call_sign=call_sign, agency=agency, capabilities=caps, home_zone=zone, lat=lat, lon=lon
            )
            created_units += created
        self.stdout.write(f"units: {created_units} created, {Agency.objects.count()} agencies")

        self.stdout.write(f"alert thresholds: {thresholds_ensure_defaults()} defaults stored")
        ruleset = ruleset_seed_default()
        self.stdout.write(
            "triage rules: " + (f"published v{ruleset.version}" if ruleset else "already published")
        )

        if not no_users:
            User = get_user_model()
            from responders.models import Unit

            for username, role, unit_sign in DEMO_USERS:
                if User.objects.filter(username=username).exists():
                    continue
                unit = Unit.objects.get(call_sign=unit_sign) if unit_sign else None
                user_create(
                    username=username, role=role, password=DEMO_PASSWORD, unit=unit, check_password=False
                )
            self.stdout.write(
                f"demo users (password for all: {DEMO_PASSWORD}): "
                + ", ".join(f"{u} ({r.label})" for u, r, _ in DEMO_USERS)
            )
            key_hex = b32decode(DEMO_TOTP_SECRET).hex()
            seeded = []
            for username, role, _ in DEMO_USERS:
                if mfa_role_requires(role):
                    mfa_device_seed(user=User.objects.get(username=username), key_hex=key_hex)
                    seeded.append(username)
            if seeded:
                self.stdout.write(
                    f"two-factor sign-in for {', '.join(seeded)}: authenticator secret {DEMO_TOTP_SECRET} (demo only)"
                )
