"""Test settings: the site's own, with a key for the test run and fast password hashing."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from kzpolitics.site.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The response cache on, as under DEBUG: each test process is the only one serving its database,
# so its own memory is the cache every purge reaches (the servers the tests start in
# subprocesses run the production settings, and share a Redis where a test needs one).
PAGE_CACHE_ENABLED = True

# The suite makes many requests a minute; throttling has its own tests with low rates.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
}

# The tests check the fixtures' quotes against the article's text beside the checkout, where
# CI has it (tests/test_article_data.py; under CI=true its absence fails the run).
ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_e4968529bea1b3c4.txt"
ARTICLE_PATH = Path(os.environ.get("ARTICLE_PATH") or ARTICLE)

# Each test run keeps its exports apart from the site's and other runs' (tests/conftest.py empties
# it before each test).
EXPORT_CACHE_DIR = Path(tempfile.mkdtemp(prefix="kzpolitics-test-export-"))
