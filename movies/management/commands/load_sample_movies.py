from django.core.management import BaseCommand, call_command

from movies.models import Movie


class Command(BaseCommand):
    help = "Load the four sample films (fixture 'movies'), only into an empty table."

    def handle(self, *args, **options):
        if Movie.objects.exists():
            self.stdout.write("Films already present; sample data not loaded.")
            return
        call_command("loaddata", "movies", verbosity=options["verbosity"])
