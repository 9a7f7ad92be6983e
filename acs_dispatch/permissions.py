"""DRF permission classes, one per role group."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from acs_dispatch.roles import Role, user_has_role


class _HasRole(BasePermission):
    roles: tuple[str, ...] = ()
    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        return user_has_role(request.user, *self.roles)


def roles_permission(*roles: str) -> type[BasePermission]:
    """A permission class allowing exactly `roles`."""
    return type("Allow_" + "_".join(roles), (_HasRole,), {"roles": tuple(roles)})


IsStaffRole = roles_permission(*Role.values)
IsCallTaker = roles_permission(Role.CALL_TAKER, Role.DISPATCHER, Role.ADMIN)
IsDispatcher = roles_permission(Role.DISPATCHER, Role.ADMIN)
IsAdmin = roles_permission(Role.ADMIN)
