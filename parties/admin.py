from django.contrib import admin

from kzpolitics.core.admin import EventAdmin, PersonAdmin
from kzpolitics.core.admin_base import (
    CitationInline,
    CitedAdmin,
    CitedRowInline,
    KeyCheckedTabularInline,
)
from kzpolitics.core.admin_filters import decade_filter
from kzpolitics.core.dates import date_columns
from kzpolitics.core.resources import ImportExportAdminMixin

from .models import MembershipFigure, Organization, OrganizationName, Relation, Role, Stance
from .resources import OrganizationResource


class OrganizationNameInline(CitedRowInline):
    model = OrganizationName
    fields = ("name", "kind", "language", *date_columns("start", "end"), "row_citations")


class StanceInline(CitedRowInline):
    model = Stance
    fields = ("stance", "wording", *date_columns("start", "end"), "row_citations")


class MembershipFigureInline(CitedRowInline):
    model = MembershipFigure
    fields = (
        "wording",
        "low",
        "high",
        "regional_organizations",
        *date_columns("date"),
        "row_citations",
    )


class RoleInline(CitedRowInline):
    model = Role
    fields = ("person", "title", "kind", *date_columns("start", "end"), "row_citations")
    autocomplete_fields = ("person",)


class PersonRoleInline(RoleInline):
    fields = ("organization", "title", "kind", *date_columns("start", "end"), "row_citations")
    autocomplete_fields = ("organization",)
    verbose_name_plural = "Roles and offices"


class RelationInline(CitedRowInline):
    model = Relation
    fk_name = "subject"
    fields = ("kind", "object", *date_columns("date", "end"), "row_citations")
    autocomplete_fields = ("object",)
    verbose_name_plural = "Relations to other organizations"


class EventOrganizationInline(KeyCheckedTabularInline):
    model = Organization.events.through
    extra = 0
    autocomplete_fields = ("organization",)
    verbose_name_plural = "Organizations concerned"


PersonAdmin.inlines = (*PersonAdmin.inlines, PersonRoleInline)
EventAdmin.inlines = (*EventAdmin.inlines, EventOrganizationInline)


@admin.register(Organization)
class OrganizationAdmin(ImportExportAdminMixin, CitedAdmin):
    resource_classes = [OrganizationResource]
    list_display = (
        "name",
        "kind",
        "founded_text",
        "founded_earliest",
        "founding_place",
        "citations_count",
        "updated_at",
    )
    list_filter = ("kind", "stances__stance", decade_filter("founded", "founded (decade)"))
    search_fields = ("name", "names__name", "slug", "aims", "summary", "=wikidata_id")
    autocomplete_fields = ("founding_place", "events")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("founding_place",)
    ordering = ("name",)
    fieldsets = (
        (None, {"fields": ("slug", "kind", "name", "summary")}),
        ("Life", {"fields": (*date_columns("founded", "dissolved"), "founding_place")}),
        ("Aims and base", {"fields": ("aims", "ideology", "social_base")}),
        (
            "Identifiers",
            {
                "fields": ("partyfacts_id", "wikidata_id"),
                "description": (
                    "The same body in other datasets, where names, years and lineage agree; "
                    "cite the Party Facts row (field Party Facts ID or Wikidata ID)."
                ),
            },
        ),
        ("Links", {"fields": ("events", "public_note", "note")}),
        (
            "Derived",
            {
                "fields": (
                    "founded_earliest",
                    "founded_latest",
                    "dissolved_earliest",
                    "dissolved_latest",
                    "updated_at",
                )
            },
        ),
    )
    inlines = (
        OrganizationNameInline,
        StanceInline,
        MembershipFigureInline,
        RoleInline,
        RelationInline,
        CitationInline,
    )


@admin.register(OrganizationName)
class OrganizationNameAdmin(CitedAdmin):
    list_display = ("name", "organization", "kind", "start_text", "end_text", "citations_count")
    list_filter = ("kind",)
    search_fields = ("name", "organization__name")
    autocomplete_fields = ("organization",)
    list_select_related = ("organization",)


@admin.register(Stance)
class StanceAdmin(CitedAdmin):
    list_display = ("organization", "stance", "wording", "start_text", "citations_count")
    list_filter = ("stance",)
    search_fields = ("organization__name", "organization__names__name", "wording")
    autocomplete_fields = ("organization",)
    list_select_related = ("organization",)


@admin.register(MembershipFigure)
class MembershipFigureAdmin(CitedAdmin):
    list_display = ("organization", "wording", "low", "high", "date_text", "citations_count")
    search_fields = ("organization__name", "organization__names__name", "wording")
    autocomplete_fields = ("organization",)
    list_select_related = ("organization",)


@admin.register(Role)
class RoleAdmin(CitedAdmin):
    list_display = ("person", "title", "organization", "kind", "start_text", "citations_count")
    list_filter = ("kind",)
    search_fields = ("person__name", "person__names__name", "organization__name", "title")
    autocomplete_fields = ("person", "organization")
    list_select_related = ("person", "organization")


@admin.register(Relation)
class RelationAdmin(CitedAdmin):
    list_display = ("subject", "kind", "object", "date_text", "citations_count")
    list_filter = ("kind",)
    search_fields = (
        "subject__name",
        "subject__names__name",
        "object__name",
        "object__names__name",
    )
    autocomplete_fields = ("subject", "object")
    list_select_related = ("subject", "object")
