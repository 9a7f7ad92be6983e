"""REST endpoints of triage under /api/v1/: the rule editor (admins) and the intake preview (call-takers)."""

from django.urls import path

from triage import api

urlpatterns = [
    path("rulesets", api.RuleSetsApi.as_view(), name="api-rulesets"),
    path("rulesets/import", api.RuleSetImportApi.as_view(), name="api-ruleset-import"),
    path("rulesets/<int:ruleset_id>", api.RuleSetDetailApi.as_view(), name="api-ruleset-detail"),
    path("rulesets/<int:ruleset_id>/rules", api.RuleSetRulesSaveApi.as_view(), name="api-ruleset-rules"),
    path("rulesets/<int:ruleset_id>/validate", api.RuleSetValidateApi.as_view(), name="api-ruleset-validate"),
    path("rulesets/<int:ruleset_id>/publish", api.RuleSetPublishApi.as_view(), name="api-ruleset-publish"),
    path("rulesets/<int:ruleset_id>/rollback", api.RuleSetRollbackApi.as_view(), name="api-ruleset-rollback"),
    path("rulesets/<int:ruleset_id>/test", api.RuleSetTestApi.as_view(), name="api-ruleset-test"),
    path("rulesets/<int:ruleset_id>/try", api.RuleSetTryApi.as_view(), name="api-ruleset-try"),
    path("rulesets/<int:ruleset_id>/whatif", api.RuleSetWhatIfApi.as_view(), name="api-ruleset-whatif"),
    path("rulesets/<int:ruleset_id>/export", api.RuleSetExportApi.as_view(), name="api-ruleset-export"),
    path(
        "rulesets/<int:ruleset_id>/diff/<int:other_id>", api.RuleSetDiffApi.as_view(), name="api-ruleset-diff"
    ),
    path("triage-tests", api.TriageTestsApi.as_view(), name="api-triage-tests"),
    path("triage/preview", api.TriagePreviewApi.as_view(), name="api-triage-preview"),
    path("triage-tests/<int:test_id>", api.TriageTestDetailApi.as_view(), name="api-triage-test-detail"),
]
