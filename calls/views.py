"""The floor's screens: intake, the dispatch board, the ACS supervisor board, the unit dashboard, and
the admin's thresholds page. Page shells; their live data comes over their sockets."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from acs_dispatch.exceptions import ValidationFailed
from acs_dispatch.roles import Role
from acs_dispatch.views import role_required
from calls.selectors import call_types_all
from calls.selectors.alerts import thresholds_list
from calls.services.alerts import thresholds_update
from calls.snapshots import zones_for_map
from responders.selectors import zones_outline


@role_required(Role.CALL_TAKER, Role.DISPATCHER, Role.ADMIN)
def intake(request: HttpRequest) -> HttpResponse:
    """The call-taker's form. It posts to POST /api/v1/calls and shows the triage decision and the
    location/caller history in place (static/js/intake.js)."""
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
    zones = [z["name"] for z in zones_for_map()]
    return render(request, "calls/board.html", {"screen": "board", "zone_names": zones})


@role_required(Role.ACS_SUPERVISOR, Role.ADMIN)
def supervisor(request: HttpRequest) -> HttpResponse:
    """ACS supervisor board and map; the zone polygons are inlined for the map (no tile server)."""
    return render(request, "responders/supervisor.html", {"screen": "supervisor", "zones": zones_for_map()})


@role_required(Role.RESPONDER)
def unit_dashboard(request: HttpRequest) -> HttpResponse:
    """The responder's own unit: current assignment, actions, status history (over /ws/unit/)."""
    return render(request, "responders/unit_dashboard.html", {"screen": "unit", "unit": request.user.unit})


# --- The admin's thresholds page: every clock's warn and escalate limits, per agency and priority.


def _field(prefix: str, row: dict) -> str:
    return f"{prefix}__{row['kind']}__{row['agency']}__{row['priority']}"


@role_required(Role.ADMIN)
def thresholds(request: HttpRequest) -> HttpResponse:
    """GET: the table of limits; POST: save the rows whose numbers changed."""
    rows = thresholds_list()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        changed = []
        for row in rows:
            try:
                warn = int(request.POST.get(_field("warn", row), row["warn_seconds"]))
                escalate = int(request.POST.get(_field("escalate", row), row["escalate_seconds"]))
            except ValueError:
                errors[_field("warn", row)] = ["Enter whole seconds."]
                continue
            if (warn, escalate) != (row["warn_seconds"], row["escalate_seconds"]):
                changed.append(
                    {
                        "kind": row["kind"],
                        "agency": row["agency"],
                        "priority": row["priority"],
                        "warn_seconds": warn,
                        "escalate_seconds": escalate,
                    }
                )
        if not errors:
            try:
                thresholds_update(rows=changed, actor=request.user)
            except ValidationFailed as exc:
                errors["form"] = [exc.message] + [
                    m for ms in exc.extra.get("errors", {}).values() for m in ms
                ]
            else:
                messages.success(request, f"Saved {len(changed)} threshold(s).")
                return redirect("alerts:thresholds")
    for row in rows:
        row["warn_field"] = _field("warn", row)
        row["escalate_field"] = _field("escalate", row)
    return render(
        request,
        "calls/thresholds.html",
        {"screen": "thresholds", "rows": rows, "errors": errors},
        status=400 if errors else 200,
    )
