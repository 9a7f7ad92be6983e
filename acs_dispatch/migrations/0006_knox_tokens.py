"""Issue 15: API tokens move from DRF's authtoken (stored in clear, never expiring) to knox.

Each old token still in the database becomes a knox token with the same secret, so a client that
holds one keeps working for one more idle period (API_TOKEN_IDLE_SECONDS, sliding on use, at most
API_TOKEN_MAX_HOURS); only its SHA-512 digest is kept, and the clear-text rows are deleted.
`rest_framework.authtoken` is no longer installed; its (now empty) table is left to the DBA.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def old_tokens_to_knox(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    from knox.crypto import hash_token
    from knox.settings import CONSTANTS

    AuthToken = apps.get_model("knox", "AuthToken")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id FROM authtoken_token")
        rows = cursor.fetchall()
        expiry = timezone.now() + timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS)
        for key, user_id in rows:
            AuthToken.objects.create(
                digest=hash_token(key),
                token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
                user_id=user_id,
                expiry=expiry,
            )
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [
        ("acs_dispatch", "0005_heartbeat"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(old_tokens_to_knox, migrations.RunPython.noop)]
