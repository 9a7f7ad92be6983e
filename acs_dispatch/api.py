from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acs_dispatch.services import user_login_record


class TokenObtainApi(APIView):
    """Exchange a username and password for an API token (non-browser clients)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField()
        password = serializers.CharField(trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Goes through django-axes: five failures lock the account here too.
        user = authenticate(request._request, **serializer.validated_data)
        if user is None or not user.is_active:
            return Response(
                {"error": "invalid_credentials", "detail": "Unknown username or wrong password."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _ = Token.objects.get_or_create(user=user)
        user_login_record(user=user, ip=request.META.get("REMOTE_ADDR"))
        return Response(self.OutputSerializer({"token": token.key}).data)
