"""PostgreSQL's plan for a query as it would be with thousands of rows, on a test's few."""

from django.db import connection


def plan_at_scale(model, sql: str, params) -> str:
    """EXPLAIN of ``sql`` with the planner told to walk no table or index whole when it need
    not (as it would, cheaply, on a test's few rows): what it can then do with the query's
    conditions is what it does with many rows. The model's own order indexes (the list's,
    the timeline's) are taken out of the way too, in the test's transaction only: a bitmap
    walks one of them whole as cheaply, on so few rows, as a trigram index is searched."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        for index in model._meta.indexes:
            if not index.name.endswith("_trgm"):
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(index.name)}")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())
