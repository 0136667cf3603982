#!/bin/sh
# Container start: apply migrations (unless the platform runs them as a release step),
# load the sample films when asked and the table is empty, then hand PID 1 to the server
# so that it receives the platform's signals. Never deletes data.
set -eu

if [ "${MIGRATE_ON_START:-1}" = "1" ]; then
    python3 manage.py migrate --noinput
fi

if [ "${LOAD_SAMPLE_DATA:-0}" = "1" ]; then
    python3 manage.py load_sample_movies
fi

exec "$@"
