from django.apps import AppConfig


class AcsDispatchConfig(AppConfig):
    name = "acs_dispatch"
    verbose_name = "ACS Dispatch"
