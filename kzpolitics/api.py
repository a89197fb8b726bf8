"""The research API's site level: events, sources, citations, and the one router.

This module spans every app (events concern organizations, elections and acts), so it sits
at the top of the site beside the settings, like the root URLs.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from rest_framework import routers, serializers
from rest_framework.viewsets import ModelViewSet

from elections.api import ElectionViewSet, ResultViewSet
from elections.serializers import ElectionRefSerializer
from legislation.api import LegalActViewSet, RegistrationDecisionViewSet
from legislation.serializers import LegalActRefSerializer
from parties.api import OrganizationViewSet, PersonViewSet
from parties.serializers import OrganizationRefSerializer

from .coverage import cited_models
from .filters import EventFilter, SourceFilter
from .models import Citation, Event, Place, Source
from .serializers import (
    ApiLink,
    FlatCitationSerializer,
    PersonRefSerializer,
    PlaceRefSerializer,
    SourceSerializer,
    UncertainDateField,
    citations_field,
)
from .viewsets import RecordViewSet


class EventSerializer(serializers.ModelSerializer):
    """A dated happening and the organizations, people, elections and acts it concerns."""

    api_url = ApiLink("api:event-detail")
    date = UncertainDateField("date")
    place = PlaceRefSerializer(read_only=True, allow_null=True)
    place_slug = serializers.SlugRelatedField(
        source="place",
        slug_field="slug",
        queryset=Place.objects.all(),
        allow_null=True,
        required=False,
        write_only=True,
        help_text="Slug of the place (to write).",
    )
    organizations = OrganizationRefSerializer(many=True, read_only=True)
    people = PersonRefSerializer(many=True, read_only=True)
    elections = ElectionRefSerializer(many=True, read_only=True)
    acts = LegalActRefSerializer(many=True, read_only=True)
    citations = citations_field()

    class Meta:
        model = Event
        fields = (
            "id",
            "slug",
            "api_url",
            "kind",
            "title",
            "date",
            "place",
            "place_slug",
            "summary",
            "note",
            "organizations",
            "people",
            "elections",
            "acts",
            "updated_at",
            "citations",
        )
        read_only_fields = ("updated_at",)


class EventViewSet(RecordViewSet):
    """Every dated event, in order: the timeline."""

    serializer_class = EventSerializer
    filterset_class = EventFilter
    search_fields = ("title", "summary", "slug", "place__name", "place__names__name")
    ordering_fields = ("date_earliest", "title", "kind", "updated_at")
    ordering = ("date_earliest", "title")
    queryset = (
        Event.objects.select_related("place")
        .prefetch_related("organizations", "people", "elections", "acts")
        .with_citations()
    )


class SourceViewSet(RecordViewSet):
    """Sources: the article and every work its footnotes name, each with what cites it."""

    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    search_fields = ("title", "authors", "editors", "container", "slug", "url")
    ordering_fields = ("authors", "title", "date_earliest", "updated_at")
    ordering = ("authors", "title")
    queryset = Source.objects.prefetch_related(
        Prefetch(
            "citations",
            queryset=Citation.objects.select_related("content_type", "via").order_by("id"),
        )
    )


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
            app_label, model = label.split(".")
            attrs["content_type"] = ContentType.objects.get_by_natural_key(app_label, model)
        content_type = attrs.get("content_type") or getattr(self.instance, "content_type", None)
        object_id = attrs.get("object_id") or getattr(self.instance, "object_id", None)
        if content_type is None or object_id is None:
            raise serializers.ValidationError("record_type and record_id are required.")
        model = content_type.model_class()
        if not model.objects.filter(pk=object_id).exists():
            raise serializers.ValidationError({"record_id": f"No {label} with id {object_id}."})
        field = attrs.get("field", getattr(self.instance, "field", ""))
        if field and field not in model.CITED_FIELDS:
            raise serializers.ValidationError(
                {"field": f"Use one of: {', '.join(model.CITED_FIELDS) or '(empty)'}."}
            )
        if attrs.get("via") and attrs.get("via") == attrs.get("source"):
            raise serializers.ValidationError({"via": "A citation cannot go via its own source."})
        return attrs


class CitationViewSet(RecordViewSet, ModelViewSet):
    """Every citation, flat. Citations have no name: the id is their key."""

    lookup_field = "pk"
    serializer_class = CitationWriteSerializer
    search_fields = ("quote", "field", "note", "source__title", "source__authors")
    ordering_fields = ("id", "updated_at", "footnote")
    ordering = ("id",)
    filterset_fields = ("field", "footnote")
    queryset = Citation.objects.select_related("content_type", "source", "via")


router = routers.DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("elections", ElectionViewSet, basename="election")
router.register("results", ResultViewSet, basename="result")
router.register("acts", LegalActViewSet, basename="legalact")
router.register("registrations", RegistrationDecisionViewSet, basename="registrationdecision")
router.register("events", EventViewSet, basename="event")
router.register("sources", SourceViewSet, basename="source")
router.register("citations", CitationViewSet, basename="citation")

__all__ = ["router"]
