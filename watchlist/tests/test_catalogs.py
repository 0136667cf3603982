"""The translation catalogs are complete and current.

`make messages` runs in a scratch copy of the project: it collects every string marked for
translation into each catalog (locale/<code>/LC_MESSAGES/django.po) and compiles it. What it
writes must be what is committed: no string missing, none left over, none fuzzy or empty,
and the committed django.mo compiled from the committed django.po.
"""

import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from watchlist.tests.live import BASE_DIR

# What `make messages` reads: the code, the templates, the catalogs, and how to run it.
COPIED = ["manage.py", "Makefile", "requirements.txt", "watchlist", "movies", "accounts"]
LOCALE = BASE_DIR / "locale"


def catalogs(root):
    return sorted((root / "locale").glob("*/LC_MESSAGES/django.po"))


def gettext_tool(name):
    path = shutil.which(name)
    assert path, f"{name} is missing: install GNU gettext (Debian: apt-get install gettext)"
    return path


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A copy of the project after `make messages`."""
    root = tmp_path_factory.mktemp("project")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = BASE_DIR / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=ignore)
        else:
            shutil.copy2(source, root / name)
    shutil.copytree(LOCALE, root / "locale")
    for tool in ("xgettext", "msgmerge", "msgfmt"):
        gettext_tool(tool)
    venv = Path(sys.prefix)
    # This interpreter's virtualenv, taken as it is (never set up again by make).
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", f"{venv}/bin/.installed-runtime", "messages"],
        cwd=root,
        env={"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "VENV": str(venv), "HOME": str(root)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_every_language_has_a_catalog():
    codes = {path.parent.parent.name for path in catalogs(BASE_DIR)}
    assert codes == {code for code, name in settings.LANGUAGES} - {"en"}
    assert settings.LOCALE_PATHS == [LOCALE]


def test_no_string_is_missing_fuzzy_or_empty(scratch):
    for catalog in catalogs(scratch):
        for problem in ("--untranslated", "--only-fuzzy"):
            found = subprocess.run(
                [gettext_tool("msgattrib"), problem, "--no-obsolete", str(catalog)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            assert not found, (
                f"{catalog.relative_to(scratch)}: entries {problem} after make messages; "
                f"translate them:\n{found}"
            )


def test_the_committed_catalogs_are_what_make_messages_writes(scratch):
    for catalog in catalogs(scratch):
        committed = BASE_DIR / catalog.relative_to(scratch)
        assert without_creation_date(committed) == without_creation_date(catalog), (
            f"{committed.relative_to(BASE_DIR)} is not current: run make messages"
        )


def test_the_compiled_catalogs_are_compiled_from_the_committed_ones(scratch):
    for catalog in catalogs(scratch):
        compiled = catalog.with_suffix(".mo")
        committed = BASE_DIR / compiled.relative_to(scratch)
        assert committed.is_file(), f"{committed.relative_to(BASE_DIR)} is missing"
        assert mo_messages(committed) == mo_messages(compiled), (
            f"{committed.relative_to(BASE_DIR)} is not compiled from its .po: run make messages"
        )


def without_creation_date(path):
    return [line for line in path.read_text().splitlines() if "POT-Creation-Date" not in line]


def mo_messages(path):
    """The {original: translation} of a GNU .mo file (its documented format), header
    excluded: two tables of (length, offset) pairs, one for the originals, one for the
    translations."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    count, originals, translations = struct.unpack(f"{order}3I", data[8:20])

    def string(table, index):
        length, offset = struct.unpack(
            f"{order}2I", data[table + 8 * index : table + 8 * index + 8]
        )
        return data[offset : offset + length].decode()

    pairs = ((string(originals, index), string(translations, index)) for index in range(count))
    return {original: translated for original, translated in pairs if original}
