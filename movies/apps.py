from django.apps import AppConfig


class MoviesConfig(AppConfig):
    name = "movies"

    def ready(self):
        # Registers the OpenAPI description of the fields drf-spectacular cannot infer.
        from movies import schema  # noqa: F401
