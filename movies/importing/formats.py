"""The formats an import reads, recognised from their content, and what each row becomes.

A CSV file is recognised by its header, a JSON file by the shape of its first item: never by
its name alone. (Letterboxd's watchlist and watched list share one header: the name, as
Letterboxd gives it, tells them apart.) Each row becomes an Entry, a film as that row
describes it, checked by the API's own field rules (`MovieSerializer`'s fields and the
release rule of `movies.models`); a row that is not a film is a Skip, a row the API would
refuse a Problem.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError

from movies.models import check_release
from movies.serializers import MovieSerializer

from .sources import Refused

# The film's fields as the API checks them (an unbound serializer's fields, used read-only).
API_FIELDS = MovieSerializer().fields
WRITABLE = {name for name, api_field in API_FIELDS.items() if not api_field.read_only}
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
YEAR = re.compile(r"[0-9]{1,4}", re.ASCII)
# This project's own CSV and JSON: the API's fields, in its order.
NATIVE_COLUMNS = tuple(MovieSerializer.Meta.fields)
# A value a spreadsheet would run as a formula starts with one of these: written with a
# leading apostrophe, which an import of this project's CSV takes off again.
FORMULA_START = re.compile(r"'*[=+\-@\t\r]")


@dataclass(slots=True)
class Entry:
    """A film as one row describes it, in the API's terms."""

    title: str
    release_year: int
    release_date: date | None = None
    watched: bool = False
    watched_at: datetime | None = None
    watched_on: date | None = None
    rating: int | None = None
    imdb_id: str | None = None
    tmdb_id: int | None = None
    letterboxd_uri: str | None = None


class Skip(Exception):
    """A row that is not a film (a TV series, an episode): left out, with its reason."""

    def __init__(self, reason, title=None):
        super().__init__(reason)
        self.reason, self.title = reason, title


# Why a row is skipped: what it is instead (IMDB_NOT_FILMS, TRAKT_NOT_FILMS).
NOT_A_FILM = gettext_lazy("%(what)s, not a film")


class Problem(Exception):
    """A row the API would refuse: where (a column or JSON path) and why."""

    def __init__(self, where, message, value=None):
        super().__init__(message)
        self.where, self.message, self.value = where, message, value


@dataclass(frozen=True)
class Format:
    key: str
    name: str
    source: str  # "IMDb", "Letterboxd", "Trakt", "watchlist"
    entry: Callable  # (values) -> Entry, raising Skip or Problem
    signature: frozenset = frozenset()  # the columns (or item keys) that mark it
    required: tuple = ()
    absent: frozenset = frozenset()  # columns it never has
    # Whether a file of this format in an export archive is part of what is imported.
    in_export: Callable = field(default=lambda path: True)

    def as_dict(self):
        return {"format": self.key, "format_name": self.name}


# --- Checked values -------------------------------------------------------------------------


def film(values, where):
    """An Entry from the API's fields (`values`; None or absent: not known), each checked by
    the API's rules; `where` names each field's column for a Problem."""
    checked = {}
    for name, value in values.items():
        if value is None or name not in WRITABLE:
            checked[name] = value
            continue
        try:
            checked[name] = API_FIELDS[name].run_validation(value)
        except ValidationError as error:
            raise Problem(where.get(name, name), first_message(error.detail), value) from None
    if checked.get("title") is None:
        raise Problem(where.get("title", "title"), _("A film needs a title."))
    if checked.get("release_year") is None and checked.get("release_date") is None:
        raise Problem(
            where.get("release_year", "release_year"), _("A film needs its release year.")
        )
    try:
        check_release(checked.get("release_date"), checked.get("release_year"))
    except DjangoValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise Problem(where.get(name, name), messages[0], checked.get(name)) from None
    if checked.get("release_year") is None:
        checked["release_year"] = checked["release_date"].year
    return Entry(**checked)


def first_message(detail):
    while isinstance(detail, list | dict):
        detail = next(iter(detail.values() if isinstance(detail, dict) else detail))
    return str(detail)


def text(value):
    """A CSV value: None when empty."""
    value = value.strip() if isinstance(value, str) else value
    return value or None


def year(value, where):
    value = text(value)
    if value is None:
        return None
    if not isinstance(value, int) and not YEAR.fullmatch(str(value)):
        raise Problem(where, _("Enter the release year as a number, such as 1999."), value)
    return int(value)


def iso_date(value, where, partial_ok=False):
    """A YYYY-MM-DD date; with `partial_ok`, IMDb's partial dates (1999-09, 1999) are None."""
    value = text(value)
    if value is None:
        return None
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        if partial_ok and re.fullmatch(r"[0-9]{4}(-[0-9]{2})?", value):
            return None  # known to the month or year only: not a date
        raise Problem(where, _("Enter a date as YYYY-MM-DD."), value)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Problem(where, _("This date does not exist."), value) from None


def moment(value, where):
    """An ISO 8601 date and time; one without a zone is read in UTC. A day alone is not a
    moment (it would be made midnight): it belongs in watched_on."""
    value = text(value)
    if value is None:
        return None
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        message = _("Give a time with the day (a day alone goes in watched_on).")
        raise Problem(where, message, value)
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        message = _("Enter a date and time in ISO 8601 (2024-01-31T20:15:00Z).")
        raise Problem(where, message, value) from None
    if not parsed.tzinfo:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC
        raise Problem(where, _("This date does not exist."), value) from None


def watched_day(at, on):
    return on if at is None else at.astimezone(UTC).date()


# --- IMDb -----------------------------------------------------------------------------------

IMDB_FILMS = {"Movie", "TV Movie", "Short", "Video", "movie", "tvMovie", "short", "video"}
IMDB_NOT_FILMS = {
    "TV Series": gettext_lazy("a TV series"),
    "tvSeries": gettext_lazy("a TV series"),
    "TV Mini Series": gettext_lazy("a TV mini series"),
    "tvMiniSeries": gettext_lazy("a TV mini series"),
    "TV Episode": gettext_lazy("a TV episode"),
    "tvEpisode": gettext_lazy("a TV episode"),
    "TV Special": gettext_lazy("a TV special"),
    "tvSpecial": gettext_lazy("a TV special"),
    "TV Short": gettext_lazy("a TV short"),
    "tvShort": gettext_lazy("a TV short"),
    "Video Game": gettext_lazy("a video game"),
    "videoGame": gettext_lazy("a video game"),
    "Music Video": gettext_lazy("a music video"),
    "musicVideo": gettext_lazy("a music video"),
    "Podcast Series": gettext_lazy("a podcast"),
    "podcastSeries": gettext_lazy("a podcast"),
    "Podcast Episode": gettext_lazy("a podcast episode"),
    "podcastEpisode": gettext_lazy("a podcast episode"),
}
IMDB_WHERE = {
    "title": "Title",
    "release_year": "Year",
    "release_date": "Release Date",
    "rating": "Your Rating",
    "imdb_id": "Const",
}


def imdb_entry(values, rated=False):
    """A row of an IMDb export: a film (Movie, TV Movie, Short, Video) with its IMDb id, year,
    release date (when IMDb gives the whole date, in that year) and your rating, which makes
    it watched; anything else is skipped."""
    title = text(values.get("Title"))
    kind = text(values.get("Title Type"))
    if kind not in IMDB_FILMS:
        if kind in IMDB_NOT_FILMS:
            what = IMDB_NOT_FILMS[kind]
        elif kind:
            what = _("title type %(kind)s") % {"kind": repr(kind)}
        else:
            what = _("no title type")
        raise Skip(NOT_A_FILM % {"what": what}, title)
    release_year = year(values.get("Year"), "Year")
    if release_year is None:
        raise Problem("Year", _("IMDb gives no year for this film; a film needs one."))
    released = iso_date(values.get("Release Date"), "Release Date", partial_ok=True)
    if released is not None and released.year != release_year:
        released = None  # a release elsewhere, in another year than the film's own
    rating = text(values.get("Your Rating"))
    return film(
        {
            "title": title,
            "release_year": release_year,
            "release_date": released,
            "imdb_id": text(values.get("Const")),
            "rating": rating,
            "watched": rated or rating is not None,
        },
        IMDB_WHERE,
    )


IMDB_LIST_COLUMNS = ("Position", "Const", "Title", "Title Type", "Year")
IMDB_RATINGS_COLUMNS = ("Const", "Your Rating", "Title", "Title Type", "Year")

# --- Letterboxd -----------------------------------------------------------------------------

LETTERBOXD_COLUMNS = ("Date", "Name", "Year", "Letterboxd URI")
LETTERBOXD_WHERE = {
    "title": "Name",
    "release_year": "Year",
    "rating": "Rating",
    "letterboxd_uri": "Letterboxd URI",
    "watched_on": "Watched Date",
}


def letterboxd_rating(value):
    """Letterboxd's 0.5 to 5, in half steps, as 1 to 10."""
    value = text(value)
    if value is None:
        return None
    try:
        doubled = Decimal(value) * 2
    except InvalidOperation:
        doubled = None
    if doubled is None or doubled != doubled.to_integral_value() or not 1 <= doubled <= 10:
        raise Problem("Rating", _("A Letterboxd rating is 0.5 to 5, in half steps."), value)
    return int(doubled)


def letterboxd_entry(values, watched, links_film=True):
    """A row of a Letterboxd export. A diary or review row's URI is the entry's own link, not
    the film's: it is not kept."""
    watched_on = iso_date(values.get("Watched Date"), "Watched Date")
    return film(
        {
            "title": text(values.get("Name")),
            "release_year": year(values.get("Year"), "Year"),
            "rating": letterboxd_rating(values.get("Rating")),
            "letterboxd_uri": text(values.get("Letterboxd URI")) if links_film else None,
            "watched": watched,
            "watched_on": watched_on,
        },
        LETTERBOXD_WHERE,
    )


# --- Trakt ----------------------------------------------------------------------------------

TRAKT_EXPORT = re.compile(
    r"(watched-history|watched-movies|ratings-movies|lists-watchlist)(-[0-9]+)?\.json"
)


def trakt_in_export(path):
    """What of Trakt's export ZIP is imported: history, watched films, film ratings and the
    watchlist (not its custom lists, shows, collection or comments)."""
    return bool(TRAKT_EXPORT.fullmatch(PurePosixPath(path).name))


TRAKT_NOT_FILMS = {
    "show": gettext_lazy("a TV show"),
    "season": gettext_lazy("a season of a TV show"),
    "episode": gettext_lazy("a TV episode"),
    "person": gettext_lazy("a person"),
    "list": gettext_lazy("a list"),
}


def trakt_entry(item, watched=False, moment_key=None, rating_key=None):
    """An item of a Trakt export: its movie, with its ids; shows, seasons and episodes are
    skipped."""
    kind = item.get("type", "movie")
    if not isinstance(kind, str):
        message = _("Enter the kind of entry as text: movie, show, episode...")
        raise Problem("type", message, kind)
    movie = item.get("movie")
    if kind != "movie" or not isinstance(movie, dict):
        about = item.get(kind) if isinstance(kind, str) else None
        about = about if isinstance(about, dict) else item.get("show")
        title = about.get("title") if isinstance(about, dict) else None
        what = TRAKT_NOT_FILMS.get(kind, gettext_lazy("an entry"))
        raise Skip(NOT_A_FILM % {"what": what}, title)
    ids = movie.get("ids") if isinstance(movie.get("ids"), dict) else {}
    at = moment(item.get(moment_key), moment_key) if moment_key else None
    return film(
        {
            "title": movie.get("title"),
            "release_year": movie.get("year"),
            "imdb_id": ids.get("imdb"),
            "tmdb_id": ids.get("tmdb"),
            "rating": item.get(rating_key) if rating_key else None,
            "watched": watched,
            "watched_at": at,
            "watched_on": watched_day(at, None),
        },
        {
            "title": "movie.title",
            "release_year": "movie.year",
            "imdb_id": "movie.ids.imdb",
            "tmdb_id": "movie.ids.tmdb",
            "rating": rating_key,
        },
    )


# --- This project's CSV and JSON ------------------------------------------------------------

TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}


def escape_formula(title):
    """A title as a CSV export writes it: `'` first when a spreadsheet would run it."""
    return f"'{title}" if FORMULA_START.match(title) else title


def unescape_formula(value):
    if isinstance(value, str) and value.startswith("'") and FORMULA_START.match(value[1:]):
        return value[1:]
    return value


def native_entry(values, typed=False):
    """A film of this project's CSV (`typed`: JSON) export: the API's fields."""
    watched = values.get("is_watched", False)
    if not typed:
        flag = (watched or "").strip().lower()
        if flag not in TRUE | FALSE:
            raise Problem("is_watched", _("Enter true or false."), watched)
        watched = flag in TRUE
    elif not isinstance(watched, bool):
        raise Problem("is_watched", _("Enter true or false."), watched)
    clean = (lambda v: v) if typed else text
    at = moment(values.get("watched_at"), "watched_at")
    on = iso_date(values.get("watched_on"), "watched_on")
    if (at or on) and not watched:
        message = _("An unwatched film has no watch date.")
        raise Problem("watched_at" if at else "watched_on", message)
    if at and on and watched_day(at, None) != on:
        message = _("watched_on must be the day of watched_at (UTC).")
        raise Problem("watched_on", message, on)
    release_year = values.get("release_year")
    return film(
        {
            # Only the CSV export writes a formula-safe title; JSON has the title as it is.
            "title": clean(values.get("title"))
            if typed
            else unescape_formula(text(values.get("title"))),
            "release_date": clean(values.get("release_date")),
            "release_year": release_year if typed else year(release_year, "release_year"),
            "rating": clean(values.get("rating")),
            "imdb_id": clean(values.get("imdb_id")),
            "tmdb_id": clean(values.get("tmdb_id")),
            "letterboxd_uri": clean(values.get("letterboxd_uri")),
            "watched": watched,
            "watched_at": at,
            "watched_on": watched_day(at, on),
        },
        {},
    )


# --- The formats ----------------------------------------------------------------------------

CSV_FORMATS = [
    Format(
        "imdb-list",
        "IMDb list or watchlist export",
        "IMDb",
        imdb_entry,
        signature=frozenset({"Position", "Const", "Title Type"}),
        required=IMDB_LIST_COLUMNS,
    ),
    Format(
        "imdb-ratings",
        "IMDb ratings export",
        "IMDb",
        lambda values: imdb_entry(values, rated=True),
        signature=frozenset({"Const", "Your Rating", "Title Type"}),
        required=IMDB_RATINGS_COLUMNS,
        absent=frozenset({"Position"}),  # a list's column
    ),
    Format(
        "letterboxd-watchlist",
        "Letterboxd watchlist",
        "Letterboxd",
        lambda values: letterboxd_entry(values, watched=False),
        signature=frozenset({"Letterboxd URI"}),
        required=LETTERBOXD_COLUMNS,
    ),
    Format(
        "letterboxd-watched",
        "Letterboxd watched films",
        "Letterboxd",
        lambda values: letterboxd_entry(values, watched=True),
        signature=frozenset({"Letterboxd URI"}),
        required=LETTERBOXD_COLUMNS,
    ),
    Format(
        "letterboxd-ratings",
        "Letterboxd ratings",
        "Letterboxd",
        lambda values: letterboxd_entry(values, watched=True),
        signature=frozenset({"Letterboxd URI"}),
        required=(*LETTERBOXD_COLUMNS, "Rating"),
    ),
    Format(
        "letterboxd-diary",
        "Letterboxd diary",
        "Letterboxd",
        lambda values: letterboxd_entry(values, watched=True, links_film=False),
        signature=frozenset({"Letterboxd URI"}),
        required=(*LETTERBOXD_COLUMNS, "Rating", "Rewatch", "Watched Date"),
    ),
    Format(
        "letterboxd-reviews",
        "Letterboxd reviews",
        "Letterboxd",
        lambda values: letterboxd_entry(values, watched=True, links_film=False),
        signature=frozenset({"Letterboxd URI"}),
        required=(*LETTERBOXD_COLUMNS, "Rating", "Rewatch", "Review", "Watched Date"),
    ),
    Format(
        "watchlist-csv",
        "watchlist CSV export",
        "watchlist",
        native_entry,
        signature=frozenset({"title", "release_year"}),
        required=("title", "release_year"),
    ),
]
# IMDb's layout before late 2017: every field quoted, "You rated". Recognised, to say so.
IMDB_BEFORE_2017 = frozenset({"const", "Title type", "You rated"})

TRAKT_FORMATS = [
    Format(
        "trakt-history",
        "Trakt watch history",
        "Trakt",
        lambda item: trakt_entry(item, watched=True, moment_key="watched_at"),
        signature=frozenset({"watched_at", "action", "type"}),
        in_export=trakt_in_export,
    ),
    Format(
        "trakt-watched",
        "Trakt watched films",
        "Trakt",
        lambda item: trakt_entry(item, watched=True, moment_key="last_watched_at"),
        signature=frozenset({"plays", "last_watched_at", "movie"}),
        in_export=trakt_in_export,
    ),
    Format(
        "trakt-ratings",
        "Trakt ratings",
        "Trakt",
        lambda item: trakt_entry(item, watched=True, rating_key="rating"),
        signature=frozenset({"rated_at", "rating", "type"}),
        in_export=trakt_in_export,
    ),
    Format(
        "trakt-list",
        "Trakt watchlist (or list)",
        "Trakt",
        trakt_entry,
        signature=frozenset({"listed_at", "rank", "type"}),
        in_export=lambda path: (
            PurePosixPath(path).name.startswith("lists-watchlist") and trakt_in_export(path)
        ),
    ),
]
NATIVE_JSON = Format(
    "watchlist-json",
    "watchlist JSON export",
    "watchlist",
    lambda item: native_entry(item, typed=True),
    signature=frozenset({"title", "release_year"}),
)
EXPECTED = gettext_lazy(
    "an IMDb list, watchlist or ratings export (CSV); Letterboxd's watchlist.csv, "
    "watched.csv, ratings.csv, diary.csv, reviews.csv or its export ZIP; Trakt's "
    "lists-watchlist.json, watched-history.json, ratings-movies.json or its export ZIP; or "
    "this site's CSV or JSON export"
)


def unknown(name):
    message = _("%(name)s: this is not a format the import reads. Expected %(expected)s.")
    return Refused(message % {"name": name, "expected": EXPECTED}, 415, name)


def csv_format(header, member):
    """The format of a CSV file with this header; Refused naming what is missing or mixed."""
    columns = set(header)
    if columns >= IMDB_BEFORE_2017:
        message = _(
            "%(name)s is an IMDb export in the layout IMDb used before 2017, which is not "
            "read: export the list again from IMDb."
        )
        raise Refused(message % {"name": member.name}, 415, member.name)
    candidates = [f for f in CSV_FORMATS if f.signature <= columns and not f.absent & columns]
    sources = {f.source for f in candidates}
    if len(sources) > 1:
        message = _("%(name)s mixes the columns of %(sources)s exports.") % {
            "name": member.name,
            "sources": _(" and ").join(sorted(sources)),
        }
        raise Refused(message, 400, member.name)
    complete = [f for f in candidates if set(f.required) <= columns]
    if not complete:
        if not candidates:
            raise unknown(member.name)
        closest = max(candidates, key=lambda f: len(set(f.required) & columns))
        missing = [column for column in closest.required if column not in columns]
        message = _(
            "%(name)s has no %(columns)s column, which a file of the format it looks like has "
            "(%(format)s)."
        ) % {"name": member.name, "columns": _(" or ").join(missing), "format": closest.name}
        raise Refused(message, 400, member.name)
    widest = max(len(f.required) for f in complete)
    complete = [f for f in complete if len(f.required) == widest]
    if len(complete) > 1:
        return letterboxd_list(member, complete)
    return complete[0]


def letterboxd_list(member, formats):
    """Letterboxd's watchlist.csv and watched.csv have the same columns: the name Letterboxd
    gives each tells them apart."""
    name = member.basename.lower()
    for fmt in formats:  # the watchlist first: "watched" is not in "watchlist"
        if fmt.key.removeprefix("letterboxd-") in name:
            return fmt
    message = _(
        "%(name)s: Letterboxd's watchlist.csv and watched.csv have the same columns, so this "
        "file's name must say which it is (watchlist.csv or watched.csv, as in the export); or "
        "import the whole export ZIP."
    )
    raise Refused(message % {"name": member.name}, 400, member.name)


def json_format(first_item, member, top_level):
    """The format of a JSON file whose first item (of its top-level list) is `first_item`."""
    if top_level == "array" and isinstance(first_item, dict):
        keys = set(first_item)
        for fmt in [*TRAKT_FORMATS, NATIVE_JSON]:
            if fmt.signature <= keys:
                return fmt
    raise unknown(member.name)
