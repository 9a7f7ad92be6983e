"""Report screens (issue 14): the KPIs, the call history search, one call's printable timeline and
the audit trail. Page shells: their data comes from the REST API (static/js/kpis.js, history.js,
audit.js), except the timeline, which is rendered here so it prints as it is."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from acs_dispatch.roles import Role
from acs_dispatch.views import role_required
from calls.api.calls import call_payload
from calls.api.kpis import DEFAULT_DAYS, today_local
from calls.models import Disposition
from calls.selectors import call_get, call_types_all
from calls.selectors.history import call_timeline, event_kinds
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


HISTORY_READERS = (Role.CALL_TAKER, Role.DISPATCHER, Role.ACS_SUPERVISOR, Role.ADMIN)
AUDITORS = (Role.ACS_SUPERVISOR, Role.ADMIN)


def _local(iso: str | None) -> str:
    if not iso:
        return ""
    return (
        dt.datetime.fromisoformat(iso)
        .astimezone(ZoneInfo(settings.CITY_TIME_ZONE))
        .strftime("%Y-%m-%d %H:%M:%S %Z")
    )


@role_required(*HISTORY_READERS)
def history(request: HttpRequest) -> HttpResponse:
    """Search closed and open calls (static/js/history.js over GET /api/v1/calls/search)."""
    context = {
        "screen": "history",
        "history_config": {
            "api": "/api/v1/calls/search",
            "zones": zones_for_kpis(),
            "call_types": call_types_all(),
            "dispositions": list(
                Disposition.objects.filter(active=True).order_by("code").values_list("code", flat=True)
            ),
        },
    }
    return render(request, "calls/history.html", context)


@role_required(*HISTORY_READERS)
def call_timeline_page(request: HttpRequest, call_id: int) -> HttpResponse:
    """One call and every event of it on one printable page (rendered here, no script needed)."""
    call = call_get(call_id=call_id, user=request.user)
    if call is None:
        raise Http404("No such call.")
    summary = call_payload(call)
    events = call_timeline(call=call, user=request.user)
    for event in events:
        event["at_local"] = _local(event["at"])
    facts = [
        ("Received", _local(summary["received_at"])),
        ("Status", summary["status"]),
        (
            "Type",
            f"{summary['call_type']['code']} {summary['call_type']['name']}" if summary["call_type"] else "–",
        ),
        ("Location", summary["address"] or "–"),
        ("Zone", summary["zone"] or "–"),
        (
            "Decision",
            f"{summary['mode']} · lead {summary['lead']} · {', '.join(summary['agencies'])} · P{summary['priority']}",
        ),
        ("Rule", f"{summary['rule'] or '–'} (rule set v{summary['ruleset_version']})"),
        (
            "ACS-eligible",
            "yes" if summary["acs_eligible"] else f"no ({summary['acs_exclusion'] or 'not in scope'})",
        ),
        ("Override", summary["override_reason"] or "–"),
        ("Disposition", summary["disposition"] or "–"),
        ("Closed", _local(summary["closed_at"]) or "–"),
    ]
    context = {"screen": "history", "call": summary, "facts": facts, "events": events}
    return render(request, "calls/timeline.html", context)


@role_required(*AUDITORS)
def audit(request: HttpRequest) -> HttpResponse:
    """The audit trail over the event log (static/js/audit.js over GET /api/v1/audit)."""
    context = {"screen": "audit", "audit_config": {"api": "/api/v1/audit", "kinds": event_kinds()}}
    return render(request, "calls/audit.html", context)
