"""Writes of the calls app: call types, calls and their lifecycle."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from acs_dispatch.events import AUDIT, event_append
from calls.models import CallType


@transaction.atomic
def call_types_load(*, rows: list[dict[str, Any]], actor: Any = None) -> dict[str, int]:
    """Create or update call types by code (idempotent). Each row: code, name, description,
    apco_code, agencies (list), priority (int or None)."""
    existing = {ct.code: ct for ct in CallType.objects.all()}
    created = updated = 0
    to_create = []
    for row in rows:
        code = row["code"].strip().upper()
        fields = {
            "name": row["name"][:120],
            "description": (row.get("description") or "")[:300],
            "apco_code": row.get("apco_code") or "",
            "default_agencies": list(row.get("agencies") or []),
            "priority_hint": row.get("priority"),
        }
        current = existing.get(code)
        if current is None:
            to_create.append(CallType(code=code, **fields))
            created += 1
        elif any(getattr(current, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(current, k, v)
            current.save(update_fields=list(fields))
            updated += 1
    CallType.objects.bulk_create(to_create)
    if created or updated:
        event_append(
            kind="call_types.loaded", actor=actor, data={"created": created, "updated": updated}, streams=[AUDIT]
        )
    return {"created": created, "updated": updated}
