"""manage.py add_user USERNAME --role ROLE [--unit CALL_SIGN] [--password-stdin]"""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from acs_dispatch.exceptions import ValidationFailed
from acs_dispatch.roles import Role
from acs_dispatch.services import user_create
from responders.models import Unit


class Command(BaseCommand):
    help = "Create a staff account with one role (a responder is bound to a unit)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        # Not `choices=`: argparse would exit with its own usage text; the message below names the roles.
        parser.add_argument("--role", required=True, help=f"one of {', '.join(Role.values)}")
        parser.add_argument("--unit", help="call sign of the unit a responder crews")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from stdin")

    def handle(self, *args, username: str, role: str, unit: str | None, password_stdin: bool, **options):
        unit_obj = None
        if unit:
            unit_obj = Unit.objects.filter(call_sign__iexact=unit).first()
            if unit_obj is None:
                raise CommandError(f"unknown unit {unit!r}", returncode=2)
        password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("Password: ")
        if not password:
            raise CommandError("empty password", returncode=2)
        try:
            user = user_create(username=username, role=role, password=password, unit=unit_obj)
        except ValidationFailed as exc:
            raise CommandError(exc.message, returncode=2) from exc
        self.stdout.write(f"created {user.username} ({user.get_role_display()})")
