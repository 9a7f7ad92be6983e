"""What a page's scripts need from the server, in one place (issue 11, point 5).

Every signed-in page renders `page_config(request)` with `json_script` as `#page-config`
(templates/base.html); static/js/lib/config.js reads it. Labels and status groups come from the
models' TextChoices, so no script keeps a copy of them; the navigation of the top bar is built here
too, so the template and the scripts see the same list.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from acs_dispatch.mfa import mfa_required
from acs_dispatch.roles import Role
from calls.models import OPEN_STATUSES, Alert, Call
from responders.models import Agency, Unit

# The short names of an agency on badges and filters, where the TextChoices label ("Community
# Safety", "Fire / EMS") is too long for a dense queue row. Agencies not listed use their label.
AGENCY_SHORT = {Agency.Code.FIRE_EMS: "Fire/EMS", Agency.Code.ACS: "ACS"}

# The dispatch queue's one order: calls.selectors.calls_pending ranks by
# `(not needs_backup, priority or 9, received_at)`. The board sorts its live queue by this spec
# (static/js/board.js, lib/format.js `sortBy`), so the server and the screen cannot disagree;
# tests/acs_dispatch/test_page_config.py holds the two together.
QUEUE_ORDER = [
    {"field": "needs_backup", "descending": True},
    {"field": "priority", "missing": 9},
    {"field": "received_at"},
]

# Which screens each role reaches from the top bar, in the order shown.
_NAVIGATION = [
    ("intake", "Intake", "calls:intake", {Role.CALL_TAKER, Role.DISPATCHER, Role.ADMIN}),
    ("board", "Dispatch board", "calls:board", {Role.DISPATCHER, Role.ADMIN}),
    ("supervisor", "ACS supervisor", "units:supervisor", {Role.ACS_SUPERVISOR, Role.ADMIN}),
    ("kpis", "Figures", "calls:kpis", {Role.ACS_SUPERVISOR, Role.DISPATCHER, Role.ADMIN}),
    (
        "history",
        "History",
        "calls:history",
        {Role.CALL_TAKER, Role.ACS_SUPERVISOR, Role.DISPATCHER, Role.ADMIN},
    ),
    ("audit", "Audit", "calls:audit", {Role.ACS_SUPERVISOR, Role.ADMIN}),
    ("unit", "My unit", "units:unit_dashboard", {Role.RESPONDER}),
    ("rules", "Triage rules", "triage:rulesets", {Role.ADMIN}),
    ("thresholds", "Alert thresholds", "alerts:thresholds", {Role.ADMIN}),
    ("locked", "Locked accounts", "accounts_locked", {Role.ADMIN}),
]


def _labels(choices) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices.choices}


def page_navigation(role: str) -> list[dict[str, str]]:
    """The screens `role` may open, as {screen, label, url}."""
    return [
        {"screen": screen, "label": label, "url": reverse(name)}
        for screen, label, name, roles in _NAVIGATION
        if role in roles
    ]


def page_config(request) -> dict:
    """The configuration of a signed-in page's scripts: the city's clock, the idle lock, the user's
    role, labels and status groups from the models, the queue order and the navigation."""
    user = request.user
    role = getattr(user, "role", "") or ""
    call_statuses = [str(s) for s in Call.Status.values]
    return {
        # The idle lock (lib/lock.js) and the city's clock (lib/format.js).
        "time_zone": settings.CITY_TIME_ZONE,
        "idle_seconds": settings.SESSION_COOKIE_AGE,
        "session_url": reverse("session"),
        "login_url": reverse("login"),
        "username": user.get_username(),
        # The idle lock asks for the authenticator code too (issue 15: two-factor sign-in).
        "mfa": mfa_required(user=user),
        "role": role,
        "labels": {
            "call_status": _labels(Call.Status),
            "unit_status": _labels(Unit.Status),
            "agency": {code: str(AGENCY_SHORT.get(code, label)) for code, label in Agency.Code.choices},
            "agency_name": _labels(Agency.Code),
            "alert_level": {str(v): str(label) for v, label in Alert.Level.choices},
        },
        "agencies": [str(code) for code in Agency.Code.values],
        "status_groups": {
            # Waiting for a first unit (the queue); being worked (the active table); open (either).
            "call_waiting": [str(s) for s in (Call.Status.NEW, Call.Status.TRIAGED, Call.Status.PENDING)],
            "call_active": [str(s) for s in (Call.Status.DISPATCHED, Call.Status.ON_SCENE)],
            "call_open": [s for s in call_statuses if s in OPEN_STATUSES],
            "unit_order": [str(s) for s in Unit.Status.values],
        },
        "queue_order": QUEUE_ORDER,
        "navigation": page_navigation(role),
    }


def page_config_context(request) -> dict:
    """Context processor (settings.TEMPLATES): PAGE_CONFIG for signed-in pages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"PAGE_CONFIG": page_config(request)}
