"""REST endpoints of the deadline clocks: open alerts, acknowledging one or all of a call's, and the
thresholds."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acs_dispatch.permissions import IsAdmin, roles_permission
from acs_dispatch.roles import Role
from calls.events import alert_summary
from calls.models import Alert, DeadlineThreshold
from calls.selectors.alerts import PRIORITIES, alert_get, alerts_visible, thresholds_list
from calls.selectors.calls import call_get
from calls.services.alerts import alert_acknowledge, call_alerts_acknowledge, thresholds_update
from responders.models import Agency

# The roles that are shown alerts: who handles one is decided per alert by the service.
IsAlertHandler = roles_permission(Role.DISPATCHER, Role.ACS_SUPERVISOR, Role.RESPONDER, Role.ADMIN)


class _AlertOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    level = serializers.IntegerField()
    level_label = serializers.CharField()
    subject = serializers.CharField()
    call_id = serializers.IntegerField(allow_null=True)
    call_number = serializers.CharField(allow_null=True)
    unit_id = serializers.IntegerField(allow_null=True)
    unit_call_sign = serializers.CharField(allow_null=True)
    unit_agency = serializers.CharField(allow_null=True)
    assignment_id = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
    raised_at = serializers.DateTimeField()
    raised_at_local = serializers.CharField()
    acknowledged_by = serializers.CharField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_reason = serializers.CharField(allow_blank=True)


class AlertsListApi(APIView):
    """GET /api/v1/alerts?open=1: the alerts the user's screens are pushed; open=0 adds recent
    acknowledged ones."""

    permission_classes = [IsAlertHandler]

    class FilterSerializer(serializers.Serializer):
        open = serializers.BooleanField(required=False, default=True)

    class OutputSerializer(_AlertOutput):
        pass

    @extend_schema(parameters=[FilterSerializer], responses={200: OutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        alerts = alerts_visible(user=request.user, open_only=filters.validated_data["open"])
        return Response(self.OutputSerializer([alert_summary(a) for a in alerts], many=True).data)


class AlertAcknowledgeApi(APIView):
    """POST /api/v1/alerts/{id}/acknowledge: the person who handles the alert records it."""

    permission_classes = [IsAlertHandler]

    class OutputSerializer(_AlertOutput):
        pass

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request: Request, alert_id: int) -> Response:
        try:
            alert = alert_get(alert_id=alert_id)
        except Alert.DoesNotExist as exc:
            raise Http404("No such alert.") from exc
        alert = alert_acknowledge(alert=alert, actor=request.user)
        return Response(self.OutputSerializer(alert_summary(alert)).data)


class CallAlertsAcknowledgeApi(APIView):
    """POST /api/v1/calls/{id}/alerts/acknowledge: acknowledge every open alert of the call that
    the user handles (the rule of one alert); 403 when they are all someone else's."""

    permission_classes = [IsAlertHandler]

    class OutputSerializer(serializers.Serializer):
        call_id = serializers.IntegerField()
        acknowledged = _AlertOutput(many=True)

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request: Request, call_id: int) -> Response:
        call = call_get(call_id=call_id, user=request.user)
        if call is None:
            raise Http404("No such call.")
        acknowledged = call_alerts_acknowledge(call=call, actor=request.user)
        return Response(
            self.OutputSerializer(
                {"call_id": call.pk, "acknowledged": [alert_summary(a) for a in acknowledged]}
            ).data
        )


class ThresholdsApi(APIView):
    """GET /api/v1/thresholds: every clock's limits; PUT: an admin changes some of them."""

    permission_classes = [IsAdmin]

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=DeadlineThreshold.Kind.choices)
        agency = serializers.ChoiceField(choices=Agency.Code.values)
        priority = serializers.ChoiceField(choices=PRIORITIES)
        warn_seconds = serializers.IntegerField(min_value=10)
        escalate_seconds = serializers.IntegerField(min_value=11)

    class OutputSerializer(serializers.Serializer):
        kind = serializers.CharField()
        kind_label = serializers.CharField()
        agency = serializers.CharField()
        priority = serializers.IntegerField()
        warn_seconds = serializers.IntegerField()
        escalate_seconds = serializers.IntegerField()
        is_default = serializers.BooleanField()

    @extend_schema(responses={200: OutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(thresholds_list(), many=True).data)

    @extend_schema(request=InputSerializer(many=True), responses={200: OutputSerializer(many=True)})
    def put(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        thresholds_update(rows=serializer.validated_data, actor=request.user)
        return Response(self.OutputSerializer(thresholds_list(), many=True).data)
