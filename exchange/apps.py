from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """EIDO (NENA-STA-021) export and import of calls. Depends on calls; nothing depends on it."""

    name = "exchange"
    verbose_name = "Incident exchange (EIDO)"
    default_auto_field = "django.db.models.BigAutoField"
