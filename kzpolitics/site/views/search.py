"""Search: one box across every kind of record, finding each by any of its names."""

from __future__ import annotations

import re

from django.views.generic import TemplateView

from elections.models import Election
from kzpolitics.core.models import (
    Event,
    Person,
    PersonName,
    Place,
    PlaceName,
    Source,
    attach_citations,
    published_prefetch,
)
from kzpolitics.core.search import matched_name, search
from kzpolitics.core.views_base import PublicPageMixin
from legislation.models import LegalAct
from parties.models import Organization, OrganizationName

MAX_QUERY = 100
MIN_QUERY = 2
LIMIT = 50


# Each search reads the records the public may see (``public``; every one for an editor's
# preview) by their own names, and through related rows (other names, places) only those the
# public may see: ``search`` (kzpolitics.core.search) matches each in its own table, and joins
# what it points to by id (``also``).

NAMES = ("name", "names__name")


def places_matching(text: str, public: bool = True):
    """Places any of whose names match the text (Almaty finds Alma Ata), best matches first."""
    return search(Place.objects.visible(public), text, NAMES, public=public)


def events_matching(text: str, places, public: bool = True):
    """Events whose title or summary matches the text, or that happened at the places (ids
    of places the public may see); best matches first, then in date order."""
    at_places = Event.objects.visible(public).filter(place__in=places).values("pk")
    return search(
        Event.objects.visible(public).chronological(),
        text,
        ("title", "summary"),
        also=[at_places],
        public=public,
    )


def organizations_matching(text: str, places, public: bool = True):
    """Organizations by any of their names, or founded at the places (ids of places the
    public may see); best matches first."""
    founded_there = Organization.objects.visible(public).filter(founding_place__in=places)
    return search(
        Organization.objects.visible(public),
        text,
        NAMES,
        also=[founded_there.values("pk")],
        public=public,
    )


def people_matching(text: str, public: bool = True):
    """People by any of their names or spellings, best matches first."""
    return search(Person.objects.visible(public), text, NAMES, public=public)


class SearchView(PublicPageMixin, TemplateView):
    """One box across every kind of record, finding them by any name or spelling."""

    template_name = "kzpolitics/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        raw = self.request.GET.get("q", "")
        query = re.sub(r"\s+", " ", raw).strip()
        context.update(title="Search", query=query[:MAX_QUERY], groups=[], message="")
        if not query:
            context["message"] = (
                "Type a name or a word to search for: a party, a person, a place, a law."
            )
            return context
        if len(query) > MAX_QUERY:
            context["message"] = (
                f"That search is {len(query)} characters long; use at most {MAX_QUERY}."
            )
            return context
        if len(query) < MIN_QUERY:
            context["message"] = f"Type at least {MIN_QUERY} characters."
            return context
        context["title"] = f"Search: {query}"
        public = self.public
        places = list(
            places_matching(query, public).prefetch_related(
                published_prefetch("names", PlaceName, public=public)
            )[: LIMIT + 1]
        )
        place_ids = [p.pk for p in places]

        organizations = list(
            organizations_matching(query, place_ids, public)
            .with_public_links("founding_place", public=public)
            .prefetch_related(published_prefetch("names", OrganizationName, public=public))[
                : LIMIT + 1
            ]
        )
        for org in organizations:
            org.matched = matched_name(org, query)
            org.at_place = org.founding_place_id in place_ids and not org.matched
        people = list(
            people_matching(query, public).prefetch_related(
                published_prefetch("names", PersonName, public=public)
            )[: LIMIT + 1]
        )
        for person in people:
            person.matched = matched_name(person, query)
        for place in places:
            place.matched = matched_name(place, query)
        events = list(
            events_matching(query, place_ids, public).with_public_links("place", public=public)[
                : LIMIT + 1
            ]
        )
        elections = list(
            search(
                Election.objects.visible(public).chronological(),
                query,
                ("name", "summary"),
                public=public,
            )[: LIMIT + 1]
        )
        acts = list(
            search(
                LegalAct.objects.visible(public).chronological(),
                query,
                ("title", "summary"),
                public=public,
            )[: LIMIT + 1]
        )
        # The footnotes of all three kinds in one query.
        attach_citations([*events[:LIMIT], *elections[:LIMIT], *acts[:LIMIT]], public=public)
        sources = list(
            search(
                Source.objects.visible(public),
                query,
                ("title", "authors", "editors", "container"),
                public=public,
            )[: LIMIT + 1]
        )
        groups = [
            ("organizations", "Organizations", organizations),
            ("people", "People", people),
            ("places", "Places", places),
            ("events", "Events", events),
            ("elections", "Elections", elections),
            ("acts", "Legal acts", acts),
            ("sources", "Sources", sources),
        ]
        context["groups"] = [
            {"id": key, "label": label, "items": items[:LIMIT], "more": len(items) > LIMIT}
            for key, label, items in groups
            if items
        ]
        context["total"] = sum(len(g["items"]) for g in context["groups"])
        context["places"] = places
        return context
