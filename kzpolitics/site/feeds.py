"""The public Atom feeds of published changes, so researchers can follow the data they use:
one of the whole site, and one of each published record with a page (its changes and those of
its rows: names, roles, relations, citations), at ``<its page>changes.atom``.

They list only what the public may see (``changes.recent_changes(public=True)``), and name no
editor: every entry is by “kzpolitics editors”. A draft's feed is the 404 of an address that
names nothing.
"""

from __future__ import annotations

from typing import NamedTuple

from django.contrib.syndication.views import Feed
from django.db.models import Model
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, rfc3339_date
from django.utils.html import format_html

from kzpolitics.core.changes import Change, recent_changes

FEED_SIZE = 50
AUTHOR = "kzpolitics editors"


class Entry(NamedTuple):
    change: Change
    id: str  # absolute and permanent: the feed's address and the change's position


class ChangesAtom(Atom1Feed):
    """Atom entries that leave out the link when the record has no public page (a deletion, a
    record since withdrawn); such an entry carries its text as content, as Atom then requires."""

    def add_item_elements(self, handler, item):
        handler.addQuickElement("title", item["title"])
        if item["has_page"]:
            handler.addQuickElement("link", "", {"href": item["link"], "rel": "alternate"})
        handler.addQuickElement("updated", rfc3339_date(item["updateddate"]))
        handler.startElement("author", {})
        handler.addQuickElement("name", item["author_name"])
        handler.endElement("author")
        handler.addQuickElement("id", item["unique_id"])
        handler.addQuickElement("summary", item["description"], {"type": "html"})
        if not item["has_page"]:
            handler.addQuickElement("content", item["description"], {"type": "html"})


class ChangesFeed(Feed):
    feed_type = ChangesAtom
    title = "kzpolitics: recent changes"
    subtitle = (
        "Published changes to the records of how Kazakhstan’s multiparty system came into "
        "being, newest first."
    )
    author_name = AUTHOR

    def get_object(self, request, *args, **kwargs) -> str:
        """The feed's own absolute address: its id, and the stem of its entries' ids."""
        return request.build_absolute_uri(reverse("changes-feed"))

    def link(self) -> str:
        return reverse("kzpolitics:home")

    def feed_guid(self, feed_url: str) -> str:
        return feed_url

    def items(self, feed_url: str) -> list[Entry]:
        changes = recent_changes(public=True, limit=FEED_SIZE).changes
        return [Entry(change, f"{feed_url}#change-{change.position}") for change in changes]

    def item_title(self, entry: Entry) -> str:
        return entry.change.headline

    def item_link(self, entry: Entry) -> str:
        return entry.change.url or entry.id

    def item_guid(self, entry: Entry) -> str:
        return entry.id

    def item_updateddate(self, entry: Entry):
        return entry.change.when

    def item_author_name(self, entry: Entry) -> str:
        return AUTHOR

    @staticmethod
    def what_changed(change: Change) -> list[str]:
        """The entry's paragraphs of its edit summary and the fields it changed."""
        parts = []
        if change.summary:
            parts.append(format_html("<p>Edit summary: {}</p>", change.summary))
        if change.fields:
            parts.append(format_html("<p>Fields changed: {}.</p>", ", ".join(change.fields)))
        return parts

    def item_description(self, entry: Entry) -> str:
        change = entry.change
        parts = self.what_changed(change)
        if not change.url:
            parts.append("<p>It has no public page now.</p>")
        return "".join(parts) or format_html("<p>{}</p>", change.headline)

    def item_extra_kwargs(self, entry: Entry) -> dict:
        return {"has_page": entry.change.url is not None}


class RecordScope(NamedTuple):
    record: Model
    url: str  # the feed's own absolute address


class RecordChangesFeed(ChangesFeed):
    """The published changes of one published record and of its rows, newest first. The
    record's kind comes with the URL pattern (``{"model": Organization}``)."""

    def get_object(self, request, slug: str, model: type[Model]) -> RecordScope:
        # What a page of the public read path sees: a draft is as absent as a mistyped slug.
        record = get_object_or_404(model.objects.published(), slug=slug)
        return RecordScope(record, request.build_absolute_uri(record_feed_url(record)))

    def title(self, scope: RecordScope) -> str:
        return f"kzpolitics: changes to {scope.record}"

    def subtitle(self, scope: RecordScope) -> str:
        return (
            f"Published changes to the {scope.record._meta.verbose_name} “{scope.record}” and "
            "its rows (names, roles, relations, citations), newest first."
        )

    def link(self, scope: RecordScope) -> str:
        return scope.record.get_absolute_url()

    def feed_guid(self, scope: RecordScope) -> str:
        return scope.url

    def items(self, scope: RecordScope) -> list[Entry]:
        records = {type(scope.record): [scope.record.pk]}
        changes = recent_changes(public=True, records=records, limit=FEED_SIZE).changes
        return [Entry(change, f"{scope.url}#change-{change.position}") for change in changes]


def record_feed_url(record) -> str:
    """Where a record's feed is: beside its page."""
    return f"{record.get_absolute_url()}changes.atom"
