from django.apps import AppConfig


class AcsDispatchConfig(AppConfig):
    name = "acs_dispatch"
    verbose_name = "ACS Dispatch"

    def ready(self) -> None:
        # Issue 14: failed sign-ins and lockouts are recorded in the event log (acs_dispatch.audit).
        from acs_dispatch.audit import audit_receivers_connect

        audit_receivers_connect()
