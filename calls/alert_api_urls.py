from django.urls import path

from calls.alert_api import AlertAcknowledgeApi, AlertsListApi, ThresholdsApi

urlpatterns = [
    path("alerts", AlertsListApi.as_view(), name="api-alerts"),
    path("alerts/<int:alert_id>/acknowledge", AlertAcknowledgeApi.as_view(), name="api-alert-acknowledge"),
    path("thresholds", ThresholdsApi.as_view(), name="api-thresholds"),
]
