"""Tokens made before tokens were hashed (DRF's `authtoken_token` table, keys stored as sent)
become hashed tokens: each key keeps working, stored only as its digest, until one
DJANGO_TOKEN_TTL after this migration. The old table is dropped with its keys."""

from django.conf import settings
from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings

OLD_TABLE = "authtoken_token"


def hash_existing_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    quote = connection.ops.quote_name
    select = f"SELECT {quote('key')}, {quote('user_id')} FROM {quote(OLD_TABLE)}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(select)
        rows = cursor.fetchall()
    ttl = knox_settings.TOKEN_TTL
    expiry = timezone.now() + ttl if ttl else None
    AuthToken = apps.get_model("knox", "AuthToken")
    AuthToken.objects.using(connection.alias).bulk_create(
        AuthToken(
            digest=hash_token(key),
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
            user_id=user_id,
            expiry=expiry,
        )
        for key, user_id in rows
    )
    if connection.vendor == "sqlite":
        # SQLite leaves dropped rows in the file's free pages unless told to overwrite them
        # (Debian's build does by default; others may not). PostgreSQL unlinks the table's files.
        schema_editor.execute("PRAGMA secure_delete = ON")
    schema_editor.execute(f"DROP TABLE {quote(OLD_TABLE)}")
    # Its migration records go too, so that the history matches the schema: installing DRF's
    # authtoken app again would then create an empty table instead of failing.
    MigrationRecorder(connection).migration_qs.filter(app="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunPython(hash_existing_tokens, reverse_code=migrations.RunPython.noop),
    ]
