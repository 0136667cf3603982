"""Exports of the list, streamed: this site's CSV and JSON, which its import reads back, and
the CSV that Letterboxd's importer reads. The API (`GET /api/export/`), the command line
(`export_films`) and the admin's export actions all write with `export`.

Films go out a chunk at a time in id order, each chunk read by the id after the last one's:
memory holds one chunk whatever the number of films, no cursor stays open between chunks,
and the first bytes (the header) go before the first query.
"""

import csv
import io
from dataclasses import dataclass
from datetime import UTC

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_filters.utils import translate_validation
from rest_framework.exceptions import ValidationError

from movies.filters import MovieFilter
from movies.importing.formats import NATIVE_COLUMNS, escape_formula
from movies.models import Movie
from movies.renderers import FastJSONRenderer

CHUNK = 2000
LETTERBOXD_NEEDS_A_LIST = gettext_lazy(
    "Letterboxd marks every film it imports as watched: export your watched films "
    "(is_watched=true) for letterboxd.com/import, and your watchlist (is_watched=false) for "
    "the Import of your Letterboxd watchlist."
)


@dataclass(frozen=True)
class ExportFormat:
    key: str
    media_type: str
    extension: str
    write: object  # (queryset) -> iterator of bytes


def export(queryset, format_key):
    """The bytes of `queryset`'s films in the format, in chunks."""
    return FORMATS[format_key].write(queryset)


def chosen_films(parameters, format_key):
    """The films that the list's filters `is_watched` and `search` choose (a mapping of
    their values, as a query string gives them), to export in the format; ValidationError
    (400) for an invalid one. Films go out in id order, so `ordering` has no say.

    Letterboxd marks every film imported to a profile as watched: its export names which
    films it takes, the watched ones (for letterboxd.com/import) or the watchlist."""
    data = {name: parameters[name] for name in ("is_watched", "search") if name in parameters}
    if format_key == "letterboxd" and not data.get("is_watched"):
        raise ValidationError({"is_watched": [LETTERBOXD_NEEDS_A_LIST]})
    filters = MovieFilter(data=data, queryset=Movie.objects.all())
    if not filters.is_valid():
        raise translate_validation(filters.errors)
    return filters.qs


def streaming_response(queryset, format_key):
    """The export of `queryset`'s films as a download, streamed."""
    chosen = FORMATS[format_key]
    response = StreamingHttpResponse(
        export(queryset, format_key), content_type=f"{chosen.media_type}; charset=utf-8"
    )
    today = timezone.now().date().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="watchlist-{today}.{chosen.extension}"'
    )
    return response


def chunks(queryset, fields):
    """The films' `fields` (values_list() tuples, their id first), CHUNK at a time, by id."""
    queryset = queryset.order_by("pk").values_list("pk", *fields)
    last = 0
    while rows := list(queryset.filter(pk__gt=last)[:CHUNK]):
        last = rows[-1][0]
        yield rows


def csv_lines(rows):
    buffer = io.StringIO()
    # CRLF ends a line (RFC 4180); a lone CR is quoted. None is written as an empty field,
    # numbers and dates (ISO 8601) as they print.
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def utc_iso(moment):
    """A date and time as the API writes it in JSON (UTC, `Z`); None stays None."""
    return moment and moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# How this site's CSV writes a value that the csv module would write otherwise: as the API
# writes it in JSON. (A title is written for a spreadsheet's reading: see escape_formula.)
CSV_TEXT = {
    "title": escape_formula,
    "is_watched": lambda watched: "true" if watched else "false",
    "watched_at": utc_iso,
}


def native_csv(queryset):
    yield csv_lines([NATIVE_COLUMNS])
    fields = [name for name in NATIVE_COLUMNS if name != "id"]
    columns = ["id", *fields]  # as chunks() gives them; the API's order (its id first)
    changed = [(index, CSV_TEXT[name]) for index, name in enumerate(columns) if name in CSV_TEXT]
    for rows in chunks(queryset, fields):
        lines = [list(row) for row in rows]
        for line in lines:
            for index, written in changed:
                line[index] = written(line[index])
        yield csv_lines(lines)


def native_json(queryset):
    """A JSON list of the films, each as the API shows it (its renderer writes them)."""
    renderer = FastJSONRenderer()
    fields = [name for name in NATIVE_COLUMNS if name != "id"]
    opening = b"["
    names = ["id", *fields]
    for rows in chunks(queryset, fields):
        films = [dict(zip(names, row, strict=True)) for row in rows]
        yield opening + renderer.render(films)[1:-1]
        opening = b","
    yield b"[]" if opening == b"[" else b"]"


# Letterboxd's import format (https://letterboxd.com/about/importing-data/): its importer
# matches a film by these ids, or by title and year; a watched date makes a diary entry.
# Titles go as they are, for that matching (a spreadsheet is not this file's reader).
LETTERBOXD_COLUMNS = [
    "LetterboxdURI",
    "tmdbID",
    "imdbID",
    "Title",
    "Year",
    "Rating10",
    "WatchedDate",
]
LETTERBOXD_FIELDS = [
    "letterboxd_uri",
    "tmdb_id",
    "imdb_id",
    "title",
    "release_year",
    "rating",
    "watched_on",
]


def letterboxd_csv(queryset):
    yield csv_lines([LETTERBOXD_COLUMNS])
    for rows in chunks(queryset, LETTERBOXD_FIELDS):
        yield csv_lines(row[1:] for row in rows)


FORMATS = {
    "csv": ExportFormat("csv", "text/csv", "csv", native_csv),
    "json": ExportFormat("json", "application/json", "json", native_json),
    "letterboxd": ExportFormat("letterboxd", "text/csv", "letterboxd.csv", letterboxd_csv),
}
