"""No public page shows the data's internals: a model field's identifier, a fixture file's
name, or a record's slug where its name belongs. Crawled over every page of the article's
data: each record's page (the sitemap), the lists, every page of the timeline, the sources."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.utils.text import slugify

from kzpolitics.core.models import content_models

from .page_kinds import PAGES, sitemap_addresses

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Not read as prose: scripts and styles, and the BibTeX a reader copies (its key is a slug).
INVISIBLE = {"script", "style", "template", "pre"}


class VisibleText(HTMLParser):
    """The text a reader reads: every text node outside scripts, styles and preformatted
    blocks (attributes, such as links' addresses and titles, are not text nodes and so are
    left out)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in INVISIBLE:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in INVISIBLE and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def field_identifiers() -> set[str]:
    """Every concrete field of every kind of record whose name has an underscore
    (``split_from`` is a choice, not a field, and is added from the choices below)."""
    names = set()
    for model in content_models():
        for field in model._meta.get_fields():
            if getattr(field, "concrete", False) and "_" in field.name:
                names.add(field.name)
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and "_" in value:
                    names.add(value)
    return names


def fixture_names() -> set[str]:
    return {path.name for path in FIXTURES.glob("*.yaml")}


def internal_slugs() -> set[str]:
    """Records' slugs with a hyphen that are not simply their name written as a slug: a
    reader should never meet ``december-1986-events-alma-ata`` in a sentence."""
    slugs = set()
    for model in content_models():
        if not any(f.name == "slug" for f in model._meta.get_fields()):
            continue
        for record in model.objects.all():
            name = getattr(record, "name", None) or getattr(record, "title", None) or ""
            if "-" in record.slug and record.slug != slugify(name):
                slugs.add(record.slug)
    return slugs


def whole(word: str) -> str:
    """A pattern for the word on its own: not inside a longer identifier or slug."""
    return rf"(?<![\w-]){re.escape(word)}(?![\w-])"


def internals_pattern() -> re.Pattern:
    """Identifiers and slugs as written (lower case: “Aral-Asia-Kazakhstan” in a name is not
    the slug ``aral-asia-kazakhstan``); file names and “seed” in any case."""
    exact = sorted(map(whole, field_identifiers() | internal_slugs()), key=len, reverse=True)
    files = sorted(map(whole, fixture_names()), key=len, reverse=True)
    return re.compile("|".join([*exact, *(f"(?i:{f})" for f in [*files, r"\bseed\b"])]))


def internals_in(text: str, pattern: re.Pattern) -> list[str]:
    """What the pattern finds in the text, but in a printed web address (“cite this page”
    gives the page's address, slug and all: an address, not a name)."""
    text = re.sub(r"https?://\S+", " ", text)
    return sorted({match.group(0) for match in pattern.finditer(text)})


def public_pages(client) -> list[str]:
    """Every record's page (from the sitemap), every page kind, every page of the timeline."""
    urls = sitemap_addresses(lambda path: client.get(path).content.decode())
    urls += [url for url in PAGES.values() if url not in urls]
    timeline = "/timeline/"
    while timeline:
        if timeline not in urls:
            urls.append(timeline)
        html = client.get(timeline).content.decode()
        found = re.search(r'<a[^>]*rel="next"[^>]*href="([^"]+)"', html) or re.search(
            r'<a[^>]*href="([^"]+)"[^>]*rel="next"', html
        )
        timeline = found.group(1).replace("&amp;", "&") if found else None
    return urls


def test_the_checker_reads_text_not_attributes_and_finds_each_kind_of_internal():
    pattern = re.compile("|".join([whole("split_from"), whole("elections.yaml"), r"\bseed\b"]))
    html = (
        '<p title="split_from">A <a href="/x/split_from/">party</a></p>'
        "<script>var split_from = 1;</script><p>from the seed text, see elections.yaml</p>"
    )
    assert internals_in(visible_text(html), pattern) == ["elections.yaml", "seed"]
    assert internals_in("a split_from b", pattern) == ["split_from"]
    assert internals_in("a split_from_x b", pattern) == []
    assert internals_in("see http://example.org/split_from/ there", pattern) == []


def test_the_words_checked_include_fields_fixture_files_and_slugs_unlike_names():
    words = field_identifiers()
    assert {"split_from", "seats_total", "founding_place", "public_note"} <= words
    assert "elections.yaml" in fixture_names()
    slugs = internal_slugs()
    assert "december-1986-events-alma-ata" in slugs
    assert "alma-ata" not in slugs  # the slug of “Alma-Ata” is its name


def test_no_public_page_shows_a_field_identifier_a_fixture_file_or_a_slug(client):
    pattern = internals_pattern()
    found = {}
    for url in public_pages(client):
        response = client.get(url)
        assert response.status_code == 200, url
        hits = internals_in(visible_text(response.content.decode()), pattern)
        if hits:
            found[url] = hits
    assert found == {}
