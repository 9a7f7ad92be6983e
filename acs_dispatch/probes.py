"""Answer the probes (`/healthz`, `/readyz`, `/metrics`) before anything else runs.

Second in MIDDLEWARE (after the request id): an orchestrator or Prometheus calls these by address
(`Host: 10.0.3.7:8000`, plain HTTP from inside the network), which the host check and the HTTPS
redirect of the rest of the stack would answer with 400 or 301. Each view checks its own access
(/metrics: acs_dispatch.metrics_views.metrics_allowed); the URLconf names the same views.
"""

from __future__ import annotations

from django.http import HttpResponseNotAllowed

from acs_dispatch.health import healthz, readyz
from acs_dispatch.metrics_views import metrics_view

PROBES = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics_view}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = PROBES.get(request.path_info)
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return view(request)
