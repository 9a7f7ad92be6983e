from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def site(request):
    """Site name and the city's time zone; for logged-in users the page configuration of the
    scripts (PAGE_CONFIG); and for staff screens the triage rule version that is live (shown in the top bar,
    so a dispatcher knows which rules decided the calls in front of them)."""
    context = {"SITE_NAME": settings.SITE_NAME, "CITY_TIME_ZONE": settings.CITY_TIME_ZONE}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from acs_dispatch.mfa import mfa_required
        from triage.models import RuleSet

        context["RULES_VERSION"] = (
            RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).values_list("version", flat=True).first()
        )
        # What every screen's scripts need (static/js/live.js): the city's clock, and the idle limit
        # after which the screen locks itself (the session slides on each request; GET /session
        # tells the exact time left).
        context["PAGE_CONFIG"] = {
            "time_zone": settings.CITY_TIME_ZONE,
            "idle_seconds": settings.SESSION_COOKIE_AGE,
            "session_url": reverse("session"),
            "login_url": reverse("login"),
            "username": user.get_username(),
            # The idle lock asks for the authenticator code too (issue 15: two-factor sign-in).
            "mfa": mfa_required(user=user),
        }
    return context
