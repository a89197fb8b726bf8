"""The home page: what the site is, the founding article's periods, and what it holds."""

from __future__ import annotations

from django.views.generic import TemplateView

from elections.models import Election
from kzpolitics.core.models import Citation, Event, Period, Person, Source
from kzpolitics.core.views_base import PublicPageMixin
from kzpolitics.site.article_loader import ARTICLE_SLUG
from legislation.models import LegalAct
from parties.models import Organization


class HomeView(PublicPageMixin, TemplateView):
    """What the site is, the main periods as entry points, and how much it holds."""

    template_name = "kzpolitics/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        public = self.public
        context.update(
            title="Kazakhstan’s multiparty system, 1986-2005",
            article=Source.objects.visible(public).filter(slug=ARTICLE_SLUG).first(),
            periods=list(
                Period.objects.visible(public).chronological().with_citations(public=public)
            ),
            figures=[
                (label, model.objects.visible(public).count(), url_name)
                for label, model, url_name in (
                    ("organizations", Organization, "parties:organization-list"),
                    ("people", Person, "kzpolitics:person-list"),
                    ("events", Event, "kzpolitics:timeline"),
                    ("elections", Election, "elections:election-list"),
                    ("legal acts", LegalAct, "legislation:act-list"),
                    ("sources", Source, "kzpolitics:source-list"),
                    # Those of records the public may see, from sources it may see.
                    ("citations", Citation, "kzpolitics:source-list"),
                )
            ],
        )
        return context
