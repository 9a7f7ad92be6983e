from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Agency(models.Model):
    """One of the three responder branches."""

    class Code(models.TextChoices):
        POLICE = "POLICE", "Police"
        FIRE_EMS = "FIRE_EMS", "Fire / EMS"
        ACS = "ACS", "Community Safety"

    code = models.CharField(primary_key=True, max_length=10, choices=Code.choices)
    name = models.CharField(max_length=80)

    class Meta:
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Zone(models.Model):
    """A polygon of the city: a service zone (area command, beat) used to place calls and units,
    or a display-only map layer (neighborhoods)."""

    class Kind(models.TextChoices):
        SERVICE = "SERVICE", "Service zone"
        LAYER = "LAYER", "Map layer only"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SERVICE)
    city = models.CharField(max_length=40, default="albuquerque")
    parent = models.CharField(max_length=120, blank=True)  # e.g. the San Diego division of a beat
    geometry = models.JSONField()  # GeoJSON Polygon or MultiPolygon, lon/lat WGS84
    approximate = models.BooleanField(default=False)  # drawn by us, not the city's official boundary
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "kind", "name"], name="zone_unique_name")]

    def __str__(self) -> str:
        return self.name + (" (approx.)" if self.approximate else "")


class Unit(models.Model):
    """A crewed vehicle or team that can be assigned to calls."""

    class Status(models.TextChoices):
        AVAILABLE = "AVAILABLE", "Available"
        DISPATCHED = "DISPATCHED", "Dispatched"
        EN_ROUTE = "EN_ROUTE", "En route"
        ON_SCENE = "ON_SCENE", "On scene"
        TRANSPORTING = "TRANSPORTING", "Transporting"
        OUT_OF_SERVICE = "OUT_OF_SERVICE", "Out of service"

    class Capability(models.TextChoices):
        BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health"
        HOMELESS_OUTREACH = "homeless_outreach", "Homelessness outreach"
        VIOLENCE_INTERVENTION = "violence_intervention", "Violence intervention"
        ALS = "als", "Advanced life support"
        BLS = "bls", "Basic life support"
        ENGINE = "engine", "Engine"
        PATROL = "patrol", "Patrol"
        CIT = "cit", "Crisis-intervention trained"
        SPANISH = "spanish", "Spanish-speaking"

    call_sign = models.CharField(max_length=20, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units")
    capabilities = models.JSONField(default=list, blank=True)
    home_zone = models.ForeignKey(
        Zone, null=True, blank=True, on_delete=models.SET_NULL, related_name="units"
    )
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.AVAILABLE)
    status_since = models.DateTimeField(default=timezone.now)
    # AVL (issue 13): when lat/lon were last reported by the unit itself (None: the roster's
    # point, never reported); the hash of the vehicle modem's token (empty: no modem).
    position_at = models.DateTimeField(null=True, blank=True)
    # When the last "unit.moved" went to the screens: pushes are throttled per unit (AVL_PUSH_INTERVAL).
    position_pushed_at = models.DateTimeField(null=True, blank=True)
    avl_token_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["agency_id", "call_sign"]
        indexes = [models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return self.call_sign


class AddressPoint(models.Model):
    """A site/structure address point (NENA SSAP layer)."""

    nguid = models.CharField(max_length=120, blank=True)
    add_number = models.PositiveIntegerField()
    add_num_suf = models.CharField(max_length=10, blank=True)
    st_predir = models.CharField(max_length=10, blank=True)
    st_name = models.CharField(max_length=120)
    st_postyp = models.CharField(max_length=20, blank=True)
    st_posdir = models.CharField(max_length=10, blank=True)
    post_comm = models.CharField(max_length=80, blank=True)
    post_code = models.CharField(max_length=10, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    source = models.CharField(max_length=120, blank=True)

    class Meta:
        indexes = [models.Index(fields=["st_name", "add_number"])]

    def __str__(self) -> str:
        parts = [
            str(self.add_number) + self.add_num_suf,
            self.st_predir,
            self.st_name,
            self.st_postyp,
            self.st_posdir,
        ]
        return " ".join(p for p in parts if p)


class StreetSegment(models.Model):
    """A road centerline segment with its address ranges (NENA RCL layer)."""

    nguid = models.CharField(max_length=120, blank=True)
    st_predir = models.CharField(max_length=10, blank=True)
    st_name = models.CharField(max_length=120)
    st_postyp = models.CharField(max_length=20, blank=True)
    st_posdir = models.CharField(max_length=10, blank=True)
    from_addr_l = models.PositiveIntegerField(null=True, blank=True)
    to_addr_l = models.PositiveIntegerField(null=True, blank=True)
    from_addr_r = models.PositiveIntegerField(null=True, blank=True)
    to_addr_r = models.PositiveIntegerField(null=True, blank=True)
    parity_l = models.CharField(max_length=1, blank=True)  # O, E, B (both) or Z (none)
    parity_r = models.CharField(max_length=1, blank=True)
    post_comm_l = models.CharField(max_length=80, blank=True)
    post_comm_r = models.CharField(max_length=80, blank=True)
    road_class = models.CharField(max_length=20, blank=True)  # NENA RoadClass: Primary, Secondary, Local
    geometry = models.JSONField()  # GeoJSON LineString coordinates [[lon, lat], ...]
    source = models.CharField(max_length=120, blank=True)

    class Meta:
        indexes = [models.Index(fields=["st_name"])]

    def __str__(self) -> str:
        parts = [self.st_predir, self.st_name, self.st_postyp, self.st_posdir]
        return " ".join(p for p in parts if p)


class Place(models.Model):
    """A common place name callers use (hospital, shelter, transit center, park): the gazetteer,
    edited by the admin."""

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", "Hospital"
        SHELTER = "shelter", "Shelter"
        TRANSIT = "transit", "Transit center"
        PARK = "park", "Park"
        SCHOOL = "school", "School"
        LANDMARK = "landmark", "Landmark"

    name = models.CharField(max_length=160, unique=True)
    aliases = models.CharField(max_length=400, blank=True, help_text="Other names, separated by semicolons")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.LANDMARK)
    address = models.CharField(max_length=200, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    source = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UnitPosition(models.Model):
    """One accepted AVL fix of a unit (the track); rows older than AVL_TRACK_RETENTION go."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="positions")
    lat = models.FloatField()
    lon = models.FloatField()
    at = models.DateTimeField()
    speed = models.FloatField(null=True, blank=True)  # m/s
    heading = models.FloatField(null=True, blank=True)  # degrees clockwise from north
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["unit", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.unit_id} at {self.at:%H:%M:%S}"


# --- Issue 14: facilities where ACS units take people (shelters, detox, crisis stabilisation). ---


class Facility(models.Model):
    """A place an ACS team may take someone, with its beds: capacity and beds free now, updated by
    the facility's staff or an ACS supervisor (responders.facility_services)."""

    class Kind(models.TextChoices):
        SHELTER = "SHELTER", "Shelter"
        DETOX = "DETOX", "Detox / sobering"
        CRISIS = "CRISIS", "Crisis stabilisation"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    address = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    serves = models.CharField(max_length=200, blank=True)  # "men", "women and families", "adults 18+"
    capacity = models.PositiveIntegerField(default=0)
    beds_free = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approximate = models.BooleanField(default=True)  # location and capacity as best known, not confirmed
    source = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "facilities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(beds_free__lte=models.F("capacity")), name="facility_beds_within_capacity"
            )
        ]

    def __str__(self) -> str:
        return self.name
