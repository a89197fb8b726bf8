"""Hardening: the production settings pass Django's deployment checks, every response carries
the security headers, and password guessing on the admin is locked out."""

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from kzpolitics.site.health import QuietOutageFilter

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow  # manage.py check --deploy in a subprocess
def test_the_production_settings_pass_check_deploy_with_no_warning():
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "kzpolitics.example.org",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/organizations/otan/",
        "/api/v1/organizations/",
        "/healthz",
        # Refused before any view runs (kzpolitics.site.middleware): a 400 with the headers too.
        "/search/?q=a%00b",
        "/api/v1/organizations/?search=a%00b",
    ],
)
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == (400 if "%00" in url else 200)
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'"):
        assert directive in policy
    assert "frame-ancestors 'none'" in policy
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_password_guessing_on_the_admin_is_locked_out_and_a_superuser_can_unlock(editor):
    guesser = Client()
    login = "/admin/login/?next=/admin/"
    for _ in range(4):
        response = guesser.post(login, {"username": "editor", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    fifth = guesser.post(login, {"username": "editor", "password": "wrong"})
    assert fifth.status_code == 429  # the fifth failure locks the account out
    locked = guesser.post(login, {"username": "editor", "password": "correct horse battery"})
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    assert AccessAttempt.objects.filter(username="editor").exists()

    call_command("axes_reset_username", "editor")  # what a superuser does (or in the admin)
    unlocked = guesser.post(login, {"username": "editor", "password": "correct horse battery"})
    assert unlocked.status_code == 302


def test_a_503_during_an_outage_is_logged_as_one_line_without_traceback():
    try:
        raise RuntimeError("connection refused")
    except RuntimeError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Service Unavailable", (), sys.exc_info()
        )
    record.status_code = 503
    assert QuietOutageFilter().filter(record)
    assert record.levelno == logging.WARNING and record.exc_info is None


# -- the library pages whose inline styles and handlers are allowed by hash --------------------


@pytest.mark.parametrize(
    "url_name, allowed",
    [
        ("admin:parties_organization_export", ["padding: 0;", "onSelectToggleChange(event)"]),
    ],
)
@pytest.mark.django_db
def test_a_library_page_allows_exactly_its_own_inline_attributes(editor_client, url_name, allowed):
    from django.urls import reverse

    from kzpolitics.core.inline_policy import csp_hash
    from parties.models import Organization

    args = [Organization.objects.first().pk] if url_name.endswith("history") else []
    response = editor_client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-hashes'" in policy
    for text in allowed:
        assert csp_hash(text) in policy, text
    assert csp_hash("color: red") not in policy


@pytest.mark.parametrize(
    "url_name", ["admin:parties_organization_import", "admin:parties_organization_history"]
)
@pytest.mark.django_db
def test_the_import_and_history_pages_need_no_inline_style(editor_client, url_name):
    """Their templates are the project's own (the import's preview of changes, the history of
    versions): styled from stylesheets, so their policy allows nothing inline."""
    from django.urls import reverse

    from parties.models import Organization

    args = [Organization.objects.first().pk] if url_name.endswith("history") else []
    response = editor_client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    assert "'unsafe-hashes'" not in response.headers["Content-Security-Policy"]
    assert " style=" not in response.content.decode()
