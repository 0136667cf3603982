import sys

from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.utils import translation
from rest_framework.exceptions import ValidationError

from movies.exporting import FORMATS, chosen_films, export


class Command(BaseCommand):
    help = (
        "Export the films: this site's CSV (the default) or JSON, which the import reads back, "
        "or the CSV Letterboxd's importer reads. Written to standard output unless --output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=list(FORMATS), default="csv")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write to FILE.")
        parser.add_argument(
            "--is-watched", choices=["true", "false"], help="Only watched (or unwatched) films."
        )
        parser.add_argument("--search", help="Only films whose title contains this text.")

    def handle(self, *args, **options):
        data = {name: options[name] for name in ("is_watched", "search") if options[name]}
        try:
            # A refusal is for a person: in the site's language (commands run without one).
            with translation.override(settings.LANGUAGE_CODE):
                films = chosen_films(data, options["format"])
        except ValidationError as error:
            messages = [message for found in error.detail.values() for message in found]
            raise CommandError(" ".join(messages)) from None
        chunks = export(films, options["format"])
        if options["output"]:
            with open(options["output"], "wb") as out:
                out.writelines(chunks)
        elif options.get("stdout") is None:
            sys.stdout.flush()
            sys.stdout.buffer.writelines(chunks)  # bytes as they are, a chunk at a time
            sys.stdout.buffer.flush()
        else:  # call_command(stdout=...): the stream it was given
            for chunk in chunks:
                self.stdout.write(chunk.decode(), ending="")
