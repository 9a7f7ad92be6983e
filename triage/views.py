"""Rule editor screens (admins)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from acs_dispatch.roles import Role
from acs_dispatch.views import role_required


@role_required(Role.ADMIN)
def rulesets(request: HttpRequest) -> HttpResponse:
    return render(request, "triage/rulesets.html", {"screen": "rules"})
