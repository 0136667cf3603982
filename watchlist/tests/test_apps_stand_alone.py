"""Apps never import each other: what two apps share lives in the project package.

Every module of each of the project's apps (its tests, migrations and commands included) is
parsed, and each import it makes is checked against the other apps' names.
"""

import ast
from pathlib import Path

from django.apps import apps

from watchlist.tests.live import BASE_DIR

PROJECT_PACKAGE = "watchlist"


def project_apps():
    """{top-level package: its directory} of the installed apps that are this
    repository's own (not a library's), outside the project package."""
    found = {}
    for config in apps.get_app_configs():
        top = config.name.split(".")[0]
        directory = BASE_DIR / top
        if top != PROJECT_PACKAGE and Path(config.path).resolve().is_relative_to(directory):
            found[top] = directory
    return found


def imported_modules(source, module_name):
    """(line, module) for each import in `source`, the module of `module_name`; relative
    imports are resolved against its package."""
    package = module_name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            yield node.lineno, module


def imports_of_other_apps(app, directory, others):
    for path in sorted(directory.rglob("*.py")):
        module_name = ".".join(path.relative_to(BASE_DIR).with_suffix("").parts)
        for line, module in imported_modules(path.read_text(), module_name):
            if module.split(".")[0] in others:
                yield f"{path.relative_to(BASE_DIR)}:{line} imports {module}"


def test_the_project_has_apps_to_check():
    assert {"accounts", "movies"} <= set(project_apps())


def test_no_app_imports_another():
    found = project_apps()
    crossings = [
        crossing
        for app, directory in found.items()
        for crossing in imports_of_other_apps(app, directory, set(found) - {app})
    ]

    assert not crossings, (
        "Apps never import each other; move what they share to the project package "
        f"({PROJECT_PACKAGE}/):\n" + "\n".join(crossings)
    )


def test_every_form_of_import_is_seen():
    source = (
        "import movies.models\n"
        "from movies import reads\n"
        "def later():\n"
        "    from movies.views import MovieViewSet\n"
        "from . import tokens\n"
        "from ..signin import PASSWORD\n"
    )

    found = list(imported_modules(source, "accounts.tests.test_tokens"))

    assert found == [
        (1, "movies.models"),
        (2, "movies"),
        (5, "accounts.tests"),
        (6, "accounts.signin"),
        (4, "movies.views"),
    ]
