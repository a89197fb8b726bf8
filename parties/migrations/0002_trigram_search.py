"""Trigram indexes for search on PostgreSQL: organizations and their names (``kzpolitics.core.search_indexes``
says which lookups they answer). On SQLite it does nothing."""

from django.db import migrations

from kzpolitics.core.search_indexes import trigram_indexes

# (model, field, also indexed as written for trigram similarity)
SEARCHED = [
    ("organization", "name", True),
    ("organization", "slug", False),
    ("organizationname", "name", True),
]


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0001_initial"),
        ("kzpolitics", "0002_trigram_search"),
    ]

    operations = [trigram_indexes("parties", SEARCHED)]
