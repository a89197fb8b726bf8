"""Trigram indexes for search on PostgreSQL, as migration operations each app's migrations use.

``kzpolitics.core.rest.matching`` (the API's ``?search=`` and the search page) matches each
searched column in a query of its own: ``UPPER(column::text) LIKE UPPER('%word%')``, which is
what Django writes for ``icontains``, and, for the names also matched by spelling,
``column %> 'word'`` (``trigram_word_similar``). A GIN index of the column's trigrams (pg_trgm:
``TrigramExtension`` in the core's migration, which every app's trigram migration follows)
answers either without reading the table: one on the upper-cased text for the first, one on
the text itself for the second.

SQLite has no trigram index (a search there reads the table, which at its size is quick): on
SQLite the operations do nothing, and Django's model state is left as it is (the indexes are
the database's business, like the extension).
"""

from __future__ import annotations

from django.db import DatabaseError, migrations, transaction

# The functions of the operators Django's trigram lookups write (%, %> and %>>). pg_trgm
# declares them as cheap as an equality (COST 1), so on a table of a few thousand names the
# planner reads every row rather than the index: 5 ms against 0.5 ms for the 2,300 people's
# names at 100 times the article. A call takes a few microseconds, about a hundred times the
# default operator cost.
SIMILARITY_FUNCTIONS = (
    "similarity_op",
    "word_similarity_commutator_op",
    "strict_word_similarity_commutator_op",
)
SIMILARITY_COST = 100


def _indexes(apps, app_label: str, searched):
    for model_name, field_name, fuzzy in searched:
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        column = model._meta.get_field(field_name).column
        yield f"{table}_{column}_upper_trgm", f'(UPPER("{column}"::text)) gin_trgm_ops', table
        if fuzzy:
            yield f"{table}_{column}_trgm", f'"{column}" gin_trgm_ops', table


def trigram_indexes(app_label: str, searched: list[tuple[str, str, bool]]):
    """A migration operation indexing each ``(model, field, fuzzy)`` of ``app_label`` for
    ``icontains`` (and, where ``fuzzy``, for trigram similarity too)."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, expression, table in _indexes(apps, app_label, searched):
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ({expression})'
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, _, _ in _indexes(apps, app_label, searched):
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(create, drop, elidable=False)


def _set_similarity_cost(schema_editor, cost: int) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for function in SIMILARITY_FUNCTIONS:
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute(f"ALTER FUNCTION {function}(text, text) COST {cost}")
        except DatabaseError:
            # A role that does not own the extension may not: the indexes still serve, where
            # the planner's own estimate chooses them (on the larger tables).
            pass


def similarity_cost():
    """A migration operation telling the planner what pg_trgm's similarity operators cost."""
    return migrations.RunPython(
        lambda apps, schema_editor: _set_similarity_cost(schema_editor, SIMILARITY_COST),
        lambda apps, schema_editor: _set_similarity_cost(schema_editor, 1),
        elidable=False,
    )
