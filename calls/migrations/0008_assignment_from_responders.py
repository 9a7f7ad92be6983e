"""Assignment joins the call's lifecycle here (from responders.0003): state only; the table keeps
its name, indexes and the one-active-assignment-per-unit constraint. responders.0003 then
drops the old state."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("calls", "0007_event_log_to_live"),
    ]

    state_operations = [
        migrations.CreateModel(
            name="Assignment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("assigned_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                ("en_route_at", models.DateTimeField(blank=True, null=True)),
                ("on_scene_at", models.DateTimeField(blank=True, null=True)),
                ("cleared_at", models.DateTimeField(blank=True, null=True)),
                ("cleared_reason", models.CharField(blank=True, max_length=200)),
                ("staged", models.BooleanField(default=False)),
                ("override_reason", models.CharField(blank=True, max_length=500)),
                ("scene_safe_at", models.DateTimeField(blank=True, null=True)),
                (
                    "assigned_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "call",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="assignments", to="calls.call"
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="responders.unit",
                    ),
                ),
            ],
            options={
                "db_table": "responders_assignment",
                "indexes": [models.Index(fields=["call", "cleared_at"], name="responders__call_id_a9bb9f_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("cleared_at__isnull", True)),
                        fields=("unit",),
                        name="one_active_assignment_per_unit",
                    )
                ],
            },
        ),
        # Same table, so the alert's foreign key needs no change in the database.
        migrations.AlterField(
            model_name="alert",
            name="assignment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="alerts",
                to="calls.assignment",
            ),
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
