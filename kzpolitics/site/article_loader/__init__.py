"""Load the founding article's data from ``fixtures/*.yaml`` into the database.

The YAML format is described in ``fixtures/README.md``. Loading is all or nothing: every
problem found (unknown slug, unknown key, invalid date or choice, a filled factual field no
citation names, a quote that is not word for word in the article) is collected and reported
with its file and record, and nothing is saved unless there are none.

This is site-level code (it sits beside the settings, not in the shared models), so it may
know every app.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from kzpolitics.core.dates import UncertainDate
from kzpolitics.site.article_loader.base import (
    ARTICLE_SLUG,
    CITATION_KEYS,
    HISTORY_REASON,
    LoadError,
    normalize,
)
from kzpolitics.site.article_loader.records import RecordLoaders

FILES = (
    "sources.yaml",
    "places.yaml",
    "people.yaml",
    "organizations.yaml",
    "elections.yaml",
    "legislation.yaml",
    "events.yaml",
    "periods.yaml",
)


class Loader(RecordLoaders):
    """Loads the files in the order their records refer to each other, in one transaction."""

    def load(self) -> dict[str, int]:
        data = {name: self.read(name) for name in FILES}
        with transaction.atomic():
            for entry in data["sources.yaml"].get("sources", []):
                self.with_context("sources.yaml", entry, self.load_source)
            self.article_source = self.sources.get(ARTICLE_SLUG)
            if self.article_source is None:
                raise LoadError([f"sources.yaml: the article ({ARTICLE_SLUG}) is missing"])
            self.each("places.yaml", "places", data, self.load_place)
            for entry in data["places.yaml"].get("places", []):
                self.with_context("places.yaml", entry, self.link_place)
            self.each("people.yaml", "people", data, self.load_person)
            orgs = data["organizations.yaml"].get("organizations", [])
            self.release_identifiers(orgs)
            for entry in orgs:
                self.with_context("organizations.yaml", entry, self.load_organization)
            for entry in orgs:
                self.with_context("organizations.yaml", entry, self.load_organization_rows)
            self.each("elections.yaml", "elections", data, self.load_election)
            self.each("legislation.yaml", "acts", data, self.load_act)
            for index, entry in enumerate(data["legislation.yaml"].get("registrations", [])):
                self.context = f"legislation.yaml: registrations[{index}]"
                self.guard(self.load_registration, entry)
            self.each("events.yaml", "events", data, self.load_event)
            self.each("periods.yaml", "periods", data, self.load_period)
            self.context = ""
            if self.problems:
                raise LoadError(self.problems)
        return self.counts


def load_article(fixtures_dir: Path | None = None, article_path: Path | None = None) -> dict:
    loader = Loader(
        Path(fixtures_dir or settings.FIXTURES_DIR), article_path or settings.ARTICLE_PATH
    )
    return loader.load()


__all__ = [
    "ARTICLE_SLUG",
    "CITATION_KEYS",
    "FILES",
    "HISTORY_REASON",
    "LoadError",
    "Loader",
    "UncertainDate",
    "load_article",
    "normalize",
]
