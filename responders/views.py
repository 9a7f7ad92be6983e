"""ACS supervisor and unit screens: page shells whose data comes live over their sockets."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from acs_dispatch.roles import Role
from acs_dispatch.views import role_required


@role_required(Role.ACS_SUPERVISOR, Role.ADMIN)
def supervisor(request: HttpRequest) -> HttpResponse:
    """ACS supervisor board and map; the zone polygons are inlined for the map (no tile server)."""
    from calls.snapshots import zones_for_map

    return render(request, "responders/supervisor.html", {"screen": "supervisor", "zones": zones_for_map()})


@role_required(Role.RESPONDER)
def unit_dashboard(request: HttpRequest) -> HttpResponse:
    """The responder's own unit: current assignment, actions, status history (over /ws/unit/)."""
    return render(request, "responders/unit_dashboard.html", {"screen": "unit", "unit": request.user.unit})
