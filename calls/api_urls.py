"""REST endpoints of calls under /api/v1/ (DESIGN.md contract plus the extras of issue 4)."""

from django.urls import path

from calls import api
from calls.api import units as units_api
from calls.api.history import AuditApi, CallsSearchApi, CallTimelineApi  # issue 14
from calls.api.kpis import KpisApi  # issue 14
from calls.api.location import CallLocateApi

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
    path("caution-flags", api.CautionFlagCreateApi.as_view(), name="api-caution-flags"),
    # the units on the floor: recommendations, assignments, status
    path(
        "calls/<int:call_id>/recommendations",
        units_api.UnitsRecommendApi.as_view(),
        name="api-call-recommendations",
    ),
    path("calls/<int:call_id>/assignments", units_api.UnitAssignApi.as_view(), name="api-call-assignments"),
    path(
        "assignments/<int:assignment_id>/acknowledge",
        units_api.AssignmentAcknowledgeApi.as_view(),
        name="api-assignment-acknowledge",
    ),
    path(
        "assignments/<int:assignment_id>/scene-safe",
        units_api.AssignmentSceneSafeApi.as_view(),
        name="api-assignment-scene-safe",
    ),
    path(
        "assignments/<int:assignment_id>/clear",
        units_api.AssignmentClearApi.as_view(),
        name="api-assignment-clear",
    ),
    path(
        "assignments/<int:assignment_id>/unassign",
        units_api.AssignmentUnassignApi.as_view(),
        name="api-assignment-unassign",
    ),
    path(
        "assignments/<int:assignment_id>/reassign",
        units_api.AssignmentReassignApi.as_view(),
        name="api-assignment-reassign",
    ),
    path("units", units_api.UnitsApi.as_view(), name="api-units"),
    path("units/<str:call_sign>/status", units_api.UnitStatusApi.as_view(), name="api-unit-status"),
    # A map pick places a call whose address could not be geocoded (issue 13).
    path("calls/<int:call_id>/location", CallLocateApi.as_view(), name="api-call-location"),
    path("kpis", KpisApi.as_view(), name="api-kpis"),  # issue 14
]
