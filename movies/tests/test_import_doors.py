"""The import's three doors (the command line, the API, the admin) and the export's: who may
use them, what each answers, and that all three give the same report for the same file."""

import io
import json
import os
import pty
import re
import subprocess
import sys
import threading
from datetime import date, timedelta
from http import HTTPStatus

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from movies.models import Movie, PendingImport
from movies.tests.factories import make_movie
from movies.tests.import_support import (
    film,
    films,
    post_import,
    report_in_page,
    sample_bytes,
    table,
    upload,
    zip_of_folder,
)
from watchlist.tests.live import BASE_DIR, fresh_database_url, manage, server_env

pytestmark = pytest.mark.django_db


# --- The command line -----------------------------------------------------------------------


def write_once(pipe, data, read):
    """Writes `data` into the pipe; if the reader then opens it again (to wait for more that
    never comes), gives it an end of file once `read` has waited long enough."""
    pipe.write_bytes(data)
    if read.wait(timeout=30):
        return
    while not read.is_set():
        try:
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:  # no reader yet
            read.wait(timeout=0.05)


def test_the_command_line_reads_a_pipe(tmp_path):
    """A pipe (`import_films <(unzip -p export.zip diary.csv)`) is read once, as it comes."""
    pipe = tmp_path / "diary.csv"
    os.mkfifo(pipe)
    data = sample_bytes("letterboxd/export/diary.csv")
    read = threading.Event()
    writer = threading.Thread(target=write_once, args=(pipe, data, read), daemon=True)
    writer.start()
    out = io.StringIO()

    try:
        call_command("import_films", str(pipe), "--json", stdout=out, stderr=io.StringIO())
    finally:
        read.set()
        writer.join(timeout=60)

    report = json.loads(out.getvalue())
    assert report["files"][0] == {
        "name": "diary.csv",
        "format": "letterboxd-diary",
        "format_name": "Letterboxd diary",
        "rows": 8,
    }
    assert report["created"] == 8
    assert film("Whiplash", 2014, watched=True, on="2023-09-15", rating=8) in films()


def cli(*arguments):
    """`import_films` as a person runs it: (exit status, standard output, standard error)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_films", *map(str, arguments), stdout=out, stderr=err)
    except SystemExit as exited:
        return exited.code, out.getvalue(), err.getvalue()
    except CommandError as refused:
        return refused.returncode, out.getvalue(), f"CommandError: {refused}\n"
    return 0, out.getvalue(), err.getvalue()


def written(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_command_line_imports_and_says_what_it_did(tmp_path):
    status, out, _ = cli(written(tmp_path, "watchlist.csv", sample_bytes("imdb/watchlist.csv")))

    assert status == 0
    assert out.splitlines() == [
        "watchlist.csv: IMDb list or watchlist export, 13 rows",
        "13 rows: 9 films added, 0 completed, 0 already there; 0 rows merged into a film met "
        "earlier, 4 skipped (not films), 0 invalid.",
        "Imported.",
    ]
    assert len(films()) == 9


def test_the_command_line_dry_run_writes_nothing(tmp_path):
    make_movie("Already here")
    before = table()

    status, out, _ = cli(
        written(tmp_path, "diary.csv", sample_bytes("letterboxd/export/diary.csv")), "--dry-run"
    )

    assert status == 0
    assert out.splitlines()[1:] == [
        "8 rows: 8 films to add, 0 to complete, 0 already there; 0 rows merged into a film met "
        "earlier, 0 skipped (not films), 0 invalid.",
        "Dry run: nothing was written.",
    ]
    assert table() == before


INVALID = b"title,release_year,rating\nGood,2001,7\nBad,2002,11\n"


def test_the_command_line_exits_1_on_invalid_rows_and_writes_nothing_by_default(tmp_path):
    status, out, _ = cli(written(tmp_path, "films.csv", INVALID))

    assert status == 1
    assert out.splitlines()[2:] == [
        "  films.csv, line 3, column rating: Ensure this value is less than or equal to 10. "
        "(found: '11')",
        "Nothing was imported: 1 row invalid. Correct it, or import again skipping invalid rows.",
    ]
    assert films() == []


def test_the_command_line_skips_invalid_rows_when_told_and_still_exits_1(tmp_path):
    status, out, _ = cli(written(tmp_path, "films.csv", INVALID), "--skip-invalid")

    assert status == 1
    assert out.splitlines()[-1] == "Imported."
    assert films() == [film("Good", 2001, rating=7)]


def test_the_command_line_exits_0_when_rows_are_skipped_as_not_films(tmp_path):
    status, _, _ = cli(written(tmp_path, "ratings.csv", sample_bytes("imdb/ratings.csv")))

    assert status == 0
    assert len(films()) == 9


def test_the_command_line_refuses_a_missing_file_with_exit_2(tmp_path):
    status, out, err = cli(tmp_path / "nowhere.csv")

    assert status == 2
    assert out == ""
    assert err == f"CommandError: {tmp_path / 'nowhere.csv'}: No such file or directory\n"


def test_the_command_line_refuses_a_folder_with_exit_2(tmp_path):
    status, out, err = cli(tmp_path)

    assert status == 2
    assert out == ""
    assert err == f"CommandError: {tmp_path}: Is a directory\n"


def test_the_command_line_reports_progress_every_10000_rows(tmp_path):
    data = b"title,release_year\n" + b"".join(
        f"Film {n},{1900 + n % 100}\n".encode() for n in range(25_000)
    )

    status, _, err = cli(written(tmp_path, "films.csv", data))

    assert status == 0
    assert err.splitlines() == ["10,000 rows read", "20,000 rows read"]
    assert Movie.objects.count() == 25_000


def test_on_a_terminal_the_command_line_shows_a_progress_bar(tmp_path):
    """Standard error on a terminal (a pseudo-terminal here): tqdm's bar, with the bytes read
    and the rows, in place of the plain lines; the bar is gone once the import ends."""
    data = b"title,release_year\n" + b"".join(
        f"Film {n},{1900 + n % 100}\n".encode() for n in range(25_000)
    )
    controller, terminal = pty.openpty()
    shown = bytearray()
    reader = threading.Thread(target=read_all, args=(controller, shown), daemon=True)
    reader.start()
    with os.fdopen(terminal, "w") as err:
        out = io.StringIO()
        call_command(
            "import_films", str(written(tmp_path, "films.csv", data)), stdout=out, stderr=err
        )
    reader.join(timeout=30)

    screen = shown.decode()
    assert "rows read" not in screen
    # Bytes read of the total, and rows (shown as often as tqdm refreshes: not every update).
    assert re.search(r"\| [\d.]+k?/389k \[[^\r]*, rows=\d+\]", screen)
    assert re.fullmatch(r".*\r +\r", screen, re.DOTALL)  # then the line is cleared
    assert out.getvalue().splitlines()[-1] == "Imported."
    assert Movie.objects.count() == 25_000


def read_all(descriptor, into):
    """What a terminal shows, until the program's side closes."""
    while True:
        try:
            chunk = os.read(descriptor, 65536)
        except OSError:  # the other side closed (EIO)
            break
        if not chunk:
            break
        into.extend(chunk)
    os.close(descriptor)


def test_the_command_line_reads_several_files_as_one_import(tmp_path):
    folder = "letterboxd/export"
    paths = [
        written(tmp_path, name, sample_bytes(f"{folder}/{name}"))
        for name in ("watchlist.csv", "diary.csv")
    ]

    status, out, _ = cli(*paths, "--json")

    assert status == 0
    report = json.loads(out)
    assert [listed["name"] for listed in report["files"]] == ["watchlist.csv", "diary.csv"]
    # Past Lives: on the watchlist, then in the diary.
    assert (report["created"], report["merged"]) == (14, 1)


def test_the_real_command_exits_0_1_or_2(tmp_path):
    """The exit statuses as a shell sees them, from `manage.py import_films` on a database
    of its own."""
    url, cleanup = fresh_database_url(tmp_path)
    try:
        env = server_env(url, tmp_path)
        manage(env, "migrate", "-v0")
        runs = {
            name: subprocess.run(
                [sys.executable, "manage.py", "import_films", str(written(tmp_path, name, data))],
                cwd=BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            for name, data in (
                ("diary.csv", sample_bytes("letterboxd/export/diary.csv")),
                ("films.csv", INVALID),
                ("WATCHLIST.csv", sample_bytes("imdb/legacy/WATCHLIST.csv")),
            )
        }
    finally:
        if cleanup:
            cleanup()

    assert runs["diary.csv"].returncode == 0, runs["diary.csv"].stderr
    assert runs["diary.csv"].stdout.splitlines()[-1] == "Imported."
    assert runs["films.csv"].returncode == 1
    assert "films.csv, line 3, column rating" in runs["films.csv"].stdout
    assert runs["WATCHLIST.csv"].returncode == 2
    assert runs["WATCHLIST.csv"].stdout == ""
    assert runs["WATCHLIST.csv"].stderr == (
        "CommandError: WATCHLIST.csv is an IMDb export in the layout IMDb used before 2017, "
        "which is not read: export the list again from IMDb.\n"
    )


# --- The API ----------------------------------------------------------------------------------

DIARY = ("diary.csv", sample_bytes("letterboxd/export/diary.csv"))


def test_an_anonymous_import_is_refused(anon_client):
    response = post_import(anon_client, DIARY)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert films() == []


def test_an_import_by_a_user_who_may_not_add_films_is_refused(token_client):
    response = post_import(token_client, DIARY)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {
        "detail": "Importing needs a staff account or the permission to add films."
    }
    assert films() == []


def test_a_user_given_the_permission_to_add_films_may_import(token_client, user):
    user.user_permissions.add(Permission.objects.get(codename="add_movie"))

    response = post_import(token_client, DIARY)

    assert response.status_code == HTTPStatus.OK
    assert response.json()["created"] == 8
    assert len(films()) == 8


def test_a_staff_member_may_import(importer):
    response = post_import(importer, DIARY)

    assert response.status_code == HTTPStatus.OK
    assert response.json()["written"] is True
    assert len(films()) == 8


def test_a_signed_in_staff_member_imports_with_the_csrf_token(staff):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff)

    refused = post_import(client, DIARY)
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert "CSRF" in refused.json()["detail"]
    assert films() == []

    client.get(reverse("movie-list"), HTTP_ACCEPT="text/html")
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("film-import"),
        {"file": [upload(*DIARY)]},
        format="multipart",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == HTTPStatus.OK
    assert len(films()) == response.json()["created"] == 8


def test_an_api_dry_run_writes_nothing(importer):
    response = post_import(importer, DIARY, dry_run=True)

    assert response.status_code == HTTPStatus.OK
    assert (response.json()["written"], response.json()["created"]) == (False, 8)
    assert films() == []


def test_an_unknown_on_error_is_refused(importer):
    response = post_import(importer, DIARY, on_error="ignore")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"on_error": ['"ignore" is not a valid choice.']}
    assert films() == []


def test_an_import_without_a_file_is_refused(importer):
    response = importer.post(reverse("film-import"), {"dry_run": "true"}, format="multipart")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"file": ["This field is required."]}


def test_several_files_are_one_import(importer):
    response = post_import(
        importer,
        ("watchlist.csv", sample_bytes("letterboxd/export/watchlist.csv")),
        ("history.json", sample_bytes("trakt/watched-history.json")),
    )

    assert response.status_code == HTTPStatus.OK
    report = response.json()
    assert [listed["format"] for listed in report["files"]] == [
        "letterboxd-watchlist",
        "trakt-history",
    ]
    # Crouching Tiger, Hidden Dragon is in both, The Dark Knight twice in the history.
    assert len(films()) == report["created"] == 10
    assert report["merged"] == 2


def test_get_on_the_import_route_is_not_allowed(anon_client):
    response = anon_client.get(reverse("film-import"))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response.json() == {"detail": 'Method "GET" not allowed.'}


# --- The admin ------------------------------------------------------------------------------

IMPORT_PAGE = reverse("admin:movies_movie_import")
CHANGELIST = reverse("admin:movies_movie_changelist")


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def admin_upload(client, name, data, skip_invalid=False):
    form = {"file": upload(name, data)}
    if skip_invalid:
        form["skip_invalid"] = "on"
    return client.post(IMPORT_PAGE, form)


def confirm_url(pending):
    return reverse("admin:movies_movie_import_confirm", args=[pending.pk])


def test_the_films_list_links_to_the_import_page(admin_client):
    response = admin_client.get(CHANGELIST)

    assert f'<a href="{IMPORT_PAGE}">Import films</a>' in response.content.decode()


def test_the_import_page_offers_a_file_and_the_choice_to_skip_invalid_rows(admin_client):
    response = admin_client.get(IMPORT_PAGE)

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert (
        '<input type="file" name="file" required aria-describedby="id_file_helptext" id="id_file">'
    ) in page
    assert '<div class="help" id="id_file_helptext">An export of IMDb' in page
    assert 'id="id_skip_invalid"' in page
    assert "Files up to 64.0\xa0MB." in page


def test_an_upload_shows_a_preview_and_writes_nothing(admin_client, staff):
    response = admin_upload(admin_client, *DIARY)

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "<h1>Import preview</h1>" in page
    assert "8 rows: 8 films to add, 0 to complete" in page
    assert "What will change" in page
    assert "<td>Whiplash</td><td>2014</td>" in page
    report = report_in_page(page)
    assert (report["written"], report["dry_run"], report["created"]) == (False, True, 8)
    pending = PendingImport.objects.get()
    assert (pending.user, pending.name, bytes(pending.data)) == (staff, "diary.csv", DIARY[1])
    assert f'action="{confirm_url(pending)}"' in page
    assert films() == []


def test_the_preview_shows_what_a_film_gains_as_the_admin_shows_a_film(admin_client):
    make_movie("Whiplash", date(2014, 10, 10))

    page = admin_upload(admin_client, *DIARY).content.decode()

    # Field names as the admin names them, yes or no, dates as the admin writes them; the
    # report's JSON keeps the field names and ISO 8601.
    assert "<td>watched: yes; rating: 8; watched on: Sept. 15, 2023</td>" in page
    (change,) = [c for c in report_in_page(page)["changes"] if c["action"] == "update"]
    assert change["fields"] == {"is_watched": True, "rating": 8, "watched_on": "2023-09-15"}


def test_confirming_imports_the_file_and_forgets_it(admin_client):
    admin_upload(admin_client, *DIARY)
    pending = PendingImport.objects.get()

    response = admin_client.post(confirm_url(pending), follow=True)

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "<h1>Imported films</h1>" in page
    assert '<li class="success">Imported.</li>' in page
    assert report_in_page(page)["written"] is True
    assert [row[3] for row in films()] == [True] * 8
    assert not PendingImport.objects.exists()


def test_a_second_confirmation_finds_nothing_to_import(admin_client):
    admin_upload(admin_client, *DIARY)
    pending = PendingImport.objects.get()
    admin_client.post(confirm_url(pending))
    once = table()

    response = admin_client.post(confirm_url(pending))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert table() == once


def test_someone_else_cannot_confirm_a_pending_import(admin_client, client, django_user_model):
    admin_upload(admin_client, *DIARY)
    pending = PendingImport.objects.get()
    other = django_user_model.objects.create_user(
        "other-curator", password="a-long-test-password", is_staff=True, is_superuser=True
    )
    client.force_login(other)

    response = client.post(confirm_url(pending))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert films() == []
    assert PendingImport.objects.filter(pk=pending.pk).exists()


def test_confirming_by_get_goes_back_to_the_import_page(admin_client):
    admin_upload(admin_client, *DIARY)
    pending = PendingImport.objects.get()

    response = admin_client.get(confirm_url(pending))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == IMPORT_PAGE
    assert films() == []


def test_staff_without_the_permission_to_add_films_may_not_import(client, django_user_model):
    viewer = django_user_model.objects.create_user(
        "viewer-staff", password="a-long-test-password", is_staff=True
    )
    viewer.user_permissions.add(Permission.objects.get(codename="view_movie"))
    client.force_login(viewer)

    page = client.get(IMPORT_PAGE)
    upload_response = admin_upload(client, *DIARY)
    changelist = client.get(CHANGELIST)

    assert page.status_code == upload_response.status_code == HTTPStatus.FORBIDDEN
    assert "Import films" not in changelist.content.decode()
    assert not PendingImport.objects.exists()
    assert films() == []


def test_a_refused_file_is_shown_on_the_import_page(admin_client):
    response = admin_upload(
        admin_client, "WATCHLIST.csv", sample_bytes("imdb/legacy/WATCHLIST.csv")
    )

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "<h1>Import films</h1>" in page
    assert "WATCHLIST.csv is an IMDb export in the layout IMDb used before 2017" in page
    assert not PendingImport.objects.exists()


def test_invalid_rows_can_only_be_skipped(admin_client):
    response = admin_upload(admin_client, "films.csv", INVALID)

    page = response.content.decode()
    assert "Nothing can be imported while rows are invalid." in page
    assert 'id="confirm-form"' not in page
    assert "<td>films.csv</td><td>3</td>" in page

    skipping = admin_upload(admin_client, "films.csv", INVALID, skip_invalid=True)
    pending = PendingImport.objects.get(on_error="skip")
    assert 'id="confirm-form"' in skipping.content.decode()
    admin_client.post(confirm_url(pending))
    assert films() == [film("Good", 2001, rating=7)]


def test_pending_imports_older_than_a_day_are_deleted(admin_client, staff):
    old = PendingImport.objects.create(user=staff, name="old.csv", data=b"", on_error="abort")
    PendingImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))

    admin_upload(admin_client, *DIARY)

    assert [pending.name for pending in PendingImport.objects.all()] == ["diary.csv"]


@pytest.mark.parametrize(
    ("action", "content_type", "extension", "first_line"),
    [
        ("export_csv", "text/csv", "csv", "id,title,release_date,release_year,is_watched"),
        ("export_json", "application/json", "json", '[{"id":'),
        ("export_letterboxd", "text/csv", "letterboxd.csv", "LetterboxdURI,tmdbID,imdbID"),
    ],
)
def test_the_export_actions_export_the_chosen_films(
    admin_client, action, content_type, extension, first_line
):
    chosen = [make_movie("Chosen"), make_movie("Also chosen")]
    make_movie("Not chosen")

    response = admin_client.post(
        CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: [movie.pk for movie in chosen]}
    )

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == f"{content_type}; charset=utf-8"
    today = timezone.now().date().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="watchlist-{today}.{extension}"'
    )
    body = b"".join(response.streaming_content).decode()
    assert body.startswith(first_line)
    assert "Also chosen" in body
    assert "Not chosen" not in body


# --- One report, whichever the door -----------------------------------------------------------

SAME_REPORT_FILES = [
    ("watchlist.csv", "imdb/watchlist.csv"),
    ("list.csv", "imdb/list.csv"),
    ("WATCHLIST.csv", "imdb/older/WATCHLIST.csv"),
    ("diary.csv", "letterboxd/export/diary.csv"),
    ("reviews.csv", "letterboxd/export/reviews.csv"),
    ("watched-history.json", "trakt/watched-history.json"),
    ("lists-watchlist.json", "trakt/lists-watchlist.json"),
]


def same_report_cases():
    cases = [(name, sample_bytes(path)) for name, path in SAME_REPORT_FILES]
    cases.append(("letterboxd.zip", zip_of_folder("letterboxd/export")))
    cases.append(("trakt.zip", zip_of_folder("trakt/export")))
    return [pytest.param(name, data, id=name) for name, data in cases]


def list_as_it_was():
    """An empty list but for one film the samples have, known only by its year and id."""
    Movie.objects.all().delete()
    make_movie("Amélie", release_date=None, release_year=2001, imdb_id="tt0211915")


def three_doors(tmp_path, admin_client, importer, name, data, dry_run):
    """The report of `name` imported through the command line, the API and the admin, each
    into the same list."""
    list_as_it_was()
    path = written(tmp_path, name, data)
    _, out, _ = cli(path, "--json", *(["--dry-run"] if dry_run else []))
    by_cli = json.loads(out)

    list_as_it_was()
    by_api = post_import(importer, (name, data), dry_run=dry_run).json()

    list_as_it_was()
    PendingImport.objects.all().delete()
    page = admin_upload(admin_client, name, data)
    if not dry_run:
        page = admin_client.post(confirm_url(PendingImport.objects.get()))
    by_admin = report_in_page(page.content.decode())
    return by_cli, by_api, by_admin


@pytest.mark.parametrize(("name", "data"), same_report_cases())
def test_the_three_doors_give_the_same_report(tmp_path, admin_client, importer, name, data):
    preview = three_doors(tmp_path, admin_client, importer, name, data, dry_run=True)
    done = three_doors(tmp_path, admin_client, importer, name, data, dry_run=False)

    assert preview[0]["dry_run"] is True
    assert preview[0] == preview[1] == preview[2]
    assert done[0]["written"] is True
    assert done[0] == done[1] == done[2]
    assert {**preview[0], "dry_run": False, "written": True} == done[0]


def test_the_three_doors_give_the_same_report_of_invalid_rows(tmp_path, admin_client, importer):
    before = table()
    path = written(tmp_path, "films.csv", INVALID)
    status, out, _ = cli(path, "--json")
    response = post_import(importer, ("films.csv", INVALID))
    page = admin_upload(admin_client, "films.csv", INVALID)

    by_cli, by_api, by_admin = (
        json.loads(out),
        response.json(),
        report_in_page(page.content.decode()),
    )
    assert (status, response.status_code) == (1, HTTPStatus.BAD_REQUEST)
    assert {**by_cli, "dry_run": True} == {**by_api, "dry_run": True} == by_admin
    assert by_cli["problems"] == [
        {
            "file": "films.csv",
            "line": 3,
            "column": "rating",
            "message": "Ensure this value is less than or equal to 10.",
            "value": "11",
        }
    ]
    assert table() == before


# --- Uploads larger than the API's other routes take ------------------------------------------

LARGE = b"title,release_year\n" + b"".join(f"Film {n},2000\n".encode() for n in range(8000))


def test_the_api_import_takes_a_file_past_the_usual_body_limit(importer, settings):
    assert len(LARGE) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = post_import(importer, ("films.csv", LARGE), dry_run=True)

    assert response.status_code == HTTPStatus.OK
    assert response.json()["created"] == 8000


def test_the_admin_import_takes_a_file_past_the_usual_body_limit(admin_client, settings):
    assert len(LARGE) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = admin_upload(admin_client, "films.csv", LARGE)

    assert response.status_code == HTTPStatus.OK
    assert report_in_page(response.content.decode())["created"] == 8000
    assert bytes(PendingImport.objects.get().data) == LARGE


def test_other_routes_keep_the_usual_body_limit(importer, settings):
    response = importer.post(reverse("movie-list"), LARGE, content_type="text/csv")

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.json() == {
        "detail": f"Request body too large: at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    }
