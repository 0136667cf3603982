"""The reference for the import benchmark: an IMDb list export imported with
django-import-export's standard `ModelResource`, as its documentation shows.

    DJANGO_SETTINGS_MODULE=watchlist.settings python bench/reference_import.py FILE

The resource maps IMDb's columns to the film's fields, finds a film again by its IMDb id
(so that a second import updates rather than duplicates), skips what is not a film and
marks a rated film watched, as the project's import does; everything else is the library's
defaults. Prints the totals (new, update, skip, error, invalid) as one JSON line.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django

django.setup()  # before the imports that need the settings and the models

import tablib  # noqa: E402
from import_export import fields, resources, widgets  # noqa: E402

from movies.models import Movie  # noqa: E402

FILMS = {"Movie", "TV Movie", "Short", "Video"}  # IMDb's title types of films


class MovieResource(resources.ModelResource):
    title = fields.Field(attribute="title", column_name="Title")
    release_year = fields.Field(
        attribute="release_year", column_name="Year", widget=widgets.IntegerWidget()
    )
    release_date = fields.Field(
        attribute="release_date", column_name="Release Date", widget=widgets.DateWidget("%Y-%m-%d")
    )
    imdb_id = fields.Field(attribute="imdb_id", column_name="Const")
    rating = fields.Field(
        attribute="rating", column_name="Your Rating", widget=widgets.IntegerWidget()
    )
    is_watched = fields.Field(
        attribute="is_watched", column_name="Watched", widget=widgets.BooleanWidget()
    )

    class Meta:
        model = Movie
        fields = ("title", "release_year", "release_date", "imdb_id", "rating", "is_watched")
        import_id_fields = ("imdb_id",)

    def before_import_row(self, row, **kwargs):
        row["Watched"] = "1" if row["Your Rating"] else "0"  # a rated film was seen

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if row["Title Type"] not in FILMS:
            return True
        return super().skip_row(instance, original, row, import_validation_errors)


def main(path):
    with open(path, encoding="utf-8", newline="") as file:
        dataset = tablib.Dataset().load(file.read(), format="csv")
    result = MovieResource().import_data(dataset, dry_run=False)
    totals = dict(result.totals)
    totals["errors"] = len(result.base_errors) + sum(len(row.errors) for row in result.rows)
    print(json.dumps(totals))
    return 1 if result.has_errors() or result.has_validation_errors() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
