"""Assignment moves to calls (calls.0008), where its lifecycle is: state only, the table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("responders", "0002_assignment_order"),
        ("calls", "0008_assignment_from_responders"),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Assignment")])]
