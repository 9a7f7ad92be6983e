from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from acs_dispatch import health, metrics_views, mfa_views, views

# The Django admin signs people in through our login (password, then the second factor), never
# through its own form, which knows nothing of MFA.
admin.site.login = login_required(admin.site.login)

# Swagger UI and ReDoc set inline styles and ReDoc runs a worker from a blob: allowed on those two
# pages only. Their scripts are files (the split view serves Swagger's init script as one).
_docs_csp = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", mfa_views.mfa_verify_view, name="mfa_verify"),
    path("login/enrol/", mfa_views.mfa_enrol_view, name="mfa_enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("healthz", views.health, name="health"),
    # Probes: answered by acs_dispatch.probes.ProbeMiddleware first, whatever the Host header.
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_views.metrics_view, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("session", views.session_status, name="session"),
    path("accounts/locked/", views.accounts_locked_view, name="accounts_locked"),
    path("calls/", include("calls.urls")),
    path("alerts/", include("calls.alerts_urls")),
    path("units/", include("calls.units_urls")),
    path("triage/", include("triage.urls")),
    path("api/v1/", include("acs_dispatch.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/v1/docs/", _docs_csp(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="swagger-ui"
    ),
    path("api/v1/redoc/", _docs_csp(SpectacularRedocView.as_view(url_name="schema")), name="redoc"),
    path("django-admin/", admin.site.urls),
]

# Under /api/ these answer in the API's one error shape (problem+json), elsewhere with Django's pages.
handler400 = "acs_dispatch.views.bad_request"
handler403 = "acs_dispatch.views.permission_denied"
handler404 = "acs_dispatch.views.page_not_found"
handler500 = "acs_dispatch.views.server_error"
