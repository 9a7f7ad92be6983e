from django.urls import path

from triage import views

app_name = "triage"
urlpatterns = [
    path("rules/", views.rulesets, name="rulesets"),
    path("rules/new/", views.ruleset_draft_new, name="draft_new"),
    path("rules/import/", views.ruleset_import_view, name="import"),
    path("rules/diff/", views.ruleset_diff_view, name="diff"),
    path("rules/<int:ruleset_id>/", views.ruleset_detail, name="ruleset"),
    path("rules/<int:ruleset_id>/publish/", views.ruleset_publish_view, name="publish"),
    path("rules/<int:ruleset_id>/rollback/", views.ruleset_rollback_view, name="rollback"),
    path("rules/<int:ruleset_id>/discard/", views.ruleset_discard_view, name="discard"),
]
