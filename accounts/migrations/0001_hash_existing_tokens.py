"""Tokens made before tokens were hashed (DRF's `authtoken_token` table, keys stored as sent)
become hashed tokens: each key keeps working, stored only as its digest, until one
DJANGO_TOKEN_TTL after this migration. The old table is emptied, not dropped.

The previous release's pods still serve while this runs (a Kubernetes migration Job, a
release step): they read `authtoken_token` on every token request. Emptied, it answers them
"Invalid token." (401) until they are replaced; dropped, it would make them fail with 500s.
A later release drops the empty table (docs/operating/upgrades.md says how to drop it sooner).
"""

from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations
from django.db.migrations.exceptions import IrreversibleError
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
        # SQLite leaves deleted rows in the file's free pages unless told to overwrite them
        # (Debian's build does by default; others may not).
        schema_editor.execute("PRAGMA secure_delete = ON")
    # Django's own way of emptying a table: TRUNCATE on PostgreSQL, which gives the table a
    # new file and unlinks the old one at commit (a DELETE would leave the keys in dead rows
    # on disk until vacuumed and overwritten), DELETE on SQLite.
    for sql in connection.ops.sql_flush(no_style(), [OLD_TABLE]):
        schema_editor.execute(sql)


def cannot_restore_tokens(apps, schema_editor):
    raise IrreversibleError(
        "accounts.0001_hash_existing_tokens cannot be reversed: the old tokens are stored only "
        "as digests now, and the release before it, which reads them from authtoken_token, "
        "would refuse every one. To go back to that release, restore a backup taken before "
        "this migration (and revoke its tokens if the backup may have leaked)."
    )


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunPython(hash_existing_tokens, reverse_code=cannot_restore_tokens),
    ]
