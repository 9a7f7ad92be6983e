from __future__ import annotations

from django.conf import settings


def site(request):
    """Site name and the city's time zone (the page configuration of the scripts, PAGE_CONFIG, comes
    from acs_dispatch.page_config); and for staff screens the triage rule version that is live (shown in the top bar,
    so a dispatcher knows which rules decided the calls in front of them)."""
    context = {"SITE_NAME": settings.SITE_NAME, "CITY_TIME_ZONE": settings.CITY_TIME_ZONE}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from triage.models import RuleSet

        context["RULES_VERSION"] = (
            RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).values_list("version", flat=True).first()
        )
    return context
