"""GET /api/v1/facilities and POST /api/v1/facilities/{id}/beds (issue 14)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acs_dispatch.permissions import IsStaffRole, roles_permission
from acs_dispatch.roles import Role
from responders.facility_selectors import facilities_list, facility_get
from responders.facility_services import facility_beds_update, facility_summary
from responders.models import Facility

IsBedUpdater = roles_permission(Role.ACS_SUPERVISOR, Role.ADMIN)


def facility_or_400(facility_id: int | None) -> Facility | None:
    """The active facility `facility_id` (None for None); a 400 on 'destination' otherwise."""
    if facility_id is None:
        return None
    facility = facility_get(facility_id=facility_id)
    if facility is None:
        raise serializers.ValidationError({"destination": [f"No facility {facility_id}."]})
    return facility


class FacilitiesApi(APIView):
    """Shelters, detox and crisis stabilisation: capacity, beds free, when and by whom last updated."""

    permission_classes = [IsStaffRole]

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(
            choices=["", *Facility.Kind.values], required=False, allow_blank=True, default=""
        )

    @extend_schema(parameters=[InputSerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return Response([facility_summary(f) for f in facilities_list(**serializer.validated_data)])


class FacilityBedsUpdateApi(APIView):
    """Record the beds free now (and the capacity when it changed): ACS supervisors and admins."""

    permission_classes = [IsBedUpdater]

    class InputSerializer(serializers.Serializer):
        beds_free = serializers.IntegerField(min_value=0)
        capacity = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)

    @extend_schema(request=InputSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, facility_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        facility = facility_get(facility_id=facility_id)
        if facility is None:
            raise Http404("No such facility.")
        facility = facility_beds_update(facility=facility, **serializer.validated_data, actor=request.user)
        return Response(facility_summary(facility))
