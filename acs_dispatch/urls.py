from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from acs_dispatch import health, metrics_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
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
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/v1/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("django-admin/", admin.site.urls),
]

# Under /api/ these answer in the API's one error shape (problem+json), elsewhere with Django's pages.
handler400 = "acs_dispatch.views.bad_request"
handler403 = "acs_dispatch.views.permission_denied"
handler404 = "acs_dispatch.views.page_not_found"
handler500 = "acs_dispatch.views.server_error"
