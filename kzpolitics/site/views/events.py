"""An event's page: its date, place, summary, and the records it concerns."""

from __future__ import annotations

from django.views.generic import DetailView

from elections.models import Election
from kzpolitics.core.models import Event, Person, PlaceName, published_prefetch
from kzpolitics.core.views_base import BuiltOnceMixin, PublicPageMixin
from legislation.models import LegalAct
from parties.models import Organization, OrganizationName


class EventDetailView(BuiltOnceMixin, PublicPageMixin, DetailView):
    """An event: date, place, summary, and the organizations, people, elections and acts."""

    template_name = "kzpolitics/event_detail.html"

    def get_queryset(self):
        public = self.public
        return (
            Event.objects.visible(public)
            .with_public_links("place", public=public)
            .prefetch_related(
                # Named as they were on the event's date (one query each, not one per name).
                published_prefetch("place__names", PlaceName, public=public),
            )
            # Each kind of record it names read only if it names one (most name few kinds).
            .prefetch_present(
                published_prefetch("people", Person, public=public),
                published_prefetch("organizations", Organization, public=public),
                published_prefetch("organizations__names", OrganizationName, public=public),
                published_prefetch("elections", Election, public=public),
                published_prefetch("acts", LegalAct, public=public),
            )
            .with_citations(public=public)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.object.title
        return context
