"""Reads of the accounts app: sign-in lockouts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone


def accounts_locked() -> list[dict[str, Any]]:
    """Usernames that django-axes locks out now (failures at the limit within the cool-off), newest
    first, with their failure count, the time of the last failure and the addresses locked."""
    from axes.models import AccessAttempt

    since = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    rows: dict[str, dict[str, Any]] = {}
    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")
    for attempt in attempts:
        row = rows.setdefault(
            attempt.username,
            {
                "username": attempt.username,
                "failures": 0,
                "last_failure_at": attempt.attempt_time,
                "addresses": [],
            },
        )
        row["failures"] = max(row["failures"], attempt.failures_since_start)
        # A lock holds one (username, address) pair (settings.AXES_LOCKOUT_PARAMETERS).
        if attempt.ip_address and attempt.ip_address not in row["addresses"]:
            row["addresses"].append(attempt.ip_address)
    return list(rows.values())
