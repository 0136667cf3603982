import json
import sys

from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import ngettext
from tqdm import tqdm

from movies.importing import Refused, Upload, import_films
from movies.importing.sources import grouped

# Exit statuses: every row imported or deliberately skipped; some rows invalid; a file refused.
COMPLETE, INVALID_ROWS, REFUSED = 0, 1, 2
PLAIN_EVERY = 10_000  # rows between two progress lines when not on a terminal


class Command(BaseCommand):
    help = (
        "Import films from IMDb, Letterboxd or Trakt exports, or this site's CSV or JSON "
        "export (a file, or a ZIP). Exit status: 0 when every row was imported or skipped "
        "as not a film, 1 when rows are invalid, 2 when a file is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and report the invalid ones (by default, any invalid "
            "row means nothing is imported).",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the report as JSON (as the API does)."
        )

    def handle(self, *args, **options):
        # The report is for a person: in the site's language (Django's commands run without
        # one).
        with translation.override(settings.LANGUAGE_CODE):
            self.import_files(options)

    def import_files(self, options):
        try:
            uploads = [Upload.from_path(path) for path in options["files"]]
        except OSError as error:
            raise CommandError(f"{error.filename}: {error.strerror}", returncode=REFUSED) from None
        # tqdm writes to the stream the command's stderr wraps (a terminal's width is read
        # from sys.stderr itself); the plain lines go through the command's stderr.
        progress = Progress(self.stderr, options.get("stderr") or sys.stderr)
        try:
            report = import_films(
                uploads,
                dry_run=options["dry_run"],
                on_error="skip" if options["skip_invalid"] else "abort",
                progress=progress,
            )
        except Refused as refusal:
            raise CommandError(refusal.message, returncode=REFUSED) from None
        except OSError as error:  # a path that cannot be read (a folder; no permission)
            raise CommandError(f"{error.filename}: {error.strerror}", returncode=REFUSED) from None
        finally:
            progress.close()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(report.describe()))
        if not report.complete:
            sys.exit(INVALID_ROWS)


class Progress:
    """A bar on a terminal (tqdm), a line every 10,000 rows otherwise."""

    def __init__(self, out, stream):
        self.out = out
        self.stream = stream
        self.bar = None
        self.next_line = PLAIN_EVERY

    def __call__(self, report, done, total):
        if self.out.isatty():
            if self.bar is None:
                self.bar = tqdm(
                    total=total or None, unit="B", unit_scale=True, file=self.stream, leave=False
                )
            self.bar.update(done - self.bar.n)
            self.bar.set_postfix(rows=report.rows, refresh=False)
        elif report.rows >= self.next_line:
            rows = grouped(report.rows)
            self.out.write(
                ngettext("%(count)s row read", "%(count)s rows read", report.rows)
                % {"count": rows}
            )
            self.next_line = (report.rows // PLAIN_EVERY + 1) * PLAIN_EVERY

    def close(self):
        if self.bar is not None:
            self.bar.close()
