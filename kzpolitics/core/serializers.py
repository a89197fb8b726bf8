"""Serializers for the shared records, and the fields every app's serializers reuse."""

from __future__ import annotations

import copy
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.settings import api_settings
from simple_history.utils import update_change_reason

from kzpolitics.core.dates import uncertain_dates, validate_edtf
from kzpolitics.core.keys import is_usable_key
from kzpolitics.core.models import Citation, Person, Place, PlaceName, Source, Status
from kzpolitics.core.visibility import publishing_error

# Descriptions of the fields every record has, for the ``extra_kwargs`` of each serializer.
RECORD_HELP = {
    "id": {"help_text": "The record's numeric id."},
    "updated_at": {"help_text": "When the record last changed (ISO 8601)."},
}
NOTE_HELP = {"help_text": "Editorial remarks and doubts."}


class UncertainDateSchema(serializers.Serializer):
    """An uncertain date: the source's wording, its EDTF value, and the days it can mean."""

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


@extend_schema_field(OpenApiTypes.URI)
class PageUrlField(serializers.ReadOnlyField):
    """The record's public page on the site, as an absolute address."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs.setdefault("help_text", "The record's public page on the site.")
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return absolute(self.context.get("request"), obj.get_absolute_url())


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class RefField(serializers.RelatedField):
    """A related record: read as a small nested object, written as its slug (or id).

    ``RefField(OrganizationRefSerializer)`` shows ``{"id", "slug", "name", "api_url"}`` and
    accepts ``"otan"`` or ``{"slug": "otan"}``.
    """

    def __init__(self, ref_serializer, lookup: str = "slug", **kwargs):
        self.ref_serializer = ref_serializer
        self.lookup = lookup
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", ref_serializer.Meta.model.objects.all())
        super().__init__(**kwargs)

    def use_pk_only_optimization(self):
        return False

    def to_representation(self, value):
        return self.ref_serializer(value, context=self.context).data

    def to_internal_value(self, data):
        key = data.get(self.lookup) if isinstance(data, dict) else data
        model = self.ref_serializer.Meta.model
        if isinstance(key, bool) or not isinstance(key, str | int) or key == "":
            raise serializers.ValidationError(
                f'Give the {model._meta.verbose_name}\'s {self.lookup}, e.g. "{self.example}".'
            )
        queryset = self.get_queryset()
        missing = serializers.ValidationError(
            f"No {model._meta.verbose_name} with {self.lookup} “{str(key)[:80]}”."
        )
        # A key no column could hold (a NUL, which PostgreSQL refuses with an error; an id
        # beyond 64 bits) is no record's: said as such, before the database is asked.
        if not is_usable_key(model._meta.get_field(self.lookup), key, queryset.db):
            raise missing
        try:
            return queryset.get(**{self.lookup: key})
        except (model.DoesNotExist, ValueError, TypeError):
            raise missing from None

    @property
    def example(self) -> str:
        return "otan" if self.lookup == "slug" else "1"

    def nested_columns(self) -> list[str]:
        """Its CSV columns (``organization.slug``, ...), whatever a row holds."""
        return list(self.ref_serializer().fields)


class RefFieldExtension(OpenApiSerializerFieldExtension):
    """Schema of a RefField: the nested object when read, its slug or id when written."""

    target_class = RefField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if direction == "request":
            schema = {"type": "string" if field.lookup == "slug" else "integer"}
        else:
            schema = auto_schema.resolve_serializer(field.ref_serializer, direction).ref
        return {"allOf": [schema], "nullable": True} if field.allow_null else schema


NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


STATUS_HELP = (
    "Review status: draft, review (in review) or published. The public API shows published "
    "records only; only reviewers may publish. New records start as drafts."
)
VERSION_HELP = (
    "Goes up by one with every save. Send the version you read with a PUT or PATCH: if "
    "someone saved the record since, the write is refused with a 409 instead of overwriting."
)


class ModelCleanMixin:
    """Run the model's own validation before saving: choices, lengths, dates read from their
    wording (as the admin does), uniqueness and the database's constraints. A write the
    database would refuse becomes a 400 naming the field, never a 500.

    Also gives every record its review ``status`` and its ``version`` (see VERSION_HELP)."""

    def get_fields(self):
        fields = super().get_fields()
        fields["status"] = serializers.ChoiceField(
            choices=Status.choices, required=False, help_text=STATUS_HELP
        )
        fields["version"] = serializers.IntegerField(
            required=False, min_value=1, help_text=VERSION_HELP
        )
        return fields

    def update(self, instance, validated_data):
        instance._expected_version = validated_data.pop("version", None)
        instance._change_reason = self.context.get("edit_summary")
        return super().update(instance, validated_data)

    def create(self, validated_data):
        validated_data.pop("version", None)
        instance = super().create(validated_data)
        if self.context.get("edit_summary"):
            update_change_reason(instance, self.context["edit_summary"])
        return instance

    def validate(self, attrs):
        attrs = super().validate(attrs)
        error = publishing_error(
            self.context["request"].user,
            self.instance if self.instance is not None else self.Meta.model(),
            attrs.get("status"),
        )
        if error:
            raise PermissionDenied(error)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for key, value in attrs.items():
            field = model._meta._forward_fields_map.get(key)
            if field is not None and not field.many_to_many:
                setattr(instance, key, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise serializers.ValidationError({NON_FIELD: exc.messages}) from exc
            detail = {
                (NON_FIELD if key == "__all__" else key): messages
                for key, messages in exc.message_dict.items()
            }
            raise serializers.ValidationError(detail) from exc
        for declared in uncertain_dates(model):
            for column in declared.column_names[:2]:
                attrs[column] = getattr(instance, column)
        return attrs


class CitedRecordSchema(serializers.Serializer):
    type = serializers.CharField(
        help_text="app_label.model of the record, e.g. parties.organization."
    )
    id = serializers.IntegerField(help_text="The record's id.")
    slug = serializers.CharField(allow_null=True, help_text="Its slug, where it has one.")
    name = serializers.CharField(help_text="What the record is, in a few words.")
    url = serializers.URLField(
        allow_null=True, help_text="Its public page (or its record's, for a name or role)."
    )
    api_url = serializers.URLField(
        allow_null=True, help_text="It in the API, where it has an endpoint."
    )


@extend_schema_field(CitedRecordSchema)
class CitedRecordField(serializers.Field):
    """The record a citation backs (prefetch ``content_object``): type, id, slug, links."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        kwargs.setdefault("help_text", "The record the citation backs.")
        super().__init__(**kwargs)

    def nested_columns(self) -> list[str]:
        return list(CitedRecordSchema().fields)

    def to_representation(self, citation):
        record = citation.content_object
        ct = citation.content_type
        request = self.context.get("request")
        url = api_url = None
        # A row without a page or endpoint of its own (a name, a role) links to its record.
        target, api_path = record, None
        while target is not None:
            api_path = api_path_of(target)
            if api_path or not target.PARENT:
                break
            target = target.parent_record()
        page = record if hasattr(record, "get_absolute_url") else target
        if page is not None and hasattr(page, "get_absolute_url"):
            url = absolute(request, page.get_absolute_url())
        if api_path:
            api_url = absolute(request, api_path)
        return {
            "type": f"{ct.app_label}.{ct.model}",
            "id": citation.object_id,
            "slug": getattr(record, "slug", None),
            "name": record_label(record),
            "url": url,
            "api_url": api_url,
        }


def record_label(record) -> str:
    """A short label from the record's own columns (no query): its name, title or wording."""
    if record is None:
        return "(deleted record)"
    for attribute in ("name", "title", "wording", "reference", "number"):
        value = getattr(record, attribute, None)
        if value not in (None, ""):
            return str(value)
    return f"{record._meta.verbose_name} {record.pk}"


def api_path_of(record) -> str | None:
    """The record's address in the API, or None for a kind without an endpoint of its own.

    By the router's naming (``api:<model name>-detail``, keyed by the slug where the record has
    one, else by its id), so the core needs no import of the site's router."""
    model = type(record)
    slug = getattr(record, "slug", None)
    kwargs = {"slug": slug} if slug else {"pk": record.pk}
    try:
        return reverse(f"api:{model._meta.model_name}-detail", kwargs=kwargs)
    except NoReverseMatch:
        return None


class RefSerializer(serializers.ModelSerializer):
    """A related record as a small object: id, slug, name and API address."""

    view_name = ""

    def get_fields(self):
        fields = super().get_fields()
        fields["api_url"] = ApiLink(f"api:{self.view_name}")
        return fields


SHORT_REFERENCE_HELP = "Author-date label, e.g. “Ponomarev 1991”, “Babak (ed.) 2003”."


class SourceRefSerializer(RefSerializer):
    """A source, in brief."""

    view_name = "source-detail"
    short_reference = serializers.CharField(read_only=True, help_text=SHORT_REFERENCE_HELP)

    class Meta:
        model = Source
        fields = ("id", "slug", "short_reference", "title")
        extra_kwargs = {"id": RECORD_HELP["id"]}


class PersonRefSerializer(RefSerializer):
    """A person, in brief."""

    view_name = "person-detail"

    class Meta:
        model = Person
        fields = ("id", "slug", "name")
        extra_kwargs = {"id": RECORD_HELP["id"]}


class PlaceRefSerializer(RefSerializer):
    """A place, in brief."""

    view_name = "place-detail"

    class Meta:
        model = Place
        fields = ("id", "slug", "name", "kind")
        extra_kwargs = {
            "id": RECORD_HELP["id"],
            "kind": {"help_text": "What sort of place (city, region, country, ...)."},
        }


class CitationSerializer(serializers.ModelSerializer):
    """A citation as nested in a record: which source backs which field, where."""

    source = SourceRefSerializer(read_only=True, help_text="The work cited.")
    via = SourceRefSerializer(
        read_only=True,
        allow_null=True,
        help_text="The work it is cited through (e.g. the article quoting it), or null.",
    )
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
        extra_kwargs = {
            "id": RECORD_HELP["id"],
            "field": {"help_text": "Field or statement backed; empty: the record."},
        }


def citations_field():
    return CitationSerializer(
        many=True, read_only=True, help_text="Sources backing the record or its fields."
    )


class PlaceNameSerializer(serializers.ModelSerializer):
    """A name a place bore, and when (Alma Ata, then Almaty)."""

    start = UncertainDateField("start", help_text="When the name came into use.")
    end = UncertainDateField("end", help_text="When the name went out of use.")
    citations = citations_field()

    class Meta:
        model = PlaceName
        fields = ("name", "kind", "language", "start", "end", "note", "citations")
        extra_kwargs = {
            "kind": {"help_text": "Official, former, translated or variant name."},
            "note": NOTE_HELP,
        }


class PlaceSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A place and the names it bore (Alma Ata, then Almaty)."""

    url = PageUrlField()
    api_url = ApiLink("api:place-detail")

    names = PlaceNameSerializer(many=True, read_only=True, help_text="Every name it bore.")
    citations = citations_field()

    class Meta:
        model = Place
        fields = (
            "id",
            "slug",
            "url",
            "api_url",
            "name",
            "kind",
            "names",
            "updated_at",
            "citations",
        )
        extra_kwargs = {
            **RECORD_HELP,
            "kind": {"help_text": "What sort of place (city, region, country, ...)."},
        }


class CitedBySchema(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many citations name this source.")
    url = serializers.URLField(
        help_text="Those citations, a page at a time, each with the record and field it backs "
        "(/api/v1/citations/?source=<slug>)."
    )


@extend_schema_field(CitedBySchema)
class CitedByField(serializers.Field):
    """What cites a source: how many citations, and where to page through them.

    A source may back thousands of facts; listing them in each source would make a page of
    sources unbounded. The count comes from ``SourceListSerializer`` for a page of sources
    (one query), or is counted for a single one.
    """

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        kwargs.setdefault(
            "help_text",
            "What cites this source: the number of citations naming it, and the address of "
            "the citations list that gives them, with the record and field each backs.",
        )
        super().__init__(**kwargs)

    def nested_columns(self) -> list[str]:
        return list(CitedBySchema().fields)

    def to_representation(self, source):
        count = getattr(source, "cited_by_count", None)
        if count is None:
            # The citations the list at ``url`` gives: those the public may see.
            count = Citation.objects.published().filter(source=source).count()
        path = f"{reverse('api:citation-list')}?{urlencode({'source': source.slug})}"
        return {"count": count, "url": absolute(self.context.get("request"), path)}


class SourceListSerializer(serializers.ListSerializer):
    """A page of sources, the citations the public may see of them counted in one query."""

    def to_representation(self, data):
        sources = list(data.all() if hasattr(data, "all") else data)
        counts = dict(
            Citation.objects.published()
            .filter(source__in=sources)
            .order_by()
            .values_list("source")
            .annotate(n=Count("pk"))
            .values_list("source", "n")
        )
        for source in sources:
            source.cited_by_count = counts.get(source.pk, 0)
        return super().to_representation(sources)


class SourceSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A work that facts come from, and what cites it (how many citations, and where)."""

    api_url = ApiLink("api:source-detail")
    url = PageUrlField()
    address = serializers.URLField(
        source="url",
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="The work's own web address, where it has one.",
    )
    date = UncertainDateField("date", help_text="When it was published.")
    short_reference = serializers.CharField(read_only=True, help_text=SHORT_REFERENCE_HELP)
    cited_by = CitedByField()

    class Meta:
        model = Source
        list_serializer_class = SourceListSerializer
        fields = (
            "id",
            "slug",
            "url",
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
            "address",
            "reference_text",
            "footnotes",
            "note",
            "updated_at",
            "cited_by",
        )
        extra_kwargs = {**RECORD_HELP, "publisher": {"help_text": "Publisher, as printed."}}


class FlatCitationSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """Every citation, flat: the record it backs, the source, the locator."""

    api_url = ApiLink("api:citation-detail", lookup_field="pk")
    record = CitedRecordField()
    source = RefField(SourceRefSerializer, help_text="The work cited (write its slug).")
    via = RefField(
        SourceRefSerializer,
        allow_null=True,
        required=False,
        help_text="The work it is cited through (e.g. the article quoting it), or null.",
    )
    locator = serializers.CharField(
        source="locator_text", read_only=True, help_text="The citation as a reader sees it."
    )

    class Meta:
        model = Citation
        fields = (
            "id",
            "api_url",
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
        extra_kwargs = {**RECORD_HELP, "field": CitationSerializer.Meta.extra_kwargs["field"]}
