"""The newest cell of the test matrix (requirements-newest.txt) installs every package the
project itself names in requirements.txt: one missing there fails that cell's import of the
project, not the upgrade it is meant to try."""

import re

from watchlist.tests.live import BASE_DIR


def names(path, direct_only=False):
    found = set()
    for line in (BASE_DIR / path).read_text().splitlines():
        if not line.strip() or line.startswith(("#", " ", "-")):
            continue
        if direct_only and "#" not in line:  # pip-compile's indirect pins carry no comment
            continue
        found.add(re.split(r"[\[=<>~! ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return found


def test_the_newest_cell_installs_every_package_the_project_names():
    missing = names("requirements.txt", direct_only=True) - names("requirements-newest.txt")

    assert not missing, f"add to requirements-newest.txt: {sorted(missing)}"
