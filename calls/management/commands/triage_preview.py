"""manage.py triage_preview: triage JSON lines from stdin with the published rule set, one JSON line out each.

Input line: {"call_type", "narrative", "weapons", "violence", "medical", "caller_is_subject", "lat", "lon"},
all optional; screening answers are true / false / null. Output line: the decision's contract
{"agencies", "lead", "priority", "rule", "ruleset_version", "reasons", ...}, or {"error": "..."} for a
bad line, after which the next lines go on. Output order is input order.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from responders.selectors import zone_at
from triage.engine import CallInput, CompiledRuleSet, compile_ruleset, load_rules_file, triage
from triage.models import RuleSet
from triage.selectors import engine_published
from triage.services import DEFAULT_RULES_FILE

ANSWER_FIELDS = ("weapons", "violence", "medical", "caller_is_subject")


class BadLine(ValueError):
    pass


def call_input_from(data: Any, *, zone_at) -> CallInput:
    """A CallInput from one decoded line. Raises BadLine saying which field is wrong."""
    if not isinstance(data, dict):
        raise BadLine("each line must be a JSON object")
    call_type = data.get("call_type")
    if call_type is not None and not isinstance(call_type, str):
        raise BadLine("call_type must be a string or null")
    text = data.get("narrative") or ""
    if not isinstance(text, str):
        raise BadLine("narrative must be a string")
    answers: dict[str, bool | None] = {}
    for name in ANSWER_FIELDS:
        value = data.get(name)
        if value is not None and not isinstance(value, bool):
            raise BadLine(f"{name} must be true, false or null")
        answers[name] = value
    lat, lon = data.get("lat"), data.get("lon")
    zone = None
    if lat is not None or lon is not None:
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon))
        if not numbers or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise BadLine("lat and lon must both be numbers (-90..90, -180..180)")
        zone = zone_at(lat=lat, lon=lon)
    return CallInput(
        call_type=call_type.strip() or None if call_type else None,
        narrative=text,
        zone=zone,
        at=timezone.now(),
        **answers,
    )


class Command(BaseCommand):
    help = "Triage JSON lines from stdin with the published rules; print one JSON decision per line."

    def handle(self, *args, **options) -> None:
        compiled = self._rules()
        zone_cache: dict[tuple[float, float], str | None] = {}

        def zone_name(*, lat: float, lon: float) -> str | None:
            key = (lat, lon)
            if key not in zone_cache:
                zone = zone_at(lat=lat, lon=lon)
                zone_cache[key] = zone.name if zone is not None else None
            return zone_cache[key]

        out = self.stdout
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                call = call_input_from(json.loads(line), zone_at=zone_name)
            except json.JSONDecodeError as exc:
                result: dict[str, Any] = {"error": f"not JSON: {exc.msg} at column {exc.colno}"}
            except BadLine as exc:
                result = {"error": str(exc)}
            else:
                result = triage(compiled, call).as_contract()
            out.write(json.dumps(result))
            out.flush()

    def _rules(self) -> CompiledRuleSet:
        try:
            return engine_published()
        except RuleSet.DoesNotExist:
            # A fresh `migrate` without `seed_demo`: still answer, from the file seed_demo would publish.
            self.stderr.write(
                f"triage_preview: no published rule set in the database; using {DEFAULT_RULES_FILE.name} "
                "(version 0). Run `manage.py seed_demo` to publish it."
            )
            return compile_ruleset(
                version=0, rules=load_rules_file(DEFAULT_RULES_FILE), time_zone=settings.CITY_TIME_ZONE
            )
