"""Every PostgreSQL connection runs a request's small queries without parallel workers or JIT
(``kzpolitics.site.replicas.with_session_options``): both cost more than they saved; plans
them for data in memory (``random_page_cost`` 1.1); and prepares the queries it runs often,
sending parameters apart from the SQL (server-side binding), so that a page's dozen queries
are not planned afresh for every record."""

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from django.db import connection

from elections.models import Election
from kzpolitics.core.dates import first_day, last_day
from kzpolitics.core.models import Event
from kzpolitics.site.replicas import PREPARE_THRESHOLD, SESSION_OPTIONS, with_session_options
from parties.models import Organization


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
    for alias in ("default", "replica1"):
        assert databases[alias]["OPTIONS"]["server_side_binding"] is True
        assert databases[alias]["OPTIONS"]["prepare_threshold"] == PREPARE_THRESHOLD
    assert "server_side_binding" not in databases["local"].get("OPTIONS", {})


def test_prepared_statements_can_be_turned_off_for_a_transaction_pooling_proxy():
    """PgBouncer in transaction mode cannot keep a prepared statement between transactions:
    DATABASE_PREPARED_STATEMENTS=0 leaves Django's defaults (client-side binding, none)."""
    databases = {"default": dj_database_url.parse("postgres://site@pgbouncer:6432/kz")}
    with_session_options(databases, prepared=False)
    assert databases["default"]["OPTIONS"] == {"options": SESSION_OPTIONS}


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


def test_the_date_order_sends_no_parameter():
    """The undated records' sort key is written into the SQL (``dates._undated``): a
    parameter would differ from its copy in a ``SELECT DISTINCT``'s select list under
    server-side binding, and would keep a prepared query's generic plan off the indexes built
    on the same expressions."""
    query = Event.objects.all().query
    compiler = query.get_compiler(connection=connection)
    for expression in (first_day("date"), last_day("date")):
        sql, params = expression.resolve_expression(query).as_sql(compiler, connection)
        assert "9999-12-31" in sql
        assert list(params) == []


@pytest.mark.django_db
def test_distinct_rows_of_date_ordered_records_are_read():
    """On PostgreSQL with server-side binding, ``SELECT DISTINCT`` ordered by the date
    order failed ("ORDER BY expressions must appear in select list") while the order's
    constant was a parameter."""
    linked = Election.objects.filter(events__isnull=False).distinct()
    assert list(linked) == list(Election.objects.filter(events__isnull=False).distinct())
    assert linked.count() == len(set(linked.values_list("pk", flat=True)))
    # With the model's order, each row keeps its order's columns too (as Django documents).
    kinds = Event.objects.published().values_list("kind", flat=True).distinct()
    assert set(kinds) == {event.kind for event in Event.objects.published()}


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_record_pages_queries_are_prepared_once_the_connection_has_run_them_often(client):
    organizations = list(Organization.objects.published().order_by("pk")[: PREPARE_THRESHOLD + 2])
    for organization in organizations:
        assert client.get(organization.get_absolute_url()).status_code == 200
        assert client.get(f"/api/v1/organizations/{organization.slug}/").status_code == 200
    if connection.vendor != "postgresql":
        assert "server_side_binding" not in settings.DATABASES["default"].get("OPTIONS", {})
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s AND NOT from_sql",
            ['SELECT "parties_organization"."id"%'],
        )
        assert cursor.fetchone()[0] >= 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_timeline_query_uses_the_timeline_index_whatever_its_parameters():
    """The index on the date order (``UncertainDate.order_index``) serves a query only if the
    query's expressions are the index's own, constant included. On PostgreSQL a prepared
    query's generic plan is made without its parameters' values; SQLite never matches a bound
    parameter with the constant of an index's expression."""
    if connection.vendor != "postgresql":
        # SQLite finds the published ones by their status's index: ask for every event.
        sql, params = Event.objects.order_by(*Event._meta.ordering)[:20].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        assert "event_timeline_idx" in plan
        return
    queryset = Event.objects.published().order_by(*Event._meta.ordering)[:20]
    sql, params = queryset.query.sql_with_params()
    numbered = sql
    for number in range(1, len(params) + 1):
        numbered = numbered.replace("%s", f"${number}", 1)
    # Bound on the client: with server-side binding, PREPARE's own $1 would be taken for a
    # parameter of the PREPARE statement.
    connection.ensure_connection()
    with psycopg.ClientCursor(connection.connection) as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_sort = off")  # no plan that sorts, where one exists
        cursor.execute(f"PREPARE timeline_page AS {numbered}")
        try:
            values = ", ".join(["%s"] * len(params))
            cursor.execute(f"EXPLAIN EXECUTE timeline_page({values})", [str(p) for p in params])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE timeline_page")
    assert "$1" in plan  # generic: made without the parameter's value
    assert "event_timeline_idx" in plan
