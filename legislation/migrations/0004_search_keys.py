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
    ("legalact", "title_key"),
]

# The indexes of 0002_trigram_search that searching through the keys leaves unused
RETIRED = [
    ("legalact", "title", False),
]


class Migration(migrations.Migration):
    dependencies = [
        ("legislation", "0003_public_note"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicallegalact",
            name="title_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="title"),
        ),
        migrations.AddField(
            model_name="legalact",
            name="title_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="title"),
        ),
        fill_search_keys("legislation", KEYS),
        search_key_indexes("legislation", KEYS),
        retired_trigram_indexes("legislation", RETIRED),
    ]
