"""Places: the index of them all, and a place's page (the names it bore, what happened there,
what was founded there)."""

from __future__ import annotations

from django.views.generic import DetailView, ListView

from kzpolitics.core.models import Event, Place, PlaceName, published_prefetch
from kzpolitics.core.views_base import BuiltOnceMixin, PagedListMixin, PublicPageMixin
from parties.models import Organization

# The index's headings, one per kind of place, in the order of Place.Kind.
PLURALS = {
    Place.Kind.COUNTRY: "Countries",
    Place.Kind.REPUBLIC: "Republics",
    Place.Kind.REGION: "Regions",
    Place.Kind.CITY: "Cities",
    Place.Kind.TOWN: "Towns",
    Place.Kind.LAKE: "Lakes",
    Place.Kind.SEA: "Seas",
    Place.Kind.TEST_SITE: "Test sites",
    Place.Kind.AREA: "Areas",
}


class PlaceListView(PublicPageMixin, PagedListMixin, ListView):
    """Every place the public may see, by kind and then by name, with the other names it bore,
    ``paginate_by`` a page."""

    template_name = "kzpolitics/place_list.html"
    paginate_by = 100

    def get_queryset(self):
        public = self.public
        return (
            Place.objects.visible(public)
            .prefetch_related(published_prefetch("names", PlaceName, public=public))
            .with_citations("names", public=public)
            .in_choice_order("kind", "name", "id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        by_kind: dict[str, list[Place]] = {kind: [] for kind in Place.Kind.values}
        for place in context["object_list"]:
            # Its names of other times: those that differ from the name the site shows.
            place.other_names = [n for n in place.names_in_date_order() if n.name != place.name]
            by_kind.setdefault(place.kind, []).append(place)
        before = self.group_before(context["page_obj"], "kind")
        context.update(
            title="Places",
            groups=[
                {
                    "id": f"kind-{kind}".replace("_", "-"),
                    "label": PLURALS.get(kind, kind.replace("_", " ").capitalize()),
                    "places": places,
                    "continued": kind == before,
                }
                for kind, places in by_kind.items()
                if places
            ],
        )
        return context


class PlaceDetailView(BuiltOnceMixin, PublicPageMixin, DetailView):
    """A place: the names it bore, what happened there, what was founded there."""

    template_name = "kzpolitics/place_detail.html"

    def get_queryset(self):
        public = self.public
        events = Event.objects.chronological().with_citations(public=public)
        return (
            Place.objects.visible(public)
            .prefetch_related(published_prefetch("parent", Place, public=public))
            # Each kind of row read only if the place has one (most have few kinds).
            .prefetch_present(
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
