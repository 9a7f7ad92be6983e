from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
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

    class Meta:
        ordering = ["agency_id", "call_sign"]
        indexes = [models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return self.call_sign


class Assignment(models.Model):
    """A unit committed to a call, from assignment until it clears."""

    call = models.ForeignKey("calls.Call", on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    en_route_at = models.DateTimeField(null=True, blank=True)
    on_scene_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_reason = models.CharField(max_length=200, blank=True)
    # Police sent to stage nearby (ACS_LEAD_POLICE_STAGED): they hold off until needed.
    staged = models.BooleanField(default=False)
    # Why the dispatcher sent this unit although the call's order forbade it yet (ACS before police).
    override_reason = models.CharField(max_length=500, blank=True)
    # When this (police) unit reported the scene safe: the ACS units on the call were told then.
    scene_safe_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # With the row lock in unit_assign this is the second wall: even a code path that
            # forgets the lock cannot commit a unit to two calls at once.
            models.UniqueConstraint(
                fields=["unit"], condition=Q(cleared_at__isnull=True), name="one_active_assignment_per_unit"
            ),
        ]
        indexes = [
            models.Index(fields=["call", "cleared_at"]),
            # Issue 14: utilisation and coverage read assignments by time.
            models.Index(fields=["assigned_at"], name="assignment_assigned_at"),
            models.Index(fields=["cleared_at"], name="assignment_cleared_at"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} -> call {self.call_id}"

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None


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
                condition=Q(beds_free__lte=models.F("capacity")), name="facility_beds_within_capacity"
            )
        ]

    def __str__(self) -> str:
        return self.name
