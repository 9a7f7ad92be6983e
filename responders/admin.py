"""Django admin: the gazetteer of places, which the admin edits (the geocoder rebuilds after a save)."""

from __future__ import annotations

from django.contrib import admin

from responders.gis_selectors import geocoder_clear
from responders.models import Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "address", "lat", "lon", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "aliases", "address")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        geocoder_clear()  # this process at once; others within GEOCODER_INDEX_TTL

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        geocoder_clear()
