"""manage.py mfa_reset USERNAME: remove a user's authenticator and recovery codes (a lost phone);
they set up a new one at their next sign-in. Recorded in the audit log."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from acs_dispatch.mfa import mfa_reset


class Command(BaseCommand):
    help = "Remove a user's two-factor devices so they enrol again at the next sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(f"unknown user {username!r}", returncode=2)
        removed = mfa_reset(user=user, actor=None)
        self.stdout.write(
            f"{user.username}: {removed} device(s) removed; they enrol again at the next sign-in"
        )
