"""The event log moves to the live app (live.0001): its Event no longer points at Call and Unit
by foreign key (the log sits below every domain app), so the constraints go first; then the
models leave this app's state. No table or row changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0006_caller_language"),
        ("responders", "0002_assignment_order"),
        ("live", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="call",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="calls.call",
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="responders.unit",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="EventDelivery"),
                migrations.DeleteModel(name="Event"),
                migrations.DeleteModel(name="StreamHead"),
            ]
        ),
    ]
