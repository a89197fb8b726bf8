"""The sitemap: every public page, built with django.contrib.sitemaps. It lists what the
public may see (``published()``), whoever asks: there is no preview of it.

``/sitemap.xml`` is an index (``sitemapindex``) of one sitemap a kind, ``/sitemap-<kind>.xml``,
each of at most ``RecordSitemap.limit`` addresses a page (``?p=2`` and on): a crawler fetches
what changed, and no answer grows with the whole site.

The sitemaps framework is used without being an installed app: the site renders its own
templates (templates/kzpolitics/sitemap.xml and sitemap_index.xml), and without
django.contrib.sites the domain comes from the request.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from elections.models import Election
from kzpolitics.core.models import Event, Person, Place, Source
from legislation.models import LegalAct
from parties.models import Organization


class PageSitemap(Sitemap):
    """The lists and site-wide pages."""

    changefreq = "weekly"

    def items(self):
        return [
            "kzpolitics:home",
            "parties:organization-list",
            "kzpolitics:person-list",
            "elections:election-list",
            "legislation:act-list",
            "kzpolitics:timeline",
            "kzpolitics:source-list",
            "kzpolitics:place-list",
        ]

    def location(self, item):
        return reverse(item)


class RecordSitemap(Sitemap):
    """One entry per record the public may see, by slug, with the time it last changed."""

    model = None
    changefreq = "monthly"
    limit = 1000  # addresses a page: about 150 KB

    def items(self):
        return self.model.objects.published().order_by("pk").only("pk", "slug", "updated_at")

    def lastmod(self, obj):
        return obj.updated_at

    def get_latest_lastmod(self):
        """The index's date for this kind: the latest of its records', in one query (the
        framework's default reads every record to find it)."""
        return self.model.objects.published().aggregate(latest=Max("updated_at"))["latest"]


def record_sitemap(model_class):
    return type(f"{model_class.__name__}Sitemap", (RecordSitemap,), {"model": model_class})


SITEMAPS = {
    "pages": PageSitemap,
    "organizations": record_sitemap(Organization),
    "people": record_sitemap(Person),
    "elections": record_sitemap(Election),
    "acts": record_sitemap(LegalAct),
    "events": record_sitemap(Event),
    "sources": record_sitemap(Source),
    "places": record_sitemap(Place),
}
