"""Trigram indexes for search on PostgreSQL: people, places, events, sources and citations.

``kzpolitics.core.rest.matching`` (the API's ``?search=`` and the search page) matches each
searched column in a query of its own: ``UPPER(column::text) LIKE UPPER('%word%')``, which is
what Django writes for ``icontains``, and, for the names the API also matches by spelling,
``column %> 'word'`` (``trigram_word_similar``). A GIN index of the column's trigrams
(pg_trgm, migration kzpolitics 0004) answers either without reading the table: one on the
upper-cased text for the first, one on the text itself for the second.

It also tells the planner what pg_trgm's similarity operators cost. The extension declares
them as cheap as an equality (COST 1), so on a table of a few thousand names the planner reads
every row rather than the index: 5 ms against 0.5 ms for the 2,300 people's names at 100 times
the article. A call takes a few microseconds, about a hundred times the default operator cost.

SQLite has no trigram index (a search there reads the table, which at its size is quick): on
SQLite this migration does nothing, and Django's model state is left as it was (the indexes are
the database's business, like the extension).
"""

from django.db import DatabaseError, migrations, transaction

# (model, field, also indexed as written for trigram similarity)
SEARCHED = [
    ("person", "name", True),
    ("person", "slug", False),
    ("personname", "name", True),
    ("place", "name", True),
    ("place", "slug", False),
    ("placename", "name", True),
    ("event", "title", False),
    ("event", "summary", False),
    ("event", "slug", False),
    ("source", "title", False),
    ("source", "authors", False),
    ("source", "editors", False),
    ("source", "container", False),
    ("source", "slug", False),
    ("source", "url", False),
    ("citation", "quote", False),
    ("citation", "field", False),
    ("citation", "note", False),
]


def indexes(apps):
    for model_name, field_name, fuzzy in SEARCHED:
        model = apps.get_model("kzpolitics", model_name)
        table = model._meta.db_table
        column = model._meta.get_field(field_name).column
        yield f"{table}_{column}_upper_trgm", f'(UPPER("{column}"::text)) gin_trgm_ops', table
        if fuzzy:
            yield f"{table}_{column}_trgm", f'"{column}" gin_trgm_ops', table


# The functions of the operators Django's trigram lookups write (%, %> and %>>), and their cost.
SIMILARITY_FUNCTIONS = (
    "similarity_op",
    "word_similarity_commutator_op",
    "strict_word_similarity_commutator_op",
)
SIMILARITY_COST = 100


def set_similarity_cost(schema_editor, cost: int) -> None:
    for function in SIMILARITY_FUNCTIONS:
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute(f"ALTER FUNCTION {function}(text, text) COST {cost}")
        except DatabaseError:
            # A role that does not own the extension may not: the indexes still serve, where
            # the planner's own estimate chooses them (on the larger tables).
            pass


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression, table in indexes(apps):
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ({expression})'
        )
    set_similarity_cost(schema_editor, SIMILARITY_COST)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in indexes(apps):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    set_similarity_cost(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [
        ("kzpolitics", "0004_pg_trgm"),
        ("kzpolitics", "0009_citation_record_published"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
