"""Files an import cannot take, each with its answer: through the API a status and a JSON
body that says why, through the command line exit status 2 and the same words; and the
list as it was, row for row. Then files with invalid rows: with `abort` nothing is written
and every invalid row is reported, with `skip` the valid rows are written."""

import bz2
import csv
import gzip
import io
import json
import struct
import tarfile
import tracemalloc
import zipfile
from dataclasses import dataclass
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movies.importing import Refused, Upload, import_films
from movies.importing.formats import EXPECTED, NATIVE_COLUMNS
from movies.tests.factories import make_movie
from movies.tests.import_support import (
    film,
    films,
    post_import,
    sample_bytes,
    table,
    zip_of,
)

pytestmark = pytest.mark.django_db

NATIVE = b"title,release_year\nArrival,2016\nHer,2013\n"
IMDB_LIST_HEADER = sample_bytes("imdb/watchlist.csv").split(b"\n", 1)[0] + b"\n"
LETTERBOXD_WATCHLIST = sample_bytes("letterboxd/export/watchlist.csv")
UNKNOWN = f"this is not a format the import reads. Expected {EXPECTED}."


@pytest.fixture(autouse=True)
def films_already_there(db):
    """The list is not empty: a refused import must leave these as they are."""
    make_movie("Already here", watched=True, rating=7, imdb_id="tt0000001")
    make_movie("Also here", release_date=None, release_year=1999)


def gzip_of(data):
    return gzip.compress(data, mtime=0)


def tar_of(name, data):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def encrypted(data):
    """A ZIP archive whose member says it is encrypted (bit 0 of its flags), as a
    password-protected export's are. (Python writes no encrypted archives.)"""
    archive = bytearray(data)
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = archive.index(signature)
        (flags,) = struct.unpack_from("<H", archive, at + flags_at)
        struct.pack_into("<H", archive, at + flags_at, flags | 0x1)
    return bytes(archive)


def damaged(data, at=4):
    """A ZIP archive whose member's (compressed) bytes were changed in transit, `at` bytes
    into them."""
    archive = bytearray(data)
    entry = zipfile.ZipFile(io.BytesIO(data)).infolist()[0]
    archive[entry.header_offset + 30 + len(entry.filename) + at] ^= 0x01
    return bytes(archive)


@dataclass
class Refusal:
    id: str
    name: str
    data: bytes
    status: int
    detail: str
    file: str | None = None  # the body's `file`, when one file is to blame
    limit: int | None = None  # WATCHLIST_IMPORT_MAX_BYTES, when the test sets it


REFUSALS = [
    Refusal(
        "over the size limit",
        "big.csv",
        NATIVE + b"Heat,1995\n" * 500,
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        "big.csv is 5,041 bytes; the limit is 1,000.",
        "big.csv",
        limit=1000,
    ),
    Refusal(
        "an archive expanding past the limit",
        "bomb.zip",
        zip_of({"watchlist.csv": NATIVE + b"\n" * 200_000}),
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        "bomb.zip expands to 200,041 bytes; the limit is 10,000.",
        "bomb.zip",
        limit=10_000,
    ),
    Refusal(
        "an unknown format",
        "notes.csv",
        b"Film,Seen\nArrival,yes\n",
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        f"notes.csv: {UNKNOWN}",
        "notes.csv",
    ),
    Refusal(
        "JSON of an unknown shape",
        "notes.json",
        b'{"films": [{"name": "Arrival"}]}',
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        f"notes.json: {UNKNOWN}",
        "notes.json",
    ),
    Refusal(
        "IMDb and Letterboxd columns in one header",
        "mixed.csv",
        b"Position,Const,Title Type,Title,Year,Date,Name,Letterboxd URI\n",
        HTTPStatus.BAD_REQUEST,
        "mixed.csv mixes the columns of IMDb and Letterboxd exports.",
        "mixed.csv",
    ),
    Refusal(
        "IMDb and Letterboxd files in one archive",
        "mixed.zip",
        zip_of(
            {
                "watchlist.csv": LETTERBOXD_WATCHLIST,
                "imdb.csv": sample_bytes("imdb/ratings.csv"),
            }
        ),
        HTTPStatus.BAD_REQUEST,
        "mixed.zip mixes IMDb and Letterboxd exports.",
        "mixed.zip",
    ),
    Refusal(
        "an archive in an archive",
        "nested.zip",
        zip_of({"watchlist.csv": LETTERBOXD_WATCHLIST, "inner.zip": zip_of({"a.csv": NATIVE})}),
        HTTPStatus.BAD_REQUEST,
        "nested.zip holds an archive (inner.zip); archives inside archives are not read.",
        "nested.zip/inner.zip",
    ),
    Refusal(
        "a gzip file in an archive",
        "nested.zip",
        zip_of({"watchlist.csv.gz": gzip_of(LETTERBOXD_WATCHLIST)}),
        HTTPStatus.BAD_REQUEST,
        "nested.zip holds an archive (watchlist.csv.gz); archives inside archives are not read.",
        "nested.zip/watchlist.csv.gz",
    ),
    *(
        Refusal(
            f"an archive member named {name}",
            "unsafe.zip",
            zip_of({"watchlist.csv": LETTERBOXD_WATCHLIST, name: NATIVE}),
            HTTPStatus.BAD_REQUEST,
            f"unsafe.zip holds a file with an unsafe name ({name!r}).",
            "unsafe.zip",
        )
        for name in ("../x.csv", "/etc/x", "C:\\x", "C:x", "lists/../../x.csv")
    ),
    Refusal(
        "an encrypted member",
        "locked.zip",
        encrypted(zip_of({"watchlist.csv": LETTERBOXD_WATCHLIST})),
        HTTPStatus.BAD_REQUEST,
        "locked.zip/watchlist.csv is encrypted; export it again without a password.",
        "locked.zip/watchlist.csv",
    ),
    Refusal(
        "a damaged member",
        "damaged.zip",
        damaged(zip_of({"watchlist.csv": LETTERBOXD_WATCHLIST})),
        HTTPStatus.BAD_REQUEST,
        "damaged.zip/watchlist.csv is damaged (Error -3 while decompressing data: invalid code "
        "lengths set); download the export again.",
        "damaged.zip/watchlist.csv",
    ),
    Refusal(
        "a member whose checksum fails",
        "damaged.zip",
        damaged(zip_of({"watchlist.csv": LETTERBOXD_WATCHLIST}, zipfile.ZIP_STORED)),
        HTTPStatus.BAD_REQUEST,
        "damaged.zip/watchlist.csv is damaged (Bad CRC-32 for file 'watchlist.csv'); "
        "download the export again.",
        "damaged.zip/watchlist.csv",
    ),
    Refusal(
        "a member damaged past its first lines",
        "damaged.zip",
        damaged(
            zip_of(
                {"watched.csv": sample_bytes("letterboxd/export/watched.csv") * 2},
                zipfile.ZIP_STORED,
            ),
            at=500,
        ),
        HTTPStatus.BAD_REQUEST,
        "damaged.zip/watched.csv is damaged (Bad CRC-32 for file 'watched.csv'); download the "
        "export again.",
        "damaged.zip/watched.csv",
    ),
    Refusal(
        "a file that starts like a ZIP archive and is not one",
        "broken.zip",
        b"PK\x03\x04" + b"\x00" * 100,
        HTTPStatus.BAD_REQUEST,
        "broken.zip is not a readable ZIP archive (File is not a zip file).",
        "broken.zip",
    ),
    Refusal(
        "a gzip upload",
        "watchlist.csv.gz",
        gzip_of(LETTERBOXD_WATCHLIST),
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "watchlist.csv.gz is a gzip archive; only ZIP archives are read (or the files "
        "themselves).",
        "watchlist.csv.gz",
    ),
    Refusal(
        "a bzip2 upload",
        "watchlist.csv.bz2",
        bz2.compress(LETTERBOXD_WATCHLIST),
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "watchlist.csv.bz2 is a bzip2 archive; only ZIP archives are read (or the files "
        "themselves).",
        "watchlist.csv.bz2",
    ),
    Refusal(
        "a tar upload",
        "export.tar",
        tar_of("watchlist.csv", LETTERBOXD_WATCHLIST),
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "export.tar is a tar archive; only ZIP archives are read (or the files themselves).",
        "export.tar",
    ),
    Refusal(
        "cp1252 text (a file re-saved by Excel)",
        "watchlist.csv",
        (
            "Date,Name,Year,Letterboxd URI\n2024-01-06,Arrival,2016,\n2024-01-07,Amélie,2001,\n"
        ).encode("cp1252"),
        HTTPStatus.BAD_REQUEST,
        "watchlist.csv: line 3 is not UTF-8 text (byte 0xe9 at column 14). Export the file "
        "again, or save it as UTF-8.",
        "watchlist.csv",
    ),
    Refusal(
        "latin-1 text after a field over several lines",
        "diary.csv",
        "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
        '2024-01-06,"Arrival\n\n",2016,,,,,\n'
        "2024-01-07,Léon,1994,,,,,\n".encode("latin-1"),
        HTTPStatus.BAD_REQUEST,
        "diary.csv: line 5 is not UTF-8 text (byte 0xe9 at column 13). Export the file "
        "again, or save it as UTF-8.",
        "diary.csv",
    ),
    Refusal(
        "JSON that is not UTF-8",
        "history.json",
        '[{"title": "Amélie", "release_year": 2001}]'.encode("cp1252"),
        HTTPStatus.BAD_REQUEST,
        "history.json is not valid JSON (lexical error: invalid bytes in UTF8 string.).",
        "history.json",
    ),
    Refusal(
        "JSON cut short",
        "history.json",
        sample_bytes("trakt/watched-history.json")[:2000],
        HTTPStatus.BAD_REQUEST,
        "history.json is not valid JSON (parse error: premature EOF).",
        "history.json",
    ),
    Refusal(
        # Exact, an integer of thousands of digits crashed the JSON parser's C code.
        "a JSON integer of thousands of digits",
        "films.json",
        b'[{"title": "Arrival", "release_year": ' + b"9" * 5000 + b"}]",
        HTTPStatus.BAD_REQUEST,
        "films.json is not valid JSON (parse error: integer overflow).",
        "films.json",
    ),
    Refusal(
        "a JSON integer past 64 bits in a field the import does not read",
        "watched-history.json",
        b'[{"id": 123456789012345678901234567890, "type": "movie", "watched_at": '
        b'"2024-01-01T00:00:00.000Z", "movie": {"title": "Arrival", "year": 2016}}]',
        HTTPStatus.BAD_REQUEST,
        "watched-history.json is not valid JSON (parse error: integer overflow).",
        "watched-history.json",
    ),
    Refusal(
        "JSON nested deeper than any export",
        "films.json",
        b'[{"title": "Arrival", "release_year": 2016}, ' + b"[" * 5000 + b"]" * 5000 + b"]",
        HTTPStatus.BAD_REQUEST,
        "films.json nests lists or objects more than 32 levels deep.",
        "films.json",
    ),
    Refusal(
        "a deeply nested value in a film",
        "films.json",
        b'[{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b', "release_year": 2016}]',
        HTTPStatus.BAD_REQUEST,
        "films.json nests lists or objects more than 32 levels deep.",
        "films.json",
    ),
    Refusal(
        "a quoted field left open to the end of a large file",
        "open.csv",
        b'title,release_year\n"Arrival,2016\n' + b"Her,2013\n" * 20_000,
        HTTPStatus.BAD_REQUEST,
        "open.csv: line 14565 cannot be read as CSV (field larger than field limit "
        "(131072)); a quoted field may be left open.",
        "open.csv",
    ),
    Refusal(
        "a missing column",
        "watchlist.csv",
        b"Position,Const,Title,Title Type\n1,tt0000002,Arrival,Movie\n",
        HTTPStatus.BAD_REQUEST,
        "watchlist.csv has no Year column, which a file of the format it looks like has (IMDb "
        "list or watchlist export).",
        "watchlist.csv",
    ),
    Refusal(
        "missing columns",
        "diary.csv",
        b"Date,Letterboxd URI,Rating\n2024-01-01,https://boxd.it/2aNK,5\n",
        HTTPStatus.BAD_REQUEST,
        "diary.csv has no Name or Year column, which a file of the format it looks like has "
        "(Letterboxd ratings).",
        "diary.csv",
    ),
    Refusal(
        "a repeated column",
        "films.csv",
        b"title,release_year,title\nArrival,2016,Arrival\n",
        HTTPStatus.BAD_REQUEST,
        "films.csv: column 'title' appears twice in the header.",
        "films.csv",
    ),
    Refusal(
        "an empty file",
        "films.csv",
        b"",
        HTTPStatus.BAD_REQUEST,
        "films.csv is empty.",
        "films.csv",
    ),
    Refusal(
        "blank lines only",
        "films.csv",
        b"\r\n\r\n  \r\n",
        HTTPStatus.BAD_REQUEST,
        "films.csv is empty.",
        "films.csv",
    ),
    Refusal(
        "a header alone",
        "watchlist.csv",
        IMDB_LIST_HEADER,
        HTTPStatus.BAD_REQUEST,
        "watchlist.csv has no rows: only a header.",
        "watchlist.csv",
    ),
    Refusal(
        "an empty JSON list",
        "lists-watchlist.json",
        b"[]\n",
        HTTPStatus.BAD_REQUEST,
        "lists-watchlist.json holds an empty list.",
        "lists-watchlist.json",
    ),
    Refusal(
        "an archive whose lists have headers alone",
        "export.zip",
        zip_of({"watchlist.csv": b"Date,Name,Year,Letterboxd URI\n", "profile.csv": b"a\n"}),
        HTTPStatus.BAD_REQUEST,
        "The files hold no rows.",
    ),
    Refusal(
        "an archive of other files",
        "export.zip",
        zip_of({"profile.csv": b"Date Joined,Username\n2020-01-01,someone\n"}),
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        f"export.zip/profile.csv: no list of films found. Expected {EXPECTED}.",
    ),
    Refusal(
        "Letterboxd's import format (this site's export for Letterboxd)",
        "watchlist.letterboxd.csv",
        sample_bytes("letterboxd/import-format.csv"),
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        f"watchlist.letterboxd.csv: {UNKNOWN}",
        "watchlist.letterboxd.csv",
    ),
    Refusal(
        "the layout IMDb used before 2017",
        "WATCHLIST.csv",
        sample_bytes("imdb/legacy/WATCHLIST.csv"),
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "WATCHLIST.csv is an IMDb export in the layout IMDb used before 2017, which is not "
        "read: export the list again from IMDb.",
        "WATCHLIST.csv",
    ),
]


def limit_of(refusal):
    return override_settings(WATCHLIST_IMPORT_MAX_BYTES=refusal.limit or 64 * 1024 * 1024)


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda refusal: refusal.id)
def test_a_refused_file_gets_its_answer_through_the_api(importer, refusal):
    before = table()
    with limit_of(refusal):
        response = post_import(importer, (refusal.name, refusal.data))

    assert response.status_code == refusal.status
    expected = {"detail": refusal.detail, **({"file": refusal.file} if refusal.file else {})}
    assert response.json() == expected
    assert response["Content-Type"] == "application/json"
    assert table() == before


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda refusal: refusal.id)
def test_a_refused_file_gets_its_answer_on_the_command_line(tmp_path, refusal):
    before = table()
    path = tmp_path / refusal.name
    path.write_bytes(refusal.data)
    with limit_of(refusal), pytest.raises(CommandError) as refused:
        call_command("import_films", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    assert refused.value.returncode == 2
    assert str(refused.value) == refusal.detail
    assert table() == before


def test_a_body_over_the_limit_is_refused_before_it_is_read(importer):
    """The declared length alone: the upload limit, plus room for the form around it."""
    before = table()
    with override_settings(WATCHLIST_IMPORT_MAX_BYTES=1000):
        response = post_import(importer, ("big.csv", NATIVE + b"Heat,1995\n" * 110_000))

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.json() == {"detail": "Request body too large: at most 1049576 bytes."}
    assert table() == before


def test_an_archive_of_too_many_files_is_refused(importer):
    before = table()
    data = zip_of({f"lists/{n}.csv": b"" for n in range(10_001)})

    response = post_import(importer, ("export.zip", data))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "detail": "export.zip holds over 10,000 entries.",
        "file": "export.zip",
    }
    assert table() == before


def test_a_header_alone_inside_an_export_archive_is_fine(importer):
    """A member with no watchlist gets a watchlist.csv with its header alone."""
    data = zip_of(
        {
            "watchlist.csv": b"Date,Name,Year,Letterboxd URI\n",
            "watched.csv": b"Date,Name,Year,Letterboxd URI\n2024-01-02,Arrival,2016,\n",
        }
    )

    response = post_import(importer, ("export.zip", data))

    assert response.status_code == HTTPStatus.OK
    report = response.json()
    assert report["files"] == [
        {
            "name": "export.zip/watchlist.csv",
            "format": "letterboxd-watchlist",
            "format_name": "Letterboxd watchlist",
            "rows": 0,
        },
        {
            "name": "export.zip/watched.csv",
            "format": "letterboxd-watched",
            "format_name": "Letterboxd watched films",
            "rows": 1,
        },
    ]
    assert ("Arrival", 2016, None, True) in [row[:4] for row in films()]


# --- Files with invalid rows ----------------------------------------------------------------

TOO_LONG = "x" * 129
ROWS = (
    "title,release_date,release_year,rating,is_watched,watched_on\n"
    "Good One,2001-02-03,2001,7,true,2024-05-01\n"  # line 2
    f"{TOO_LONG},2002-01-01,2002,,false,\n"  # 3
    "Bad Date,2001-02-30,2001,,false,\n"  # 4
    "Bad Rating,2001-01-01,2001,11,true,\n"  # 5
    '"Year of\nanother date",2001-01-01,2002,,false,\n'  # 6 and 7
    "A Year Sent As A Date,1999,,,false,\n"  # 8
    "Seen Unwatched,,1999,,false,2024-01-01\n"  # 9
    "Too Many,,1999,,false,,extra\n"  # 10
    "Too Few,,1999\n"  # 11
    "Good Two,,1999,,false,\n"  # 12
).encode()
PROBLEMS = [
    {
        "file": "films.csv",
        "line": 3,
        "column": "title",
        "message": "Ensure this field has no more than 128 characters.",
        "value": TOO_LONG,
    },
    {
        "file": "films.csv",
        "line": 4,
        "column": "release_date",
        "message": "Enter a date as YYYY-MM-DD or a UNIX timestamp in seconds.",
        "value": "2001-02-30",
    },
    {
        "file": "films.csv",
        "line": 5,
        "column": "rating",
        "message": "Ensure this value is less than or equal to 10.",
        "value": "11",
    },
    {
        "file": "films.csv",
        "line": 6,
        "column": "release_year",
        "message": "release_year must be the year of release_date (2001).",
        "value": 2002,
    },
    {
        "file": "films.csv",
        "line": 8,
        "column": "release_date",
        "message": "1999 is not a date: send a year as release_year, a date as YYYY-MM-DD.",
        "value": "1999",
    },
    {
        "file": "films.csv",
        "line": 9,
        "column": "watched_on",
        "message": "An unwatched film has no watch date.",
    },
    {"file": "films.csv", "line": 10, "message": "This line has 7 fields; the header has 6."},
    {"file": "films.csv", "line": 11, "message": "This line has 3 fields; the header has 6."},
]
GOOD_ROWS = [
    film("Good One", 2001, "2001-02-03", watched=True, on="2024-05-01", rating=7),
    film("Good Two", 1999),
]


def test_with_abort_an_invalid_row_means_nothing_is_written(importer):
    before = table()

    response = post_import(importer, ("films.csv", ROWS), on_error="abort")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    report = response.json()
    assert report["problems"] == PROBLEMS
    assert (report["written"], report["rows"], report["invalid"]) == (False, 10, 8)
    assert report["created"] == 2  # what the valid rows would have made
    assert table() == before


def test_with_skip_the_valid_rows_are_written_and_the_invalid_reported(importer):
    before = films()

    response = post_import(importer, ("films.csv", ROWS), on_error="skip")

    assert response.status_code == HTTPStatus.OK
    report = response.json()
    assert report["problems"] == PROBLEMS
    assert (report["written"], report["created"], report["invalid"]) == (True, 2, 8)
    assert films() == sorted(before + GOOD_ROWS)


def test_on_the_command_line_invalid_rows_exit_1_and_are_listed(tmp_path):
    before = table()
    path = tmp_path / "films.csv"
    path.write_bytes(ROWS)
    out = io.StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("import_films", str(path), stdout=out, stderr=io.StringIO())

    assert exited.value.code == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == "films.csv: watchlist CSV export, 10 rows"
    assert lines[2] == (
        "  films.csv, line 3, column title: Ensure this field has no more than 128 "
        f"characters. (found: {TOO_LONG!r})"
    )
    assert "  films.csv, line 10: This line has 7 fields; the header has 6." in lines
    assert lines[-1] == (
        "Nothing was imported: 8 rows invalid. Correct them, or import again skipping invalid "
        "rows."
    )
    assert table() == before


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        (
            "diary.csv",
            b"Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
            b"2024-01-01,Arrival,2016,,4.7,,,2024-01-01\n",
            {
                "column": "Rating",
                "message": "A Letterboxd rating is 0.5 to 5, in half steps.",
                "value": "4.7",
            },
        ),
        (
            "diary.csv",
            b"Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
            b"2024-01-01,Arrival,2016,,4,,,2024-13-01\n",
            {
                "column": "Watched Date",
                "message": "This date does not exist.",
                "value": "2024-13-01",
            },
        ),
        (
            "ratings.csv",
            b"Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Runtime (mins),"
            b"Year,Genres,Num Votes,Release Date,Directors\n"
            b"tt2543164,11,2019-03-31,Arrival,u,movie,7.9,116,2016,Drama,1,2016-11-11,d\n",
            {
                "column": "Your Rating",
                "message": "Ensure this value is less than or equal to 10.",
                "value": "11",
            },
        ),
        (
            "watchlist.csv",
            IMDB_LIST_HEADER
            + "1,tt2543164,2024-01-01,2024-01-01,,Arrival,Arrival,u,Movie,7.9,116,"
            "2016\N{EN DASH}2017,Drama,1,,,,\n".encode(),
            {
                "column": "Year",
                "message": "Enter the release year as a number, such as 1999.",
                "value": "2016\N{EN DASH}2017",
            },
        ),
        (
            "films.csv",
            b"title,release_year,is_watched,watched_at\n"
            b"Arrival,2016,true,9999-12-31T23:00:00-05:00\n",
            {
                "column": "watched_at",
                "message": "This date does not exist.",
                "value": "9999-12-31T23:00:00-05:00",
            },
        ),
    ],
    ids=["letterboxd rating", "letterboxd date", "imdb rating", "imdb year", "past year 9999"],
)
def test_a_value_the_api_refuses_is_reported_where_it_is(importer, name, data, problem):
    before = table()

    response = post_import(importer, (name, data))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["problems"] == [{"file": name, "line": 2, **problem}]
    assert table() == before


def test_an_invalid_json_item_is_reported_by_its_path(importer):
    before = table()
    data = (
        b'[{"rated_at": "2024-01-01T00:00:00.000Z", "rating": 11, "type": "movie",'
        b' "movie": {"title": "Arrival", "year": 2016, "ids": {"imdb": "tt2543164"}}}]'
    )

    response = post_import(importer, ("ratings-movies.json", data))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["problems"] == [
        {
            "file": "ratings-movies.json",
            "path": "[0].rating",
            "message": "Ensure this value is less than or equal to 10.",
            "value": 11,
        }
    ]
    assert table() == before


def test_a_watch_moment_before_year_1_in_utc_is_reported_by_its_path(importer):
    before = table()
    data = (
        b'[{"id": 1, "watched_at": "0001-01-01T00:00:00+01:00", "action": "watch",'
        b' "type": "movie", "movie": {"title": "Arrival", "year": 2016}}]'
    )

    response = post_import(importer, ("watched-history.json", data))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["problems"] == [
        {
            "file": "watched-history.json",
            "path": "[0].watched_at",
            "message": "This date does not exist.",
            "value": "0001-01-01T00:00:00+01:00",
        }
    ]
    assert table() == before


def test_every_invalid_row_is_counted_and_the_first_10000_listed(importer, tmp_path):
    """Listing every invalid row of a large file would hold them all in memory."""
    before = table()
    data = b"title,release_year\n" + b",2016\n" * 10_005 + b"Arrival,2016\n"

    response = post_import(importer, ("films.csv", data))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    report = response.json()
    assert (report["rows"], report["invalid"], len(report["problems"])) == (10_006, 10_005, 10_000)
    assert report["problems"][-1] == {
        "file": "films.csv",
        "line": 10_001,
        "column": "title",
        "message": "A film needs a title.",
    }
    assert table() == before
    path = tmp_path / "films.csv"
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_films", str(path), stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[-2:] == [
        "  (the first 10,000 invalid rows are listed)",
        "Nothing was imported: 10,005 rows invalid. Correct them, or import again skipping "
        "invalid rows.",
    ]


def test_an_archive_of_thousands_of_small_lists_is_read_in_little_memory():
    """Each member is opened when its turn comes, not all at once: a 400 kB archive of 3,000
    small lists took 250 MB when they were (a decompressor and buffers for each)."""
    data = zip_of(
        {f"{n}.csv": f"title,release_year\nFilm {n},2000\n".encode() for n in range(3000)}
    )
    tracemalloc.start()
    try:
        report = import_films([Upload.from_bytes("lists.zip", data)], dry_run=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (report.rows, report.created) == (3000, 3000)
    assert peak < 30 * 1024 * 1024, f"{peak:,} bytes at the peak"


def test_a_quote_left_open_is_reported_where_its_row_begins(importer):
    before = table()
    data = b'title,release_year\n"Arrival,2016\nHer,2013\nHeat,1995\n'

    response = post_import(importer, ("films.csv", data))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["problems"] == [
        {
            "file": "films.csv",
            "line": 2,
            "message": "This row, lines 2 to 4, has 1 field; the header has 2. A quoted field "
            "may be left open.",
        }
    ]
    assert table() == before


# --- Fuzzing: whatever a file holds, an answer, never a crash ---------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
# The first item of each JSON format the import reads, whose shape says the format.
JSON_FIRST_ITEMS = [
    json.loads(sample_bytes("trakt/watched-history.json"))[0],
    json.loads(sample_bytes("trakt/lists-watchlist.json"))[0],
    json.loads(sample_bytes("trakt/ratings-movies.json"))[0],
    json.loads(sample_bytes("trakt/export/watched-movies.json"))[0],
    {"title": "Arrival", "release_year": 2016},
]


def mutated(item, draw):
    """`item` with some of its values, at any depth, replaced by anything JSON holds."""
    if isinstance(item, dict):
        return {
            key: draw(JSON_VALUES) if draw(st.integers(0, 4)) == 0 else mutated(value, draw)
            for key, value in item.items()
        }
    return item


@st.composite
def json_files(draw):
    first = draw(st.sampled_from(JSON_FIRST_ITEMS))
    items = [first] + [
        mutated(first, draw) if draw(st.booleans()) else draw(JSON_VALUES)
        for _ in range(draw(st.integers(0, 4)))
    ]
    return json.dumps(items).encode()


def answered(data, name):
    """The import's answer: a report, or a refusal with a 4xx status; anything else fails."""
    try:
        return import_films([Upload.from_bytes(name, data)], dry_run=True)
    except Refused as refusal:
        refused = refusal
    assert 400 <= refused.status < 500, refused.as_dict()
    return refused


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=json_files())
def test_any_json_items_get_an_answer(data):
    outcome = answered(data, "items.json")

    if not isinstance(outcome, Refused):
        assert outcome.rows == len(json.loads(data))
        assert outcome.rows == (
            outcome.created + outcome.merged + outcome.skipped + outcome.invalid
        )


CSV_HEADERS = [
    IMDB_LIST_HEADER.decode().strip(),
    "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date",
    ",".join(NATIVE_COLUMNS),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.sampled_from(CSV_HEADERS),
    rows=st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=20), min_size=1, max_size=4),
)
def test_any_csv_values_get_an_answer(header, rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header.split(","), *rows])
    data = buffer.getvalue().encode("utf-8", "surrogatepass")

    answered(data, "diary.csv")


def test_an_item_that_is_not_an_object_is_reported_and_the_items_after_it_read(importer):
    """A null in the list once ended it there, the items after it silently left out."""
    data = json.dumps(
        [
            {"title": "Arrival", "release_year": 2016},
            None,
            5,
            {"title": "Her", "release_year": 2013},
        ]
    ).encode()

    response = post_import(importer, ("films.json", data), on_error="skip")

    assert response.status_code == HTTPStatus.OK
    report = response.json()
    not_an_object = "Each item of the list is an object ({...}) describing a film; this is not."
    assert report["problems"] == [
        {"file": "films.json", "path": "[1]", "message": not_an_object, "value": "null"},
        {"file": "films.json", "path": "[2]", "message": not_an_object, "value": "5"},
    ]
    assert (report["rows"], report["created"]) == (4, 2)
    assert ("Her", 2013) in [row[:2] for row in films()]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.sampled_from(
        [b"", b"PK\x03\x04", b"[", b"{", b"\xef\xbb\xbf", b"title,release_year\n"]
    ),
    rest=st.binary(max_size=200),
)
def test_any_bytes_get_an_answer(start, rest):
    answered(start + rest, "upload")
