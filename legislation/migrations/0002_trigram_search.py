"""Trigram indexes for search on PostgreSQL: acts, provisions and registration decisions (``kzpolitics.core.search_indexes``
says which lookups they answer). On SQLite it does nothing."""

from django.db import migrations

from kzpolitics.core.search_indexes import trigram_indexes

# (model, field, also indexed as written for trigram similarity)
SEARCHED = [
    ("legalact", "title", False),
    ("legalact", "summary", False),
    ("legalact", "slug", False),
    ("provision", "text", False),
    ("provision", "summary", False),
    ("registrationdecision", "note", False),
]


class Migration(migrations.Migration):
    dependencies = [
        ("legislation", "0001_initial"),
        ("kzpolitics", "0002_trigram_search"),
    ]

    operations = [trigram_indexes("legislation", SEARCHED)]
