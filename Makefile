# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUM := $(shell cksum < pyproject.toml | cut -d' ' -f1)
STAMP := $(VENV)/.serving-$(SUM)
DEV_STAMP := $(VENV)/.developing-$(SUM)
PORT ?= 8000
DEV := DEBUG=1
PYTEST_ARGS ?=

.PHONY: venv dev checkers reviewer serve run migrate load test test-fast lint format check-fixtures citation-report editor faults bench backup restore clean

# What serving needs (make run, serve, the management commands); the development tools
# (pytest, Playwright, schemathesis, ruff, ...) only with make test, lint and the like.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	rm -f $(VENV)/.serving-* $(VENV)/.installed-*
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.developing-*
	touch $(DEV_STAMP)

venv: $(STAMP)
dev: $(DEV_STAMP)

## Serve the site with the article's data on SQLite at http://127.0.0.1:8000/ (PORT=8001 make run)
run: migrate load
	$(DEV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

migrate: venv
	$(DEV) $(PY) manage.py migrate --noinput

## Load the article's data unless the database already has data (keeps editors' work).
load: migrate
	$(DEV) $(PY) manage.py load_article --if-empty

## Validate fixtures/*.yaml against the article without saving anything.
ARTICLE_PATH ?= ../shared/seed/000_e4968529bea1b3c4.txt
check-fixtures: migrate
	ARTICLE_PATH=$(ARTICLE_PATH) $(DEV) $(PY) manage.py load_article --check

citation-report: migrate
	$(DEV) $(PY) manage.py citation_report

## Create an editor account (a staff user in the Editors group): make editor NAME=alice
editor: migrate
	@test -n "$(NAME)" || { echo "usage: make editor NAME=<user name>"; exit 2; }
	$(DEV) $(PY) manage.py create_editor "$(NAME)"

## Create a reviewer (an editor who may also publish): make reviewer NAME=bob
reviewer: migrate
	@test -n "$(NAME)" || { echo "usage: make reviewer NAME=<user name>"; exit 2; }
	$(DEV) $(PY) manage.py create_editor --reviewer "$(NAME)"

## A complete, dated backup (records, citations, history, accounts) in backups/
backup: migrate
	$(DEV) $(PY) manage.py backup

## Load a backup into an empty database: make restore FILE=backups/kzpolitics-....json.gz
restore: migrate
	@test -n "$(FILE)" || { echo "usage: make restore FILE=<backup .json.gz>"; exit 2; }
	$(DEV) $(PY) manage.py restore "$(FILE)"

## The production configuration, locally: gunicorn, DEBUG off, hashed and compressed static
## files, on PostgreSQL (DATABASE_URL, by default a kzpolitics database on 127.0.0.1:5432).
SERVE_DB ?= postgres://postgres@127.0.0.1:5432/kzpolitics
SERVE_ENV := DEBUG=0 STATIC_HASHED=1 DATABASE_URL=$${DATABASE_URL:-$(SERVE_DB)} \
	SECRET_KEY=$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}
serve: venv
	@$(PY) -c "import os, psycopg; u = os.environ.get('DATABASE_URL') or '$(SERVE_DB)'; \
		s, _, n = u.rpartition('/'); c = psycopg.connect(s + '/postgres', autocommit=True); \
		c.execute('SELECT 1 FROM pg_database WHERE datname = %s', (n,)).fetchone() \
		or c.execute('CREATE DATABASE \"' + n + '\"')"
	export $(SERVE_ENV) && $(PY) manage.py migrate --noinput && \
		$(PY) manage.py load_article --if-empty && \
		$(PY) manage.py collectstatic --noinput --verbosity 0 && \
		exec $(VENV)/bin/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) kzpolitics.site.wsgi

## The whole suite, on SQLite unless DATABASE_URL points at PostgreSQL, in parallel: one
## worker per core (at most 4), each with a test database of its own; a test file's tests stay
## on one worker (they share its throwaway servers). JOBS=0 runs it in one process.
JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; echo $$n)
test: dev checkers
	$(PY) -m pytest $(if $(filter 0,$(JOBS)),,-n $(JOBS) --dist loadfile) $(PYTEST_ARGS)

## The suite without the tests slow by nature (marked slow: a browser, servers or manage.py in
## subprocesses, the npm checkers, the sweeps), for quick work: about eight minutes on two cores.
test-fast: dev
	$(PY) -m pytest $(if $(filter 0,$(JOBS)),,-n $(JOBS) --dist loadfile) -m "not slow" $(PYTEST_ARGS)

## PostgreSQL (a throwaway cluster of its own) stopped for 4 s under load: only 503s, the site
## recovers without a restart, no record changes. Needs the PostgreSQL server binaries.
faults: dev
	$(PY) scripts/faults.py

## Benchmark (issues 7, 15): production stack at 1x and 100x the data, under wrk, a crawl of
## distinct addresses and one edit; needs PostgreSQL and Redis (its db 12). Exits 1 when a target
## is missed [BENCH_ARGS=--report-only, --scales 1, --keep then --reuse]
bench: dev
	$(PY) scripts/bench.py $(BENCH_ARGS)

## The page checkers from npm (vnu-jar, axe-core). Without npm their tests skip, saying why.
## --ignore-scripts: vnu-jar's install script would fetch a Java; the machine's own is used.
checkers:
	@if ! command -v npm >/dev/null; then \
		echo "npm not found: the HTML checker and accessibility tests will skip"; \
	elif [ ! node_modules/.installed -nt package-lock.json ]; then \
		npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch node_modules/.installed; \
	fi

lint: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check templates
	$(VENV)/bin/lint-imports
	$(DEV) $(PY) manage.py makemigrations --check --dry-run

format: dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml templates

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
