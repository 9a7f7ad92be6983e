"""REST endpoints of geocoding, the street layer and AVL under /api/v1/."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acs_dispatch.permissions import IsStaffRole
from responders.avl_services import avl_actor_check, unit_positions_record
from responders.gis_selectors import geocode_reverse, geocode_search, streets_in_view
from responders.models import Unit
from responders.selectors import unit_get


def unit_or_404(call_sign: str) -> Unit:
    unit = unit_get(call_sign=call_sign)
    if unit is None:
        raise Http404("No such unit.")
    return unit


class _Candidate(serializers.Serializer):
    label = serializers.CharField()
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    kind = serializers.ChoiceField(choices=["address", "intersection", "place"])
    zone = serializers.CharField(allow_null=True)
    score = serializers.FloatField(required=False)
    precision = serializers.CharField(required=False)
    distance_m = serializers.FloatField(required=False)


class GeocodeApi(APIView):
    """Ranked candidates for an address, an intersection ("Central & Louisiana") or a place name."""

    permission_classes = [IsStaffRole]

    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(max_length=200, trim_whitespace=True)
        limit = serializers.IntegerField(min_value=1, max_value=20, default=8)

    class OutputSerializer(serializers.Serializer):
        results = _Candidate(many=True)

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True), OpenApiParameter("limit", int)],
        responses=OutputSerializer,
    )
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        results = geocode_search(q=params.validated_data["q"], limit=params.validated_data["limit"])
        return Response(self.OutputSerializer({"results": results}).data)


class GeocodeReverseApi(APIView):
    """What is at a point: the nearest address, intersection or interpolated address, with its zone."""

    permission_classes = [IsStaffRole]

    class InputSerializer(serializers.Serializer):
        lat = serializers.FloatField(min_value=-90, max_value=90)
        lon = serializers.FloatField(min_value=-180, max_value=180)

    class OutputSerializer(serializers.Serializer):
        results = _Candidate(many=True)

    @extend_schema(
        parameters=[
            OpenApiParameter("lat", float, required=True),
            OpenApiParameter("lon", float, required=True),
        ],
        responses=OutputSerializer,
    )
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(self.OutputSerializer({"results": geocode_reverse(**params.validated_data)}).data)


class StreetsApi(APIView):
    """The imported centerlines inside a map view (bbox=west,south,east,north) as GeoJSON."""

    permission_classes = [IsStaffRole]

    class InputSerializer(serializers.Serializer):
        bbox = serializers.CharField()

        def validate_bbox(self, value: str) -> list[float]:
            try:
                west, south, east, north = (float(v) for v in value.split(","))
            except ValueError:
                raise serializers.ValidationError("Give bbox as west,south,east,north in degrees.") from None
            if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
                raise serializers.ValidationError(
                    "The box must be west < east and south < north, in degrees."
                )
            return [west, south, east, north]

    @extend_schema(parameters=[OpenApiParameter("bbox", str, required=True)], responses=dict)
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        west, south, east, north = params.validated_data["bbox"]
        return Response(streets_in_view(west=west, south=south, east=east, north=north))


class UnitPositionsApi(APIView):
    """A batch of AVL fixes from a unit's tablet (the responder's session) or its vehicle modem
    (header X-AVL-Token: the unit's token). Out-of-order, stale and future fixes are dropped."""

    # Anyone may knock: avl_actor_check decides between the unit's token and its crew's session.
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        class FixSerializer(serializers.Serializer):
            lat = serializers.FloatField(min_value=-90, max_value=90)
            lon = serializers.FloatField(min_value=-180, max_value=180)
            at = serializers.DateTimeField()
            speed = serializers.FloatField(min_value=0, required=False, allow_null=True)
            heading = serializers.FloatField(min_value=0, max_value=360, required=False, allow_null=True)

        positions = FixSerializer(many=True, allow_empty=False, max_length=500)

    class OutputSerializer(serializers.Serializer):
        accepted = serializers.IntegerField()
        dropped = serializers.DictField(child=serializers.IntegerField())
        pushed = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, call_sign: str) -> Response:
        token = request.headers.get("X-AVL-Token", "").strip()
        if not token and not request.user.is_authenticated:
            raise NotAuthenticated("Sign in as the unit's crew, or send the unit's X-AVL-Token.")
        unit = unit_or_404(call_sign)
        avl_actor_check(unit=unit, user=request.user, token=token)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = unit_positions_record(unit=unit, fixes=data.validated_data["positions"], actor=request.user)
        return Response(self.OutputSerializer(result).data, status=status.HTTP_200_OK)
