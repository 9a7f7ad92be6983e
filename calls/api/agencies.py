"""REST endpoints about the agencies a call requires: a dispatcher's reason why one is not sent."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acs_dispatch.permissions import IsDispatcher
from calls.api.calls import call_or_404
from calls.services import call_agency_waive
from responders.models import Agency


class CallAgencyWaiveApi(APIView):
    """Record why a required agency gets no unit: the call stops waiting in the queue for it."""

    permission_classes = [IsDispatcher]

    class InputSerializer(serializers.Serializer):
        agency = serializers.ChoiceField(choices=Agency.Code.values)
        reason = serializers.CharField(max_length=500)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        call = serializers.IntegerField(source="call_id")
        agency = serializers.CharField()
        reason = serializers.CharField()
        waived_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, call_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        waiver = call_agency_waive(
            call=call_or_404(request, call_id), **serializer.validated_data, actor=request.user
        )
        return Response(self.OutputSerializer(waiver).data, status=status.HTTP_201_CREATED)
