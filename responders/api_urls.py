"""REST endpoints of responders under /api/v1/."""

from django.urls import path

from responders import api, gis_api

urlpatterns = [
    path(
        "calls/<int:call_id>/recommendations",
        api.UnitsRecommendApi.as_view(),
        name="api-call-recommendations",
    ),
    path("calls/<int:call_id>/assignments", api.UnitAssignApi.as_view(), name="api-call-assignments"),
    path(
        "assignments/<int:assignment_id>/acknowledge",
        api.AssignmentAcknowledgeApi.as_view(),
        name="api-assignment-acknowledge",
    ),
    path(
        "assignments/<int:assignment_id>/scene-safe",
        api.AssignmentSceneSafeApi.as_view(),
        name="api-assignment-scene-safe",
    ),
    path(
        "assignments/<int:assignment_id>/clear", api.AssignmentClearApi.as_view(), name="api-assignment-clear"
    ),
    path(
        "assignments/<int:assignment_id>/unassign",
        api.AssignmentUnassignApi.as_view(),
        name="api-assignment-unassign",
    ),
    path(
        "assignments/<int:assignment_id>/reassign",
        api.AssignmentReassignApi.as_view(),
        name="api-assignment-reassign",
    ),
    path("units", api.UnitsApi.as_view(), name="api-units"),
    path("units/<str:call_sign>/status", api.UnitStatusApi.as_view(), name="api-unit-status"),
    # Geocoding, the street layer and AVL (issue 13)
    path("geocode", gis_api.GeocodeApi.as_view(), name="api-geocode"),
    path("geocode/reverse", gis_api.GeocodeReverseApi.as_view(), name="api-geocode-reverse"),
    path("streets", gis_api.StreetsApi.as_view(), name="api-streets"),
    path("units/<str:call_sign>/positions", gis_api.UnitPositionsApi.as_view(), name="api-unit-positions"),
]
