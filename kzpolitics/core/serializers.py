"""Serializers for the shared records (sources, citations, places, and the small nested
forms of sources, people and places), and ``ModelCleanMixin``, which every writable serializer
uses. The fields they are built from are in ``kzpolitics.core.fields``."""

from __future__ import annotations

import copy
from collections import Counter

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings
from simple_history.utils import update_change_reason

from kzpolitics.core.dates import uncertain_dates
from kzpolitics.core.fields import (
    ApiLink,
    CitedByField,
    CitedRecordField,
    PageUrlField,
    RefField,
    UncertainDateField,
)
from kzpolitics.core.models import (
    Citation,
    Cited,
    Period,
    Person,
    Place,
    PlaceName,
    Source,
    Status,
    kept,
)
from kzpolitics.core.visibility import publishing_error

# Descriptions of the fields every record has, for the ``extra_kwargs`` of each serializer.
RECORD_HELP = {
    "id": {"help_text": "The record's numeric id."},
    "updated_at": {"help_text": "When the record last changed (ISO 8601)."},
}
# Only the note for readers is published: the editors' internal note never leaves the admin.
NOTE_HELP = {
    "help_text": "A note for readers, in plain English: how a date or a name is read, a doubt "
    "about a figure. Empty when there is none."
}


NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


STATUS_HELP = (
    "Review status: draft, review (in review) or published. The public API shows published "
    "records only; only reviewers may publish. New records start as drafts."
)
VERSION_HELP = (
    "Goes up by one with every save. Send the version you read with a PUT or PATCH: if "
    "someone saved the record since, the write is refused with a 409 instead of overwriting."
)


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ``ModelSerializer``, its fields made from the model once per class.

    DRF makes a serializer's fields from its model (each column's kind, label, help text,
    choices) every time a serializer is made: an API page of organizations makes its 31 nested
    serializers, and their fields, afresh at every request (5.8 ms of the page). They depend on
    the class alone (its ``Meta`` and declared fields), so they are made once, and each
    serializer gets its own copy of them, as DRF gives each its own copy of the declared
    fields (``Field.__deepcopy__``: made again from the arguments it was made with)."""

    def get_fields(self):
        made = type(self).__dict__.get("_fields_made")  # this class's own, not a parent's
        if made is None:
            made = super().get_fields()
            type(self)._fields_made = made
        return {name: copy_field(field) for name, field in made.items()}

    def to_representation(self, instance):
        """DRF's ``to_representation``, reading a field that shows a column of the model
        straight from the row.

        DRF reads each field's value through ``Field.get_attribute``: a walk of its source
        that tries the row as a mapping first, then asks whether the value is a function to
        call, some 2 µs a field; an API page of 50 organizations reads 3,500 fields. A column's
        value is neither, so it is read with ``getattr``, and the rest as DRF reads them
        (tests/test_serializer_fields.py compares the answers with DRF's on every record of
        the article)."""
        if not isinstance(instance, self.Meta.model):
            return super().to_representation(instance)
        plan = self.__dict__.get("_read_plan")
        if plan is None:
            plan = self._read_plan = [
                (f, column_of(self.Meta.model, f)) for f in self._readable_fields
            ]
        made = {}
        for field, column in plan:
            if column is None:
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
                present = value.pk if isinstance(value, PKOnlyObject) else value
            else:
                value = present = getattr(instance, column)
            made[field.field_name] = None if present is None else field.to_representation(value)
        return made


def copy_field(field):
    """A serializer's own copy of one of its class's fields, made once (``get_fields``) and
    never bound: made again from its arguments (DRF's ``Field.__deepcopy__``) if it holds other
    fields (a nested serializer, a list of them, a many-related field), whose binding to their
    parent is their own; else a shallow copy, which ``bind`` then gives its name and parent.

    The 220 fields of an organization's serializer, all deep-copied, cost 3.7 ms a request
    (an API record, a page of them); so 1.4 ms. Its 200 plain fields (a column, a link, a
    date) hold nothing a request changes but what ``bind`` sets, and their settings
    (validators, choices, messages) are read, never changed in place, so they are shared with
    the class's copy (tests/test_serializer_fields.py checks that binding leaves it unbound).
    The shallow copy is made by hand: ``copy.copy`` goes through the pickling protocol, 1.9 µs
    a field against 0.5."""
    if isinstance(field, serializers.BaseSerializer | serializers.ManyRelatedField) or hasattr(
        field, "child"
    ):
        return copy.deepcopy(field)
    shallow = object.__new__(type(field))  # what copy.copy makes, without its reduce protocol
    shallow.__dict__.update(field.__dict__)
    return shallow


def column_of(model, field) -> str | None:
    """The column of ``model`` whose value ``field`` shows as it is, read with ``getattr``:
    None for a field that reads its value in a way of its own (a nested serializer, a link, a
    method, a related record), which DRF's ``get_attribute`` then reads."""
    if type(field).get_attribute is not serializers.Field.get_attribute:
        return None
    if len(field.source_attrs) != 1 or isinstance(field, serializers.BaseSerializer):
        return None
    try:
        column = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return None
    if not column.concrete or column.is_relation:
        return None
    return column.attname


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
        self.refuse_a_published_slug_change(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for key, value in attrs.items():
            field = forward_field(model, key)
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

    def refuse_a_published_slug_change(self, attrs) -> None:
        """A published record's slug is a public address (its page, its API address, links
        from elsewhere): it is not changed, as the admin shows it read-only."""
        instance = self.instance
        if instance is None or "slug" not in attrs or attrs["slug"] == instance.slug:
            return
        if getattr(instance, "status", None) == Status.PUBLISHED:
            raise serializers.ValidationError(
                {
                    "slug": [
                        f"“{instance.slug}” is published: its slug is a public address and "
                        "cannot change. Leave it out of the request (or send it unchanged)."
                    ]
                }
            )


def forward_field(model, key: str):
    """The field of ``model`` that ``key`` names, by its name or its attribute (the column of a
    foreign key, ``organization_id``); None for no field of its own (a reverse relation is
    another model's field)."""
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        field = None
    if field is not None and not (field.auto_created and not field.concrete):
        return field
    return next((f for f in model._meta.concrete_fields if f.attname == key), None)


class RefSerializer(ModelSerializer):
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

    def to_representation(self, instance):
        # A work is cited many times in one answer (an API page of 50 organizations: 111
        # works, 399 times): each is made once an answer (its fields and its absolute API
        # address), and copied where it is cited again.
        made = self.root.__dict__.setdefault("_source_refs", {})
        if instance.pk not in made:
            made[instance.pk] = super().to_representation(instance)
        return dict(made[instance.pk])

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


class CitationListSerializer(serializers.ListSerializer):
    """A record's citations, read as kept (``kept``) without making the generic relation's
    manager (9 µs a record: an API page of 50 organizations nests some 190 lists of them)."""

    def get_attribute(self, instance):
        if len(self.source_attrs) != 1 or not isinstance(instance, Cited):
            return super().get_attribute(instance)
        return kept(instance, self.source_attrs[0])


class CitationSerializer(ModelSerializer):
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
        list_serializer_class = CitationListSerializer
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
            "field": {
                "help_text": "Backs the field: the record's field or statement the citation "
                "backs (e.g. “founded”); empty: the record as a whole."
            },
        }

    # What ``to_representation`` writes of each column: DRF's CharField and IntegerField give
    # ``str()`` and ``int()`` of a value that is not None (tests/test_serializer_fields.py
    # checks the answer against DRF's own, field by field, on every citation of the article).
    TEXT = ("field", "pages", "section", "quote")

    def to_representation(self, instance):
        """The citation as DRF's ``to_representation`` makes it, built directly.

        Citations are the most numerous rows of an answer (an API page of 50 organizations
        shows some 320): DRF's field-by-field loop (each field's attribute lookup and
        conversion) cost 44 µs a citation, 14 ms of that page's 120 ms; this costs a fifth of
        that. The works are the ``source`` field's (made once an answer)."""
        works = self.fields["source"]
        made = {"id": instance.pk}
        for name in self.TEXT:
            value = getattr(instance, name)
            made[name] = None if value is None else str(value)
        made["source"] = works.to_representation(instance.source)
        made["footnote"] = None if instance.footnote is None else int(instance.footnote)
        made["via"] = None if instance.via_id is None else works.to_representation(instance.via)
        made["locator"] = instance.locator_text
        return {name: made[name] for name in self.Meta.fields}


def citations_field():
    return CitationSerializer(
        many=True, read_only=True, help_text="Sources backing the record or its fields."
    )


class PlaceNameSerializer(ModelSerializer):
    """A name a place bore, and when (Alma Ata, then Almaty)."""

    start = UncertainDateField("start", help_text="When the name came into use.")
    end = UncertainDateField("end", help_text="When the name went out of use.")
    citations = citations_field()

    class Meta:
        model = PlaceName
        fields = ("name", "kind", "language", "start", "end", "public_note", "citations")
        extra_kwargs = {
            "kind": {"help_text": "Official, former, translated or variant name."},
            "public_note": NOTE_HELP,
        }


class PlaceSerializer(ModelCleanMixin, ModelSerializer):
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


class PeriodSerializer(ModelCleanMixin, ModelSerializer):
    """A stage of the story as the founding article tells it: its years, heading and summary."""

    url = PageUrlField(help_text="The timeline narrowed to the period's years.")
    api_url = ApiLink("api:period-detail")
    citations = citations_field()

    class Meta:
        model = Period
        fields = (
            "id",
            "slug",
            "url",
            "api_url",
            "label",
            "start_year",
            "end_year",
            "title",
            "summary",
            "updated_at",
            "citations",
        )
        extra_kwargs = {
            **RECORD_HELP,
            "label": {"help_text": "The years as readers see them, e.g. “1986–1991”."},
            "start_year": {"help_text": "The first year."},
            "end_year": {"help_text": "The last year."},
            "title": {"help_text": "A short heading."},
            "summary": {"help_text": "What happened in it, per the article."},
        }


class SourceListSerializer(serializers.ListSerializer):
    """A page of sources, the citations the public may see of them counted in one query."""

    def to_representation(self, data):
        sources = list(data.all() if hasattr(data, "all") else data)
        counts = Counter(
            source
            for *_, source in Citation.objects.filter(source__in=sources).public_rows("source")
        )
        for source in sources:
            source.cited_by_count = counts[source.pk]
        return super().to_representation(sources)


class SourceSerializer(ModelCleanMixin, ModelSerializer):
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
            "public_note",
            "updated_at",
            "cited_by",
        )
        extra_kwargs = {**RECORD_HELP, "publisher": {"help_text": "Publisher, as printed."}}


class FlatCitationSerializer(ModelCleanMixin, ModelSerializer):
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
            "public_note",
            "locator",
            "updated_at",
        )
        read_only_fields = ("updated_at",)
        extra_kwargs = {**RECORD_HELP, "field": CitationSerializer.Meta.extra_kwargs["field"]}
