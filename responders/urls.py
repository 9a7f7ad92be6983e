from django.urls import path

from responders import views

app_name = "responders"
urlpatterns = [
    path("supervisor/", views.supervisor, name="supervisor"),
    path("mine/", views.unit_dashboard, name="unit_dashboard"),
]
