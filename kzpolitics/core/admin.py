"""Admin for the shared records: sources, citations, people, places, events.

The pieces every app's admin reuses are in ``kzpolitics.core.admin_base`` (the citations
inline, ``CitedAdmin``, ``CitedRowInline``, ``date_columns``) and
``kzpolitics.core.admin_filters`` (``decade_filter``, the checked date filter).
"""

from __future__ import annotations

from axes import admin as axes_admin
from axes.handlers.proxy import AxesProxyHandler
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from kzpolitics.core.admin_base import (
    BACKS_THE_FIELD,
    BACKS_THE_FIELD_HELP,
    THE_RECORD_AS_A_WHOLE,
    CitationInline,
    CitedAdmin,
    CitedRowInline,
    NameFirstSlugLastMixin,
    backs_the_field,
)
from kzpolitics.core.admin_filters import decade_filter
from kzpolitics.core.admin_keys import KeyCheckedAdminMixin
from kzpolitics.core.dates import date_columns, field_label
from kzpolitics.core.editorial.admin import EditorialAdmin
from kzpolitics.core.models import Citation, Event, Person, PersonName, Place, PlaceName, Source
from kzpolitics.core.resources import CitationResource, ImportExportAdminMixin, PersonResource


@admin.register(Source)
class SourceAdmin(NameFirstSlugLastMixin, KeyCheckedAdminMixin, EditorialAdmin):
    list_display = ("__str__", "title", "kind", "footnotes", "cited_count")
    list_filter = ("kind",)
    search_fields = ("title", "authors", "editors", "container", "url", "slug")
    readonly_fields = ("date_earliest", "date_latest", "updated_at")
    prepopulated_fields = {"slug": ("title",)}
    # A scheme-less address typed by an editor is taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("slug", "kind", "authors", "editors", "title")}),
        (
            "Publication",
            {"fields": ("container", "issue", "publisher", "place", *date_columns("date"), "url")},
        ),
        (
            "In the founding article",
            {"fields": ("reference_text", "footnotes", "public_note", "note")},
        ),
        ("Derived", {"fields": ("date_earliest", "date_latest", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cited=Count("citations"))

    @admin.display(description="Citations", ordering="cited")
    def cited_count(self, obj):
        """How many citations name this source, linked to their list."""
        url = reverse("admin:kzpolitics_citation_changelist")
        return format_html('<a href="{}?source__id__exact={}">{}</a>', url, obj.pk, obj.cited)


@admin.register(Citation)
class CitationAdmin(ImportExportAdminMixin, KeyCheckedAdminMixin, EditorialAdmin):
    """Every citation in one list: find what a source backs, or what cites via the article."""

    resource_classes = [CitationResource]

    list_display = ("__str__", "record", "backs", "quote")
    list_filter = ("content_type", "source", "via")
    search_fields = ("quote", "field", "note", "source__title", "source__authors")
    autocomplete_fields = ("source", "via")
    list_select_related = ("source", "via", "content_type")
    fields = (
        "content_type",
        "object_id",
        "field",
        "source",
        "pages",
        "footnote",
        "section",
        "quote",
        "via",
        "public_note",
        "note",
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "field":
            kwargs.update(label=BACKS_THE_FIELD, help_text=BACKS_THE_FIELD_HELP)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        model = obj.content_type.model_class() if obj is not None and obj.content_type_id else None
        if model is not None and "field" in form.base_fields:
            # A citation's own page offers what its record's inline offers, by the same names.
            form.base_fields = {**form.base_fields, "field": backs_the_field(model)}
        return form

    @admin.display(description=BACKS_THE_FIELD, ordering="field")
    def backs(self, obj):
        """What the citation backs, by its readable name (“Founding place”)."""
        model = obj.content_type.model_class()
        if not obj.field:
            return THE_RECORD_AS_A_WHOLE
        return capfirst(field_label(model, obj.field)) if model is not None else obj.field

    @admin.display(description="Cited record", ordering="content_type")
    def record(self, obj):
        """A link to the cited record's admin page (no query: the type is joined)."""
        label = f"{obj.content_type.name} #{obj.object_id}"
        try:
            url = reverse(
                f"admin:{obj.content_type.app_label}_{obj.content_type.model}_change",
                args=[obj.object_id],
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)


class PersonNameInline(CitedRowInline):
    model = PersonName
    fields = ("name", "kind", "public_note", "note", "row_citations")


@admin.register(Person)
class PersonAdmin(ImportExportAdminMixin, CitedAdmin):
    resource_classes = [PersonResource]
    list_display = ("name", "slug", "citations_count", "updated_at")
    search_fields = ("name", "names__name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("slug", "name", "description", "public_note", "note", "updated_at")
    inlines = (PersonNameInline, CitationInline)


@admin.register(PersonName)
class PersonNameAdmin(CitedAdmin):
    list_display = ("name", "person", "kind", "citations_count")
    list_filter = ("kind",)
    search_fields = ("name", "person__name")
    autocomplete_fields = ("person",)
    list_select_related = ("person",)


class PlaceNameInline(CitedRowInline):
    model = PlaceName
    fields = (
        "name",
        "kind",
        "language",
        *date_columns("start", "end"),
        "public_note",
        "note",
        "row_citations",
    )


@admin.register(Place)
class PlaceAdmin(CitedAdmin):
    list_display = ("name", "kind", "parent", "citations_count")
    list_filter = ("kind",)
    search_fields = ("name", "names__name", "slug")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("parent",)
    fields = ("slug", "name", "kind", "parent", "public_note", "note", "updated_at")
    inlines = (PlaceNameInline, CitationInline)


@admin.register(PlaceName)
class PlaceNameAdmin(CitedAdmin):
    list_display = ("name", "place", "kind", "start_text", "end_text", "citations_count")
    list_filter = ("kind",)
    search_fields = ("name", "place__name")
    autocomplete_fields = ("place",)
    list_select_related = ("place",)


@admin.register(Event)
class EventAdmin(CitedAdmin):
    list_display = ("title", "date_text", "date_earliest", "kind", "place", "citations_count")
    list_filter = ("kind", decade_filter("date"))
    search_fields = ("title", "summary", "place__name", "place__names__name", "slug")
    autocomplete_fields = ("place", "people")
    prepopulated_fields = {"slug": ("title",)}
    list_select_related = ("place",)
    ordering = ("date_earliest",)
    fieldsets = (
        (None, {"fields": ("slug", "kind", "title", *date_columns("date"), "place")}),
        ("What happened", {"fields": ("summary", "people", "public_note", "note")}),
        ("Derived", {"fields": ("date_earliest", "date_latest", "updated_at")}),
    )


class SignInAttemptAdmin(KeyCheckedAdminMixin, axes_admin.AccessAttemptAdmin):
    """django-axes's list of failed sign-ins, whose action “Clean up expired attempts” works.

    The action asks axes's handler, which reads the time of the request from
    ``request.axes_attempt_time``; axes sets it only while it handles a sign-in, so every use
    of the action was a 500 (AttributeError, django-axes 8.3).
    """

    @admin.action(
        description=axes_admin.AccessAttemptAdmin.cleanup_expired_attempts.short_description
    )
    def cleanup_expired_attempts(self, request, queryset):
        AxesProxyHandler.update_request(request)
        return super().cleanup_expired_attempts(request, queryset)
