"""EIDO over REST: GET /api/v1/calls/{id}/eido (export), POST /api/v1/eido (import)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acs_dispatch.permissions import IsCallTaker, roles_permission
from acs_dispatch.roles import Role
from calls.selectors import call_get
from exchange.selectors import call_eido
from exchange.services import eido_import

# Handing a call to another center is a dispatch-floor decision; a responder's tablet does not.
IsEidoExporter = roles_permission(Role.CALL_TAKER, Role.DISPATCHER, Role.ACS_SUPERVISOR, Role.ADMIN)


class CallEidoApi(APIView):
    """The call as an EIDO (NENA-STA-021) document, for another center. Never carries clinical notes."""

    permission_classes = [IsEidoExporter]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, call_id: int) -> Response:
        call = call_get(call_id=call_id, user=request.user)
        if call is None:
            raise Http404("No such call.")
        return Response(call_eido(call=call))


class EidoImportApi(APIView):
    """A call from another center's EIDO: validated against NENA's schema, created and triaged like
    any other call, with the sender recorded. The same document again answers 200 with the same call."""

    permission_classes = [IsCallTaker]

    class OutputSerializer(serializers.Serializer):
        class TriageSerializer(serializers.Serializer):
            agencies = serializers.ListField(child=serializers.CharField())
            lead = serializers.CharField()
            priority = serializers.IntegerField(allow_null=True)
            rule = serializers.CharField(source="triage_rule")
            ruleset_version = serializers.IntegerField(allow_null=True)
            reasons = serializers.ListField(child=serializers.CharField(), source="triage_reasons")
            recognised = serializers.BooleanField(source="triage_recognised")

        id = serializers.IntegerField(source="call.id")
        number = serializers.CharField(source="call.number")
        status = serializers.CharField(source="call.status")
        zone = serializers.CharField(source="call.zone.name", allow_null=True, default=None)
        call_type = serializers.CharField(source="call.call_type.code", allow_null=True, default=None)
        triage = TriageSerializer(source="call")
        sender = serializers.CharField()
        eido_id = serializers.CharField()
        incident_id = serializers.CharField()
        resources = serializers.ListField(child=serializers.DictField())

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OutputSerializer, 200: OutputSerializer})
    def post(self, request: Request) -> Response:
        receipt, created = eido_import(document=request.data, actor=request.user)
        return Response(
            self.OutputSerializer(receipt).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
