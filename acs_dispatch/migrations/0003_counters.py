from django.db import migrations


def create_counters(apps, schema_editor):
    Counter = apps.get_model("acs_dispatch", "Counter")
    for name in ("event", "call_number"):
        Counter.objects.get_or_create(name=name, defaults={"value": 0})


class Migration(migrations.Migration):
    dependencies = [("acs_dispatch", "0002_initial")]
    operations = [migrations.RunPython(create_counters, migrations.RunPython.noop)]
