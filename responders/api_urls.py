"""REST endpoints of responders under /api/v1/."""

from django.urls import path

from responders import api
from responders.facility_api import FacilitiesApi, FacilityBedsUpdateApi  # issue 14

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
    path("facilities", FacilitiesApi.as_view(), name="api-facilities"),  # issue 14
    path(
        "facilities/<int:facility_id>/beds", FacilityBedsUpdateApi.as_view(), name="api-facility-beds"
    ),  # issue 14
    path("units/<str:call_sign>/status", api.UnitStatusApi.as_view(), name="api-unit-status"),
]
