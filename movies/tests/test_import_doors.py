"""The import's three doors (the command line, the API, the admin) and the export's: who may
use them, what each answers, and that all three give the same report for the same file."""

import io
import json
import os
import threading

import pytest
from django.core.management import call_command

from movies.tests.import_support import film, films, sample_bytes

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
