"""The title search's GIN index on PostgreSQL takes new titles through a pending list of
64 kB (movies.search_index.POSTGRES_CREATE), which halves an import's time; an index made
before had none. Changing the setting locks the index for an instant (reads of the films
wait for it, and it waits for the reads under way). Nothing to do on SQLite."""

from django.db import migrations

from movies import search_index


def pending_list(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(search_index.POSTGRES_PENDING_LIST)


def no_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(search_index.POSTGRES_NO_PENDING_LIST)


class Migration(migrations.Migration):
    dependencies = [
        ("movies", "0006_titles_fold_accents"),
    ]

    operations = [
        migrations.RunPython(pending_list, no_pending_list),
    ]
