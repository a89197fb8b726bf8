"""Trigram indexes for search on PostgreSQL: legal acts, their provisions and registration decisions.

``kzpolitics.core.rest.matching`` (the API's ``?search=`` and the search page) matches each
searched column in a query of its own: ``UPPER(column::text) LIKE UPPER('%word%')``, which is
what Django writes for ``icontains``, and, for the names the API also matches by spelling,
``column %> 'word'`` (``trigram_word_similar``). A GIN index of the column's trigrams
(pg_trgm, migration kzpolitics 0004) answers either without reading the table: one on the
upper-cased text for the first, one on the text itself for the second.

SQLite has no trigram index (a search there reads the table, which at its size is quick): on
SQLite this migration does nothing, and Django's model state is left as it was (the indexes are
the database's business, like the extension).
"""

from django.db import migrations

# (model, field, also indexed as written for trigram similarity)
SEARCHED = [
    ("legalact", "title", False),
    ("legalact", "summary", False),
    ("legalact", "slug", False),
    ("provision", "text", False),
    ("provision", "summary", False),
    ("registrationdecision", "note", False),
]


def indexes(apps):
    for model_name, field_name, fuzzy in SEARCHED:
        model = apps.get_model("legislation", model_name)
        table = model._meta.db_table
        column = model._meta.get_field(field_name).column
        yield f"{table}_{column}_upper_trgm", f'(UPPER("{column}"::text)) gin_trgm_ops', table
        if fuzzy:
            yield f"{table}_{column}_trgm", f'"{column}" gin_trgm_ops', table


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


class Migration(migrations.Migration):
    dependencies = [
        ("kzpolitics", "0004_pg_trgm"),
        ("legislation", "0003_status_version_history"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
