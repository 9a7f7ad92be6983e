"""Report screens (issue 14): the KPIs, the call history search, one call's printable timeline and
the audit trail. Page shells: their data comes from the REST API (static/js/kpis.js, history.js,
audit.js), except the timeline, which is rendered here so it prints as it is."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from acs_dispatch.roles import Role
from acs_dispatch.views import role_required
from calls.api.kpis import DEFAULT_DAYS, today_local
from calls.selectors.kpis import zones_for_kpis

KPI_READERS = (Role.ACS_SUPERVISOR, Role.DISPATCHER, Role.ADMIN)


@role_required(*KPI_READERS)
def kpis(request: HttpRequest) -> HttpResponse:
    """The KPI page: a date range and a zone, the figures, charts and the CSV export."""
    end = today_local() + dt.timedelta(days=1)
    context = {
        "screen": "kpis",
        "kpi_config": {
            "api": "/api/v1/kpis",
            "from": (end - dt.timedelta(days=DEFAULT_DAYS)).isoformat(),
            "to": end.isoformat(),
            "zones": zones_for_kpis(),
        },
    }
    return render(request, "calls/kpis.html", context)
