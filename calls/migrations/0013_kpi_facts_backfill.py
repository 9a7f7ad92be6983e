from django.db import migrations


def backfill(apps, schema_editor):
    # The facts of the calls already there, in one INSERT ... SELECT each (the live KPIs' SQL over
    # every call): a fresh database has no calls and this is instant. The SQL is today's
    # (calls.selectors.kpis): it reads only columns that exist from 0012 on.
    from calls.services.kpi_facts import call_facts_rebuild

    call_facts_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0012_kpi_facts"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
