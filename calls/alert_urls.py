from django.urls import path

from calls import alert_views

app_name = "alerts"
urlpatterns = [
    path("thresholds/", alert_views.thresholds, name="thresholds"),
]
