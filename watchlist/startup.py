"""Container start-up, run by docker/entrypoint.sh before the server replaces it.

Every variable is checked first: the server's config reads its own and loads the Django
settings, so a malformed value stops here with one line naming it (gunicorn itself would
fail on some with a traceback). Then migrations are applied, unless MIGRATE_ON_START=0 for
platforms that migrate in a release step, and with LOAD_SAMPLE_DATA=1 the sample films are
loaded into an empty table. Nothing here deletes data.
"""

import runpy
from pathlib import Path

import django
from django.core.management import call_command

from watchlist.env import env_bool, exit_in_one_line

GUNICORN_CONFIG = Path(__file__).with_name("gunicorn.conf.py")


def main():
    runpy.run_path(str(GUNICORN_CONFIG))
    with exit_in_one_line():
        migrate = env_bool("MIGRATE_ON_START", True)
        load_samples = env_bool("LOAD_SAMPLE_DATA", False)
    if migrate or load_samples:
        django.setup()
    if migrate:
        call_command("migrate", interactive=False)
    if load_samples:
        call_command("load_sample_movies")


if __name__ == "__main__":
    main()
