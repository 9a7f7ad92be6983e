"""REST endpoints of the units on the floor: recommendations, assignments and unit status."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acs_dispatch.permissions import IsDispatcher, IsStaffRole, roles_permission
from acs_dispatch.roles import Role
from calls.api.calls import call_or_404
from calls.models import Assignment
from calls.selectors.assignments import assignment_get, call_units_recommend, units_with_assignment
from calls.services.assignments import (
    assignment_acknowledge,
    assignment_clear,
    assignment_reassign,
    assignment_scene_safe,
    assignment_unassign,
    unit_assign,
    unit_status_change,
)
from responders.events import unit_summary
from responders.facility_api import facility_or_400  # issue 14
from responders.models import Agency, Unit
from responders.selectors import unit_get, units_list

IsUnitActor = roles_permission(Role.RESPONDER, Role.DISPATCHER, Role.ADMIN)


def unit_or_404(call_sign: str) -> Unit:
    unit = unit_get(call_sign=call_sign)
    if unit is None:
        raise Http404("No such unit.")
    return unit


def assignment_or_404(assignment_id: int) -> Assignment:
    assignment = assignment_get(assignment_id=assignment_id)
    if assignment is None:
        raise Http404("No such assignment.")
    return assignment


class _UnitFields(serializers.Serializer):
    """A unit as every endpoint returns it (responders.events.unit_summary)."""

    id = serializers.IntegerField()
    call_sign = serializers.CharField()
    agency = serializers.CharField()
    capabilities = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=Unit.Status.choices)
    status_since = serializers.DateTimeField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    home_zone = serializers.CharField(allow_null=True)
    call_id = serializers.IntegerField(allow_null=True)
    call_number = serializers.CharField(allow_null=True)
    assignment_id = serializers.IntegerField(allow_null=True)


class UnitsRecommendApi(APIView):
    """For each agency on the call: the nearest available suitable units, or why none and the fallback."""

    permission_classes = [IsDispatcher]

    class OutputSerializer(serializers.Serializer):
        class UnitSerializer(serializers.Serializer):
            unit_id = serializers.IntegerField()
            call_sign = serializers.CharField()
            agency = serializers.CharField()
            capabilities = serializers.ListField(child=serializers.CharField())
            distance_m = serializers.IntegerField()
            eta_min = serializers.IntegerField()
            in_zone = serializers.BooleanField()
            fallback = serializers.BooleanField()
            preference = serializers.CharField(
                allow_blank=True,
                help_text='why the unit is ranked ahead of nearer ones ("speaks Spanish"), or empty',
            )
            # AVL (issue 13): a position never reported or older than AVL_STALE_SECONDS ranks last.
            position_stale = serializers.BooleanField(default=False)
            position_at = serializers.DateTimeField(allow_null=True, default=None)

        agency = serializers.CharField()
        needs = serializers.ListField(child=serializers.CharField())
        units = UnitSerializer(many=True)
        fallback = UnitSerializer(many=True)
        covered_by = serializers.CharField(allow_null=True)
        message = serializers.CharField(allow_blank=True)

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request, call_id: int) -> Response:
        call = call_or_404(request, call_id)
        return Response(self.OutputSerializer(call_units_recommend(call=call), many=True).data)


class UnitAssignApi(APIView):
    """Commit a unit to a call. 409 when the unit is busy, or when the call's order forbids it yet
    (ACS before police where police make the scene safe: the message names what is missing); with
    `override_reason` the unit is assigned anyway and the reason recorded. Nothing changes on a 409."""

    permission_classes = [IsDispatcher]

    class InputSerializer(serializers.Serializer):
        unit = serializers.CharField(max_length=20, help_text="call sign, e.g. ACS-12")
        override_reason = serializers.CharField(
            max_length=500,
            required=False,
            allow_blank=True,
            default="",
            help_text="why to go ahead although the call's order forbids this unit yet",
        )

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        call = serializers.IntegerField(source="call_id")
        unit = serializers.CharField(source="unit.call_sign")
        assigned_at = serializers.DateTimeField()
        staged = serializers.BooleanField()
        override_reason = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, call_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit = unit_get(call_sign=serializer.validated_data["unit"])
        if unit is None:
            raise serializers.ValidationError({"unit": ["No unit with this call sign."]})
        assignment = unit_assign(
            call=call_or_404(request, call_id),
            unit=unit,
            override_reason=serializer.validated_data["override_reason"],
            actor=request.user,
        )
        return Response(self.OutputSerializer(assignment).data, status=status.HTTP_201_CREATED)


class _AssignmentFields(serializers.Serializer):
    id = serializers.IntegerField()
    call = serializers.IntegerField(source="call_id")
    unit = serializers.CharField(source="unit.call_sign")
    assigned_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    en_route_at = serializers.DateTimeField(allow_null=True)
    on_scene_at = serializers.DateTimeField(allow_null=True)
    cleared_at = serializers.DateTimeField(allow_null=True)
    cleared_reason = serializers.CharField()
    staged = serializers.BooleanField()
    override_reason = serializers.CharField()
    scene_safe_at = serializers.DateTimeField(allow_null=True)


class AssignmentAcknowledgeApi(APIView):
    """The unit confirms it got the call (idempotent)."""

    permission_classes = [IsUnitActor]

    class OutputSerializer(_AssignmentFields):
        pass

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request: Request, assignment_id: int) -> Response:
        assignment = assignment_acknowledge(assignment=assignment_or_404(assignment_id), actor=request.user)
        return Response(self.OutputSerializer(assignment).data)


class AssignmentSceneSafeApi(APIView):
    """A police unit on the call reports the scene safe; the ACS units on it are told at once
    (idempotent)."""

    permission_classes = [IsUnitActor]

    class OutputSerializer(_AssignmentFields):
        pass

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request: Request, assignment_id: int) -> Response:
        assignment = assignment_scene_safe(assignment=assignment_or_404(assignment_id), actor=request.user)
        return Response(self.OutputSerializer(assignment).data)


class AssignmentClearApi(APIView):
    """The unit leaves the call; the last unit clearing with a disposition closes the call."""

    permission_classes = [IsUnitActor]

    class InputSerializer(serializers.Serializer):
        disposition = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
        reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        # Issue 14: where an ACS team took the person (a facility id), with an ACS outcome.
        destination = serializers.IntegerField(required=False, allow_null=True, default=None)

    class OutputSerializer(_AssignmentFields):
        pass

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, assignment_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.validated_data["destination"] = facility_or_400(serializer.validated_data["destination"])
        assignment = assignment_clear(
            assignment=assignment_or_404(assignment_id), **serializer.validated_data, actor=request.user
        )
        return Response(self.OutputSerializer(assignment).data)


class AssignmentUnassignApi(APIView):
    """A dispatcher takes a unit off a call, with a reason."""

    permission_classes = [IsDispatcher]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=200)

    class OutputSerializer(_AssignmentFields):
        pass

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, assignment_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = assignment_unassign(
            assignment=assignment_or_404(assignment_id), **serializer.validated_data, actor=request.user
        )
        return Response(self.OutputSerializer(assignment).data)


class AssignmentReassignApi(APIView):
    """A dispatcher replaces the unit of an assignment by another, with a reason (201: the new one)."""

    permission_classes = [IsDispatcher]

    class InputSerializer(serializers.Serializer):
        unit = serializers.CharField(max_length=20)
        reason = serializers.CharField(max_length=200)

    class OutputSerializer(_AssignmentFields):
        pass

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, assignment_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit = unit_get(call_sign=serializer.validated_data["unit"])
        if unit is None:
            raise serializers.ValidationError({"unit": ["No unit with this call sign."]})
        assignment = assignment_reassign(
            assignment=assignment_or_404(assignment_id),
            unit=unit,
            reason=serializer.validated_data["reason"],
            actor=request.user,
        )
        return Response(self.OutputSerializer(assignment).data, status=status.HTTP_201_CREATED)


class UnitStatusApi(APIView):
    """Change a unit's status through the state machine (a responder: their own unit only)."""

    permission_classes = [IsUnitActor]

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Unit.Status.choices)

    class OutputSerializer(_UnitFields):
        pass

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, call_sign: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit = unit_status_change(
            unit=unit_or_404(call_sign), **serializer.validated_data, actor=request.user
        )
        ((unit, active),) = units_with_assignment(units=[unit])
        return Response(unit_summary(unit, active_assignment=active))


class UnitsApi(APIView):
    """Every unit with its status and current call."""

    permission_classes = [IsStaffRole]

    class InputSerializer(serializers.Serializer):
        agency = serializers.ChoiceField(
            choices=[Agency.Code.POLICE, Agency.Code.FIRE_EMS, Agency.Code.ACS], required=False
        )
        status = serializers.ChoiceField(choices=Unit.Status.choices, required=False)

    class OutputSerializer(_UnitFields):
        pass

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "agency",
                str,
                enum=[Agency.Code.POLICE, Agency.Code.FIRE_EMS, Agency.Code.ACS],
                required=False,
            ),
            OpenApiParameter("status", str, enum=Unit.Status.values, required=False),
        ],
        responses=OutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        rows = units_with_assignment(units=units_list(**serializer.validated_data))
        return Response([unit_summary(u, active_assignment=a) for u, a in rows])
