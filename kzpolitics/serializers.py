"""Serializers for the shared records, and the fields every app's serializers reuse."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .dates import validate_edtf
from .models import Citation, Person, Place, PlaceName, Source


class UncertainDateSchema(serializers.Serializer):
    text = serializers.CharField(help_text="The date as the source words it.")
    edtf = serializers.CharField(help_text="Library of Congress EDTF value, e.g. 1994-21.")
    earliest = serializers.DateField(allow_null=True, help_text="Earliest day it can mean.")
    latest = serializers.DateField(allow_null=True, help_text="Latest day it can mean.")


@extend_schema_field(UncertainDateSchema)
class UncertainDateField(serializers.Field):
    """An uncertain date as an object: wording, EDTF, earliest and latest day.

    Written as ``{"text": "...", "edtf": "..."}``; earliest and latest are derived.
    """

    def __init__(self, date_name: str, **kwargs):
        self.date_name = date_name
        kwargs["source"] = "*"
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_representation(self, obj):
        value = getattr(obj, self.date_name)
        return {
            "text": value.text,
            "edtf": value.edtf,
            "earliest": value.earliest.isoformat() if value.earliest else None,
            "latest": value.latest.isoformat() if value.latest else None,
        }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError('Expected {"text": ..., "edtf": ...}.')
        text, edtf = str(data.get("text") or ""), str(data.get("edtf") or "")
        try:
            validate_edtf(edtf)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return {f"{self.date_name}_text": text[:120], f"{self.date_name}_edtf": edtf}


class ApiLink(serializers.HyperlinkedIdentityField):
    """The record's own API address."""

    def __init__(self, view_name: str, lookup_field: str = "slug", **kwargs):
        kwargs.setdefault("help_text", "This record in the API.")
        super().__init__(view_name=view_name, lookup_field=lookup_field, **kwargs)

    def get_url(self, obj, view_name, request, format):
        # A stable address: without the ?format= of the request that listed it.
        url = reverse(view_name, kwargs={self.lookup_url_kwarg: getattr(obj, self.lookup_field)})
        return request.build_absolute_uri(url) if request else url


class RefSerializer(serializers.ModelSerializer):
    """A related record as a small object: id, slug, name and API address."""

    view_name = ""

    def get_fields(self):
        fields = super().get_fields()
        fields["api_url"] = ApiLink(f"api:{self.view_name}")
        return fields


class SourceRefSerializer(RefSerializer):
    view_name = "source-detail"
    short_reference = serializers.CharField(read_only=True)

    class Meta:
        model = Source
        fields = ("id", "slug", "short_reference", "title")


class PersonRefSerializer(RefSerializer):
    view_name = "person-detail"

    class Meta:
        model = Person
        fields = ("id", "slug", "name")


class PlaceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Place
        fields = ("id", "slug", "name", "kind")


class CitationSerializer(serializers.ModelSerializer):
    """A citation as nested in a record: which source backs which field, where."""

    source = SourceRefSerializer(read_only=True)
    via = SourceRefSerializer(read_only=True, allow_null=True)
    locator = serializers.CharField(
        source="locator_text", read_only=True, help_text="The citation as a reader sees it."
    )

    class Meta:
        model = Citation
        fields = (
            "id",
            "field",
            "source",
            "pages",
            "footnote",
            "section",
            "quote",
            "via",
            "locator",
        )
        extra_kwargs = {"field": {"help_text": "Field or statement backed; empty: the record."}}


def citations_field():
    return CitationSerializer(
        many=True, read_only=True, help_text="Sources backing the record or its fields."
    )


class PlaceNameSerializer(serializers.ModelSerializer):
    start = UncertainDateField("start")
    end = UncertainDateField("end")
    citations = citations_field()

    class Meta:
        model = PlaceName
        fields = ("name", "kind", "language", "start", "end", "note", "citations")


class PlaceSerializer(serializers.ModelSerializer):
    names = PlaceNameSerializer(many=True, read_only=True)
    citations = citations_field()

    class Meta:
        model = Place
        fields = ("id", "slug", "name", "kind", "names", "citations")


class CitedRecordSerializer(serializers.Serializer):
    """A record a source backs, as listed on the source: its type, id and what is backed."""

    type = serializers.SerializerMethodField(help_text="app_label.model of the record.")
    object_id = serializers.IntegerField(help_text="The record's id.")
    field = serializers.CharField()
    pages = serializers.CharField()
    footnote = serializers.IntegerField(allow_null=True)
    quote = serializers.CharField()
    via = serializers.CharField(
        source="via.slug", read_only=True, allow_null=True, help_text="Slug of the via source."
    )

    def get_type(self, citation) -> str:
        return f"{citation.content_type.app_label}.{citation.content_type.model}"


class SourceSerializer(serializers.ModelSerializer):
    api_url = ApiLink("api:source-detail")
    date = UncertainDateField("date")
    short_reference = serializers.CharField(read_only=True)
    cited_by = CitedRecordSerializer(
        source="citations", many=True, read_only=True, help_text="Every citation of this source."
    )

    class Meta:
        model = Source
        fields = (
            "id",
            "slug",
            "api_url",
            "kind",
            "short_reference",
            "authors",
            "editors",
            "title",
            "container",
            "issue",
            "publisher",
            "place",
            "date",
            "url",
            "reference_text",
            "footnotes",
            "note",
            "updated_at",
            "cited_by",
        )


class RecordRefSerializer(serializers.Serializer):
    type = serializers.SerializerMethodField()
    id = serializers.IntegerField(source="object_id")

    def get_type(self, citation) -> str:
        return f"{citation.content_type.app_label}.{citation.content_type.model}"


class FlatCitationSerializer(serializers.ModelSerializer):
    """Every citation, flat: the record it backs, the source, the locator."""

    record = RecordRefSerializer(source="*", read_only=True)
    source = serializers.SlugRelatedField(slug_field="slug", queryset=Source.objects.all())
    via = serializers.SlugRelatedField(
        slug_field="slug", queryset=Source.objects.all(), allow_null=True, required=False
    )
    locator = serializers.CharField(source="locator_text", read_only=True)

    class Meta:
        model = Citation
        fields = (
            "id",
            "record",
            "field",
            "source",
            "pages",
            "footnote",
            "section",
            "quote",
            "via",
            "note",
            "locator",
            "updated_at",
        )
        read_only_fields = ("updated_at",)
