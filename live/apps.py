from django.apps import AppConfig


class LiveConfig(AppConfig):
    """The event log and its transport. At the bottom of the app graph: imports no domain app."""

    name = "live"
    default_auto_field = "django.db.models.BigAutoField"
