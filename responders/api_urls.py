"""REST endpoints of responders under /api/v1/: geocoding, the street layer and unit positions (AVL).
The units on the floor (recommendations, assignments, status) are calls' (calls/api_urls.py)."""

from django.urls import path

from responders import gis_api
from responders.facility_api import FacilitiesApi, FacilityBedsUpdateApi  # issue 14

urlpatterns = [
    path("geocode", gis_api.GeocodeApi.as_view(), name="api-geocode"),
    path("geocode/reverse", gis_api.GeocodeReverseApi.as_view(), name="api-geocode-reverse"),
    path("streets", gis_api.StreetsApi.as_view(), name="api-streets"),
    path("units/<str:call_sign>/positions", gis_api.UnitPositionsApi.as_view(), name="api-unit-positions"),
    path("facilities", FacilitiesApi.as_view(), name="api-facilities"),
    path("facilities/<int:facility_id>/beds", FacilityBedsUpdateApi.as_view(), name="api-facility-beds"),
]
