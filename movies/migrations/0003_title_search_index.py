"""The index over the films' folded titles (movies.search_index), in a migration of its
own: on PostgreSQL it is built CONCURRENTLY, which cannot run in a transaction, so that
the films table takes reads and writes all the while. (Databases migrated before this
migration existed have the index from 0002: it finds it and does nothing.)"""

from django.db import migrations

from movies import search_index


def create_search_index(apps, schema_editor):
    search_index.create_search_index(schema_editor.connection, concurrently=True)


def drop_search_index(apps, schema_editor):
    search_index.drop_search_index(schema_editor.connection, concurrently=True)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY; on SQLite search_index uses a transaction

    dependencies = [
        ("movies", "0002_title_search"),
    ]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index),
    ]
