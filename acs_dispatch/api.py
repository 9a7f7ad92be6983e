from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acs_dispatch.exceptions import AuthenticationRefused, ValidationFailed
from acs_dispatch.mfa import mfa_device, mfa_kind, mfa_required, mfa_verify, mfa_wait_seconds
from acs_dispatch.services import user_token_issue, user_tokens_revoke
from acs_dispatch.throttles import SignInRateThrottle


class TokenObtainApi(APIView):
    """Exchange a username and password (and, for a user with two-factor sign-in, the code of the
    authenticator app or a recovery code in `otp`) for an API token (non-browser clients).

    Each call makes a new token (one per device; `device` labels it in the audit log). The token
    is shown once and stored hashed; it dies after the idle limit without use, at the end of the
    shift (API_TOKEN_MAX_HOURS), or when revoked (auth/logout, auth/logout-all, a password change,
    deactivation, a role change). A refusal answers 401; too many attempts from one address, 429.
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [SignInRateThrottle]
    throttle_scope = "auth"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField()
        password = serializers.CharField(trim_whitespace=False)
        otp = serializers.CharField(required=False, allow_blank=True, max_length=20)
        device = serializers.CharField(required=False, allow_blank=True, max_length=100)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expiry = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Goes through django-axes: five failures lock this username from this address.
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise AuthenticationRefused("Unknown username or wrong password.")
        mfa = ""
        if mfa_required(user=user):
            if mfa_device(user=user) is None:
                raise AuthenticationRefused(
                    "Two-factor sign-in is required for this account: set it up by signing in once "
                    "in a browser, then send the code in `otp`.",
                    code="mfa_enrolment_required",
                )
            if not data.get("otp"):
                raise AuthenticationRefused(
                    "This account signs in with a second factor: send the authenticator code in `otp`.",
                    code="otp_required",
                )
            wait = mfa_wait_seconds(user=user, code=data["otp"])
            if wait:  # django-otp's growing wait after a wrong code
                raise Throttled(wait=wait)
            device = mfa_verify(user=user, code=data["otp"])
            if device is None:
                raise AuthenticationRefused("The code is wrong or already used.", code="invalid_otp")
            mfa = mfa_kind(device)
        instance, key = user_token_issue(
            user=user, ip=request.META.get("REMOTE_ADDR"), device=data.get("device", ""), mfa=mfa
        )
        return Response(self.OutputSerializer({"token": key, "expiry": instance.expiry}).data)


class TokenLogoutApi(APIView):
    """Revoke the token this request is made with (log this device out). 204."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        token = request.auth if hasattr(request.auth, "digest") else None
        if token is None:
            raise ValidationFailed("Send the token to revoke in the header: Authorization: Token ...")
        user_tokens_revoke(user=request.user, reason="logout", actor=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenLogoutAllApi(APIView):
    """Revoke every API token of the signed-in user (every device). 204."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        user_tokens_revoke(user=request.user, reason="logout_all", actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
