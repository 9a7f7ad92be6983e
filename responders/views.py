"""ACS supervisor and unit screens."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from acs_dispatch.roles import Role
from acs_dispatch.views import role_required


@role_required(Role.ACS_SUPERVISOR, Role.ADMIN)
def supervisor(request: HttpRequest) -> HttpResponse:
    return render(request, "responders/supervisor.html", {"screen": "supervisor"})


@role_required(Role.RESPONDER)
def unit_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "responders/unit_dashboard.html", {"screen": "unit", "unit": request.user.unit})
