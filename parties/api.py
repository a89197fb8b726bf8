import functools

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer

from kzpolitics.core.models import Person, PersonName, published_prefetch
from kzpolitics.core.viewsets import RecordViewSet

from .filters import OrganizationFilter, PersonFilter
from .models import Organization, Relation, Role, attach_relations, attach_roles
from .serializers import (
    RELATIONS_SHOWN,
    ROLES_SHOWN,
    IncomingRelationSerializer,
    OrganizationRoleSerializer,
    OrganizationSerializer,
    PersonSerializer,
    RelationSerializer,
)

# A page of the rows that hang on one organization (its relations, its roles): JSON only,
# none of the organizations' list's filters.
ROW_PAGE = {"detail": True, "filter_backends": (), "renderer_classes": (JSONRenderer,)}


class OrganizationViewSet(RecordViewSet):
    """Parties, movements, public organizations, blocs and state bodies.

    Search matches every name an organization bore (official, short, translated, variant).

    Each organization carries `founding` and `ending`: the earliest and latest day it came
    into being and ended. They are its own cited `founded` / `dissolved` date where it has one;
    where that is empty they are derived (`"derived": true`, with the `evidence`) from
    published rows, each of whose ends is published:

    - founding evidence (it came into being then: founded no earlier than the row's earliest
      day, no later than its latest): a relation it is the subject of, of kind split from,
      based on, founded by or set up to counter; the new end of a renamed to;
    - ending evidence (it ended then): a merged into or renamed to it is the subject of; a
      registration decision banning or liquidating it;
    - existence evidence (it existed then: founded no later than the row's latest day, ended
      no earlier than its earliest): any other relation (member of, branch of, and the other
      end of every kind; a relation's end date too), an election result (the election's date),
      a registration decision (registered, re-registered, applied, denied);
    - an event it is linked to is a mention: it had not ended before the event, but says
      nothing of its founding (an event can lead to a founding: the coup of August 1991 and
      the parties the Communist Party split into).

    `founding.latest` is the earliest latest day of any evidence but events; `ending.earliest`
    the latest earliest day of any evidence, its last dated mention.

    `?active_on=` (a day, a month, a year or an EDTF span) returns every organization that
    certainly or possibly existed then, each with `certainty`: `certain` when founded by then
    (`founding.latest` on or before it) and not ended before (`ending.earliest` on or after
    it); `possible` when `founding.earliest` (or an unknown one) is on or before it and
    `ending.latest` (or an unknown one) on or after it. For a period: possibly, or certainly,
    existed on some day of it. An organization with no known end is possible after its last
    dated mention. One that nothing dates (no own date, no dated evidence) is left out.
    `?certainty=certain` or `possible` narrows `active_on` (alone it is a 400).
    """

    figure = "organizations"
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    search_fields = ("name", "names__name", "slug")
    ordering_fields = ("name", "kind", "founded_earliest", "dissolved_earliest", "updated_at")
    ordering = ("name",)
    queryset = Organization.objects.all()

    paged_actions = frozenset({"list", "relations", "related_from", "roles"})

    def published_queryset(self):
        relations = functools.partial(attach_relations, most=RELATIONS_SHOWN)
        roles = functools.partial(attach_roles, most=ROLES_SHOWN)
        # One organization's record reads only the kinds of row it has (most have few); a
        # page of many reads every kind, which nearly every page holds some of.
        one = self.action != "list"
        return (
            Organization.objects.published()
            .with_profile(relations=relations, roles=roles, ask=one)
            .with_lifespans(ask=one)
        )

    @extend_schema(responses=RelationSerializer(many=True))
    @action(**ROW_PAGE)
    def relations(self, request, slug=None):
        """Every relation the organization has to other organizations (its record gives the
        first few: `relations`), a page at a time, in the same order."""
        return self.relation_page("subject", RelationSerializer)

    @extend_schema(responses=IncomingRelationSerializer(many=True))
    @action(url_path="related-from", **ROW_PAGE)
    def related_from(self, request, slug=None):
        """Every relation other organizations have to this one (its record gives the first
        few: `related_from`), a page at a time, in the same order."""
        return self.relation_page("object", IncomingRelationSerializer)

    @extend_schema(responses=OrganizationRoleSerializer(many=True))
    @action(**ROW_PAGE)
    def roles(self, request, slug=None):
        """Every role in the organization, with who held it (its record gives the first few:
        `roles`), a page at a time, in the same order."""
        organization = get_object_or_404(Organization.objects.published(), slug=self.kwargs["slug"])
        rows = Role.objects.published().filter(organization=organization).select_related("person")
        return self.page_of(organization, rows, OrganizationRoleSerializer)  # the roles' order

    def relation_page(self, end: str, serializer_class):
        """A page of the relations whose ``end`` (subject or object) is the organization."""
        organization = get_object_or_404(Organization.objects.published(), slug=self.kwargs["slug"])
        rows = (
            Relation.objects.published()
            .filter(**{end: organization})
            .select_related("subject", "object")
            .order_by(*Relation.LISTED)
        )
        return self.page_of(organization, rows, serializer_class)

    def page_of(self, organization, rows, serializer_class):
        """A page of ``rows``, which hang on ``organization``, with their citations."""
        page = self.paginate_queryset(rows.with_citations())
        serializer = serializer_class(page, many=True, context=self.get_serializer_context())
        response = self.get_paginated_response(serializer.data)
        response.record_shown = organization  # its page's keys (kzpolitics.site.surrogates)
        return response


class PersonViewSet(RecordViewSet):
    """People, their name variants (Nazarbaev / Nazarbayev) and their roles over time."""

    figure = "people"
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    search_fields = ("name", "names__name", "slug")
    ordering_fields = ("name", "updated_at")
    ordering = ("name",)
    queryset = Person.objects.all()

    def published_queryset(self):
        return (
            Person.objects.published()
            .prefetch_related(
                published_prefetch("names", PersonName),
                published_prefetch("roles", Role, Role.objects.select_related("organization")),
            )
            .with_citations("names", "roles")
        )
