"""Every PostgreSQL connection runs a request's small queries without parallel workers or JIT
(``kzpolitics.site.replicas.with_session_options``): both cost more than they saved; and plans
them for data in memory (``random_page_cost`` 1.1)."""

import dj_database_url
import pytest
from django.conf import settings
from django.db import connection

from kzpolitics.site.replicas import SESSION_OPTIONS, with_session_options


def test_postgresql_databases_get_the_session_options_unless_their_url_sets_its_own():
    databases = {
        "default": dj_database_url.parse("postgres://site@db:5432/kz"),
        "replica1": dj_database_url.parse("postgres://reader@standby/kz?options=-c%20jit%3Don"),
        "local": dj_database_url.parse("sqlite:///local.sqlite3"),
    }
    with_session_options(databases)
    assert databases["default"]["OPTIONS"]["options"] == SESSION_OPTIONS
    assert databases["replica1"]["OPTIONS"]["options"] == "-c jit=on"  # the URL's own
    assert "options" not in databases["local"].get("OPTIONS", {})  # SQLite takes none


@pytest.mark.django_db
def test_the_sites_connection_plans_for_data_in_memory_without_parallel_workers_or_jit():
    if connection.vendor != "postgresql":
        assert "options" not in settings.DATABASES["default"].get("OPTIONS", {})
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
