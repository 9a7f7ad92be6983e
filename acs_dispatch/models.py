from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from acs_dispatch.roles import Role


class User(AbstractUser):
    """A member of the center's staff. A responder is bound to the one unit they crew."""

    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    unit = models.ForeignKey(
        "responders.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="crew"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=Role.RESPONDER) | Q(unit__isnull=False),
                name="responder_has_unit",
            )
        ]

    def __str__(self) -> str:
        return self.username


class Heartbeat(models.Model):
    """When a background loop (the deadline sweep) last finished, and how long it took: /readyz and
    /metrics read it. In the database, so every process (web, Celery worker, beat) sees the same one.
    Telemetry, not a domain change: no Event is appended."""

    name = models.CharField(primary_key=True, max_length=40)
    at = models.DateTimeField()
    duration = models.FloatField(default=0.0)  # seconds the last run took

    def __str__(self) -> str:
        return f"{self.name}@{self.at.isoformat()}"
