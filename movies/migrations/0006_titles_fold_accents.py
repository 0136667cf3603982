"""Titles fold accents as well as case (movies.casefolding): the fold function made anew
(on PostgreSQL; SQLite's is the running code's), every stored folded title whose fold
changes computed again, and with it the indexes over it; and the index over the title
alone, which ordering by title no longer reads, dropped (ordering reads the folded title's
index, movie_title_year_idx).

On PostgreSQL the refolding holds a SHARE lock on the films table: reads go on, writes wait
until it commits (docs/deploying/migrations.md); the index is dropped CONCURRENTLY, outside
a transaction."""

from django.db import migrations

from movies import casefolding, search_index

TITLE_INDEX = "movie_title_id_idx"


def fold_accents(apps, schema_editor):
    search_index.refold(schema_editor.connection, casefolding.FOLDING)


def fold_case_alone(apps, schema_editor):
    search_index.refold(schema_editor.connection, search_index.CASE_FOLD)


def drop_title_index(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {TITLE_INDEX}")


def create_title_index(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {concurrently}IF NOT EXISTS {TITLE_INDEX} ON movies_movie (title, id)"
    )


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY; the refolding is one transaction of its own

    dependencies = [
        ("movies", "0005_translatable_names"),
    ]

    operations = [
        migrations.RunPython(fold_accents, fold_case_alone),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_title_index, create_title_index)],
            state_operations=[migrations.RemoveIndex(model_name="movie", name=TITLE_INDEX)],
        ),
    ]
