"""POST /api/v1/calls/{id}/location: place a call by a map pick (issue 13)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acs_dispatch.permissions import IsCallTaker
from calls.api.calls import call_or_404
from calls.events import call_summary
from calls.services import call_locate


class CallLocateApi(APIView):
    """Set an open call's point (and optionally its address text); its zone follows."""

    permission_classes = [IsCallTaker]

    class InputSerializer(serializers.Serializer):
        lat = serializers.FloatField(min_value=-90, max_value=90)
        lon = serializers.FloatField(min_value=-180, max_value=180)
        address = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        number = serializers.CharField()
        lat = serializers.FloatField(allow_null=True)
        lon = serializers.FloatField(allow_null=True)
        zone = serializers.CharField(allow_null=True)
        outside_service_area = serializers.BooleanField()
        location_unverified = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, call_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call = call_locate(call=call_or_404(request, call_id), actor=request.user, **data.validated_data)
        return Response(self.OutputSerializer(call_summary(call)).data)
