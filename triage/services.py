"""Writes of the triage app: rule sets, their drafts, publication, rollback, import, test cases.

Guarantees:
- A PUBLISHED or RETIRED set is immutable: every edit of its rules is refused (RuleSetImmutable).
- A draft save carries the lock_version it was based on; a stale one is refused (StaleDraft) and
  nothing is written, so two admins on one draft never silently overwrite each other.
- Nothing invalid is stored or published: a failed edit, import or publish leaves every set as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from acs_dispatch.exceptions import Conflict, StaleDraft, ValidationFailed
from live.events import AUDIT, DISPATCH, SUPERVISOR, event_append
from live.kinds import EventKind
from triage import events
from triage.engine import compile_ruleset, load_rules_file
from triage.models import Rule, RuleSet, TriageTestCase
from triage.selectors import ruleset_specs_validate

DEFAULT_RULES_FILE = Path(__file__).resolve().parent / "data" / "default_rules.yaml"

# An import file bigger than this is refused before parsing (the default set is ~100 kB).
IMPORT_MAX_BYTES = 5 * 1024 * 1024


class RuleSetImmutable(Conflict):
    """An edit of a published or retired rule set: those are the record of what decided past calls."""

    code = "ruleset_immutable"


class DraftHasProblems(ValidationFailed):
    """A publish refused because the draft (as saved, or as on the editor's screen) does not
    validate: 409, with every problem in `errors` ({rule, index, field, message}) and their count."""

    status_code = 409
    code = "draft_has_problems"

    def __init__(self, message: str, *, errors: list[dict[str, Any]]) -> None:
        super().__init__(message, errors=errors)
        self.extra["problems"] = len(errors)


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


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


def rule_spec_normalise(*, spec: Any) -> Any:
    """Tidy one rule as an editor sends it: trimmed text, no empty condition lists. Non-dicts pass
    through untouched so that validation names them."""
    if not isinstance(spec, dict):
        return spec
    out: dict[str, Any] = dict(spec)
    if isinstance(out.get("name"), str):
        out["name"] = out["name"].strip()
    if isinstance(out.get("explanation"), str):
        out["explanation"] = out["explanation"].strip()
    out.setdefault("enabled", True)
    conditions = out.get("conditions")
    if isinstance(conditions, dict):
        tidy: dict[str, Any] = {}
        for key, value in conditions.items():
            if isinstance(value, list):
                value = [v.strip() if isinstance(v, str) else v for v in value]
                value = [v for v in value if v != ""]
            if value in (None, "", [], {}):
                continue
            tidy[key] = value
        out["conditions"] = tidy
    elif conditions is None:
        out["conditions"] = {}
    return out


def _validate_or_raise(
    *, specs: list[Any], what: str, error: type[ValidationFailed] = ValidationFailed
) -> None:
    issues = ruleset_specs_validate(specs=specs)
    if issues:
        first = issues[0]
        count = f"{len(issues)} problem{'s' if len(issues) != 1 else ''} to fix before publishing"
        if error is ValidationFailed:
            count = f"{len(issues)} problem(s)"
        raise error(
            f"{what}: {count}; first: rule {first['rule'] or '#' + str(first['index'] + 1)}, "
            f"{first['field']}: {first['message']}",
            errors=issues,
        )


def _draft_locked(*, ruleset: RuleSet) -> RuleSet:
    locked = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if locked.status != RuleSet.Status.DRAFT:
        label = f"v{locked.version}" if locked.version else f"set #{locked.pk}"
        raise RuleSetImmutable(
            f"{label} is {locked.get_status_display().lower()} and cannot be changed: start a new draft from it."
        )
    return locked


def _stale_message(*, ruleset: RuleSet, sent: int) -> str:
    who = getattr(ruleset.author, "username", None)
    return (
        f"This draft was saved by someone else since you opened it (your copy is revision {sent}, "
        f"the saved one is revision {ruleset.lock_version}"
        + (f", draft of {who}" if who else "")
        + "). Nothing was overwritten: reload the draft to see the other changes, then redo yours."
    )


# --- drafts --------------------------------------------------------------------------------------


def _draft_write(
    *, name: str, based_on: RuleSet | None, specs: list[dict[str, Any]], actor: Any, source: str
) -> RuleSet:
    """Create a draft holding `specs` and record it (caller holds the transaction)."""
    now = timezone.now()
    draft = RuleSet.objects.create(
        status=RuleSet.Status.DRAFT,
        name=name[:120],
        author=_actor_or_none(actor),
        based_on=based_on,
        created_at=now,
        updated_at=now,
    )
    _rules_create(ruleset=draft, specs=specs)
    event_append(
        kind=EventKind.RULESET_DRAFTED,
        actor=actor,
        data=events.ruleset_drafted(
            draft, based_on_version=based_on.version if based_on else None, source=source
        ),
        streams=[AUDIT],
    )
    return draft


@transaction.atomic
def ruleset_draft_create(*, actor: Any, based_on: RuleSet | None = None, name: str = "") -> RuleSet:
    """A new draft holding a copy of `based_on` (default: the published set; empty if none)."""
    if based_on is None:
        based_on = RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).first()
    specs = [rule.as_spec() for rule in based_on.rules.order_by("position")] if based_on else []
    default_name = f"Draft from v{based_on.version}" if based_on and based_on.version else "New draft"
    return _draft_write(
        name=name.strip() or default_name, based_on=based_on, specs=specs, actor=actor, source="copy"
    )


@transaction.atomic
def ruleset_draft_save(
    *, ruleset: RuleSet, specs: list[Any], lock_version: int, actor: Any, name: str | None = None
) -> RuleSet:
    """Replace a draft's rules (their order is the list's) if `lock_version` is still current.

    Raises RuleSetImmutable for a published/retired set, StaleDraft if someone saved since,
    ValidationFailed (per rule and field) if the rules are invalid; in each case nothing is written.
    """
    draft = _draft_locked(ruleset=ruleset)
    if draft.lock_version != lock_version:
        raise StaleDraft(_stale_message(ruleset=draft, sent=lock_version), lock_version=draft.lock_version)
    specs = [rule_spec_normalise(spec=spec) for spec in specs]
    _validate_or_raise(specs=specs, what="The draft was not saved")
    # Compare-and-set on top of the row lock: SQLite ignores select_for_update, and the
    # conditional update still refuses the second of two saves carrying the same revision.
    updated = RuleSet.objects.filter(
        pk=draft.pk, lock_version=lock_version, status=RuleSet.Status.DRAFT
    ).update(
        lock_version=F("lock_version") + 1,
        updated_at=timezone.now(),
        **({"name": name.strip()[:120]} if name else {}),
    )
    if updated == 0:
        draft.refresh_from_db()
        raise StaleDraft(_stale_message(ruleset=draft, sent=lock_version), lock_version=draft.lock_version)
    draft.rules.all().delete()
    _rules_create(ruleset=draft, specs=specs)
    draft.refresh_from_db()
    event_append(
        kind=EventKind.RULESET_EDITED,
        actor=actor,
        data=events.ruleset_edited(draft, rule_names=[spec["name"] for spec in specs]),
        streams=[AUDIT],
    )
    return draft


@transaction.atomic
def ruleset_draft_discard(*, ruleset: RuleSet, actor: Any) -> None:
    """Delete a draft. Raises RuleSetImmutable for a published or retired set."""
    draft = _draft_locked(ruleset=ruleset)
    data = events.ruleset_discarded(ruleset_id=draft.pk, name=draft.name)
    draft.delete()
    event_append(kind=EventKind.RULESET_DISCARDED, actor=actor, data=data, streams=[AUDIT])


def _import_parse(*, content: str | bytes, filename: str = "") -> list[dict[str, Any]]:
    if isinstance(content, bytes):
        if len(content) > IMPORT_MAX_BYTES:
            raise ValidationFailed(
                "The file is too big",
                errors=[{"rule": "", "index": -1, "field": "file", "message": "over 5 MB"}],
            )
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(
                "The file is not UTF-8 text",
                errors=[
                    {"rule": "", "index": -1, "field": "file", "message": f"not UTF-8 text ({exc.reason})"}
                ],
            ) from exc
    text = content.strip()
    as_json = filename.lower().endswith(".json") or text.startswith(("{", "["))
    try:
        data = json.loads(text) if as_json else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise ValidationFailed(
            f"The file is {message}", errors=[{"rule": "", "index": -1, "field": "file", "message": message}]
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        message = f"not valid YAML: {getattr(exc, 'problem', None) or exc}{where}"
        raise ValidationFailed(
            f"The file is {message}", errors=[{"rule": "", "index": -1, "field": "file", "message": message}]
        ) from exc
    rules = data.get("rules") if isinstance(data, dict) else data
    if not isinstance(rules, list) or not rules:
        message = 'expected a list of rules, or a mapping with a non-empty "rules" list'
        raise ValidationFailed(
            f"The file holds no rules: {message}",
            errors=[{"rule": "", "index": -1, "field": "rules", "message": message}],
        )
    return rules


@transaction.atomic
def ruleset_import(*, content: str | bytes, actor: Any, filename: str = "", name: str = "") -> RuleSet:
    """A new draft from an exported JSON or YAML file, validated first (ValidationFailed naming the
    rule and field); never publishes, so the live set is untouched whatever the file holds."""
    specs = [rule_spec_normalise(spec=spec) for spec in _import_parse(content=content, filename=filename)]
    _validate_or_raise(specs=specs, what="The file was not imported")
    return _draft_write(
        name=name.strip() or f"Imported {filename or 'file'}",
        based_on=None,
        specs=specs,
        actor=actor,
        source=f"import {filename}".strip(),
    )


# --- publication ---------------------------------------------------------------------------------


def _ruleset_go_live(*, ruleset: RuleSet, specs: list[dict[str, Any]], notes: str, actor: Any) -> RuleSet:
    """Give `ruleset` (a draft row holding `specs`) the next version and make it the live one."""
    # Compile first: a set that does not compile must never become the live one.
    compile_ruleset(version=0, rules=specs)
    # Lock the live set: two admins publishing at once get consecutive versions, one live.
    live = RuleSet.objects.select_for_update().filter(status=RuleSet.Status.PUBLISHED).first()
    last = (
        RuleSet.objects.exclude(version=None).order_by("-version").values_list("version", flat=True).first()
    )
    version = (last or 0) + 1
    if live is not None:
        live.status = RuleSet.Status.RETIRED
        live.save(update_fields=["status"])
    now = timezone.now()
    ruleset.version = version
    ruleset.status = RuleSet.Status.PUBLISHED
    ruleset.name = f"v{version}"
    ruleset.published_at = now
    ruleset.published_by = _actor_or_none(actor)
    ruleset.updated_at = now
    ruleset.notes = notes
    ruleset.save(
        update_fields=["version", "status", "name", "published_at", "published_by", "updated_at", "notes"]
    )
    # Every process's engine_published() sees the new version on its next call and compiles it
    # once (selectors keeps one compiled set per version), so the swap is atomic per call.
    event_append(
        kind=EventKind.RULESET_PUBLISHED,
        actor=actor,
        data=events.ruleset_published(
            version=version,
            notes=notes,
            rules=len(specs),
            retired=live.version if live else None,
            ruleset_id=ruleset.pk,
            based_on_version=ruleset.based_on.version if ruleset.based_on_id and ruleset.based_on else None,
        ),
        streams=[DISPATCH, SUPERVISOR, AUDIT],
    )
    return ruleset


@transaction.atomic
def ruleset_publish_specs(
    *, specs: list[dict[str, Any]], notes: str, actor: Any, based_on: RuleSet | None = None
) -> RuleSet:
    """Publish `specs` as the next version: validate by compiling, retire the live set, write an event.

    The compiled engine of every process picks the new version up on its next triage.
    """
    compile_ruleset(version=0, rules=specs)
    ruleset = RuleSet.objects.create(
        status=RuleSet.Status.DRAFT,
        author=_actor_or_none(actor),
        based_on=based_on,
    )
    _rules_create(ruleset=ruleset, specs=specs)
    return _ruleset_go_live(ruleset=ruleset, specs=specs, notes=notes, actor=actor)


def _notes_required(notes: str, *, what: str) -> str:
    notes = (notes or "").strip()
    if not notes:
        raise ValidationFailed(
            f"{what} needs a note saying what changed and why",
            errors=[{"rule": "", "index": -1, "field": "notes", "message": "A note is required."}],
        )
    return notes


@transaction.atomic
def ruleset_publish(
    *,
    ruleset: RuleSet,
    notes: str,
    actor: Any,
    lock_version: int | None = None,
    specs: list[Any] | None = None,
) -> RuleSet:
    """Publish a draft as the next immutable version, retiring the live one.

    `specs` are the rules as the editor shows them: they are saved first (like ruleset_draft_save,
    in the same transaction), so what goes live is what the admin saw, never an older saved state.
    Raises ValidationFailed (no note), DraftHasProblems (409: the rules on screen or the saved
    draft do not validate; nothing is saved), StaleDraft (the draft changed since `lock_version`),
    RuleSetImmutable (not a draft). On any refusal the live set stays live and the draft unchanged.
    """
    notes = _notes_required(notes, what="Publishing")
    draft = _draft_locked(ruleset=ruleset)
    if lock_version is not None and draft.lock_version != lock_version:
        raise StaleDraft(_stale_message(ruleset=draft, sent=lock_version), lock_version=draft.lock_version)
    saved = [rule.as_spec() for rule in draft.rules.order_by("position")]
    if not (saved if specs is None else specs):
        raise DraftHasProblems(
            "Not published: an empty rule set cannot be published",
            errors=[{"rule": "", "index": -1, "field": "rules", "message": "Add at least one rule."}],
        )
    if specs is not None:
        specs = [rule_spec_normalise(spec=spec) for spec in specs]
        _validate_or_raise(specs=specs, what="Not published", error=DraftHasProblems)
        if specs != [rule_spec_normalise(spec=spec) for spec in saved]:
            draft = ruleset_draft_save(
                ruleset=draft, specs=specs, lock_version=draft.lock_version, actor=actor
            )
            saved = [rule.as_spec() for rule in draft.rules.order_by("position")]
    _validate_or_raise(specs=saved, what="Not published", error=DraftHasProblems)
    return _ruleset_go_live(ruleset=draft, specs=saved, notes=notes, actor=actor)


@transaction.atomic
def ruleset_rollback(*, ruleset: RuleSet, notes: str, actor: Any) -> RuleSet:
    """Publish a copy of an earlier version as the next version. Raises Conflict for the live one."""
    notes = _notes_required(notes, what="A rollback")
    ruleset = RuleSet.objects.get(pk=ruleset.pk)  # the caller's copy may predate a publish
    if ruleset.status == RuleSet.Status.DRAFT or ruleset.version is None:
        raise Conflict("Only a published version can be rolled back to; publish the draft instead.")
    if ruleset.status == RuleSet.Status.PUBLISHED:
        raise Conflict(f"v{ruleset.version} is already the live version.")
    specs = [rule.as_spec() for rule in ruleset.rules.order_by("position")]
    return ruleset_publish_specs(
        specs=specs, notes=f"Rollback to v{ruleset.version}: {notes}", actor=actor, based_on=ruleset
    )


@transaction.atomic
def ruleset_seed_default(*, actor: Any = None, path: Path = DEFAULT_RULES_FILE) -> RuleSet | None:
    """Publish the default rules if nothing is published yet (idempotent). Returns the new set or None."""
    if RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).exists():
        return None
    return ruleset_publish_specs(
        specs=load_rules_file(path), notes=f"Default rules from {path.name}", actor=actor
    )


# --- test bench ----------------------------------------------------------------------------------


@transaction.atomic
def triage_test_save(*, actor: Any, test: TriageTestCase | None = None, **fields: Any) -> TriageTestCase:
    """Create (test=None) or update a saved test case of the bench."""
    name = (fields.get("name") or "").strip()
    if not name:
        raise ValidationFailed("A test case needs a name", errors={"name": ["A name is required."]})
    clash = TriageTestCase.objects.filter(name=name)
    if test is not None:
        clash = clash.exclude(pk=test.pk)
    if clash.exists():
        raise ValidationFailed(
            "Test case names are unique", errors={"name": [f"A test named {name!r} exists."]}
        )
    if not fields.get("narrative") and not fields.get("call_type"):
        raise ValidationFailed(
            "A test case needs a narrative or a call type",
            errors={"narrative": ["Give a narrative or a call type."]},
        )
    allowed = {f.name for f in TriageTestCase._meta.get_fields()} - {"id", "created_by", "created_at"}
    values = {k: v for k, v in fields.items() if k in allowed}
    values["name"] = name
    if test is None:
        test = TriageTestCase.objects.create(created_by=_actor_or_none(actor), **values)
    else:
        for key, value in values.items():
            setattr(test, key, value)
        test.save(update_fields=list(values))
    event_append(
        kind=EventKind.TRIAGE_TEST_SAVED,
        actor=actor,
        data=events.triage_test_changed(test_id=test.pk, name=test.name),
        streams=[AUDIT],
    )
    return test


@transaction.atomic
def triage_test_delete(*, test: TriageTestCase, actor: Any) -> None:
    data = events.triage_test_changed(test_id=test.pk, name=test.name)
    test.delete()
    event_append(kind=EventKind.TRIAGE_TEST_DELETED, actor=actor, data=data, streams=[AUDIT])
