"""One address for every kind of public page, for the checks that go over them all."""

import html
import re

from django.core.cache import caches

PAGES = {
    "home": "/",
    "organization-list": "/organizations/",
    "organization-detail": "/organizations/otan/",
    "person-list": "/people/",
    "person-detail": "/people/nursultan-nazarbaev/",
    "election-list": "/elections/",
    "election-detail": "/elections/majilis-2004/",
    "act-list": "/acts/",
    "act-detail": "/acts/law-on-political-parties-2002/",
    "timeline": "/timeline/",
    "source-list": "/sources/",
    "source-detail": "/sources/ponomarev-1991/",
    "event-detail": "/events/december-1986-events-alma-ata/",
    "place-list": "/places/",
    "place-detail": "/places/alma-ata/",
    "search": "/search/?q=Nazarbayev",
}

# Pages that are not records but still the site's: the error page a mistyped address gets.
NOT_FOUND = "/no-such-page/"

# The sitemap is an index (``sitemapindex``) of the sitemaps of each kind.
SITEMAP = "/sitemap.xml"
SITEMAP_SECTION = "/sitemap-organizations.xml"  # one of them, for checks of every address
_LOC = re.compile(r"<loc>https?://[^/<]+(/[^<]*)</loc>")


def sitemap_addresses(read) -> list[str]:
    """The addresses (paths) every sitemap lists, found through the index: ``read(path)``
    gives the text at ``path`` (a test client's, a server's)."""
    found = []
    for sitemap in _LOC.findall(read(SITEMAP)):
        found += _LOC.findall(read(html.unescape(sitemap)))
    return found


def home_figures(client) -> dict[str, int]:
    """What the home page says the site holds (label to number), from a page made now."""
    caches["pages"].clear()  # the figures come from the template's context: a page made now
    return {label: number for label, number, _ in client.get("/").context["figures"]}


def record_paths(kinds, more_than: int) -> list[str]:
    """Every published record's page and API record, of each of ``kinds``: (model, the pages'
    prefix, the API's), each kind holding more than ``more_than`` records (the article's)."""
    paths = []
    for model, page, api in kinds:
        slugs = model.objects.published().order_by("slug").values_list("slug", flat=True)
        assert len(slugs) > more_than, model
        paths += [path for slug in slugs for path in (f"/{page}/{slug}/", f"/api/v1/{api}/{slug}/")]
    return paths


def body_of(response) -> bytes:
    """A response's body, read whole if it streams (a list's whole CSV)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def answers(client, paths: list[str]) -> dict[str, bytes]:
    """Each address's body, every one a 200."""
    found = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        found[path] = response.content
    return found
