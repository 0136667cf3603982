"""The title search (movies.search): the fold function and each film's folded title. The
SQL is movies.search_index's, the one definition of these objects; the index over the
folded titles is migration 0003's.

On PostgreSQL, adding the generated column rewrites the films table under an ACCESS
EXCLUSIVE lock, every read and write of it waiting meanwhile (docs/deploying/migrations.md): on a
large table, run it in a maintenance window."""

from django.db import migrations, models

import movies.search
from movies import search_index


def create_fold_function(apps, schema_editor):
    # Case alone, as this migration has always made it; 0006 adds the accents.
    search_index.create_fold_function(schema_editor.connection, search_index.CASE_FOLD)


def drop_fold_function(apps, schema_editor):
    search_index.drop_fold_function(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("movies", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_fold_function, drop_fold_function),
        migrations.AddField(
            model_name="movie",
            name="title_folded",
            field=models.GeneratedField(
                db_persist=True,
                expression=movies.search.FoldCase("title"),
                output_field=models.CharField(max_length=128),
            ),
        ),
    ]
