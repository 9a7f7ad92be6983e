from django.apps import AppConfig


class AcsDispatchConfig(AppConfig):
    name = "acs_dispatch"
    verbose_name = "ACS Dispatch"

    def ready(self) -> None:
        # The one signal we use: a safety net so that no path that saves a user (a service,
        # `manage.py changepassword`, the Django admin) leaves API tokens alive after a password,
        # active flag or role change. The services revoke explicitly and record it as an event.
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save, pre_save

        from acs_dispatch.tokens import user_post_save_tokens, user_pre_save_tokens

        User = get_user_model()
        pre_save.connect(user_pre_save_tokens, sender=User, dispatch_uid="acs_tokens_pre")
        post_save.connect(user_post_save_tokens, sender=User, dispatch_uid="acs_tokens_post")
        # Issue 14: failed sign-ins and lockouts are recorded in the event log (acs_dispatch.audit).
        from acs_dispatch.audit import audit_receivers_connect

        audit_receivers_connect()
