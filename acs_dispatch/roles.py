"""Who may do what. Roles are a field on the user; every view, API and socket checks them here."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    CALL_TAKER = "call_taker", "Call-taker"
    DISPATCHER = "dispatcher", "Dispatcher"
    ACS_SUPERVISOR = "acs_supervisor", "ACS supervisor"
    RESPONDER = "responder", "Responder"
    ADMIN = "admin", "Admin"


# The screen each role lands on after login.
ROLE_HOME = {
    Role.CALL_TAKER: "calls:intake",
    Role.DISPATCHER: "calls:board",
    Role.ACS_SUPERVISOR: "units:supervisor",
    Role.RESPONDER: "units:unit_dashboard",
    Role.ADMIN: "triage:rulesets",
}


def user_has_role(user, *roles: str) -> bool:
    """True if `user` is logged in, active and holds one of `roles`."""
    return bool(user and user.is_authenticated and user.is_active and user.role in roles)
