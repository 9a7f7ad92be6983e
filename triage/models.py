from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class RuleSet(models.Model):
    """A versioned set of ordered triage rules. Published sets are immutable."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        PUBLISHED = "PUBLISHED", "Published"
        RETIRED = "RETIRED", "Retired"

    # Drafts have no version: a version number is given at publish, so published versions are
    # consecutive and a call's recorded version always names a set that went live.
    version = models.PositiveIntegerField(null=True, blank=True, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    name = models.CharField(max_length=120, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True)
    # Optimistic locking for drafts: each save bumps it; a save carrying an older value is refused.
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="PUBLISHED"), name="one_published_ruleset"
            ),
        ]
        ordering = ["-version", "-created_at"]

    def __str__(self) -> str:
        return f"v{self.version}" if self.version else f"draft #{self.pk}"


class Rule(models.Model):
    """One ordered rule: conditions that must all hold, and the outcome when they do."""

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=120)
    enabled = models.BooleanField(default=True)
    conditions = models.JSONField(default=dict, blank=True)
    mode = models.CharField(max_length=32)
    priority = models.PositiveSmallIntegerField()
    explanation = models.TextField(blank=True)

    class Meta:
        ordering = ["ruleset", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ruleset", "position"], name="rule_position_unique"),
            models.UniqueConstraint(fields=["ruleset", "name"], name="rule_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def as_spec(self) -> dict:
        """The rule in the engine's (and the YAML file's) format."""
        return {
            "name": self.name,
            "enabled": self.enabled,
            "conditions": self.conditions,
            "outcome": {"mode": self.mode, "priority": self.priority},
            "explanation": self.explanation,
        }


class TriageTestCase(models.Model):
    """A saved test of the rules: a call and the outcome it must get (the editor's test bench)."""

    name = models.CharField(max_length=120, unique=True)
    call_type = models.CharField(max_length=16, blank=True)
    narrative = models.TextField(blank=True)
    weapons = models.BooleanField(null=True, blank=True)
    violence = models.BooleanField(null=True, blank=True)
    medical = models.BooleanField(null=True, blank=True)
    caller_is_subject = models.BooleanField(null=True, blank=True)
    zone = models.CharField(max_length=120, blank=True)
    expected_agencies = models.JSONField(default=list)  # e.g. ["ACS", "POLICE"]
    expected_lead = models.CharField(max_length=10, blank=True)
    expected_priority = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
