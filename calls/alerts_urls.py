from django.urls import path

from calls import views

app_name = "alerts"
urlpatterns = [
    path("thresholds/", views.thresholds, name="thresholds"),
]
