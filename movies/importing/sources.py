"""What a person hands to an import, made safe to read: size limits, ZIP archives taken apart
with their hazards refused, UTF-8 text read line by line, CSV records each with the line it
starts on."""

import codecs
import csv
import io
import lzma
import os
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.formats import number_format
from django.utils.translation import gettext as _

# What each kind of archive starts with (ZIP's own is read; the others are refused).
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OTHER_ARCHIVES = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"7z\xbc\xaf\x27\x1c": "7-Zip",
    b"Rar!": "RAR",
    b"\x28\xb5\x2f\xfd": "zstd",
}
TAR_MAGIC_OFFSET, TAR_MAGIC = 257, b"ustar"
MAX_ARCHIVE_MEMBERS = 10_000
CHUNK = 64 * 1024
# What reading a damaged member of a ZIP archive raises (a CRC or a stream that does not
# decompress, data cut short).
DAMAGED = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError)


class Refused(Exception):
    """A file that cannot be imported at all: the import reads no further and writes nothing.
    `status` is the HTTP answer it gets (400, 413 or 415)."""

    def __init__(self, message, status=400, file=None):
        super().__init__(message)
        self.message, self.status, self.file = message, status, file

    def as_dict(self):
        return {"detail": self.message, **({"file": self.file} if self.file else {})}


@dataclass(frozen=True)
class Upload:
    """A file handed to an import: its name and a way to open it for binary reading."""

    name: str
    open: Callable[[], io.BufferedIOBase]
    size: int | None = None  # None when it cannot be known before reading (a pipe)

    @classmethod
    def from_path(cls, path):
        path = os.fspath(path)
        stat = os.stat(path)
        size = stat.st_size if os.path.isfile(path) else None
        return cls(os.path.basename(path), lambda: open(path, "rb"), size)

    @classmethod
    def from_bytes(cls, name, data):
        return cls(name, lambda: io.BytesIO(data), len(data))

    @classmethod
    def from_uploaded_file(cls, uploaded):
        """A file of Django's `request.FILES`: on disk past FILE_UPLOAD_MAX_MEMORY_SIZE,
        else in memory."""
        name = uploaded.name or "upload"
        if hasattr(uploaded, "temporary_file_path"):
            path = uploaded.temporary_file_path()
            return cls(name, lambda: open(path, "rb"), uploaded.size)
        uploaded.seek(0)
        return cls.from_bytes(name, uploaded.read())


@dataclass(frozen=True)
class Member:
    """One file to read: an upload, or a file inside an uploaded ZIP archive."""

    name: str  # as the report names it: "export.zip/diary.csv", or "diary.csv"
    path: str  # its path inside the archive, or its own name
    open: Callable[[], io.BufferedIOBase]
    size: int | None
    archive: str | None = None  # the uploaded archive's name

    @property
    def basename(self):
        return PurePosixPath(self.path).name


class Budget:
    """The bytes one file may yield once read (or expanded): `limit`, whatever its size
    seemed to be (a pipe's is not known)."""

    def __init__(self, limit, what):
        self.left, self.limit, self.what = limit, limit, what

    def spend(self, count):
        self.left -= count
        if self.left < 0:
            message = _("%(name)s is over the limit of %(limit)s bytes.")
            raise Refused(
                message % {"name": self.what, "limit": grouped(self.limit)}, 413, self.what
            )


class LimitedReader(io.RawIOBase):
    """A binary stream that stops with a 413 once its budget is spent; for a member of an
    archive (`member` names it), with a 400 where it turns out damaged."""

    def __init__(self, raw, budget, member=None):
        super().__init__()
        self.raw, self.budget, self.member = raw, budget, member
        self.position = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.member is None:
            data = self.raw.read(len(buffer))
        else:
            try:
                data = self.raw.read(len(buffer))
            except DAMAGED as error:
                raise damaged(self.member, error) from None
        self.budget.spend(len(data))
        self.position += len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self):
        self.raw.close()
        super().close()


def members(uploads, limit, stack):
    """The files the uploads hold: each upload itself, or the files of a ZIP archive.

    Refuses (Refused) an upload over `limit` bytes, another kind of archive, and a ZIP that
    expands past `limit`, holds more than 10,000 entries, an archive, an encrypted file or a
    name that is absolute or climbs out (`../`). Each upload is opened once, its first bytes
    looked at and the rest read from the same stream (a pipe cannot be read twice); `stack`
    (an ExitStack) closes what is opened.
    """
    found = []
    for upload in uploads:
        if upload.size is not None and upload.size > limit:
            message = _("%(name)s is %(size)s bytes; the limit is %(limit)s.") % {
                "name": upload.name,
                "size": grouped(upload.size),
                "limit": grouped(limit),
            }
            raise Refused(message, 413, upload.name)
        stream = stack.enter_context(upload.open())
        head = peek(stream, TAR_MAGIC_OFFSET + len(TAR_MAGIC))
        refuse_other_archives(upload.name, head)
        if head.startswith(ZIP_MAGIC):
            found.extend(zip_members(upload, stream, limit))
            continue
        found.append(
            Member(upload.name, upload.name, limited_opener(upload, stream, limit), upload.size)
        )
    return found


def limited_opener(upload, stream, limit):
    """Opens the upload, limited to `limit` bytes: the stream already open the first time,
    the upload again after that."""
    unread = [stream]

    def open_limited():
        raw = unread.pop() if unread else upload.open()
        return io.BufferedReader(LimitedReader(raw, Budget(limit, upload.name)), CHUNK)

    return open_limited


def peek(stream, count):
    position = stream.tell() if stream.seekable() else None
    head = stream.peek(count)[:count] if hasattr(stream, "peek") else stream.read(count)
    if position is not None:
        stream.seek(position)
    return head


def refuse_other_archives(name, head):
    kind = next((kind for magic, kind in OTHER_ARCHIVES.items() if head.startswith(magic)), None)
    if kind is None and head[TAR_MAGIC_OFFSET:].startswith(TAR_MAGIC):
        kind = "tar"
    if kind:
        message = _(
            "%(name)s is a %(kind)s archive; only ZIP archives are read (or the files themselves)."
        )
        raise Refused(message % {"name": name, "kind": kind}, 415, name)


def zip_members(upload, stream, limit):
    if not stream.seekable():
        message = _("%(name)s is a ZIP archive, which is read from a file, not a pipe.")
        raise Refused(message % {"name": upload.name}, 400, upload.name)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        message = _("%(name)s is not a readable ZIP archive (%(error)s).")
        raise Refused(message % {"name": upload.name, "error": error}, 400, upload.name) from None
    entries = archive.infolist()
    if len(entries) > MAX_ARCHIVE_MEMBERS:
        message = _("%(name)s holds over %(count)s entries.")
        raise Refused(
            message % {"name": upload.name, "count": grouped(MAX_ARCHIVE_MEMBERS)},
            400,
            upload.name,
        )
    for entry in entries:
        check_member_name(upload.name, entry.filename)
    files = [entry for entry in entries if not entry.is_dir()]
    # A member yields no more than its declared size (zipfile stops there, and a CRC check
    # fails), so the declared sizes bound what the archive expands to.
    declared = sum(entry.file_size for entry in files)
    if declared > limit:
        message = _("%(name)s expands to %(size)s bytes; the limit is %(limit)s.") % {
            "name": upload.name,
            "size": grouped(declared),
            "limit": grouped(limit),
        }
        raise Refused(message, 413, upload.name)
    found = []
    for entry in files:
        name = f"{upload.name}/{entry.filename}"
        if entry.flag_bits & 0x1:
            message = _("%(name)s is encrypted; export it again without a password.")
            raise Refused(message % {"name": name}, 400, name)
        opener = member_opener(archive, entry, name, limit)
        with opener() as member:
            head = member.read(TAR_MAGIC_OFFSET + len(TAR_MAGIC))
        nested = head.startswith(ZIP_MAGIC) or any(head.startswith(m) for m in OTHER_ARCHIVES)
        if nested or head[TAR_MAGIC_OFFSET:].startswith(TAR_MAGIC):
            message = _(
                "%(name)s holds an archive (%(member)s); archives inside archives are not read."
            )
            raise Refused(message % {"name": upload.name, "member": entry.filename}, 400, name)
        found.append(Member(name, entry.filename, opener, entry.file_size, upload.name))
    return found


def member_opener(archive, entry, name, limit):
    def open_member():
        try:
            raw = archive.open(entry)
        except NotImplementedError as error:  # a compression method zipfile lacks
            message = _("%(name)s cannot be read (%(error)s).")
            raise Refused(message % {"name": name, "error": error}, 400, name) from None
        except DAMAGED as error:
            raise damaged(name, error) from None
        return io.BufferedReader(LimitedReader(raw, Budget(limit, name), name), CHUNK)

    return open_member


def damaged(name, error):
    message = _("%(name)s is damaged (%(error)s); download the export again.")
    return Refused(message % {"name": name, "error": error}, 400, name)


def check_member_name(archive, name):
    path = PurePosixPath(name)
    unsafe = (
        name.startswith(("/", "\\"))
        or "\\" in name
        or "\x00" in name
        or ".." in path.parts
        or (len(name) > 1 and name[1] == ":")  # a Windows drive
    )
    if unsafe:
        message = _("%(archive)s holds a file with an unsafe name (%(name)s).")
        raise Refused(message % {"archive": archive, "name": repr(name)}, 400, archive)


# --- Text -----------------------------------------------------------------------------------


def starts_like_json(stream):
    """Whether the content begins (after a BOM and spaces) with `[` or `{`."""
    head = stream.peek(CHUNK)[:CHUNK]
    head = head.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
    if not head:
        return None  # empty
    return head[:1] in (b"[", b"{")


def text_lines(stream, name):
    """The stream's lines, decoded as UTF-8 (a BOM is dropped; CRLF is kept for the CSV
    reader), each checked on its own so that an error names its line."""
    for number, raw in enumerate(stream, start=1):
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            message = _(
                "%(name)s: line %(line)s is not UTF-8 text (byte %(byte)s at column %(column)s). "
                "Export the file again, or save it as UTF-8."
            ) % {
                "name": name,
                "line": number,
                "byte": f"{error.object[error.start]:#04x}",
                "column": error.start + 1,
            }
            raise Refused(message, 400, name) from None


@dataclass(frozen=True)
class Record:
    """A CSV record: its first line's number and its values by column."""

    line: int
    values: dict
    extra: int  # fields beyond the header's columns (a line that does not fit)
    missing: int  # columns this line has no field for
    last_line: int  # where it ends (further down when a quoted field holds line breaks)


def csv_header_and_records(stream, name):
    """The header (a list of column names) and an iterator of Records; Refused for an empty
    file, a repeated column, and CSV the reader cannot follow."""
    lines = text_lines(stream, name)
    reader = csv.reader(lines)
    header = next_csv_row(reader, name)
    while header == []:
        header = next_csv_row(reader, name)  # blank lines before the header
    if header is None:
        raise Refused(_("%(name)s is empty.") % {"name": name}, 400, name)
    header = [column.strip() for column in header]
    seen = set()
    for column in header:
        if column in seen:
            message = _("%(name)s: column %(column)s appears twice in the header.")
            raise Refused(message % {"name": name, "column": repr(column)}, 400, name)
        seen.add(column)
    return header, records(reader, header, name)


def records(reader, header, name):
    width = len(header)
    while True:
        start = reader.line_num + 1
        row = next_csv_row(reader, name)
        if row is None:
            return
        if row == [] or (len(row) == 1 and not row[0].strip() and width > 1):
            continue  # a blank line
        values = dict(zip(header, row, strict=False))
        extra, missing = max(0, len(row) - width), max(0, width - len(row))
        yield Record(start, values, extra, missing, reader.line_num)


def next_csv_row(reader, name):
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as error:
        message = _(
            "%(name)s: line %(line)s cannot be read as CSV (%(error)s); a quoted field may be "
            "left open."
        )
        raise Refused(
            message % {"name": name, "line": reader.line_num, "error": error}, 400, name
        ) from None


class BomSkipping(io.RawIOBase):
    """A binary stream without the UTF-8 BOM it may start with (JSON parsers refuse one)."""

    def __init__(self, raw):
        super().__init__()
        self.raw, self.pending = raw, None

    def readable(self):
        return True

    def readinto(self, buffer):
        if not len(buffer):
            return 0
        if self.pending is None:  # the first read: up to three bytes more, to see a BOM
            self.pending = self.raw.read(max(len(buffer), 3)).removeprefix(codecs.BOM_UTF8)
        data = self.pending or self.raw.read(len(buffer))
        data, self.pending = data[: len(buffer)], data[len(buffer) :]
        buffer[: len(data)] = data
        return len(data)


def grouped(number):
    """A count as the language writes it: 1,234 in English."""
    return number_format(number, force_grouping=True)
