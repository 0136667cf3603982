import sys

from django.core.management import BaseCommand, CommandError
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
        data = {
            name: options[option]
            for name, option in (("is_watched", "is_watched"), ("search", "search"))
            if options[option] is not None
        }
        try:
            films = chosen_films(data)
        except ValidationError as error:
            raise CommandError(str(error.detail)) from None
        chunks = export(films, options["format"])
        if options["output"]:
            with open(options["output"], "wb") as out:
                out.writelines(chunks)
        else:
            sys.stdout.buffer.writelines(chunks)
            sys.stdout.flush()
