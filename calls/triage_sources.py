"""What the calls app hands triage (triage.sources): the call types, the service zones and the
center's recent calls. Registered in calls.apps.CallsConfig.ready, so triage reads no model of ours."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from calls.models import Call, CallType
from responders.models import Zone
from triage.sources import sources_register


def call_types() -> list[tuple[str, str]]:
    return list(CallType.objects.order_by("code").values_list("code", "name"))


def zone_names() -> list[str]:
    return list(Zone.objects.filter(kind=Zone.Kind.SERVICE).values_list("name", flat=True))


def zones_city() -> str:
    return Zone.objects.filter(kind=Zone.Kind.SERVICE).values_list("city", flat=True).first() or ""


def recent_calls(limit: int) -> list[tuple[dict[str, Any], str]]:
    rows = (
        Call.objects.exclude(status=Call.Status.DUPLICATE)
        .filter(Q(narrative__gt="") | Q(call_type__isnull=False))
        .select_related("call_type", "zone")
        .order_by("-received_at")[:limit]
    )
    return [
        (
            {
                "call_type": call.call_type.code if call.call_type else "",
                "narrative": call.narrative,
                "weapons": call.weapons,
                "violence": call.violence,
                "medical": call.medical,
                "caller_is_subject": call.caller_is_subject,
                "zone": call.zone.name if call.zone else None,
                "received_at": call.received_at,
            },
            f"{call.number} {call.narrative[:80]}".strip(),
        )
        for call in rows
    ]


def triage_sources_register() -> None:
    sources_register(
        call_types=call_types, zone_names=zone_names, zones_city=zones_city, recent_calls=recent_calls
    )
