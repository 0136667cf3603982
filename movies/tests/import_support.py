"""What the import and export tests share: the sample exports, archives built from them, the
film table as plain values, and the API's import route."""

import io
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from movies.models import Movie

SAMPLES = Path(__file__).resolve().parent / "samples"
# Every column of a film but its id, in the model's order.
COLUMNS = (
    "title",
    "release_year",
    "release_date",
    "is_watched",
    "watched_at",
    "watched_on",
    "rating",
    "imdb_id",
    "tmdb_id",
    "letterboxd_uri",
)


def sample(relative):
    return SAMPLES / relative


def sample_bytes(relative):
    return sample(relative).read_bytes()


def zip_of(files, compression=zipfile.ZIP_DEFLATED):
    """A ZIP archive (bytes) of `files`, {path inside: bytes}, in the order given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_of_folder(folder):
    """A ZIP archive of a sample folder, its files at the archive's root, in path order (as
    an export's archive holds them)."""
    root = sample(folder)
    paths = sorted(path for path in root.rglob("*") if path.is_file())
    return zip_of({path.relative_to(root).as_posix(): path.read_bytes() for path in paths})


def with_bom_and_crlf(data):
    """The bytes as a Windows program saves them: a UTF-8 BOM, CRLF line ends."""
    return b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")


def film(
    title,
    year,
    released=None,
    *,
    watched=False,
    at=None,
    on=None,
    rating=None,
    imdb=None,
    tmdb=None,
    letterboxd=None,
):
    """A film as `films()` gives it: `released` and `on` as ISO dates, `at` as an ISO
    moment in UTC."""
    at = datetime.fromisoformat(at).astimezone(UTC) if at else None
    return (
        title,
        year,
        date.fromisoformat(released) if released else None,
        watched,
        at,
        date.fromisoformat(on) if on else (at.date() if at else None),
        rating,
        imdb,
        tmdb,
        letterboxd,
    )


def films():
    """Every film, without its id, by title and year."""
    rows = Movie.objects.values_list(*COLUMNS)
    return sorted(
        (tuple(normalised(value) for value in row) for row in rows), key=lambda r: (r[0], r[1])
    )


def normalised(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


def table():
    """The whole table, ids and every column, to show that something changed nothing."""
    return [
        tuple(normalised(value) for value in row)
        for row in Movie.objects.order_by("id").values_list()
    ]


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def post_import(client, *files, **options):
    """POST /api/import/ with `files` ((name, bytes) pairs) and options; the response."""
    payload = {"file": [upload(name, data) for name, data in files]}
    payload.update({key: str(value).lower() for key, value in options.items()})
    return client.post(reverse("film-import"), payload, format="multipart")


def report_in_page(html):
    """The report a page of the admin's import embeds (`json_script`), as a dict."""
    marker = '<script id="import-report" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start : html.index("</script>", start)])
