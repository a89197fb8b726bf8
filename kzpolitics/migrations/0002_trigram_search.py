"""Trigram indexes for search on PostgreSQL: people, places, events, sources and citations; first the pg_trgm extension, and what its similarity operators cost (``kzpolitics.core.search_indexes``
says which lookups they answer). On SQLite the operations do nothing."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from kzpolitics.core.search_indexes import similarity_cost, trigram_indexes

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


class Migration(migrations.Migration):
    dependencies = [
        ("kzpolitics", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        trigram_indexes("kzpolitics", SEARCHED),
        similarity_cost(),
    ]
