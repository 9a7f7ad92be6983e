"""All REST endpoints under /api/v1/ (the public contract of DESIGN.md)."""

from django.urls import include, path

from acs_dispatch.api import TokenObtainApi

urlpatterns = [
    path("auth/token", TokenObtainApi.as_view(), name="api-token"),
    path("", include("calls.api_urls")),
    path("", include("responders.api_urls")),
    path("", include("triage.api_urls")),
    path("", include("exchange.urls")),  # EIDO export and import (issue 15)
]
