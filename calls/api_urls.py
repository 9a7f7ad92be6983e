"""REST endpoints of calls under /api/v1/ (DESIGN.md contract plus the extras of issue 4)."""

from django.urls import path

from calls import api
from calls.api.history import AuditApi, CallsSearchApi, CallTimelineApi  # issue 14
from calls.api.kpis import KpisApi  # issue 14

urlpatterns = [
    path("calls", api.CallsApi.as_view(), name="api-calls"),
    path("calls/search", CallsSearchApi.as_view(), name="api-calls-search"),  # issue 14
    path("calls/<int:call_id>/timeline", CallTimelineApi.as_view(), name="api-call-timeline"),  # issue 14
    path("audit", AuditApi.as_view(), name="api-audit"),  # issue 14
    path("calls/<int:call_id>", api.CallDetailApi.as_view(), name="api-call-detail"),
    path("calls/<int:call_id>/override", api.CallOverrideApi.as_view(), name="api-call-override"),
    path("calls/<int:call_id>/close", api.CallCloseApi.as_view(), name="api-call-close"),
    path("calls/<int:call_id>/cancel", api.CallCancelApi.as_view(), name="api-call-cancel"),
    path("calls/<int:call_id>/duplicate", api.CallDuplicateApi.as_view(), name="api-call-duplicate"),
    path("calls/<int:call_id>/waivers", api.CallAgencyWaiveApi.as_view(), name="api-call-waivers"),
    path("calls/<int:call_id>/backup", api.BackupRequestCreateApi.as_view(), name="api-call-backup"),
    path("calls/<int:call_id>/notes", api.ClinicalNotesApi.as_view(), name="api-call-notes"),
    path("calls/<int:call_id>/history", api.CallHistoryApi.as_view(), name="api-call-history"),
    path("history", api.HistoryLookupApi.as_view(), name="api-history"),
    path("events", api.EventsApi.as_view(), name="api-events"),
    path("dispositions", api.DispositionsApi.as_view(), name="api-dispositions"),
    path("call-types", api.CallTypesApi.as_view(), name="api-call-types"),
    path("alerts", api.AlertsListApi.as_view(), name="api-alerts"),
    path(
        "alerts/<int:alert_id>/acknowledge", api.AlertAcknowledgeApi.as_view(), name="api-alert-acknowledge"
    ),
    path(
        "calls/<int:call_id>/alerts/acknowledge",
        api.CallAlertsAcknowledgeApi.as_view(),
        name="api-call-alerts-acknowledge",
    ),
    path("thresholds", api.ThresholdsApi.as_view(), name="api-thresholds"),
    path("kpis", KpisApi.as_view(), name="api-kpis"),  # issue 14
]
