"""Fresh planner statistics after a bulk load.

PostgreSQL plans a query from the statistics ANALYZE last gathered. Autovacuum gathers them
some time after a load, if it runs at all (it is off on some machines): until then the planner
plans for the nearly empty tables it last saw, and a list that takes half a second takes
seven. So every command and page that writes thousands of rows at once (seed_synthetic,
load_article, restore, the admin's import of a sheet) ends by analysing what it filled.

On other databases this does nothing: SQLite's planner does well enough without statistics,
and an ``ANALYZE`` there would change the plans of every later query, tests' included.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model

PG_FORCE_FLUSH = 150000  # pg_stat_force_next_flush(): PostgreSQL 15 and later


def tables_of(models: Iterable[type[Model]]) -> list[str]:
    """The tables of ``models`` (concrete, managed) and of their many-to-many links that
    Django made for them, sorted."""
    tables = set()
    for model in models:
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        tables.add(meta.db_table)
        for field in meta.local_many_to_many:
            if field.remote_field.through._meta.auto_created:
                tables.add(field.remote_field.through._meta.db_table)
    return sorted(tables)


def analyze(models: Iterable[type[Model]] | None = None, using: str = DEFAULT_DB_ALIAS) -> list:
    """ANALYZE the tables of ``models`` (every installed model's when None) on PostgreSQL,
    once the current transaction (if any) commits: statistics gathered inside it would be lost
    with a rollback. Returns the tables it analyses (none on another database)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    tables = tables_of(apps.get_models() if models is None else models)
    if not tables:
        return []

    def run() -> None:
        quoted = ", ".join(connection.ops.quote_name(table) for table in tables)
        with connection.cursor() as cursor:
            if connection.pg_version >= PG_FORCE_FLUSH:
                # The rows this process just wrote are counted in its statistics of changes
                # only when it next sends them, which may be after the ANALYZE: sent first, the
                # ANALYZE leaves the tables with no change since it (n_mod_since_analyze 0).
                cursor.execute("SELECT pg_stat_force_next_flush()")
            cursor.execute(f"ANALYZE {quoted}")

    transaction.on_commit(run, using=using)
    return tables
