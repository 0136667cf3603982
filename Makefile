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

# The test matrix (docs/contributing/ci.md): the in-process suite on the other Pythons the
# project supports, with the pinned requirements, and on the newest Django with the newest
# releases of everything else (requirements-newest.txt, resolved afresh on every run).
MATRIX_PYTHONS := 3.12 3.13
NEWEST_PYTHON := 3.13
NEWEST_VENV := .venv-newest

.PHONY: help venv run test test-postgres test-inprocess test-matrix $(MATRIX_PYTHONS:%=test-py%) \
	test-newest lint check clients manifests container-test bench budgets budgets-check clean \
	docs docs-serve schema test-docs messages

help:
	@echo "make run            set up, migrate, load the sample films, serve on http://$(HOST):$(PORT)"
	@echo "make test           the whole test suite on SQLite, with coverage"
	@echo "make test-postgres  the same suite on PostgreSQL (POSTGRES_URL=$(POSTGRES_URL))"
	@echo "make test-docs      the docs' tests: strict build, reference pages, examples run live"
	@echo "make test-inprocess the suite without servers or browser (-m 'not live'), on PYTHON"
	@echo "make test-py3.12    the in-process suite on Python 3.12 (.venv-py3.12); also test-py3.13"
	@echo "make test-newest    the in-process suite on the newest Django and libraries ($(NEWEST_VENV))"
	@echo "make test-matrix    test-py3.12, test-py3.13 and test-newest"
	@echo "make budgets-check  instruction counts of the hot requests against bench/budgets.json"
	@echo "make budgets        measure them again and write bench/budgets.json (on purpose)"
	@echo "make lint           ruff check and format check"
	@echo "make check          missing migrations and Django's deployment checks"
	@echo "make clients        the schema through Redocly's lint and TypeScript (needs Node.js 20+)"
	@echo "make manifests      render, validate and policy-check the Kubernetes manifests"
	@echo "make container-test build the image and test it, and docker-compose.yml (as root)"
	@echo "make bench          the benchmark (about an hour); results in bench/results/"
	@echo "                    BENCH_ARGS='--only import,export' for the import and export alone"
		@echo "make docs           build the documentation site into site/ (strict: a broken link fails)"
	@echo "make docs-serve     serve the documentation on http://127.0.0.1:8001, rebuilt on change"
	@echo "make schema         write the OpenAPI schema the docs show (docs/reference/openapi.yaml)"
	@echo "make messages       collect the strings to translate into locale/, and compile them"
	@echo "make clean          remove the virtualenv, collected static files and caches"

# Three layers, each installed only when asked for: what serving needs (make run), the docs
# tools on top (make docs), the test and lint tools on top of both (make test, make venv).
$(BIN)/.installed-runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-docs: $(BIN)/.installed-runtime requirements-docs.txt
	$(BIN)/python -m pip install --quiet -r requirements-docs.txt
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed-docs requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed-dev

# A local settings file with a fresh secret key. Never committed; delete it to start over.
.env:
	@echo "Writing .env (local settings with a new secret key; not committed)"
	@{ echo "# Local settings for make run. docs/configuration.md lists every variable."; \
	   echo "DJANGO_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
	   echo "# make run serves plain HTTP on loopback: no HTTPS redirect or secure-only cookies."; \
	   echo "DJANGO_HTTPS=0"; } > $@

run: $(BIN)/.installed-runtime .env
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
		--ignore=watchlist/tests/test_generated_client.py \
		--ignore=movies/tests/test_import_browser.py \
		--ignore=movies/tests/test_languages_browser.py

# The documentation's tests (tests/): the strict build, the configuration page and the schema
# against the code, and every example run against `make run`'s server. They use PostgreSQL
# at POSTGRES_URL's server for the examples that do.
test-docs: venv
	POSTGRES_URL=$(POSTGRES_URL) $(BIN)/pytest tests $(PYTEST_ARGS)

# Tests marked `live` start servers or a browser; the rest run in this process, on SQLite.
# A module that fails to import (an upgrade removed a name) fails, and the others still run.
INPROCESS := -m "not live" --continue-on-collection-errors
test-inprocess: venv
	$(BIN)/pytest $(INPROCESS) $(PYTEST_ARGS)

# make test-py3.12: the in-process suite on that Python (found or named by find-python.sh).
$(MATRIX_PYTHONS:%=test-py%): test-py%:
	python=$$(scripts/find-python.sh $*) && \
		$(MAKE) --no-print-directory test-inprocess PYTHON=$$python VENV=.venv-py$*

# Resolved and upgraded on every run: the point is to meet each new release as it comes.
test-newest:
	python=$$(scripts/find-python.sh $(NEWEST_PYTHON)) && \
		{ [ -x $(NEWEST_VENV)/bin/python ] || $$python -m venv $(NEWEST_VENV); }
	$(NEWEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(NEWEST_VENV)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager \
		-r requirements-newest.txt
	@$(NEWEST_VENV)/bin/python -c 'import sys, django, rest_framework as drf; \
		print(f"Python {sys.version.split()[0]}, Django {django.get_version()}, DRF {drf.VERSION}")'
	$(NEWEST_VENV)/bin/pytest $(INPROCESS) $(PYTEST_ARGS)

test-matrix: $(MATRIX_PYTHONS:%=test-py%) test-newest

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

$(BIN)/.bench-installed: $(BIN)/.installed-dev bench/requirements.txt
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	touch $@

bench: $(BIN)/.bench-installed
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk; } \
		|| { echo "wrk is needed: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/run.py \
		$(if $(wildcard $(BENCH_REFERENCE)/app.py),--reference $(BENCH_REFERENCE)) $(BENCH_ARGS)

# The documentation site (mkdocs.yml, docs/); the performance page reads bench/results/.
docs: $(BIN)/.installed-docs
	$(BIN)/mkdocs build --strict

docs-serve: $(BIN)/.installed-docs
	$(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8001

# The OpenAPI schema as the server generates it, committed for the docs' API reference (a
# test fails when the two differ).
schema: $(BIN)/.installed-runtime
	DJANGO_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	WATCHLIST_DATA_DIR=$$(mktemp -d) \
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file docs/reference/openapi.yaml

# The translations (docs/translating.md): every string marked for translation in the code and
# templates, merged into each language's catalog (locale/<code>/LC_MESSAGES/django.po), then
# compiled (django.mo, committed: serving needs no gettext tools). Needs GNU gettext.
MAKEMESSAGES_ARGS := --all --no-obsolete --add-location file --ignore ".venv*" \
	--ignore site --ignore staticfiles --ignore bench --ignore clients --ignore docs \
	--ignore deploy --ignore scripts --ignore tests --ignore "*/tests/*"
messages: $(BIN)/.installed-runtime
	DJANGO_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	WATCHLIST_DATA_DIR=$$(mktemp -d) \
	sh -c '$(BIN)/python manage.py makemessages $(MAKEMESSAGES_ARGS) && \
	       $(BIN)/python manage.py compilemessages --ignore ".venv*" --ignore site'

# The performance budget (bench/budget.py): instructions per request under callgrind,
# against bench/budgets.json. `make budgets` records new counts, on purpose (commit them).
budgets-check: venv
	$(BIN)/python bench/budget.py

budgets: venv
	$(BIN)/python bench/budget.py --update


clean:
	rm -rf $(VENV) .venv-manifests $(MATRIX_PYTHONS:%=.venv-py%) $(NEWEST_VENV) staticfiles site \
		.pytest_cache .ruff_cache .coverage htmlcov
