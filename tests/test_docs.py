"""The documentation against the code: the site builds strictly, the configuration page lists
exactly the variables the code reads, the committed OpenAPI schema is the one the code
generates, and every `make` target and management command the docs name exists."""

import ast
import difflib
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

BASE_DIR = Path(__file__).resolve().parents[1]
DOCS = BASE_DIR / "docs"
CONFIGURATION = DOCS / "configuration.md"
SCHEMA = DOCS / "reference" / "openapi.yaml"
# Where the project's code reads its configuration: every module but the tests and the
# benchmark, and the Compose file.
CODE = ["manage.py", "watchlist", "movies", "accounts"]
COMPOSE = BASE_DIR / "docker-compose.yml"
# The strict readers of watchlist/env.py: each takes the variable's name first.
ENV_HELPERS = {name for name in dir(__import__("watchlist.env").env) if name.startswith("env_")}
ENTRY = re.compile(r"^### `(?P<name>\w+)` \{#(?P<anchor>\w+)\}$", re.MULTILINE)
FIELDS = ("Type", "Default", "Example", "Needed by")


def python_modules():
    for root in CODE:
        path = BASE_DIR / root
        for module in [path] if path.is_file() else sorted(path.rglob("*.py")):
            if "tests" not in module.relative_to(BASE_DIR).parts:
                yield module


def variables_read_by(module):
    """The environment variables a module reads: the names it passes to watchlist.env's
    helpers, and those it reads from os.environ (`get`, `[...]`) or with os.getenv, as
    literals or module-level constants. Setting one (`setdefault`, assignment) is no read."""
    tree = ast.parse(module.read_text())
    constants = {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }

    def name_of(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return constants.get(node.id)
        return None

    def is_environ(node):
        return isinstance(node, ast.Attribute) and node.attr == "environ"

    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            function = node.func
            called = getattr(function, "id", None) or getattr(function, "attr", "")
            if (
                called in ENV_HELPERS
                or (called == "get" and is_environ(getattr(function, "value", None)))
                or called == "getenv"
            ):
                found.add(name_of(node.args[0]))
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and is_environ(node.value)
        ):
            found.add(name_of(node.slice))
    return found - {None}


def variables_read_by_the_code():
    read = {}
    for module in python_modules():
        for name in variables_read_by(module):
            read.setdefault(name, []).append(str(module.relative_to(BASE_DIR)))
    for name in re.findall(r"\$\{(\w+)", COMPOSE.read_text()):
        read.setdefault(name, []).append(COMPOSE.name)
    return read


def documented_variables():
    return {match["name"]: match["anchor"] for match in ENTRY.finditer(CONFIGURATION.read_text())}


def test_the_code_reads_the_variables_it_is_known_to_read():
    """The scan itself: a few reads of each kind are found (else the next tests prove
    nothing)."""
    read = variables_read_by_the_code()

    assert "watchlist/settings.py" in read["DJANGO_SECRET_KEY"]  # env_str
    assert "watchlist/gunicorn.conf.py" in read["WEB_CONCURRENCY"]  # env_int
    assert "watchlist/startup.py" in read["MIGRATE_ON_START"]  # env_bool
    assert "watchlist/probe.py" in read["PORT"]  # os.environ.get
    assert "watchlist/observability/metrics.py" in read["PROMETHEUS_MULTIPROC_DIR"]
    assert "watchlist/observability/logs.py" in read["DJANGO_LOG_FORMAT"]  # via a constant
    assert "docker-compose.yml" in read["POSTGRES_PASSWORD"]
    assert "DJANGO_SETTINGS_MODULE" not in read  # only ever set, for Django


def test_every_variable_the_code_reads_has_an_entry_on_the_configuration_page():
    read = variables_read_by_the_code()
    missing = {name: where for name, where in read.items() if name not in documented_variables()}

    assert not missing, (
        "read by the code but not on docs/configuration.md (add an entry: "
        f"### `NAME` {{#NAME}} with {', '.join(FIELDS)}): {missing}"
    )


def test_every_variable_on_the_configuration_page_is_read_by_the_code():
    stale = set(documented_variables()) - set(variables_read_by_the_code())

    assert not stale, f"on docs/configuration.md but read by no code: {sorted(stale)}"


def test_each_entry_is_anchored_by_its_name_and_says_type_default_example_and_who():
    text = CONFIGURATION.read_text()
    entries = list(ENTRY.finditer(text))
    problems = []
    for entry, following in zip(entries, [*entries[1:], None], strict=True):
        body = text[entry.end() : following.start() if following else len(text)]
        body = body.split("\n## ", 1)[0]
        if entry["anchor"] != entry["name"]:
            problems.append(f"{entry['name']}: anchored #{entry['anchor']}")
        problems += [
            f"{entry['name']}: no **{field}:**"
            for field in FIELDS
            if f"- **{field}:**" not in body
        ]

    assert len(entries) == len(documented_variables()), "a variable has two entries"
    assert not problems, problems


@pytest.mark.parametrize("settings_file", [".env.example", "deploy/kubernetes/base/config.env"])
def test_every_variable_the_examples_set_is_documented(settings_file):
    lines = (BASE_DIR / settings_file).read_text().splitlines()
    names = {line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z_]+=", line)}

    assert names - set(documented_variables()) == set()


def run_spectacular(target):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="watchlist.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        WATCHLIST_DATA_DIR=str(target.parent),
    )
    command = [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn"]
    subprocess.run(
        [*command, "--file", str(target)], cwd=BASE_DIR, env=env, check=True, timeout=120
    )


def test_the_committed_schema_is_the_one_the_code_generates(tmp_path):
    generated = tmp_path / "openapi.yaml"
    run_spectacular(generated)

    committed, now = SCHEMA.read_text(), generated.read_text()
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(True), now.splitlines(True), str(SCHEMA), "generated", n=1
        )
    )
    assert committed == now, f"the API changed: run `make schema` and commit it\n{diff[:3000]}"


def test_the_api_reference_page_renders_the_committed_schema():
    page = (DOCS / "reference" / "api.md").read_text()

    assert '<swagger-ui src="openapi.yaml"/>' in page
    assert SCHEMA.parent == (DOCS / "reference")


def named_in_code(text):
    """The inline code and code blocks of a Markdown text."""
    blocks = re.findall(r"^\s*```[^\n]*\n(.*?)^\s*```", text, re.DOTALL | re.MULTILINE)
    without_blocks = re.sub(r"^\s*```[^\n]*\n.*?^\s*```", "", text, flags=re.DOTALL | re.M)
    return blocks + re.findall(r"``?([^`\n]+)``?", without_blocks)


def documentation():
    files = [BASE_DIR / "README.md", BASE_DIR / "SECURITY.md", *sorted(DOCS.rglob("*.md"))]
    return {str(path.relative_to(BASE_DIR)): path.read_text() for path in files}


def makefile_targets():
    """The targets as make reads them (those a pattern makes, `test-py3.12`, included)."""
    database = subprocess.run(
        [
            "make",
            "--print-data-base",
            "--question",
            "--no-builtin-rules",
            "--no-builtin-variables",
            ":",
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return set(re.findall(r"^([a-z][\w.-]*):(?!=)", database, re.MULTILINE))


def test_every_make_target_the_docs_name_exists():
    targets = makefile_targets()
    named = {
        (page, target)
        for page, text in documentation().items()
        for code in named_in_code(text)
        for words in re.findall(
            r"(?:^|[\s;&|(])make((?: +[a-z][\w-]*(?:\.[\w-]+)*(?![\w=-]|\.\w))+)", code
        )
        for target in words.split()
    }

    assert named, "no make target found in the docs: the scan is broken"
    missing = sorted((page, target) for page, target in named if target not in targets)
    assert not missing, f"named in the docs, not in the Makefile: {missing}"


def test_every_management_command_the_docs_name_exists():
    commands = set(get_commands())
    named = {
        (page, command)
        for page, text in documentation().items()
        for code in named_in_code(text)
        for command in re.findall(r"manage\.py\s+([a-z][a-z0-9_]*)", code)
    }

    assert len(named) > 10, "few management commands found in the docs: the scan is broken"
    missing = sorted((page, command) for page, command in named if command not in commands)
    assert not missing, f"named in the docs, not a management command: {missing}"


def test_the_site_builds_strictly_and_shows_the_latest_results(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert built.returncode == 0, built.stdout + built.stderr
    results = json.loads((BASE_DIR / "bench" / "results" / "latest.json").read_text())
    performance = (tmp_path / "performance" / "index.html").read_text()
    assert f"Measured {results['machine']['date']}" in performance
    assert (tmp_path / "assets" / "bench" / "latest.png").is_file()
    assert (tmp_path / "reference" / "openapi.yaml").read_text() == SCHEMA.read_text()


def planned_installs(target, tmp_path):
    """The requirement files `make <target>` installs into a new virtualenv."""
    planned = subprocess.run(
        ["make", "-n", target, f"VENV={tmp_path / 'venv'}"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return re.findall(r"pip install .*?-r (\S+)", planned)


def test_make_run_installs_only_what_serving_needs(tmp_path):
    assert planned_installs("run", tmp_path) == ["requirements.txt"]
    runtime = (BASE_DIR / "requirements.txt").read_text().lower()
    for tool in ("pytest", "playwright", "schemathesis", "ruff", "mkdocs"):
        assert f"\n{tool}" not in runtime


@pytest.mark.parametrize(
    ("target", "files"),
    [
        ("docs", ["requirements.txt", "requirements-docs.txt"]),
        ("test", ["requirements.txt", "requirements-docs.txt", "requirements-dev.txt"]),
    ],
)
def test_the_other_targets_add_their_tools_on_top(tmp_path, target, files):
    assert planned_installs(target, tmp_path) == files
