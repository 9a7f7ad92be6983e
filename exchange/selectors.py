"""Reads of the exchange app: a call as an EIDO."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from calls.models import Answer, Call
from calls.selectors import call_assignments_active, call_history
from exchange.eido import SCREENING_CAUTIONS, CallOut, ResourceOut, eido_build
from exchange.models import EidoReceipt


def call_eido(*, call: Call, now: dt.datetime | None = None) -> dict[str, Any]:
    """The EIDO of `call` as this center sends it: type, location, caller, narrative, screening
    answers and caution flags as cautions, active units as emergency resources. Clinical notes are
    never read here, so they never leave."""
    now = now or timezone.now()
    assignments = call_assignments_active(call)
    history = call_history(
        address=call.address,
        lat=call.lat,
        lon=call.lon,
        caller_phone=call.caller_phone,
        exclude_call_id=call.pk,
        now=now,
    )
    call_type = call.call_type
    out = CallOut(
        number=call.number,
        received_at=call.received_at,
        status=call.status,
        call_type_code=call_type.code if call_type else "",
        call_type_name=call_type.name if call_type else "",
        apco_code=call_type.apco_code if call_type else "",
        narrative=call.narrative,
        address=call.address,
        lat=call.lat,
        lon=call.lon,
        zone=call.zone.name if call.zone_id else "",
        priority=call.priority,
        caller_name=call.caller_name,
        caller_phone=call.caller_phone,
        screening_yes=[key for key in SCREENING_CAUTIONS if getattr(call, key) == Answer.YES],
        caution_flags=[flag["text"] for flag in history["caution_flags"]],
        resources=[
            ResourceOut(
                call_sign=a.unit.call_sign,
                agency=a.unit.agency_id,
                capabilities=list(a.unit.capabilities or []),
                status=a.unit.status,
                acknowledged=a.acknowledged_at is not None,
            )
            for a in assignments
        ],
    )
    return eido_build(call=out, agency_id=settings.EIDO_AGENCY_ID, now=now)


def eido_receipt_get(*, sender: str, eido_id: str) -> EidoReceipt | None:
    return (
        EidoReceipt.objects.filter(sender=sender, eido_id=eido_id)
        .select_related("call", "call__zone")
        .first()
    )
