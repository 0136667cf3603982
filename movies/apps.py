from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


class MoviesConfig(AppConfig):
    name = "movies"

    def ready(self):
        # Registers the OpenAPI description of the fields drf-spectacular cannot infer.
        from movies import schema  # noqa: F401

        post_migrate.connect(create_cache_table, sender=self)


def create_cache_table(using, **kwargs):
    # The throttles count in the database cache; its table is made wherever migrations run
    # (deploys, the container entrypoint, tests), and left alone when it exists.
    call_command("createcachetable", database=using, verbosity=0)
