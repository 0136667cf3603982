"""The one import engine: read the files, recognise each format, check every row by the API's
rules, match each film to the list, write, and report. The command line (`import_films`),
the API (`POST /api/import/`) and the admin's import page all call `import_films`.

What an import does to the list: it adds films and fills in what a film lacks (a date, a
rating, an id, that it was watched and when), and never clears or changes what is there: it
never un-watches a film, so a second import of one file changes nothing. A film is matched
by its IMDb id, then its TMDB id, then its Letterboxd URI, then its title and year (folded
as the search folds them), never to a film whose ids say it is another. Rows of one import
that match one film are merged into it, the earliest watch date winning.

The whole import is one transaction: a file refused, an invalid row (unless `on_error` is
"skip"), a crash or a killed process leaves the list as it was. Imports of one list run one
at a time (PostgreSQL: an advisory lock; SQLite: its one writer), so that two imports of a
file make each film once. The rows go through in batches: memory holds the films the import
has touched, not the files' rows.
"""

import contextlib
import functools
import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC

import ijson
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from movies import search_index
from movies.models import Movie
from movies.search import fold_case
from watchlist.internals.django import quote_name

from . import formats, sources
from .formats import Problem, Skip
from .sources import Refused, grouped

ON_ERROR = ("abort", "skip")
BATCH = 1000
QUERY_CHUNK = 900  # values in one `IN (...)` (SQLite takes 999 parameters)
SAMPLE = 100  # at most this many merges and changes are listed
LISTED = 10_000  # at most this many invalid and skipped rows are listed (all are counted)
# pg_advisory_xact_lock's key for imports: any number, the same for every import.
IMPORT_LOCK = 0x5761_7463_686C
IDS = ("imdb_id", "tmdb_id", "letterboxd_uri")
ID_NAMES = {
    "imdb_id": gettext_lazy("IMDb ids"),
    "tmdb_id": gettext_lazy("TMDB ids"),
    "letterboxd_uri": gettext_lazy("Letterboxd URIs"),
    "id": gettext_lazy("ids"),
}
FILLED = ("release_date", "rating", *IDS)  # filled in when a film lacks them
COLUMNS = (
    "title",
    "release_date",
    "release_year",
    "is_watched",
    "watched_at",
    "watched_on",
    "rating",
    *IDS,
)
# Folders of an export archive that are not the member's list (Letterboxd's), and why.
ELSEWHERE = {
    "deleted": gettext_lazy("entries deleted on Letterboxd"),
    "orphaned": gettext_lazy("orphaned entries (films no longer on Letterboxd)"),
    "likes": gettext_lazy("likes, not your films or watchlist"),
    "lists": gettext_lazy("a list of yours, not your watchlist"),
    "__MACOSX": gettext_lazy("left by macOS's archiver"),
}


def counted(message, count):
    """ngettext's `message`, with `count` in it as the language writes it."""
    return message % {"count": grouped(count)}


def rows_count(count):
    return counted(ngettext("%(count)s row", "%(count)s rows", count), count)


def import_limit():
    return settings.WATCHLIST_IMPORT_MAX_BYTES


# --- The report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    file: str
    line: int | None = None  # CSV: the line the row starts on (the header is line 1)
    path: str | None = None  # JSON: where the item is, as `[12].movie.year`

    def at(self, where=None):
        if self.path is not None:
            suffix = f".{where}" if where else ""
            return {"file": self.file, "path": f"{self.path}{suffix}"}
        return {
            "file": self.file,
            "line": self.line,
            **({"column": where} if where else {}),
        }


@dataclass
class Report:
    """What an import found and did (or, dry or aborted, would do)."""

    dry_run: bool
    on_error: str
    files: list = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    skipped: int = 0
    invalid: int = 0
    skips: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    merges: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    written: bool = False

    def as_dict(self):
        return {
            "written": self.written,
            "dry_run": self.dry_run,
            "on_error": self.on_error,
            "files": self.files,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "merged": self.merged,
            "skipped": self.skipped,
            "invalid": self.invalid,
            "problems": self.problems,
            "skips": self.skips,
            "merges": self.merges,
            "changes": self.changes,
        }

    @property
    def complete(self):
        """Every row imported or deliberately skipped (no invalid row)."""
        return not self.invalid

    def describe(self):
        """The report in lines of text, for a person."""
        for listed in self.files:
            if "ignored" in listed:
                yield _("%(name)s: ignored (%(reason)s)") % {
                    "name": listed["name"],
                    "reason": listed["ignored"],
                }
            else:
                yield _("%(name)s: %(format)s, %(rows)s") % {
                    "name": listed["name"],
                    "format": listed["format_name"],
                    "rows": rows_count(listed["rows"]),
                }
        yield self.summary()
        for found in self.problems:
            where = (
                _("line %(line)s") % {"line": found["line"]} if "line" in found else found["path"]
            )
            if found.get("column"):
                where = _("%(where)s, column %(column)s") % {
                    "where": where,
                    "column": found["column"],
                }
            message = found["message"]
            if "value" in found:
                message = _("%(message)s (found: %(value)s)") % {
                    "message": message,
                    "value": repr(found["value"]),
                }
            yield f"  {found['file']}, {where}: {message}"
        if self.invalid > len(self.problems):
            yield _("  (the first %(count)s invalid rows are listed)") % {
                "count": grouped(len(self.problems))
            }
        if self.written:
            yield _("Imported.")
        elif self.dry_run:
            yield _("Dry run: nothing was written.")
        else:
            yield ngettext(
                "Nothing was imported: %(rows)s invalid. Correct it, or import again "
                "skipping invalid rows.",
                "Nothing was imported: %(rows)s invalid. Correct them, or import again "
                "skipping invalid rows.",
                self.invalid,
            ) % {"rows": rows_count(self.invalid)}

    def summary(self):
        """The counts in one line."""
        if self.written:
            created = counted(
                ngettext("%(count)s film added", "%(count)s films added", self.created),
                self.created,
            )
            updated = counted(
                ngettext("%(count)s completed", "%(count)s completed", self.updated), self.updated
            )
        else:
            created = counted(
                ngettext("%(count)s film to add", "%(count)s films to add", self.created),
                self.created,
            )
            updated = counted(
                ngettext("%(count)s to complete", "%(count)s to complete", self.updated),
                self.updated,
            )
        return _(
            "%(rows)s: %(created)s, %(updated)s, %(unchanged)s; %(merged)s, %(skipped)s, "
            "%(invalid)s."
        ) % {
            "rows": rows_count(self.rows),
            "created": created,
            "updated": updated,
            "unchanged": counted(
                ngettext("%(count)s already there", "%(count)s already there", self.unchanged),
                self.unchanged,
            ),
            "merged": counted(
                ngettext(
                    "%(count)s row merged into a film met earlier",
                    "%(count)s rows merged into a film met earlier",
                    self.merged,
                ),
                self.merged,
            ),
            "skipped": counted(
                ngettext(
                    "%(count)s skipped (not films)",
                    "%(count)s skipped (not films)",
                    self.skipped,
                ),
                self.skipped,
            ),
            "invalid": counted(
                ngettext("%(count)s invalid", "%(count)s invalid", self.invalid),
                self.invalid,
            ),
        }


# --- Films the import has seen --------------------------------------------------------------


class Film:
    """A film of the list as the import sees it: read from the database, or made here."""

    __slots__ = (*COLUMNS, "pk", "first_seen", "made_here", "dated_here", "pending", "changed")

    def __init__(self, pk=None, **values):
        self.pk = pk
        for name in COLUMNS:
            setattr(self, name, values.get(name))
        self.first_seen = None  # where the import first met it
        self.made_here = pk is None
        self.dated_here = False  # its watch date came from this import
        self.pending = None  # the fields changed since the last write (a set, once any)
        self.changed = None  # the fields this import changed (a set, once any)

    def as_model(self):
        film = Movie(pk=self.pk, **{name: getattr(self, name) for name in COLUMNS})
        film.derive_dates()
        return film


def keys(item):
    """What identifies a film (an Entry or a Film), strongest first."""
    found = [(name, value) for name in IDS if (value := getattr(item, name)) is not None]
    found.append(("title", fold_case(item.title), item.release_year))
    return found


def contradicts(film, entry):
    """Whether the film's ids say it is another film than the entry's."""
    return any(
        (mine := getattr(film, name)) is not None
        and (theirs := getattr(entry, name)) is not None
        and mine != theirs
        for name in IDS
    )


class Catalog:
    """The films an import has met, by each key; filled from the database a batch at a
    time, for the keys it has not asked about yet."""

    def __init__(self, lock_rows):
        self.by_key = {}
        self.by_pk = {}
        self.asked = set()
        self.films = []  # in the order the import met them
        self.dirty = {}  # stored films changed since the last write, by id()
        self.lock_rows = lock_rows
        # An import into an empty list (the first, often) has nothing to look up; no one
        # else writes while it runs (lock_imports).
        self.list_empty = not Movie.objects.exists()

    def load(self, keyed):
        """Read from the database the films that the entries' keys name (`keyed`: pairs of
        an entry and its keys), by their ids first: an entry that its ids match needs no
        lookup by title and year."""
        self.fetch(key for _, found in keyed for key in found[:-1])
        self.fetch(found[-1] for entry, found in keyed if self.find(entry, found[:-1]) is None)

    def fetch(self, wanted_keys):
        if self.list_empty:
            return
        wanted = {}
        for key in wanted_keys:
            if key not in self.asked and key not in self.by_key:
                self.asked.add(key)
                wanted.setdefault(key[0], set()).add(key[1:] if key[0] == "title" else key[1])
        queryset = Movie.objects.order_by("pk").values("pk", *COLUMNS)
        if self.lock_rows:
            # No one else changes a film between this read and the import's write.
            queryset = queryset.select_for_update()
        for name, values in wanted.items():
            lookup = "title_folded" if name == "title" else name
            wanted_values = {v[0] for v in values} if name == "title" else values
            for chunk in chunks(sorted(wanted_values, key=str), QUERY_CHUNK):
                for row in queryset.filter(**{f"{lookup}__in": chunk}):
                    if name == "title" and (fold_case(row["title"]), row["release_year"]) not in (
                        values
                    ):
                        continue
                    self.add_stored(row)

    def add_stored(self, row):
        if row["pk"] in self.by_pk:
            return
        film = Film(**row)
        self.by_pk[film.pk] = film
        self.index(film)

    def index(self, film):
        for key in keys(film):
            self.by_key.setdefault(key, film)

    def find(self, entry, wanted_keys):
        """The first film one of the keys names, unless its ids say it is another film."""
        for key in wanted_keys:
            film = self.by_key.get(key)
            if film is not None and not contradicts(film, entry):
                return film
        return None

    def make(self, entry):
        film = Film(
            title=entry.title,
            release_year=entry.release_year,
            release_date=entry.release_date,
            is_watched=entry.watched,
            watched_at=entry.watched_at if entry.watched else None,
            watched_on=entry.watched_on if entry.watched else None,
            rating=entry.rating,
        )
        for name in IDS:  # an id another film has is left out (that film's ids differ)
            value = getattr(entry, name)
            if value is not None and not self.holds_other(film, name, value):
                setattr(film, name, value)
        film.dated_here = entry.watched_on is not None
        self.index(film)
        return film

    def holds_other(self, film, name, value):
        other = self.by_key.get((name, value))
        return other is not None and other is not film

    def merge(self, film, entry):
        """Fill in what the film lacks from the entry; returns the fields changed."""
        changes = {}
        for name in FILLED:
            value = getattr(entry, name)
            if value is None or getattr(film, name) is not None:
                continue
            if name == "release_date" and value.year != film.release_year:
                continue  # a date of another year than the film's: not this release
            if name in IDS and self.holds_other(film, name, value):
                continue  # another film has that id
            changes[name] = value
        if entry.watched and not film.is_watched:
            changes.update(
                is_watched=True, watched_at=entry.watched_at, watched_on=entry.watched_on
            )
            film.dated_here = entry.watched_on is not None
        elif entry.watched and entry.watched_on is not None and film.is_watched:
            earlier = film.dated_here and entry.watched_on < film.watched_on
            if film.watched_on is None or earlier:
                changes.update(watched_at=entry.watched_at, watched_on=entry.watched_on)
                film.dated_here = True
            elif (
                entry.watched_on == film.watched_on
                and film.watched_at is None
                and entry.watched_at
            ):
                changes["watched_at"] = entry.watched_at
        changes = {k: v for k, v in changes.items() if getattr(film, k) != v}
        if not changes:
            return changes
        for name, value in changes.items():
            setattr(film, name, value)
        film.pending = (film.pending or set()) | changes.keys()
        film.changed = (film.changed or set()) | changes.keys()
        if not film.made_here:
            self.dirty[id(film)] = film
        if any(name in IDS for name in changes):
            self.index(film)
        return changes


def chunks(values, size):
    iterator = iter(values)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


# --- The import -----------------------------------------------------------------------------


@dataclass
class OpenFile:
    member: sources.Member
    format: formats.Format
    rows: object  # an iterator of (Location, values)
    stream: object
    listed: dict = None  # its entry in the report's files


def import_films(uploads, *, dry_run=False, on_error="abort", progress=None):
    """Import `uploads` (sources.Upload) into the list; returns the Report.

    `on_error`: "abort" writes nothing when any row is invalid, "skip" writes the valid
    rows. `dry_run` writes nothing either way. `progress(report, bytes_read, bytes_total)`
    is called after each batch. Raises Refused for a file that cannot be imported at all.
    """
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error must be one of {ON_ERROR}")
    report = Report(dry_run=dry_run, on_error=on_error)
    with contextlib.ExitStack() as stack:
        members = sources.members(uploads, import_limit(), stack)
        files = recognise(members, report, stack)
        writing = not dry_run
        if writing:
            stack.enter_context(transaction.atomic())
            lock_imports()
            stack.enter_context(search_index.bulk_inserts(connection))
        run(files, report, Catalog(lock_rows=writing), writing, progress)
        if writing and (report.complete or on_error == "skip"):
            report.written = True
        elif writing:
            transaction.set_rollback(True)
    return report


def lock_imports():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
    # SQLite: the transaction began with BEGIN IMMEDIATE (settings), which takes the
    # database's one write lock.


def recognise(members, report, stack):
    """Every file's format, before any row is read: a file refused stops the import here.

    An uploaded file stays open for its rows to be read (a pipe cannot be read twice); a
    member of an archive is closed again and opened when its turn comes, since an archive
    may hold thousands, each with its decompressor's buffers."""
    files = []
    for member in members:
        folder = next((part for part in member.path.split("/")[:-1] if part in ELSEWHERE), None)
        if member.archive and (folder or member.basename.startswith(".")):
            reason = ELSEWHERE.get(folder, gettext_lazy("a hidden file"))
            report.files.append({"name": member.name, "ignored": str(reason)})
            continue
        with contextlib.ExitStack() as this_file:
            stream = this_file.enter_context(member.open())
            try:
                opened = open_file(member, stream)
            except Refused as refusal:
                if member.archive and refusal.status == 415:  # an export's other files
                    ignored = _("not a list of films")
                    report.files.append({"name": member.name, "ignored": ignored})
                    continue
                raise
            if member.archive and not opened.format.in_export(member.path):
                ignored = _("not your watchlist, history or film ratings")
                report.files.append({"name": member.name, "ignored": ignored})
                continue
            if member.archive:  # nothing of the stream kept: its buffers go with it
                opened = OpenFile(member, opened.format, rows=None, stream=None)
            else:
                stack.enter_context(this_file.pop_all())
        opened.listed = {"name": member.name, **opened.format.as_dict(), "rows": 0}
        report.files.append(opened.listed)
        files.append(opened)
    for archive, opened in itertools.groupby(files, lambda f: f.member.archive):
        found = {f.format.source for f in opened}
        if archive and len(found) > 1:
            message = _("%(name)s mixes %(sources)s exports.") % {
                "name": archive,
                "sources": _(" and ").join(sorted(found)),
            }
            raise Refused(message, 400, archive)
    if not files:
        names = ", ".join(member.name for member in members) or _("the upload")
        message = _("%(names)s: no list of films found. Expected %(expected)s.")
        raise Refused(message % {"names": names, "expected": formats.EXPECTED}, 415)
    return files


def open_file(member, stream):
    json_like = sources.starts_like_json(stream)
    if json_like is None:
        raise Refused(_("%(name)s is empty.") % {"name": member.name}, 400, member.name)
    if json_like:
        return open_json(member, stream)
    header, records = sources.csv_header_and_records(stream, member.name)
    fmt = formats.csv_format(header, member)

    def rows():
        for record in records:
            location = Location(member.name, line=record.line)
            if record.extra or record.missing:
                yield location, misfit(record, len(header))
                continue
            yield location, record.values

    return OpenFile(member, fmt, rows(), stream)


def misfit(record, width):
    """The Problem of a record with more or fewer fields than the header has columns."""
    fields = counted(
        ngettext("%(count)s field", "%(count)s fields", len(record.values) + record.extra),
        len(record.values) + record.extra,
    )
    if record.last_line > record.line:
        message = _(
            "This row, lines %(first)s to %(last)s, has %(fields)s; the header has %(width)s. "
            "A quoted field may be left open."
        ) % {"first": record.line, "last": record.last_line, "fields": fields, "width": width}
    else:
        message = _("This line has %(fields)s; the header has %(width)s.") % {
            "fields": fields,
            "width": width,
        }
    return Problem(None, message)


def open_json(member, stream):
    # Numbers as floats: the parser's exact numbers cost more, and an integer past 64 bits
    # is then a parse error (as exact, one of thousands of digits crashes ijson's C parser).
    # The parser reads 4 kB at a time: it makes every event of what it reads before the
    # first is looked at, and each event's path is as long as the depth (64 kB of brackets
    # took it 13 s; 4 kB, 20 ms), and an export goes no faster in larger reads.
    events = ijson.parse(sources.BomSkipping(stream), buf_size=4096, use_float=True)
    events = shallow(events, member)
    try:
        first_event = next(events)
    except ijson.JSONError as error:
        raise not_json(member, error) from None
    top_level = {"start_array": "array", "start_map": "object"}.get(first_event[1])
    items = ijson.items(itertools.chain([first_event], events), "item", use_float=True)
    first = next_json(items, member)
    if first is END and top_level == "array":
        message = _("%(name)s holds an empty list.") % {"name": member.name}
        raise Refused(message, 400, member.name)
    fmt = formats.json_format(None if first is END else first, member, top_level)

    def rows():
        item = first
        for index in itertools.count():
            if item is END:
                return
            location = Location(member.name, path=f"[{index}]")
            if isinstance(item, dict):
                yield location, item
            else:
                yield location, Problem(None, str(NOT_AN_OBJECT), shown_json(item))
            item = next_json(items, member)

    return OpenFile(member, fmt, rows(), stream)


END = object()  # past a JSON list's last item (which may be null)
DEEPEST = 32  # levels of lists and objects: the exports read here nest four


def shallow(events, member):
    """The parse events of a file nested no deeper than DEEPEST (deeper, each event's path
    grows with the depth, and a value read would be too deep to write back in a report)."""
    depth = 0
    for event in events:
        kind = event[1]
        if kind == "start_map" or kind == "start_array":
            depth += 1
            if depth > DEEPEST:
                message = _("%(name)s nests lists or objects more than %(depth)s levels deep.")
                raise Refused(message % {"name": member.name, "depth": DEEPEST}, 400, member.name)
        elif kind == "end_map" or kind == "end_array":
            depth -= 1
        yield event


NOT_AN_OBJECT = gettext_lazy(
    "Each item of the list is an object ({...}) describing a film; this is not."
)


def shown_json(value):
    return json.dumps(value, ensure_ascii=False, default=str)


def next_json(items, member):
    """The list's next item, or END."""
    try:
        return next(items, END)
    except ijson.JSONError as error:
        raise not_json(member, error) from None
    except UnicodeDecodeError:
        message = _("%(name)s is not UTF-8 text.") % {"name": member.name}
        raise Refused(message, 400, member.name) from None


def not_json(member, error):
    message = _("%(name)s is not valid JSON (%(error)s).")
    return Refused(message % {"name": member.name, "error": json_error(error)}, 400, member.name)


def json_error(error):
    message = error.args[0] if error.args else error
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return str(message).splitlines()[0].strip()


def run(files, report, catalog, writing, progress):
    total = sum(f.member.size or 0 for f in files)
    done = 0
    batch = []
    for recognised in files:
        with contextlib.ExitStack() as this_file:
            opened = reopened(recognised, this_file)
            counted = opened.listed
            for location, values in opened.rows:
                report.rows += 1
                counted["rows"] += 1
                outcome = (
                    values if isinstance(values, Problem) else entry_of(opened.format, values)
                )
                if isinstance(outcome, Problem):
                    report.invalid += 1
                    if len(report.problems) < LISTED:
                        report.problems.append(problem(location, outcome))
                elif isinstance(outcome, Skip):
                    report.skipped += 1
                    if len(report.skips) < LISTED:
                        report.skips.append(
                            {**location.at(), "title": outcome.title, "reason": outcome.reason}
                        )
                else:
                    batch.append((location, outcome))
                if len(batch) >= BATCH:
                    writing = flush(batch, report, catalog, writing)
                    batch = []
                    if progress:
                        progress(report, done + position(opened), total)
        if not counted["rows"] and not opened.member.archive:
            message = _("%(name)s has no rows: only a header.") % {"name": opened.member.name}
            raise Refused(message, 400, opened.member.name)
        done += opened.member.size or 0
    writing = flush(batch, report, catalog, writing)
    if not report.rows:
        raise Refused(_("The files hold no rows."), 400)
    if writing:
        insert_new_films(catalog)
    tally(report, catalog)
    if progress:
        progress(report, total, total)


def reopened(recognised, stack):
    """The file `recognise` found, open for its rows: an archive's member is opened again."""
    if not recognised.member.archive:
        return recognised
    stream = stack.enter_context(recognised.member.open())
    opened = open_file(recognised.member, stream)
    opened.listed = recognised.listed
    return opened


def position(opened):
    raw = getattr(opened.stream, "raw", None)
    return getattr(raw, "position", 0)


def entry_of(fmt, values):
    try:
        return fmt.entry(values)
    except (Problem, Skip) as outcome:
        return outcome


def problem(location, outcome):
    found = {**location.at(outcome.where), "message": outcome.message}
    if outcome.value is not None:
        found["value"] = (
            outcome.value if isinstance(outcome.value, int | float) else str(outcome.value)[:200]
        )
    return found


def flush(batch, report, catalog, writing):
    """Match and merge a batch of entries, and write what changed (until an invalid row
    has been seen and `on_error` is "abort": the rest is matched, not written). Returns
    whether the import still writes."""
    if writing and report.invalid and report.on_error == "abort":
        writing = False
    keyed = [(entry, keys(entry)) for _location, entry in batch]
    catalog.load(keyed)
    for (location, entry), (_entry, entry_keys) in zip(batch, keyed, strict=True):
        film = catalog.find(entry, entry_keys)
        if film is None:
            film = catalog.make(entry)
            catalog.films.append(film)
        else:
            if film.first_seen is None:
                catalog.films.append(film)
            else:
                report.merged += 1
                if len(report.merges) < SAMPLE:
                    report.merges.append(
                        {**location.at(), "title": entry.title, "into": film.first_seen.at()}
                    )
            catalog.merge(film, entry)
        if film.first_seen is None:
            film.first_seen = location
    if writing:
        write(catalog)
    return writing


def write(catalog):
    """The stored films a batch changed, written (a batch's films stay locked, PostgreSQL)."""
    changed = [film for film in catalog.dirty.values() if film.pending]
    catalog.dirty.clear()
    with refused_on_a_taken_id():
        groups = {}
        for film in changed:
            groups.setdefault(frozenset(film.pending), []).append(film)
        for fields, films in groups.items():
            Movie.objects.bulk_update(
                [film.as_model() for film in films], sorted(fields), batch_size=QUERY_CHUNK
            )
            for film in films:
                film.pending = None


# The films an import makes, inserted once all its rows are read and merged (a film of two
# rows is one INSERT, never an INSERT then an UPDATE). Written here rather than by
# bulk_create: building a model instance and compiling an INSERT for each ~100 films is two
# thirds of bulk_create's time, and half an import's. Each value is the field's own database
# value (Field.get_db_prep_save); the generated title_folded and the id are the database's.
# PostgreSQL takes the rows by COPY (psycopg's `Cursor.copy`), in a third of the time that
# one INSERT a row takes it; SQLite by one INSERT run for each row (`executemany`), which is
# its fastest. test_import_writes proves the rows are those the ORM writes, on each database.
INSERT_CHUNK = 5000


def insert_new_films(catalog):
    fields = [Movie._meta.get_field(name) for name in COLUMNS]
    rows = (
        [field.get_db_prep_save(getattr(film, field.name), connection) for field in fields]
        for film in catalog.films
        if film.made_here
    )
    quote = functools.partial(quote_name, connection)
    table = quote(Movie._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    with refused_on_a_taken_id(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy_rows(cursor, f"COPY {table} ({columns}) FROM STDIN", rows)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
        for chunk in chunks(rows, INSERT_CHUNK):
            cursor.executemany(sql, chunk)


def copy_rows(cursor, sql, rows):
    import psycopg  # the PostgreSQL backend's driver

    try:
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.IntegrityError as error:  # COPY is psycopg's own: Django has not wrapped it
        raise IntegrityError(*error.args) from error


@contextlib.contextmanager
def refused_on_a_taken_id():
    try:
        yield
    except IntegrityError as error:
        # The database's words (constraint names, SQL) are not for the user: which id it was.
        taken = next((name for name in IDS if name in str(error)), "id")
        message = _(
            "While the import ran, another change gave a film one of the %(ids)s it imports; "
            "nothing was imported. Import again."
        )
        raise Refused(message % {"ids": ID_NAMES[taken]}, 409) from None


def tally(report, catalog):
    for film in catalog.films:
        if film.made_here:
            report.created += 1
            action = "create"
        elif film.changed:
            report.updated += 1
            action = "update"
        else:
            report.unchanged += 1
            continue
        if len(report.changes) < SAMPLE:
            # What the film gains: a field set, then cleared by a later row of the import
            # (a watch moment given way to an earlier day) is not one.
            fields = [
                name
                for name in (sorted(film.changed) if action == "update" else [])
                if getattr(film, name) is not None
            ]
            report.changes.append(
                {
                    "action": action,
                    "title": film.title,
                    "release_year": film.release_year,
                    **(
                        {"fields": {name: shown(getattr(film, name)) for name in fields}}
                        if fields
                        else {}
                    ),
                    "from": film.first_seen.at(),
                }
            )


def shown(value):
    if hasattr(value, "isoformat"):
        if getattr(value, "tzinfo", None):
            return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return value.isoformat()
    return value
