"""Writes of the triage app: rule sets, their drafts and publication."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from acs_dispatch.events import AUDIT, DISPATCH, SUPERVISOR, event_append
from triage.engine import compile_ruleset, load_rules_file
from triage.models import Rule, RuleSet

DEFAULT_RULES_FILE = Path(__file__).resolve().parent / "data" / "default_rules.yaml"


def _rules_create(*, ruleset: RuleSet, specs: list[dict[str, Any]]) -> None:
    Rule.objects.bulk_create(
        [
            Rule(
                ruleset=ruleset,
                position=index,
                name=spec["name"],
                enabled=spec.get("enabled", True),
                conditions=spec.get("conditions") or {},
                mode=spec["outcome"]["mode"],
                priority=spec["outcome"]["priority"],
                explanation=spec.get("explanation", ""),
            )
            for index, spec in enumerate(specs)
        ]
    )


@transaction.atomic
def ruleset_publish_specs(*, specs: list[dict[str, Any]], notes: str, actor: Any, based_on: RuleSet | None = None) -> RuleSet:
    """Publish `specs` as the next version: validate by compiling, retire the live set, write an event.

    The compiled engine of every process picks the new version up on its next triage.
    """
    # Compile first: a set that does not compile must never become the live one.
    compile_ruleset(version=0, rules=specs)
    # Lock the live set: two admins publishing at once get consecutive versions, one live.
    live = RuleSet.objects.select_for_update().filter(status=RuleSet.Status.PUBLISHED).first()
    last = RuleSet.objects.exclude(version=None).order_by("-version").values_list("version", flat=True).first()
    version = (last or 0) + 1
    if live is not None:
        live.status = RuleSet.Status.RETIRED
        live.save(update_fields=["status"])
    now = timezone.now()
    ruleset = RuleSet.objects.create(
        version=version,
        status=RuleSet.Status.PUBLISHED,
        name=f"v{version}",
        author=actor if getattr(actor, "is_authenticated", False) else None,
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
        published_at=now,
        notes=notes,
        based_on=based_on,
    )
    _rules_create(ruleset=ruleset, specs=specs)
    event_append(
        kind="ruleset.published",
        actor=actor,
        data={"version": version, "notes": notes, "rules": len(specs), "retired": live.version if live else None},
        streams=[DISPATCH, SUPERVISOR, AUDIT],
    )
    return ruleset


@transaction.atomic
def ruleset_seed_default(*, actor: Any = None, path: Path = DEFAULT_RULES_FILE) -> RuleSet | None:
    """Publish the default rules if nothing is published yet (idempotent). Returns the new set or None."""
    if RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).exists():
        return None
    return ruleset_publish_specs(specs=load_rules_file(path), notes=f"Default rules from {path.name}", actor=actor)
