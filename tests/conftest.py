import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches

from kzpolitics.article_loader import load_article

from .checkers import ARTEFACTS


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the article's data, loaded once per run."""
    with django_db_blocker.unblock():
        load_article()


@pytest.fixture(autouse=True)
def empty_response_cache():
    """Each test starts with no cached response and no kept export: a test that changes rows
    behind the ORM's back (``QuerySet.update``, ``bulk_create``), which real edits never do,
    must not leave pages for the next one to be served, and query counts are of the work a
    miss does."""
    caches["pages"].clear()
    for kept in Path(settings.EXPORT_CACHE_DIR).glob("kzpolitics-*.zip"):
        kept.unlink()


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(
        "editor", password="correct horse battery", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def pytest_sessionstart(session):
    session.config._kz_started = time.time()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Figures the suites wrote during this run (the hostile-input sweep's); and under CI=true
    nothing may skip: a skipped test fails the run."""
    started = getattr(config, "_kz_started", 0)
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
        terminalreporter._session.exitstatus = pytest.ExitCode.TESTS_FAILED
