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
    ("person", "name_key"),
    ("personname", "name_key"),
    ("place", "name_key"),
    ("placename", "name_key"),
    ("event", "title_key"),
    ("source", "title_key"),
    ("source", "authors_key"),
]

# The indexes of 0002_trigram_search that searching through the keys leaves unused
RETIRED = [
    ("person", "name", True),
    ("personname", "name", True),
    ("place", "name", True),
    ("placename", "name", True),
    ("event", "title", False),
    ("source", "title", False),
    ("source", "authors", False),
]


class Migration(migrations.Migration):
    dependencies = [
        ("kzpolitics", "0003_public_note"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="title_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="title"),
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="title_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="title"),
        ),
        migrations.AddField(
            model_name="historicalperson",
            name="name_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="name"),
        ),
        migrations.AddField(
            model_name="historicalpersonname",
            name="name_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="name"),
        ),
        migrations.AddField(
            model_name="historicalplace",
            name="name_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="name"),
        ),
        migrations.AddField(
            model_name="historicalplacename",
            name="name_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="name"),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="authors_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="authors"),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="title_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="title"),
        ),
        migrations.AddField(
            model_name="person",
            name="name_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="name"),
        ),
        migrations.AddField(
            model_name="personname",
            name="name_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="name"),
        ),
        migrations.AddField(
            model_name="place",
            name="name_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="name"),
        ),
        migrations.AddField(
            model_name="placename",
            name="name_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="name"),
        ),
        migrations.AddField(
            model_name="source",
            name="authors_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="authors"),
        ),
        migrations.AddField(
            model_name="source",
            name="title_key",
            field=kzpolitics.core.search.SearchKeyField(blank=True, default="", source="title"),
        ),
        fill_search_keys("kzpolitics", KEYS),
        search_key_indexes("kzpolitics", KEYS),
        retired_trigram_indexes("kzpolitics", RETIRED),
    ]
