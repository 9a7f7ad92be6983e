"""GET /api/v1/kpis: the figures of calls.selectors.kpis as JSON, or CSV with `format=csv`.

ACS supervisors, dispatchers and admins read them; everyone else gets 403.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import renderers, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from acs_dispatch.permissions import roles_permission
from acs_dispatch.roles import Role
from calls.selectors.kpis import kpis_compute, kpis_csv_rows

IsKpiReader = roles_permission(Role.ACS_SUPERVISOR, Role.DISPATCHER, Role.ADMIN)
DEFAULT_DAYS = 7


class CsvRenderer(renderers.BaseRenderer):
    """Rows (a list of lists) as CSV text; `format=csv` selects it."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerows(data)
        return out.getvalue().encode("utf-8")


class CsvExportMixin:
    """An APIView that answers CSV for `format=csv` but keeps every error in the API's JSON shape."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CsvRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[Any, str]:
        try:
            return super().perform_content_negotiation(request, force)  # type: ignore[misc]
        except Http404:
            # An unknown ?format= is a bad parameter (400 from the serializer), not a missing page.
            renderer = api_settings.DEFAULT_RENDERER_CLASSES[0]()
            return renderer, renderer.media_type

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)  # type: ignore[misc]
        request = self.request  # type: ignore[attr-defined]
        if getattr(request, "accepted_renderer", None) is None or request.accepted_renderer.format == "csv":
            # A 400 or 403 must never be a CSV file: answer it with the first (JSON) renderer.
            request.accepted_renderer = api_settings.DEFAULT_RENDERER_CLASSES[0]()
            request.accepted_media_type = request.accepted_renderer.media_type
        return response

    def csv_response(self, rows: list[list[Any]], filename: str) -> Response:
        return Response(rows, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def today_local() -> dt.date:
    return timezone.now().astimezone(ZoneInfo(settings.CITY_TIME_ZONE)).date()


class KpisApi(CsvExportMixin, APIView):
    """Every KPI for calls received in [from, to) on the city's clock (default: the last 7 days,
    today included), optionally in one zone. `format=csv` answers a CSV file of the same figures."""

    permission_classes = [IsKpiReader]

    class InputSerializer(serializers.Serializer):
        to = serializers.DateField(required=False, help_text="first day NOT included (YYYY-MM-DD)")
        zone = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
        format = serializers.ChoiceField(choices=["json", "csv"], required=False, default="json")

        def get_fields(self) -> dict[str, serializers.Field]:
            fields = super().get_fields()
            # "from" is a Python keyword: declared here, under its wire name.
            fields["from"] = serializers.DateField(required=False, help_text="first day (YYYY-MM-DD)")
            return fields

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            start, end = attrs.get("from"), attrs.get("to")
            if (start is None) != (end is None):
                missing = "from" if start is None else "to"
                raise serializers.ValidationError({missing: ["Give both 'from' and 'to', or neither."]})
            return attrs

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="first day, city clock"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="first day not included"),
            OpenApiParameter("zone", str, description="a service zone's name"),
            OpenApiParameter("format", str, enum=["json", "csv"]),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        end = data.get("to") or today_local() + dt.timedelta(days=1)
        start = data.get("from") or end - dt.timedelta(days=DEFAULT_DAYS)
        as_csv = data["format"] == "csv"
        kpis = kpis_compute(
            start=start, end=end, zone=data["zone"] or None, missed_limit=None if as_csv else 500
        )
        if as_csv:
            suffix = f"_{kpis['zone']}" if kpis["zone"] else ""
            return self.csv_response(kpis_csv_rows(kpis), f"kpis_{start}_{end}{suffix}.csv".replace(" ", "-"))
        return Response(kpis)
