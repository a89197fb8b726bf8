"""The home page: what the site is, the founding article's periods, and what it holds."""

from __future__ import annotations

from django.views.generic import TemplateView

from kzpolitics.core.models import Period, Source
from kzpolitics.core.views_base import PublicPageMixin
from kzpolitics.site.article_loader import ARTICLE_SLUG
from kzpolitics.site.figures import figures


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
            figures=figures(public),
        )
        return context
