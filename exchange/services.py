"""Writes of the exchange app: a call from another center's EIDO."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from acs_dispatch.exceptions import ValidationFailed
from calls.models import CallType
from calls.services import call_create
from exchange.eido import SCREENING_CAUTIONS, EidoIncoming, eido_read
from exchange.models import EidoReceipt
from exchange.schema import eido_errors
from exchange.selectors import eido_receipt_get
from live.events import AUDIT, event_append
from live.kinds import EventKind

NARRATIVE_MAX = 4000  # as POST /api/v1/calls


def _call_type(incoming: EidoIncoming) -> CallType | None:
    """Their internal code when it is one of ours (an EIDO from this CAD); else the one call type
    of ours mapped to their APCO common type, when exactly one is. Else none: triage reads words."""
    if incoming.call_type_code:
        found = CallType.objects.filter(code__iexact=incoming.call_type_code, active=True).first()
        if found is not None:
            return found
    if incoming.incident_type:
        candidates = list(CallType.objects.filter(apco_code__iexact=incoming.incident_type, active=True)[:2])
        if len(candidates) == 1:
            return candidates[0]
    return None


def _narrative(incoming: EidoIncoming, *, typed: bool) -> str:
    parts = []
    if not typed and incoming.incident_type_text:
        # Another center's words for the type ("BREATHING PROBLEMS"): triage reads them.
        parts.append(incoming.incident_type_text)
    parts.extend(incoming.narrative_parts)
    parts.extend(f"Caution: {text}" for text in incoming.cautions)
    if not parts:
        parts.append("Call transferred without a description")
    parts.append(f"[EIDO from {incoming.sender}]")
    return "\n".join(parts)[:NARRATIVE_MAX]


def eido_import(*, document: Any, actor: Any) -> tuple[EidoReceipt, bool]:
    """Create a call from an EIDO, triaged like any other, and record who sent it.

    Returns (receipt, created). The same document from the same sender again returns the first
    receipt and creates nothing. Raises ValidationFailed (errors by field) when the document does
    not follow NENA's schema.
    """
    # Slow work first, outside the transaction: schema validation and reading the XML parts.
    errors = eido_errors(document)
    if errors:
        raise ValidationFailed("The document is not a valid EIDO (NENA-STA-021).", errors=errors)
    incoming = eido_read(document)
    existing = eido_receipt_get(sender=incoming.sender, eido_id=incoming.eido_id)
    if existing is not None:
        return existing, False
    try:
        return _eido_receive(incoming=incoming, document=document, actor=actor), True
    except IntegrityError:
        # The same document arrived twice at once: the other request created the call.
        existing = eido_receipt_get(sender=incoming.sender, eido_id=incoming.eido_id)
        if existing is None:
            raise
        return existing, False


@transaction.atomic
def _eido_receive(*, incoming: EidoIncoming, document: dict[str, Any], actor: Any) -> EidoReceipt:
    call_type = _call_type(incoming)
    screening = {key: (True if key in incoming.screening_yes else None) for key in SCREENING_CAUTIONS}
    call = call_create(
        actor=actor,
        call_type=call_type.code if call_type else "",
        narrative=_narrative(incoming, typed=call_type is not None),
        address=incoming.address,
        lat=incoming.lat,
        lon=incoming.lon,
        caller_name=incoming.caller_name,
        caller_phone=incoming.caller_phone,
        **screening,
    )
    updated_by = document.get("updatedByAgencyReference") or {}
    receipt = EidoReceipt.objects.create(
        call=call,
        sender=incoming.sender,
        sender_agency=str(updated_by.get("$ref", ""))[:255],
        eido_id=incoming.eido_id,
        incident_id=incoming.incident_id[:255],
        dispatch_group=incoming.dispatch_group[:120],
        cautions=incoming.cautions,
        resources=incoming.resources,
        document=document,
        received_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    event_append(
        kind=EventKind.CALL_EIDO_RECEIVED,
        actor=actor,
        call=call,
        data={
            "call": call.number,
            "sender": receipt.sender,
            "sender_agency": receipt.sender_agency,
            "eido_id": receipt.eido_id,
            "incident_id": receipt.incident_id,
            "resources": [r["name"] for r in receipt.resources],
        },
        # The audit trail: the board learns of the call from call.created like any other.
        streams=[AUDIT],
    )
    return receipt
