"""Alerts resolve themselves: resolved_at / resolved_reason, and one live alert per clock.

Rows raised before this migration have a warning and its escalation both live; the warning is
resolved as superseded (at the escalation's time) before the constraint is added.
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def supersede_warnings(apps, schema_editor):
    Alert = apps.get_model("calls", "Alert")
    higher = Alert.objects.filter(
        kind=OuterRef("kind"), subject=OuterRef("subject"), level__gt=OuterRef("level")
    )
    for alert in Alert.objects.filter(Exists(higher)):
        escalation = (
            Alert.objects.filter(kind=alert.kind, subject=alert.subject, level__gt=alert.level)
            .order_by("raised_at")
            .first()
        )
        alert.resolved_at = escalation.raised_at
        alert.resolved_reason = "Superseded by the escalation"
        alert.save(update_fields=["resolved_at", "resolved_reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0004_agency_waivers"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="resolved_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="alert",
            name="resolved_reason",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.RunPython(supersede_warnings, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.UniqueConstraint(
                condition=models.Q(("resolved_at__isnull", True)),
                fields=("kind", "subject"),
                name="alert_live_once",
            ),
        ),
    ]
