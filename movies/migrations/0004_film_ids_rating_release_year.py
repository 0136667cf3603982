"""What imports bring: each film's IMDb id, TMDB id and Letterboxd URI, a rating, the day it
was watched, and its release year, which a film known only by its year has without a date;
and the admin's imports waiting for confirmation.

Existing films take their year from their date and the day from watched_at. On PostgreSQL
the new columns are added without a rewrite, but filling them updates every row, and the
new constraints are checked over the whole table, under its lock: on a large table, run it
in a maintenance window."""

import uuid

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import ExtractYear, TruncDate


def fill_years_and_days(apps, schema_editor):
    Movie = apps.get_model("movies", "Movie")
    Movie.objects.using(schema_editor.connection.alias).update(
        release_year=ExtractYear("release_date"), watched_on=TruncDate("watched_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("movies", "0003_title_search_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="movie",
            name="movie_watched_at_iff_is_watched",
        ),
        migrations.RemoveIndex(
            model_name="movie",
            name="movie_release_date_id_idx",
        ),
        migrations.AddField(
            model_name="movie",
            name="imdb_id",
            field=models.CharField(
                blank=True, max_length=12, null=True, unique=True, verbose_name="IMDb id"
            ),
        ),
        migrations.AddField(
            model_name="movie",
            name="letterboxd_uri",
            field=models.CharField(
                blank=True, max_length=200, null=True, unique=True, verbose_name="Letterboxd URI"
            ),
        ),
        migrations.AddField(
            model_name="movie",
            name="rating",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Your rating, 1 to 10.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(10),
                ],
            ),
        ),
        migrations.AddField(
            model_name="movie",
            name="release_year",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="The year of the release date, or alone for a film known only by its year.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(9999),
                ],
            ),
        ),
        migrations.AddField(
            model_name="movie",
            name="tmdb_id",
            field=models.PositiveIntegerField(
                blank=True, null=True, unique=True, verbose_name="TMDB id"
            ),
        ),
        migrations.AddField(
            model_name="movie",
            name="watched_on",
            field=models.DateField(
                blank=True, help_text="The day it was watched (UTC).", null=True
            ),
        ),
        migrations.AlterField(
            model_name="movie",
            name="release_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(fill_years_and_days, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="movie",
            name="release_year",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="The year of the release date, or alone for a film known only by its year.",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(9999),
                ],
            ),
        ),
        migrations.AddIndex(
            model_name="movie",
            index=models.Index(
                models.F("release_year"),
                models.ExpressionWrapper(
                    models.Q(("release_date__isnull", False)), output_field=models.BooleanField()
                ),
                models.F("release_date"),
                models.F("id"),
                name="movie_release_order_id_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="movie",
            index=models.Index(
                fields=["title_folded", "release_year"], name="movie_title_year_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="movie",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("is_watched", True),
                    models.Q(("watched_at__isnull", True), ("watched_on__isnull", True)),
                    _connector="OR",
                ),
                name="movie_watch_dates_only_if_watched",
                violation_error_message="An unwatched film has no watched_at or watched_on.",
            ),
        ),
        migrations.AddConstraint(
            model_name="movie",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("watched_at__isnull", True), ("watched_on__isnull", False), _connector="OR"
                ),
                name="movie_watched_on_with_watched_at",
                violation_error_message="A film with watched_at needs watched_on.",
            ),
        ),
        migrations.AddConstraint(
            model_name="movie",
            constraint=models.CheckConstraint(
                condition=models.Q(("release_year__gte", 1), ("release_year__lte", 9999)),
                name="movie_release_year_range",
                violation_error_message="The release year is 1 to 9999.",
            ),
        ),
        migrations.AddConstraint(
            model_name="movie",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("release_date__isnull", True),
                    ("release_date__year", models.F("release_year")),
                    _connector="OR",
                ),
                name="movie_release_year_of_date",
                violation_error_message="The release year is the year of the release date.",
            ),
        ),
        migrations.AddConstraint(
            model_name="movie",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("rating__isnull", True),
                    models.Q(("rating__gte", 1), ("rating__lte", 10)),
                    _connector="OR",
                ),
                name="movie_rating_range",
                violation_error_message="A rating is 1 to 10.",
            ),
        ),
        migrations.CreateModel(
            name="PendingImport",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("name", models.CharField(max_length=255)),
                ("data", models.BinaryField()),
                ("on_error", models.CharField(max_length=5)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
        ),
    ]
