"""The counter moves to the live app (live.0001) with its table: state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("acs_dispatch", "0003_counters"),
        ("live", "0001_initial"),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Counter")])]
