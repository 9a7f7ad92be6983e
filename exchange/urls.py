"""EIDO endpoints, included under /api/v1/ by acs_dispatch/api_urls.py."""

from django.urls import path

from exchange import api

urlpatterns = [
    path("calls/<int:call_id>/eido", api.CallEidoApi.as_view(), name="api-call-eido"),
    path("eido", api.EidoImportApi.as_view(), name="api-eido-import"),
]
