"""manage.py set_role USERNAME --role ROLE [--unit CALL_SIGN]: move a member of staff to another role
(or none: --role ""). Their open screens close at once (acs_dispatch.services.user_role_set)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from acs_dispatch.exceptions import ValidationFailed
from acs_dispatch.roles import Role
from acs_dispatch.services import user_role_set
from responders.models import Unit


class Command(BaseCommand):
    help = "Give an existing account another role (a responder is bound to a unit); its sockets close."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=f'one of {", ".join(Role.values)}, or "" for none')
        parser.add_argument("--unit", help="call sign of the unit a responder crews")

    def handle(self, *args, username: str, role: str, unit: str | None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"unknown user {username!r}", returncode=2)
        unit_obj = None
        if unit:
            unit_obj = Unit.objects.filter(call_sign__iexact=unit).first()
            if unit_obj is None:
                raise CommandError(f"unknown unit {unit!r}", returncode=2)
        try:
            user_role_set(user=user, role=role, unit=unit_obj)
        except ValidationFailed as exc:
            raise CommandError(exc.message, returncode=2) from exc
        self.stdout.write(f"{user.username} is now {user.get_role_display() or 'without a role'}")
