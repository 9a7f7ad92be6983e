"""All REST endpoints under /api/v1/ (the public contract of DESIGN.md)."""

from django.urls import include, path

from acs_dispatch.api import TokenLogoutAllApi, TokenLogoutApi, TokenObtainApi

urlpatterns = [
    path("auth/token", TokenObtainApi.as_view(), name="api-token"),
    path("auth/logout", TokenLogoutApi.as_view(), name="api-logout"),
    path("auth/logout-all", TokenLogoutAllApi.as_view(), name="api-logout-all"),
    path("", include("calls.api_urls")),
    path("", include("responders.api_urls")),
    path("", include("triage.api_urls")),
    path("", include("exchange.urls")),  # EIDO export and import (issue 15)
]
