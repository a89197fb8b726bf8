"""Synthetic data shaped like the article's, for load tests (``manage.py seed_synthetic``).

The generator first measures the data already in the database (the article's, as
``load_article`` leaves it): how many rows each model has, how its kinds, statuses, tiers and
decisions are distributed, how often each optional field is filled, how precise its dates
are, how many citations back each field, how many participants an event has. It then adds
about N times as many rows of every model with the same proportions: organizations with names
over time, stances, membership figures, leaders and relations (a few "hub" organizations
collecting many of them); people with spelling variants (…aev / …ayev); places with former
names; elections with rounds and results per tier; acts with provisions and registration
decisions; events with their participants; and synthetic sources (books, newspapers, web
pages and articles with numbered footnotes) cited by every record and every filled factual
field, so that citation coverage stays complete.

Synthetic rows are recognisable: every slug starts with :data:`PREFIX`, and every other row
belongs to a record with such a slug (a name to its organization, a citation to its source).
:func:`remove` deletes exactly them.

Rows are inserted with ``bulk_create`` (no per-row ``save()``, no signals, so no history rows
and one data-version touch at the end), but hold what ``save()`` would have stored: status
published, version 1, timestamps, every uncertain date's earliest and latest day (computed by
the fields' own ``pre_save`` with :func:`kzpolitics.core.dates.bounds`) and ``record_published`` on
citations. The search keys (``kzpolitics.core.search.SearchKeyField``) are filled by their
fields' own ``pre_save`` too, which ``bulk_create`` calls, so there is nothing else to fill.

It is a tool of the checkout, not part of the site: ``manage.py seed_synthetic`` imports it
only when it runs, and the words it draws from are the JSON files of ``data/``.
"""

from .base import Report
from .fingerprint import fingerprint
from .rows import (
    DEFAULT_SEED,
    HUB_PERSON_SLUG,
    HUB_SLUG,
    LABELS,
    LINKS,
    PERSON_VARIANT,
    PREFIX,
    link_label,
    link_rows,
    model,
    remove,
    synthetic_counts,
    synthetic_q,
    synthetic_rows,
)
from .seeder import seed

__all__ = [
    "DEFAULT_SEED",
    "HUB_PERSON_SLUG",
    "HUB_SLUG",
    "LABELS",
    "LINKS",
    "PERSON_VARIANT",
    "PREFIX",
    "Report",
    "fingerprint",
    "link_label",
    "link_rows",
    "model",
    "remove",
    "seed",
    "synthetic_counts",
    "synthetic_q",
    "synthetic_rows",
]
