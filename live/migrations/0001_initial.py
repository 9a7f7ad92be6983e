"""The event log's tables move here from acs_dispatch and calls with no row changed: state only.

The tables were created by acs_dispatch.0001/0003 and calls.0001/0002 (they keep their names),
hence the dependencies on those historical migrations. calls.0007 drops the Event -> Call/Unit
foreign-key constraints and hands the models over; acs_dispatch.0004 hands over the counter.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("acs_dispatch", "0003_counters"),
        ("calls", "0006_caller_language"),
    ]

    state_operations = [
        migrations.CreateModel(
            name="Counter",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "acs_dispatch_counter"},
        ),
        migrations.CreateModel(
            name="Event",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("kind", models.CharField(max_length=60)),
                ("call_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                ("unit_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                ("data", models.JSONField(default=dict)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "db_table": "calls_event",
                "ordering": ["id"],
                "indexes": [models.Index(fields=["kind", "id"], name="calls_event_kind_2e134f_idx")],
            },
        ),
        migrations.CreateModel(
            name="EventDelivery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("stream", models.CharField(max_length=40)),
                ("prev_id", models.BigIntegerField(default=0)),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="deliveries", to="live.event"
                    ),
                ),
            ],
            options={
                "db_table": "calls_eventdelivery",
                "constraints": [models.UniqueConstraint(fields=("stream", "event"), name="event_delivery_unique")],
            },
        ),
        migrations.CreateModel(
            name="StreamHead",
            fields=[
                ("stream", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("last_event_id", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "calls_streamhead"},
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
