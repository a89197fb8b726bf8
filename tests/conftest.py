import hashlib
import os
import secrets
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.db import connection

from kzpolitics.core.reuse import forget_built
from kzpolitics.site import surrogates
from kzpolitics.site.article_loader import load_article

from .checkers import ARTEFACTS
from .site_server import (
    ARTICLE_TEMPLATE,
    create_database,
    drop_article_template,
    drop_database,
    postgres_server,
    server_connection,
)

SNAPSHOT_KEY = pytest.StashKey[str]()
TEMPLATE_KEY = pytest.StashKey[str]()
SQLITE_COPY_KEY = pytest.StashKey[sqlite3.Connection]()
BLOCKER_KEY = pytest.StashKey[object]()
STARTED_KEY = pytest.StashKey[float]()


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_blocker):
    """Every test database starts with the article's data, loaded once per run. A test that
    runs in real transactions empties the database: it is put back after it (below), with
    what the migrations made (content types, permissions, the Editors and Reviewers groups)
    and the article, every row with its key.

    On SQLite the database is copied whole, page by page (sqlite3's backup API): putting it
    back takes milliseconds, and the copy is kept between runs in pytest's cache, under a hash
    of the code and data that made it, so an unchanged checkout skips loading the article
    (about 14 s per worker). On PostgreSQL it is kept as a database of its own (each xdist
    worker's test database's name with ``_article``), copied back with CREATE DATABASE ...
    TEMPLATE and dropped when the run ends."""
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            request.config.stash[SQLITE_COPY_KEY] = sqlite_article_copy(request.config)
        else:
            load_article()
            # Everything, article included, kept as a database of its own to copy back:
            # PostgreSQL copies it in a second, where putting the rows back one by one took
            # 20-30 s after each test in real transactions.
            request.config.stash[SNAPSHOT_KEY] = postgres_snapshot()
    request.config.stash[BLOCKER_KEY] = django_db_blocker
    yield
    if SNAPSHOT_KEY in request.config.stash:
        with server_connection(postgres_server()) as server:
            drop_database(server, request.config.stash[SNAPSHOT_KEY])


def postgres_snapshot() -> str:
    """A copy of the test database as it is now (migrated, the article loaded); its name."""
    name = connection.settings_dict["NAME"]
    snapshot = f"{name}_article"
    connection.close()
    copy_database(name, snapshot)
    return snapshot


def copy_database(template: str, name: str) -> None:
    """``name`` made anew on DATABASE_URL's server as a copy of ``template`` (no one may be
    connected to either)."""
    with server_connection(postgres_server()) as server:
        drop_database(server, name)
        create_database(server, name, template)


def source_hash() -> str:
    """A hash of everything that decides what the migrated, loaded database holds."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder in ("kzpolitics", "parties", "elections", "legislation", "fixtures"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".yaml", ".yml", ".json"}:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def sqlite_article_copy(config) -> sqlite3.Connection:
    """The migrated database with the article loaded, as an in-memory copy; loaded from the
    cache of an earlier run when the code and data are the same."""
    connection.ensure_connection()
    live = connection.connection
    cache_dir = config.cache.mkdir("kzpolitics") if getattr(config, "cache", None) else None
    kept = cache_dir / f"article-{source_hash()}.sqlite3" if cache_dir else None
    if kept is not None and kept.exists():
        with closing(sqlite3.connect(kept)) as stored:
            stored.backup(live)
    else:
        load_article()
        if kept is not None:
            for stale in cache_dir.glob("article-*.sqlite3"):
                stale.unlink(missing_ok=True)
            partial = kept.with_suffix(f".{os.getpid()}.tmp")
            with closing(sqlite3.connect(partial)) as stored:
                live.backup(stored)
            os.replace(partial, kept)  # whole or not at all: two workers may write it at once
    copy = sqlite3.connect(":memory:")
    live.backup(copy)
    return copy


@pytest.fixture(autouse=True)
def empty_response_cache():
    """Each test starts with no cached response and no kept export: a test that changes rows
    behind the ORM's back (``QuerySet.update``, ``bulk_create``), which real edits never do,
    must not leave pages for the next one to be served, and query counts are of the work a
    miss does."""
    caches["pages"].clear()
    surrogates.discard_pending()  # the purges of earlier tests' changes, never committed
    for kept in Path(settings.EXPORT_CACHE_DIR).glob("kzpolitics-*.zip"):
        kept.unlink()


@pytest.fixture(autouse=True)
def querysets_built_afresh():
    """Each test builds the views' querysets anew (kzpolitics.core.reuse): a test may change
    what one is built from (``monkeypatch`` of how many relations a record shows), which the
    running site never does."""
    forget_built()


def runs_in_real_transactions(item) -> bool:
    """A ``django_db(transaction=True)`` test (or one using a live server): it runs as the site
    does on PostgreSQL, with no test transaction around it, and its database is emptied after
    it, article, Editors and Reviewers groups (made by migrations) and all."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # After every fixture's teardown, so after the test database was emptied: what the
    # migrations made and the article's data are put back for the tests after it.
    result = yield
    config = item.config
    if nextitem is None or not runs_in_real_transactions(item):
        return result
    if SQLITE_COPY_KEY in config.stash:
        with config.stash[BLOCKER_KEY].unblock():
            connection.ensure_connection()
            config.stash[SQLITE_COPY_KEY].backup(connection.connection)
            from django.contrib.contenttypes.models import ContentType

            ContentType.objects.clear_cache()
    elif SNAPSHOT_KEY in config.stash:
        from django.contrib.contenttypes.models import ContentType

        with config.stash[BLOCKER_KEY].unblock():
            connection.close()
            copy_database(config.stash[SNAPSHOT_KEY], connection.settings_dict["NAME"])
            ContentType.objects.clear_cache()
    return result


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(
        "editor", password="correct horse battery", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def reviewer(django_user_model):
    """A reviewer: a staff user in the Reviewers group, who may publish."""
    user = django_user_model.objects.create_user("reviewer", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...``: the block's changes as the site sees them once committed (the
    test's own transaction never commits): its on-commit work, the caches' purges, runs at the
    block's end, as after a real save's commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def sweeps_deselected() -> str:
    """Why the tests marked ``sweep`` are left out of this run, or "" if they run: they run on
    PostgreSQL (CI's second ``make test``), and on SQLite only when asked (``LEAK_ORACLE=1``),
    so that CI runs each once."""
    if connection.vendor == "postgresql" or os.environ.get("LEAK_ORACLE") in {"1", "full"}:
        return ""
    return f"the database is {connection.vendor}, not PostgreSQL, and LEAK_ORACLE=1 is not set"


# Tests slow by nature, whatever their module marks: a browser, a whole-site sweep.
SLOW_BY_MARKER = ("browser", "sweep")


@pytest.hookimpl(tryfirst=True)  # before -m reads the marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(item.get_closest_marker(name) for name in SLOW_BY_MARKER):
            item.add_marker(pytest.mark.slow)
    why = sweeps_deselected()
    swept = [item for item in items if item.get_closest_marker("sweep")]
    if not why or not swept:
        return
    config.hook.pytest_deselected(items=swept)
    items[:] = [item for item in items if not item.get_closest_marker("sweep")]
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:  # none in an xdist worker: the report header says it there
        names = ", ".join(sorted({item.nodeid.split("::")[0] for item in swept}))
        reporter.write_line(f"deselected {len(swept)} sweep test(s) ({names}): {why}")


def pytest_report_header(config):
    why = sweeps_deselected()
    if why and config.getoption("numprocesses", None):
        return f"sweep tests (the leak oracle, the hostile-input sweep) deselected: {why}"
    return None


def pytest_sessionstart(session):
    session.config.stash[STARTED_KEY] = time.time()


def pytest_configure(config):
    """Name the run's template of the site's copies (tests/site_server.py): here in the one
    process, or in xdist's controller before it starts its workers, which inherit the name,
    so that the whole run migrates and loads the article for its copies once."""
    if hasattr(config, "workerinput") or ARTICLE_TEMPLATE in os.environ:
        return
    template = f"kzpolitics_article_{secrets.token_hex(4)}"
    os.environ[ARTICLE_TEMPLATE] = template
    config.stash[TEMPLATE_KEY] = template


def pytest_unconfigure(config):
    template = config.stash.get(TEMPLATE_KEY, None)
    if template is not None:  # after every worker is done with it
        os.environ.pop(ARTICLE_TEMPLATE, None)
        drop_article_template(template)


@pytest.fixture(scope="session")
def shared_site():
    """One throwaway copy of the site (tests/site_server.py) for the browser and live-server
    modules, one per run (per xdist worker) where each module used to start its own: each adds
    the accounts it signs in with (``add_account``) and changes only records of its own, with
    names of its own, or nothing another module checks. A test that asserts on the server's
    log reads it from where it started (``errors(since=...)``)."""
    from .site_server import throwaway_site

    with throwaway_site() as site:
        yield site


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Figures the suites wrote during this run (the hostile-input sweep's); and under CI=true
    nothing may skip: a skipped test fails the run."""
    started = config.stash.get(STARTED_KEY, 0)
    for figures in sorted(ARTEFACTS.glob("hostile-input-*.txt")):
        if figures.stat().st_mtime >= started:
            terminalreporter.write_sep("-", "figures")
            terminalreporter.write_line(figures.read_text().strip())
    if os.environ.get("CI", "").lower() not in {"1", "true", "yes"}:
        return
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_line(
            f"CI=true: {len(skipped)} test(s) skipped; under CI nothing may skip.", red=True
        )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """Under CI=true a skipped test fails the run (the summary above says which)."""
    if os.environ.get("CI", "").lower() not in {"1", "true", "yes"}:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright: one per test module."""
    from playwright.sync_api import sync_playwright

    from .checkers import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
