"""Looking back (issue 14): GET /api/v1/calls/search, GET /api/v1/calls/{id}/timeline and
GET /api/v1/audit (JSON, or CSV with `format=csv`)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Paginator
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acs_dispatch.permissions import roles_permission
from acs_dispatch.roles import Role
from calls.api.calls import call_or_404, call_payload
from calls.api.kpis import CsvExportMixin
from calls.selectors.history import (
    STATES,
    call_search_row,
    call_timeline,
    calls_search,
    event_row,
    events_audit,
)
from calls.selectors.kpis import kpis_period

IsHistoryReader = roles_permission(Role.CALL_TAKER, Role.DISPATCHER, Role.ACS_SUPERVISOR, Role.ADMIN)
IsAuditor = roles_permission(Role.ACS_SUPERVISOR, Role.ADMIN)
AUDIT_CSV_LIMIT = 50_000


class _PageFields(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, required=False, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=200, required=False, default=50)


def _page(items: Any, data: dict[str, Any], render) -> dict[str, Any]:
    paginator = Paginator(items, data["page_size"])
    number = min(data["page"], max(paginator.num_pages, 1))
    page = paginator.page(number)
    return {
        "count": paginator.count,
        "page": number,
        "pages": paginator.num_pages,
        "page_size": data["page_size"],
        "results": [render(x) for x in page.object_list],
    }


class CallsSearchApi(APIView):
    """Closed and open calls by date range (received, city clock, [from, to)), type, zone, agency,
    disposition, unit, state and free text; newest first, paginated."""

    permission_classes = [IsHistoryReader]

    class InputSerializer(_PageFields):
        to = serializers.DateField(required=False)
        type = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
        zone = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
        agency = serializers.ChoiceField(
            choices=["", "POLICE", "FIRE_EMS", "ACS"], required=False, allow_blank=True, default=""
        )
        disposition = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
        unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
        q = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        state = serializers.ChoiceField(choices=STATES, required=False, default="all")

        def get_fields(self) -> dict[str, serializers.Field]:
            fields = super().get_fields()
            fields["from"] = serializers.DateField(required=False)
            return fields

    @extend_schema(parameters=[InputSerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        calls = calls_search(
            start=data.get("from"),
            end=data.get("to"),
            call_type=data["type"],
            zone=data["zone"],
            agency=data["agency"],
            disposition=data["disposition"],
            unit=data["unit"],
            text=data["q"],
            state=data["state"],
        )
        return Response(_page(calls, data, call_search_row))


class CallTimelineApi(APIView):
    """One call as it stands and every event of it, oldest first: who, when, what changed, which rule set."""

    permission_classes = [IsHistoryReader]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, call_id: int) -> Response:
        call = call_or_404(request, call_id)
        return Response({"call": call_payload(call), "events": call_timeline(call=call, user=request.user)})


class AuditApi(CsvExportMixin, APIView):
    """The event log for admins and ACS supervisors, newest first: filter by user, kind (exact, or a
    prefix ending in '.'), call (id or number), unit (call sign) and time ([from, to) city-clock
    dates); paginated, or every row (up to 50,000) as CSV with `format=csv`."""

    permission_classes = [IsAuditor]

    class InputSerializer(_PageFields):
        to = serializers.DateField(required=False)
        user = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
        kind = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
        call = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
        unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
        format = serializers.ChoiceField(choices=["json", "csv"], required=False, default="json")

        def get_fields(self) -> dict[str, serializers.Field]:
            fields = super().get_fields()
            fields["from"] = serializers.DateField(required=False)
            return fields

    @extend_schema(parameters=[InputSerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        since = until = None
        if data.get("from") or data.get("to"):
            since, until = kpis_period(
                start=data.get("from") or dt.date(2000, 1, 1), end=data.get("to") or dt.date(2100, 1, 1)
            )
        events = events_audit(
            since=since,
            until=until,
            username=data["user"],
            kind=data["kind"],
            call=data["call"],
            unit=data["unit"],
        )
        # The audit is for supervisors and admins: both read clinical notes (acs_dispatch.roles).
        if data["format"] == "csv":
            tz = ZoneInfo(settings.CITY_TIME_ZONE)
            rows: list[list[Any]] = [["id", "at_utc", "at_local", "kind", "actor", "call", "unit", "changes"]]
            for e in events[:AUDIT_CSV_LIMIT]:
                r = event_row(e, clinical=True)
                rows.append([r["id"], r["at"], e.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), r["kind"],
                             r["actor"] or "", r["call_number"] or (r["call_id"] or ""), r["unit"] or "",
                             " | ".join(r["changes"])])  # fmt: skip
            return self.csv_response(rows, "audit.csv")
        return Response(_page(events, data, lambda e: event_row(e, clinical=True)))
