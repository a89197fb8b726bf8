"""The research API's site level: events, sources, citations, and the one router.

This module spans every app (events concern organizations, elections and acts), so it sits
at the top of the site beside the settings, like the root URLs.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.http import Http404
from rest_framework import routers, serializers
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings

from elections.api import ElectionViewSet, ResultViewSet
from elections.models import Election, Result
from elections.serializers import ElectionRefSerializer
from kzpolitics.core.coverage import cited_models
from kzpolitics.core.fields import ApiLink, PageUrlField, RefField, UncertainDateField
from kzpolitics.core.filters import (
    CitationFilter,
    EventFilter,
    PeriodFilter,
    PlaceFilter,
    SourceFilter,
)
from kzpolitics.core.models import (
    Citation,
    Event,
    Period,
    Person,
    Place,
    PlaceName,
    Source,
    published_prefetch,
)
from kzpolitics.core.rest import check_query_params
from kzpolitics.core.serializers import (
    NOTE_HELP,
    RECORD_HELP,
    FlatCitationSerializer,
    ModelCleanMixin,
    ModelSerializer,
    PeriodSerializer,
    PersonRefSerializer,
    PlaceRefSerializer,
    PlaceSerializer,
    SourceSerializer,
    citations_field,
)
from kzpolitics.core.viewsets import RecordViewSet
from legislation.api import LegalActViewSet, RegistrationDecisionViewSet
from legislation.models import LegalAct, RegistrationDecision
from legislation.serializers import LegalActRefSerializer
from parties.api import OrganizationViewSet, PersonViewSet
from parties.models import Organization
from parties.serializers import OrganizationRefSerializer


class EventSerializer(ModelCleanMixin, ModelSerializer):
    """A dated happening and the organizations, people, elections and acts it concerns."""

    url = PageUrlField()
    api_url = ApiLink("api:event-detail")
    date = UncertainDateField("date", help_text="When it happened.")
    place = RefField(
        PlaceRefSerializer,
        allow_null=True,
        required=False,
        help_text="Where it happened, or null (write its slug).",
    )
    organizations = OrganizationRefSerializer(
        many=True, read_only=True, help_text="Organizations it concerns."
    )
    people = PersonRefSerializer(many=True, read_only=True, help_text="People it concerns.")
    elections = ElectionRefSerializer(many=True, read_only=True, help_text="Elections it concerns.")
    acts = LegalActRefSerializer(many=True, read_only=True, help_text="Legal acts it concerns.")
    citations = citations_field()

    class Meta:
        model = Event
        fields = (
            "id",
            "slug",
            "url",
            "api_url",
            "kind",
            "title",
            "date",
            "place",
            "summary",
            "public_note",
            "organizations",
            "people",
            "elections",
            "acts",
            "updated_at",
            "citations",
        )
        read_only_fields = ("updated_at",)
        extra_kwargs = {
            **RECORD_HELP,
            "kind": {"help_text": "What sort of event."},
            "title": {"help_text": "What happened, in a few words."},
            "public_note": NOTE_HELP,
        }


class EventViewSet(RecordViewSet):
    """Every dated event, in order: the timeline."""

    figure = "events"
    serializer_class = EventSerializer
    filterset_class = EventFilter
    search_fields = ("title", "summary", "slug", "place__name", "place__names__name")
    ordering_fields = ("date_earliest", "title", "kind", "updated_at")
    ordering = None  # the QuerySet's own: by date, undated last on every database
    queryset = Event.objects.all()

    def published_queryset(self):
        # Its place, and each record it concerns, only while the public may see it.
        return (
            Event.objects.published()
            .chronological()
            .with_public_links("place")
            # One event's record reads only the kinds of record it names (most name few).
            .prefetch_present(
                published_prefetch("organizations", Organization),
                published_prefetch("people", Person),
                published_prefetch("elections", Election),
                published_prefetch("acts", LegalAct),
                ask=self.action != "list",
            )
            .with_citations()
        )


def cited_records():
    """Prefetch of the records citations back, each with what its page address needs."""
    # Result and RegistrationDecision pages are anchors on their election's or organization's.
    related = {Result: "election", RegistrationDecision: "organization"}
    querysets = []
    for model in cited_models():
        name = related.get(model, model.PARENT)
        records = model.objects.published()  # as Citation.objects.published() requires
        querysets.append(records.select_related(name) if name else records)
    return GenericPrefetch("content_object", querysets)


class PlaceViewSet(RecordViewSet):
    """Places and the names they bore: search “Almaty” finds Alma Ata."""

    serializer_class = PlaceSerializer
    filterset_class = PlaceFilter
    search_fields = ("name", "names__name", "slug")
    ordering_fields = ("name", "kind", "updated_at")
    ordering = ("name",)
    queryset = Place.objects.all()

    def published_queryset(self):
        return (
            Place.objects.published()
            .prefetch_related(published_prefetch("names", PlaceName))
            .with_citations("names")
        )


class PeriodViewSet(RecordViewSet):
    """The stages of the story as the founding article tells them (the home page's and the
    timeline's entry points), each with the article's passage that backs it."""

    serializer_class = PeriodSerializer
    filterset_class = PeriodFilter
    search_fields = ("title", "summary", "label", "slug")
    ordering_fields = ("start_year", "title", "updated_at")
    ordering = ("start_year", "end_year", "id")
    queryset = Period.objects.all()

    def published_queryset(self):
        return Period.objects.published().with_citations()


class SourceViewSet(RecordViewSet):
    """Sources: the article and every work its footnotes name, each with what cites it (how
    many citations, and the address of the citations list that gives them)."""

    figure = "sources"
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    search_fields = ("title", "authors", "editors", "container", "slug", "url")
    ordering_fields = ("authors", "title", "date_earliest", "updated_at")
    ordering = ("authors", "title")
    queryset = Source.objects.all()

    def published_queryset(self):
        return Source.objects.published()


class CitationWriteSerializer(FlatCitationSerializer):
    record_type = serializers.ChoiceField(
        choices=[],
        write_only=True,
        help_text="app_label.model of the record cited, e.g. parties.organization.",
    )
    record_id = serializers.IntegerField(
        source="object_id", write_only=True, help_text="Id of the record cited."
    )

    class Meta(FlatCitationSerializer.Meta):
        fields = (*FlatCitationSerializer.Meta.fields, "record_type", "record_id")

    def get_fields(self):
        fields = super().get_fields()
        fields["record_type"].choices = sorted(m._meta.label_lower for m in cited_models())
        return fields

    def validate(self, attrs):
        label = attrs.pop("record_type", None)
        if label:
            app_label, model_name = label.split(".")
            attrs["content_type"] = ContentType.objects.get_by_natural_key(app_label, model_name)
        content_type = attrs.get("content_type", getattr(self.instance, "content_type", None))
        object_id = attrs.get("object_id", getattr(self.instance, "object_id", None))
        if content_type is None or object_id is None:
            raise serializers.ValidationError(
                {"record_type": "Name the record cited: record_type and record_id."}
            )
        model = content_type.model_class()
        if not model.objects.filter(pk=object_id).exists():
            raise serializers.ValidationError(
                {"record_id": f"No {model._meta.label_lower} with id {object_id}."}
            )
        return super().validate(attrs)


class CitationViewSet(RecordViewSet):
    """Every citation, flat. Citations have no name: the id is their key."""

    lookup_field = "pk"
    serializer_class = CitationWriteSerializer
    search_fields = ("quote", "field", "public_note", "source__title", "source__authors")
    ordering_fields = ("id", "updated_at", "footnote")
    ordering = ("id",)
    filterset_class = CitationFilter
    queryset = Citation.objects.all()

    # Counting the public citations reads every citation (80 ms at a hundred times the
    # article's data): the unfiltered list takes the kept count.
    figure = "citations"

    def published_queryset(self):
        # published(): its source, the work it goes via and the record it backs are too. One
        # citation asks that of its record by looking it up (get_object), not by reading every
        # public record of every kind (20 ms at a hundred times the article's data).
        one = self.action == "retrieve"
        citations = Citation.objects.published_own() if one else Citation.objects.published()
        return citations.select_related("content_type", "source", "via").prefetch_related(
            cited_records()
        )

    def get_object(self):
        citation = super().get_object()
        if self.action == "retrieve" and citation.content_object is None:
            # Its record is not public (cited_records fetches only public ones): the same 404
            # as for no citation at all.
            raise Http404(f"No {Citation._meta.object_name} matches the given query.")
        return citation


class ApiRootView(routers.APIRootView):
    """The API's root: the address of each list. It takes ``?format=`` only: any other query
    parameter is a 400, as on every list and record."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_query_params(request, {api_settings.URL_FORMAT_OVERRIDE}, "This address")

    def get(self, request, *args, **kwargs):
        # The router knows its lists only: the addresses beside them, after them.
        response = super().get(request, *args, **kwargs)
        for key, name in OTHER_ADDRESSES.items():
            response.data[key] = reverse(f"api:{name}", request=request)
        return response


# Every address of the API that is not a router's list, as the root lists it (key: URL name).
OTHER_ADDRESSES = {
    "export": "export",
    "export/versions": "export-versions",
    "reconcile": "reconcile",
    "schema": "schema",
    "docs": "docs",
}


router = routers.DefaultRouter()
router.APIRootView = ApiRootView
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("elections", ElectionViewSet, basename="election")
router.register("results", ResultViewSet, basename="result")
router.register("acts", LegalActViewSet, basename="legalact")
router.register("registrations", RegistrationDecisionViewSet, basename="registrationdecision")
router.register("events", EventViewSet, basename="event")
router.register("places", PlaceViewSet, basename="place")
router.register("periods", PeriodViewSet, basename="period")
router.register("sources", SourceViewSet, basename="source")
router.register("citations", CitationViewSet, basename="citation")

__all__ = ["router"]
