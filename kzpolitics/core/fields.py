"""The serializer fields every app's serializers reuse (the serializers are in ``serializers``).

- ``UncertainDateField``: an uncertain date as wording, EDTF, earliest and latest day.
- ``ApiLink``, ``PageUrlField``: a record's API address and its public page.
- ``RefField``: a related record, read as a small object, written as its slug or id (with its
  OpenAPI schema, ``RefFieldExtension``).
- ``CitedRecordField``: the record a citation backs; ``CitedByField``: what cites a source.
- ``api_path_of(record)``, ``api_path(model, key)``: a record's address in the API, by the
  router's naming.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import NoReverseMatch, reverse
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kzpolitics.core.dates import validate_edtf
from kzpolitics.core.keys import is_usable_key
from kzpolitics.core.models import Citation
from kzpolitics.core.paths import record_path


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
        return absolute(request, record_path(view_name, getattr(obj, self.lookup_field)))


@extend_schema_field(OpenApiTypes.URI)
class PageUrlField(serializers.ReadOnlyField):
    """The record's public page on the site, as an absolute address."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs.setdefault("help_text", "The record's public page on the site.")
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return absolute(self.context.get("request"), obj.get_absolute_url())


# A path that ``build_absolute_uri`` only puts after the site's root: no query, no "." or ".."
# segment to resolve, nothing to percent-encode. Every record's address is one (slugs).
PLAIN_PATH = re.compile(r"(?:/[A-Za-z0-9_-]+)*/?")


def absolute(request, path: str) -> str:
    """``path`` as an absolute address on the site ``request`` came to (the path itself
    without a request), as ``request.build_absolute_uri(path)`` gives it.

    An answer of the API holds hundreds of them (an API page of 50 organizations: 490), and
    ``build_absolute_uri`` parses and encodes each afresh: a plain path is put after the
    site's root, read once a request."""
    if request is None:
        return path
    if not path.startswith("/") or not PLAIN_PATH.fullmatch(path):
        return request.build_absolute_uri(path)
    root = getattr(request, "kz_site_root", None)
    if root is None:
        root = request.kz_site_root = request.build_absolute_uri("/")[:-1]
    return root + path


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
        return self.ref.to_representation(value)

    @functools.cached_property
    def ref(self):
        """One serializer for every value this field shows: building its fields for each
        one (a serializer's fields are built per instance) cost more than showing it."""
        return self.ref_serializer(context=self.context)

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
    route = api_route(type(record))
    return None if route is None else api_path(type(record), getattr(record, route[1]))


def api_path(model, key) -> str | None:
    """The API address of the ``model`` record whose route key (``api_route``: its slug, or
    its id) is ``key``, or None for a kind without an endpoint of its own."""
    route = api_route(model)
    return None if route is None else record_path(route[0], key)


@functools.cache
def api_route(model) -> tuple[str, str] | None:
    """``model``'s API detail route and its key, or None: asked of the URLs once per model (a
    failed ``reverse`` is several times the cost of one that matches, and a citations list asks
    for every row)."""
    key = "slug" if any(field.name == "slug" for field in model._meta.get_fields()) else "pk"
    view_name = f"api:{model._meta.model_name}-detail"
    try:
        reverse(view_name, kwargs={key: "a" if key == "slug" else 1})
    except NoReverseMatch:
        return None
    return view_name, key


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
            count = len(Citation.objects.filter(source=source).public_rows())
        path = f"{reverse('api:citation-list')}?{urlencode({'source': source.slug})}"
        return {"count": count, "url": absolute(self.context.get("request"), path)}
