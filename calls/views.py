"""Call-taker and dispatcher screens."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from acs_dispatch.roles import Role
from acs_dispatch.views import role_required


@role_required(Role.CALL_TAKER, Role.DISPATCHER, Role.ADMIN)
def intake(request: HttpRequest) -> HttpResponse:
    return render(request, "calls/intake.html", {"screen": "intake"})


@role_required(Role.DISPATCHER, Role.ADMIN)
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "calls/board.html", {"screen": "board"})
