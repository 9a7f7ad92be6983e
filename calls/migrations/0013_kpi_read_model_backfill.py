import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations


def backfill(apps, schema_editor):
    # The facts of the calls already there, one INSERT ... SELECT per table (the live KPIs' SQL over
    # every call), then the counts of the past days and months. A fresh database has no calls: both
    # are instant. The SQL is today's (calls.selectors.kpis); it reads only columns of 0012 or before.
    from calls.services.kpi_facts import call_facts_rebuild, kpi_periods_build

    call_facts_rebuild()
    today = dt.datetime.now(tz=dt.UTC).astimezone(ZoneInfo(settings.CITY_TIME_ZONE)).date()
    kpi_periods_build(before=today)


class Migration(migrations.Migration):
    dependencies = [("calls", "0012_kpi_read_model")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
