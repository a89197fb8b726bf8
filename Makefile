# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
DEV := DEBUG=1
PYTEST_ARGS ?=

.PHONY: venv checkers reviewer run migrate load test lint format check-fixtures citation-report editor clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

## Serve the site with the article's data on SQLite at http://127.0.0.1:8000/
run: migrate load
	$(DEV) $(PY) manage.py runserver 127.0.0.1:8000

migrate: venv
	$(DEV) $(PY) manage.py migrate --noinput

## Load the article's data unless the database already has data (keeps editors' work).
load: migrate
	$(DEV) $(PY) manage.py load_article --if-empty

## Validate fixtures/*.yaml against the article without saving anything.
check-fixtures: migrate
	$(DEV) $(PY) manage.py load_article --check

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

## The whole suite, on SQLite unless DATABASE_URL points at PostgreSQL.
test: venv checkers
	$(PY) -m pytest $(PYTEST_ARGS)

## The page checkers from npm (vnu-jar, axe-core). Without npm their tests skip, saying why.
## --ignore-scripts: vnu-jar's install script would fetch a Java; the machine's own is used.
checkers:
	@if ! command -v npm >/dev/null; then \
		echo "npm not found: the HTML checker and accessibility tests will skip"; \
	elif [ ! node_modules/.installed -nt package-lock.json ]; then \
		npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch node_modules/.installed; \
	fi

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check templates
	$(DEV) $(PY) manage.py makemigrations --check --dry-run

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml templates

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
