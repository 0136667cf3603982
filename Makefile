# Everyday commands. A new machine needs only Python 3 and make: `make run`, `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL pass of the test suite; pytest-django creates (and drops) test_<name>.
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/watchlist
COVERAGE_FLOOR ?= 95
PYTEST_ARGS ?=

# Reads .env into the environment of the command that follows it.
WITH_ENV := set -a && . ./.env && set +a &&

.DEFAULT_GOAL := help
# The original Flask app, measured beside this project by `make bench` when present.
BENCH_REFERENCE ?= ../shared/baseline/flask-watchlist
BENCH_ARGS ?=

.PHONY: help venv run test test-postgres lint check clients manifests container-test bench clean

help:
	@echo "make run            set up, migrate, load the sample films, serve on http://$(HOST):$(PORT)"
	@echo "make test           the whole test suite on SQLite, with coverage"
	@echo "make test-postgres  the same suite on PostgreSQL (POSTGRES_URL=$(POSTGRES_URL))"
	@echo "make lint           ruff check and format check"
	@echo "make check          missing migrations and Django's deployment checks"
	@echo "make clients        the schema through Redocly's lint and TypeScript (needs Node.js 20+)"
	@echo "make manifests      render, validate and policy-check the Kubernetes manifests"
	@echo "make container-test build the image and test it, and docker-compose.yml (as root)"
	@echo "make bench          the benchmark (about an hour); results in bench/results/"
	@echo "                    BENCH_ARGS='--only import,export' for the import and export alone"
	@echo "make clean          remove the virtualenv, collected static files and caches"

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

# A local settings file with a fresh secret key. Never committed; delete it to start over.
.env:
	@echo "Writing .env (local settings with a new secret key; not committed)"
	@{ echo "# Local settings for make run. The README lists every variable."; \
	   echo "DJANGO_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
	   echo "# make run serves plain HTTP on loopback: no HTTPS redirect or secure-only cookies."; \
	   echo "DJANGO_HTTPS=0"; } > $@

run: venv .env
	$(WITH_ENV) LOAD_SAMPLE_DATA=1 $(BIN)/python -m watchlist.startup
	$(WITH_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(WITH_ENV) exec $(BIN)/gunicorn --config watchlist/gunicorn.conf.py \
		--bind $(HOST):$(PORT) watchlist.wsgi

test: venv
	$(BIN)/pytest --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR) $(PYTEST_ARGS)

# The server, browser and generated-client tests run their own SQLite-backed servers: once,
# in `make test`.
test-postgres: venv
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest $(PYTEST_ARGS) \
		--ignore=watchlist/tests/test_server.py --ignore=watchlist/tests/test_browser.py \
		--ignore=watchlist/tests/test_lockout_on_gunicorn.py \
		--ignore=watchlist/tests/test_generated_client.py

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Production-like values: debug off, a real-looking host, HTTPS on (the defaults).
check: venv
	DJANGO_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=watchlist.example.com \
	DJANGO_CSRF_TRUSTED_ORIGINS=https://watchlist.example.com \
	WATCHLIST_DATA_DIR=$$(mktemp -d) \
	sh -c '$(BIN)/python manage.py makemigrations --check --dry-run && \
	       $(BIN)/python manage.py check --deploy --fail-level WARNING'

# The OpenAPI schema checked with client teams' tools (pinned in clients/package-lock.json).
clients: venv
	bash scripts/check-clients.sh

# Kubernetes manifests, checked without a cluster; the tools get their own virtualenv.
manifests:
	bash scripts/check-manifests.sh

container-test:
	bash scripts/container-test.sh

$(BIN)/.bench-installed: $(BIN)/.installed bench/requirements.txt
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	touch $@

bench: $(BIN)/.bench-installed
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk; } \
		|| { echo "wrk is needed: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/run.py --update-readme \
		$(if $(wildcard $(BENCH_REFERENCE)/app.py),--reference $(BENCH_REFERENCE)) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .venv-manifests staticfiles .pytest_cache .ruff_cache .coverage htmlcov
