from django.urls import path

from triage import views

app_name = "triage"
urlpatterns = [
    path("rules/", views.rulesets, name="rulesets"),
]
