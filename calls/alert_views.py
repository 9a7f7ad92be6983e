"""The admin's thresholds page: every clock's warn and escalate limits, per agency and priority."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from acs_dispatch.exceptions import ValidationFailed
from acs_dispatch.roles import Role
from acs_dispatch.views import role_required
from calls.alert_selectors import thresholds_list
from calls.alert_services import thresholds_update


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
