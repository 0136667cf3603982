# The watchlist API as a production container: gunicorn serving Django, SQLite on /data
# by default, PostgreSQL with DATABASE_URL. docs/deploying/ says how to run it.
#
# The base is an argument so that a build can substitute an equivalent image (a test does).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- venv: the virtualenv, from pinned requirements only (cached until they change) --------
FROM ${PYTHON_IMAGE} AS venv
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN --mount=type=cache,target=/root/.cache/pip \
    /opt/venv/bin/pip install --require-virtualenv -r /tmp/requirements.txt

# --- app: the code and its collected static files ------------------------------------------
FROM venv AS app
WORKDIR /app
COPY manage.py LICENSE ./
COPY fixtures/ fixtures/
COPY watchlist/ watchlist/
COPY movies/ movies/
COPY accounts/ accounts/
# The translations, compiled (django.mo, committed): the image needs no gettext tools, and
# .dockerignore leaves out their sources.
COPY locale/ locale/
COPY docker/entrypoint.sh docker/entrypoint.sh
# The settings refuse to load without a strong key even for collectstatic: this one is made
# up inside this step and never stored (not in ENV, not in a layer, not in the history text).
# Only the hashed names are kept (every page links to those), and the Redoc bundle is left
# out: the API serves Swagger UI only.
RUN DJANGO_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    /opt/venv/bin/python manage.py collectstatic --noinput --verbosity 0 --ignore redoc \
    && /opt/venv/bin/python -m compileall -q /app

# --- runtime venv: only what runs ----------------------------------------------------------
# pip and setuptools install; the apps' static sources were collected above and whitenoise
# serves the collected copies; gettext reads the compiled .mo catalogues, not the .po sources.
FROM venv AS runtime-venv
RUN /opt/venv/bin/python -m pip uninstall --yes --quiet pip setuptools \
    && find /opt/venv/lib -path '*/site-packages/*' -type d -name static -prune \
        -exec rm -r {} + \
    && find /opt/venv/lib -name '*.po' -delete \
    && /opt/venv/bin/python -m compileall -q /opt/venv/lib

# --- runtime: no compiler, no package installer, no secrets --------------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="watchlist" \
      org.opencontainers.image.description="A movie watchlist REST API (Django, DRF, gunicorn)" \
      org.opencontainers.image.version="1.2.0" \
      org.opencontainers.image.licenses="BSD-3-Clause"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    WATCHLIST_DATA_DIR=/data \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_LOG_FORMAT=json \
    PORT=8000

# A fixed, unprivileged user; /data is the only place it writes (besides /tmp).
RUN groupadd --system --gid 10001 watchlist \
    && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin watchlist \
    && mkdir /data && chown 10001:10001 /data

COPY --from=runtime-venv /opt/venv /opt/venv
COPY --from=app /app /app
WORKDIR /app

VOLUME ["/data"]
EXPOSE 8000
USER 10001:10001

# Liveness from inside the container, with the image's own Python (slim images lack curl).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python3", "-m", "watchlist.probe"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "--config", "watchlist/gunicorn.conf.py", "watchlist.wsgi"]
