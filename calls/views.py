"""Call-taker and dispatcher screens."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from acs_dispatch.roles import Role
from acs_dispatch.views import role_required


@role_required(Role.CALL_TAKER, Role.DISPATCHER, Role.ADMIN)
def intake(request: HttpRequest) -> HttpResponse:
    """The call-taker's form. It posts to POST /api/v1/calls and shows the triage decision and the
    location/caller history in place (static/js/intake.js)."""
    from calls.selectors import call_types_all
    from responders.selectors import zones_outline

    context = {
        "screen": "intake",
        "call_types": call_types_all(),
        "zones": {"type": "FeatureCollection", "features": zones_outline()},
        "questions": [
            ("weapons", "Weapons involved?", "w"),
            ("violence", "Violence or threats?", "v"),
            ("medical", "Medical emergency?", "m"),
            ("caller_is_subject", "Is the caller the person in crisis?", "s"),
        ],
    }
    return render(request, "calls/intake.html", context)


@role_required(Role.DISPATCHER, Role.ADMIN)
def board(request: HttpRequest) -> HttpResponse:
    """The dispatch board: the page shell; its data comes live over /ws/dispatch/."""
    from calls.snapshots import zones_for_map

    zones = [z["name"] for z in zones_for_map()]
    return render(request, "calls/board.html", {"screen": "board", "zone_names": zones})
