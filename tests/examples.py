"""The shell examples of the documentation, read from its Markdown and run as a reader would.

A page shows a session in a ```console block: each `$ ` line is a command (a line ending in
a backslash goes on to the next), and the lines up to the next command are what it prints,
where `...` stands for any text (an id, a time, a token). A shell block that is shown but
not run here (it needs a cluster, a registry, a Docker engine) is a ```sh block preceded by
`<!-- not run: the reason -->`; any other shell block is an error.

Commands run one at a time in a terminal (a pseudo-terminal, so that interactive prompts
such as `createsuperuser`'s ask as they would), in bash, from a copy of the project. The
shell's variables and its directory carry from one command to the next within a page.
"""

import contextlib
import fcntl
import os
import re
import select
import shutil
import subprocess
import termios
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
SHELLS = {"sh", "bash", "shell", "console"}
NOT_RUN = re.compile(r"<!-- not run: (\S.*?) -->")
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
# What a reader types at a prompt: the password they chose.
PROMPTS = re.compile(r"(?i)password(?: \(again\))?: $")
# `make run` serves until stopped: the session starts it and goes on once it answers.
SERVER = re.compile(r"^(?:\w+=\S+ )*make run\b")


@dataclass
class Command:
    text: str
    expected: str
    line: int

    @property
    def starts_server(self):
        return bool(SERVER.match(self.text))


@dataclass
class Block:
    page: str
    line: int
    lang: str
    body: str
    not_run: str | None = None
    commands: list = field(default_factory=list)

    @property
    def where(self):
        return f"{self.page}:{self.line}"


def blocks(path, name=None):
    """The fenced shell blocks of a Markdown file, in order."""
    name = name or str(path)
    lines = Path(path).read_text().splitlines()
    found = []
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        indent, lang, start = match["indent"], match["lang"], index
        index += 1
        body = []
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index].removeprefix(indent))
            index += 1
        index += 1
        if lang not in SHELLS:
            continue
        before = next((line for line in reversed(lines[:start]) if line.strip()), "")
        reason = NOT_RUN.search(before)
        block = Block(name, start + 1, lang, "\n".join(body), reason and reason[1])
        if lang == "console":
            block.commands = parse_session(body, start + 2)
        found.append(block)
    return found


def parse_session(body, first_line):
    commands = []
    index = 0
    while index < len(body):
        line = body[index]
        if not line.startswith("$ "):
            raise ValueError(f"line {first_line + index}: output before any command: {line!r}")
        start = index
        text = [line[2:]]
        while text[-1].endswith("\\") and index + 1 < len(body):
            index += 1
            text.append(body[index])
        index += 1
        output = []
        while index < len(body) and not body[index].startswith("$ "):
            output.append(body[index])
            index += 1
        expected = "\n".join(output).strip("\n")
        commands.append(Command("\n".join(text), expected, first_line + start))
    return commands


def normalise(output):
    # As a terminal shows it: carriage returns before a line feed (the terminal's own, after
    # a program's CRLF) end one line.
    output = re.sub(r"\r+\n", "\n", ANSI.sub("", output)).replace("\r", "\n")
    return "\n".join(line.rstrip() for line in output.split("\n")).strip("\n")


def matches(expected, actual):
    """Whether `actual` is what `expected` shows, `...` standing for any text."""
    pattern = "(?s:.*?)".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual) is not None


def project_copy(target):
    """The project's files (as git sees them, committed or not) in `target`, its virtualenv
    linked in: a reader's checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=BASE_DIR,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = BASE_DIR / name.decode()
        if source.is_file():
            destination = target / name.decode()
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)  # times kept: make sees the venv as current
    (target / ".venv").symlink_to(BASE_DIR / ".venv")
    return target


def _controlling_terminal():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


WRAPPER = """set -a
{command}
status=$?
env -0 > "$DOCS_STATE"
pwd > "$DOCS_CWD"
exit $status
"""


class Session:
    """One reader's shell: variables and directory carry over from command to command."""

    def __init__(self, env, cwd, work, answer):
        self.env = dict(env)
        self.cwd = Path(cwd)
        self.work = work
        self.answer = answer
        self.servers = []

    def run(self, command, timeout=600):
        """(exit status, what the terminal showed)."""
        state, cwd_file = self.work / "state", self.work / "cwd"
        env = dict(self.env, DOCS_STATE=str(state), DOCS_CWD=str(cwd_file))
        master, slave = os.openpty()
        process = subprocess.Popen(
            ["bash", "--noprofile", "--norc", "-c", WRAPPER.format(command=command)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=self.cwd,
            env=env,
            preexec_fn=_controlling_terminal,  # the terminal becomes the command's own
        )
        os.close(slave)
        output, answered = b"", 0
        deadline = time.monotonic() + timeout
        try:
            while True:
                if select.select([master], [], [], 0.5)[0]:
                    try:
                        chunk = os.read(master, 65536)
                    except OSError:  # the terminal closed: every process on it is gone
                        break
                    if not chunk:
                        break
                    output += chunk
                    shown = ANSI.sub("", output.decode(errors="replace"))
                    if len(shown) > answered and PROMPTS.search(shown):
                        os.write(master, self.answer.encode() + b"\n")
                        answered = len(shown) + 1
                    continue
                if process.poll() is not None:
                    break  # exited, and its terminal has nothing more to show
                assert time.monotonic() < deadline, f"still running after {timeout} s"
            status = process.wait(timeout=30)
        finally:
            os.close(master)
            if process.poll() is None:
                process.kill()
        if state.exists():
            pairs = (item.split("=", 1) for item in state.read_bytes().decode().split("\0"))
            self.env = {
                key: value
                for key, value in (pair for pair in pairs if len(pair) == 2)
                if not key.startswith("DOCS_") and key not in ("_", "SHLVL", "PWD", "OLDPWD")
            }
            self.cwd = Path(cwd_file.read_text().strip())
            state.unlink()
        return status, normalise(output.decode(errors="replace"))

    def start_server(self, command, port, log_path, ready_url, timeout=300):
        """A command that serves until stopped (make run), in the background; returns once
        `ready_url` answers 200."""
        log = log_path.open("w")
        process = subprocess.Popen(
            ["bash", "--noprofile", "--norc", "-c", command],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.cwd,
            env=dict(self.env, PORT=str(port)),
            start_new_session=True,
        )
        self.servers.append((process, log))
        deadline = time.monotonic() + timeout
        while True:
            with (
                contextlib.suppress(OSError, urllib.error.URLError),
                urllib.request.urlopen(ready_url, timeout=5) as response,
            ):
                if response.status == 200:
                    return process
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, f"not serving in {timeout} s: {command}"
            time.sleep(0.5)

    def stop_servers(self):
        for process, log in self.servers:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, 15)
                process.wait(timeout=60)
            log.close()
        self.servers = []
