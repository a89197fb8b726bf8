"""Search keys: each searched name or title folded (``kzpolitics.core.search.fold``) in a
column of its own, filled for the rows already there, and on PostgreSQL indexed by trigrams
(``kzpolitics.core.search_indexes``). On SQLite the indexes are left out."""

from django.db import migrations

import kzpolitics.core.search
from kzpolitics.core.search_indexes import (
    fill_search_keys,
    retired_trigram_indexes,
    search_key_indexes,
)

# (model, search key field)
KEYS = [
    ("election", "name_key"),
]

# The indexes of 0002_trigram_search that searching through the keys leaves unused
RETIRED = [
    ("election", "name", False),
]


class Migration(migrations.Migration):
    dependencies = [
        ("elections", "0003_public_note"),
    ]

    operations = [
        migrations.AddField(
            model_name="election",
            name="name_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="name"),
        ),
        migrations.AddField(
            model_name="historicalelection",
            name="name_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="name"),
        ),
        fill_search_keys("elections", KEYS),
        search_key_indexes("elections", KEYS),
        retired_trigram_indexes("elections", RETIRED),
    ]
