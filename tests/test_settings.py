"""Settings come from the environment; a missing secret with DEBUG off stops start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # each test starts manage.py in a subprocess


def run_check(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    base["DJANGO_SETTINGS_MODULE"] = "kzpolitics.site.settings"
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_secret_key_with_debug_off_is_a_clear_error():
    result = run_check()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_on_runs_with_a_development_key():
    assert run_check(DEBUG="1").returncode == 0


def test_a_set_secret_key_runs_with_debug_off():
    assert run_check(SECRET_KEY="x" * 50).returncode == 0


def test_a_malformed_debug_value_is_refused():
    result = run_check(DEBUG="maybe", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_a_server_process_freezes_what_it_loaded_and_collects_less_often():
    """kzpolitics.site.wsgi, which gunicorn loads in every worker: the objects of start-up are
    out of the collector's way, and its first generation is collected after 10,000 objects."""
    probe = "import gc, kzpolitics.site.wsgi; print(gc.get_freeze_count(), gc.get_threshold()[0])"
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**env, "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "kzpolitics.site.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    frozen, threshold = map(int, result.stdout.split())
    assert frozen > 50_000  # Django and the apps (some 190,000 at the time of writing)
    assert threshold == 10_000
