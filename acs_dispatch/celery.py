"""The Celery app: broker from CELERY_BROKER_URL (Redis when REDIS_URL is set), eager when unset."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acs_dispatch.settings")

app = Celery("acs_dispatch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
