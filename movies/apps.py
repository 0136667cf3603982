from django.apps import AppConfig
from django.core.management import call_command
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MoviesConfig(AppConfig):
    name = "movies"
    verbose_name = _("Films")

    def ready(self):
        # Registers the OpenAPI description of the fields drf-spectacular cannot infer.
        from movies import schema  # noqa: F401

        # The title search's functions on SQLite connections.
        from movies.search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="movies.search")
        post_migrate.connect(create_cache_table, sender=self)
        post_migrate.connect(ensure_search_index, sender=self)


def create_cache_table(using, **kwargs):
    # The throttles count in the database cache; its table is made wherever migrations run
    # (deploys, the container entrypoint, tests), and left alone when it exists.
    call_command("createcachetable", database=using, verbosity=0)


def ensure_search_index(using, **kwargs):
    from movies.search_index import ensure_search_index

    ensure_search_index(connections[using])
