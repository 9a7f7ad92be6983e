"""manage.py avl_token CALL_SIGN: issue a new AVL token for a unit's vehicle modem (printed once;
only its hash is stored, and the unit's previous token stops working)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from responders.avl_services import unit_avl_token_issue
from responders.selectors import unit_get


class Command(BaseCommand):
    help = "Issue a new AVL token for a unit (send it as the X-AVL-Token header)."

    def add_arguments(self, parser):
        parser.add_argument("call_sign")

    def handle(self, *args, call_sign: str, **options):
        unit = unit_get(call_sign=call_sign)
        if unit is None:
            raise CommandError(f"No unit {call_sign!r}.", returncode=2)
        self.stdout.write(unit_avl_token_issue(unit=unit))
