# Load the Celery app with Django, so @shared_task binds to it and `celery -A acs_dispatch` finds it.
from acs_dispatch.celery import app as celery_app

__all__ = ["celery_app"]
