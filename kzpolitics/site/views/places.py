"""A place's page: the names it bore, what happened there, what was founded there."""

from __future__ import annotations

from django.views.generic import DetailView

from kzpolitics.core.models import Event, Place, PlaceName, published_prefetch
from kzpolitics.core.views_base import PublicPageMixin
from parties.models import Organization


class PlaceDetailView(PublicPageMixin, DetailView):
    """A place: the names it bore, what happened there, what was founded there."""

    template_name = "kzpolitics/place_detail.html"

    def get_queryset(self):
        public = self.public
        events = Event.objects.chronological().with_citations(public=public)
        return (
            Place.objects.visible(public)
            .prefetch_related(
                published_prefetch("parent", Place, public=public),
                published_prefetch("names", PlaceName, public=public),
                published_prefetch("children", Place, public=public),
                published_prefetch("events", Event, events, public=public),
                published_prefetch("organizations_founded", Organization, public=public),
            )
            .with_citations("names", public=public)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.object.name
        return context
