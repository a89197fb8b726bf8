"""Trigram indexes for search on PostgreSQL: elections and results (``kzpolitics.core.search_indexes``
says which lookups they answer). On SQLite it does nothing."""

from django.db import migrations

from kzpolitics.core.search_indexes import trigram_indexes

# (model, field, also indexed as written for trigram similarity)
SEARCHED = [
    ("election", "name", False),
    ("election", "summary", False),
    ("election", "slug", False),
    ("result", "wording", False),
]


class Migration(migrations.Migration):
    dependencies = [
        ("elections", "0001_initial"),
        ("kzpolitics", "0002_trigram_search"),
    ]

    operations = [trigram_indexes("elections", SEARCHED)]
