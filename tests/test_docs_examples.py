"""Every shell example in the documentation runs as shown, against a live server.

A reader's copy of the project serves with `make run`, as Getting started says; then each
page's sessions run in the order of the site's navigation, each page in a fresh shell that
has what Getting started leaves a reader: alice's password in `PASSWORD`, a token of hers in
`TOKEN`. What a command prints must be what the page
shows (`...` for what changes from run to run). Only the server's address and the names of
new PostgreSQL databases differ from the page: the examples say 127.0.0.1:8000 and
`watchlist`; here each runs on a free port, with databases of the run's own, dropped after.
(tests/examples.py reads and runs the examples.)
"""

import os
import re
import sqlite3
import uuid

import psycopg
import pytest

from tests.examples import BASE_DIR, Session, blocks, matches, project_copy
from watchlist.tests.live import free_port

POSTGRES_SERVER = os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/watchlist")
POSTGRES_SERVER = POSTGRES_SERVER.rsplit("/", 1)[0] + "/postgres"
FIRST = "getting-started.md"


def nav_pages():
    """The pages in the site's order (mkdocs.yml's nav), the README after Getting started."""
    nav = (BASE_DIR / "mkdocs.yml").read_text().split("\nnav:\n", 1)[1]
    pages = re.findall(r"(\S+\.md)\s*$", nav, re.MULTILINE)
    pages.insert(pages.index(FIRST) + 1, "README.md")
    return pages


def source(page):
    return BASE_DIR / page if page == "README.md" else BASE_DIR / "docs" / page


def every_page():
    return ["README.md", *(str(p.relative_to(BASE_DIR / "docs")) for p in markdown_files())]


def markdown_files():
    return sorted(p for p in (BASE_DIR / "docs").rglob("*.md") if "hooks" not in p.parts)


class Reader:
    """The project as a reader has it: a copy, its server, their shell's starting state."""

    def __init__(self, tmp_path):
        self.work = tmp_path
        self.project = project_copy(tmp_path / "watchlist")
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.password = f"docs-{uuid.uuid4().hex}"
        self.suffix = f"docs_{uuid.uuid4().hex[:8]}"
        self.databases = set()
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(
                ("DJANGO_", "DATABASE_", "REDIS_", "GUNICORN_", "PROMETHEUS_", "PYTEST_", "COV_")
            )
            and key not in ("WEB_CONCURRENCY", "PORT", "VIRTUAL_ENV", "XDG_DATA_HOME")
        }
        self.env.update(HOME=str(self.home), LANG="C.UTF-8", TERM="dumb")
        self.port = None

    def database(self, name):
        local = f"{name}_{self.suffix}"
        self.databases.add(local)
        return local

    def localise(self, text, port):
        text = text.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        text = re.sub(
            r"(postgres://postgres@127\.0\.0\.1:5432/)(\w+)",
            lambda m: m[1] + self.database(m[2]),
            text,
        )
        return re.sub(
            r"^((?:createdb|dropdb)\b.*\s)(\w+)$",
            lambda m: m[1] + self.database(m[2]),
            text,
            flags=re.MULTILINE,
        )

    def run_page(self, page, env):
        """Run a page's sessions; returns (the shell's final variables, the failures)."""
        session = Session(env, self.project, self.work, self.password)
        port = self.port
        failures = []
        try:
            for block in blocks(source(page), page):
                for command in block.commands:
                    where = f"{page}:{command.line}: $ {command.text}"
                    if command.starts_server:
                        session.stop_servers()
                        port = free_port()
                        session.start_server(
                            self.localise(command.text, port),
                            port,
                            self.work / f"server-{port}.log",
                            f"http://127.0.0.1:{port}/readyz",
                        )
                        if page == FIRST:
                            self.port = port  # the other pages' server
                        continue
                    status, shown = session.run(self.localise(command.text, port))
                    expected = self.localise(command.expected, port)
                    if expected and not matches(expected, shown):
                        failures.append(
                            f"{where}\n--- the page shows\n{expected}\n--- got\n{shown}"
                        )
                    elif status != 0 and not expected:
                        failures.append(f"{where}\n--- exited {status}:\n{shown}")
                    if failures:
                        return session.env, failures  # what follows relies on it
            return session.env, failures
        finally:
            if page != FIRST:
                session.stop_servers()
            else:
                self.first_session = session

    def page_env(self):
        """Where Getting started leaves a reader: alice's password in PASSWORD, and a token
        of hers in TOKEN (a new one for each page: a page may revoke tokens)."""
        session = Session(self.env, self.project, self.work, self.password)
        status, shown = session.run(
            ". ./.env && TOKEN=$(.venv/bin/python manage.py create_token alice 2>/dev/null)"
        )
        assert status == 0, shown
        assert session.env.get("TOKEN"), shown
        return {**self.env, "TOKEN": session.env["TOKEN"], "PASSWORD": self.password}

    def drop_databases(self):
        with psycopg.connect(POSTGRES_SERVER, autocommit=True) as connection:
            for name in self.databases:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    """Getting started, followed: the server it starts stays up for the other pages."""
    try:
        psycopg.connect(POSTGRES_SERVER, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL server for the examples that use one: {error}")
    reader = Reader(tmp_path_factory.mktemp("docs"))
    try:
        _, reader.first_failures = reader.run_page(FIRST, reader.env)
        servers = reader.first_session.servers
        assert servers, f"{FIRST} starts no server"
        yield reader
    finally:
        if hasattr(reader, "first_session"):
            reader.first_session.stop_servers()
        reader.drop_databases()


def check_backups(reader):
    """The restore went into the new database, and left the server's own unchanged."""
    served_db = reader.home / ".local" / "share" / "watchlist" / "db.sqlite3"
    with sqlite3.connect(served_db) as connection:
        served = [row[0] for row in connection.execute("SELECT title FROM movies_movie")]
    restored_name = next(n for n in reader.databases if n.startswith("watchlist_restored_"))
    url = POSTGRES_SERVER.rsplit("/", 1)[0] + f"/{restored_name}"
    with psycopg.connect(url) as connection:
        restored = [row[0] for row in connection.execute("SELECT title FROM movies_movie")]
    assert sorted(restored) == sorted(served)
    assert len(served) > 4, "the pages before add films"


AFTER = {"operating/backups.md": check_backups}


@pytest.mark.parametrize("page", nav_pages())
def test_examples_of_the_page_work_as_shown(reader, page):
    if page == FIRST:
        assert not reader.first_failures, "\n\n".join(reader.first_failures)
        return
    _, failures = reader.run_page(page, reader.page_env())

    assert not failures, "\n\n".join(failures)
    if page in AFTER:
        AFTER[page](reader)


@pytest.mark.parametrize("page", every_page())
def test_every_shell_block_is_run_or_says_why_not(page):
    problems = []
    for block in blocks(source(page), page):
        if block.lang == "console":
            problems += [
                f"{block.where}: `curl` shows no answer: show what it prints"
                for command in block.commands
                if "curl " in command.text
                and not command.expected
                and not re.match(r"\w+=\$\(", command.text)  # kept for the next command
            ]
            problems += [
                f"{block.where}: a server's output is not compared: show none"
                for command in block.commands
                if command.starts_server and command.expected
            ]
        elif not block.not_run:
            problems.append(
                f"{block.where}: a ```{block.lang} block is neither a ```console session the "
                "tests run nor marked <!-- not run: reason -->"
            )

    assert not problems, "\n".join(problems)


def test_every_page_is_in_the_navigation():
    listed = set(nav_pages()) - {"README.md"}
    pages = {str(p.relative_to(BASE_DIR / "docs")) for p in markdown_files()}

    assert pages == listed
