"""Trigram indexes for search on PostgreSQL, as migration operations each app's migrations use.

``kzpolitics.core.search.search`` (the API's ``?search=`` and the search page) matches each
searched column in a query of its own. Names and titles are matched through their search
keys (``SearchKeyField``: the text folded): ``(' ' || key || ' ') LIKE '%word%'``, and, for a
word one letter away, ``LIKE '% wo_d %'`` and the like; ``search_key_indexes`` indexes that
very expression by its trigrams (pg_trgm, whose GIN operator class answers ``LIKE`` with
wildcards). Other columns (slugs, summaries, provisions) are matched as typed:
``UPPER(column::text) LIKE UPPER('%word%')``, which is what Django writes for
``icontains``, answered by ``trigram_indexes``' index on the upper-cased text (migrations
``*_trigram_search``; the ``pg_trgm`` extension is the core's ``TrigramExtension``). The
indexes of the names and titles as typed went with the keys (``retired_trigram_indexes``).

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
    return _gin_indexes(lambda apps: _indexes(apps, app_label, searched))


def _gin_indexes(indexes):
    """A migration operation making, on PostgreSQL only, the GIN indexes ``indexes(apps)``
    names (``(name, expression, table)`` each); undone, it drops them."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, expression, table in indexes(apps):
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ({expression})'
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, _, _ in indexes(apps):
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(create, drop, elidable=False)


def retired_trigram_indexes(app_label: str, searched: list[tuple[str, str, bool]]):
    """A migration operation dropping what ``trigram_indexes`` made for ``searched`` (columns
    now searched through their search keys); undone, it makes them again."""
    made = trigram_indexes(app_label, searched)
    return migrations.RunPython(made.reverse_code, made.code, elidable=False)


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


def _key_indexes(apps, app_label: str, keys):
    for model_name, field_name in keys:
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        column = model._meta.get_field(field_name).column
        # The very expression ``kzpolitics.core.search.PaddedLike`` writes, so that the
        # planner matches the index to it.
        yield f"{table}_{column}_trgm", f"((' ' || \"{column}\" || ' ')) gin_trgm_ops", table


def search_key_indexes(app_label: str, keys: list[tuple[str, str]]):
    """A migration operation indexing each ``(model, search key field)`` of ``app_label`` by
    trigrams, as ``kzpolitics.core.search`` matches it: the key with a space at each end,
    ``LIKE`` a pattern (a word contained, a whole word one letter away)."""
    return _gin_indexes(lambda apps: _key_indexes(apps, app_label, keys))


def fill_search_keys(app_label: str, keys: list[tuple[str, str]]):
    """A migration operation computing each ``(model, search key field)`` of ``app_label`` for
    the rows already there (a save computes it from then on)."""

    def fill(apps, schema_editor):
        from kzpolitics.core.search import fold

        alias = schema_editor.connection.alias
        for model_name, field_name in keys:
            model = apps.get_model(app_label, model_name)
            source = model._meta.get_field(field_name).source
            rows = []
            for row in model._base_manager.using(alias).only("pk", source).iterator(2000):
                setattr(row, field_name, fold(getattr(row, source) or ""))
                rows.append(row)
            model._base_manager.using(alias).bulk_update(rows, [field_name], batch_size=1000)

    return migrations.RunPython(fill, migrations.RunPython.noop, elidable=False)
