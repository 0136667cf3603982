import pytest

SAMPLE_TITLES = ["Fight Club", "The Matrix", "Donnie Darko", "Inception"]


@pytest.fixture
def samples(db):
    from django.core.management import call_command

    from movies.models import Movie

    call_command("loaddata", "movies", verbosity=0)
    return list(Movie.objects.order_by("id"))
