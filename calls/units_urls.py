from django.urls import path
from django.views.generic import RedirectView

from calls import views

app_name = "units"
urlpatterns = [
    path("supervisor/", views.supervisor, name="supervisor"),
    path("me/", views.unit_dashboard, name="unit_dashboard"),
    # The first address of the unit dashboard; kept so bookmarks on the tablets still work.
    path("mine/", RedirectView.as_view(pattern_name="units:unit_dashboard", permanent=False)),
]
