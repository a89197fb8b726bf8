from django.contrib import admin

from kzpolitics.core.admin import EventAdmin
from kzpolitics.core.admin_base import (
    CitationInline,
    CitedAdmin,
    CitedRowInline,
    KeyCheckedTabularInline,
)
from kzpolitics.core.admin_filters import decade_filter
from kzpolitics.core.dates import date_columns
from parties.admin import OrganizationAdmin

from .models import LegalAct, Provision, RegistrationDecision


class ProvisionInline(CitedRowInline):
    model = Provision
    fields = (
        "position",
        "reference",
        "text",
        "summary",
        "requirement_kind",
        "requirement_value",
        "row_citations",
    )


class RegistrationInline(CitedRowInline):
    model = RegistrationDecision
    fk_name = "organization"
    fields = ("decision", "act", *date_columns("date"), "body", "row_citations")
    autocomplete_fields = ("act", "body")
    verbose_name_plural = "Registration decisions"


class EventActInline(KeyCheckedTabularInline):
    model = LegalAct.events.through
    extra = 0
    autocomplete_fields = ("legalact",)
    verbose_name_plural = "Legal acts concerned"


EventAdmin.inlines = (*EventAdmin.inlines, EventActInline)
OrganizationAdmin.inlines = (*OrganizationAdmin.inlines, RegistrationInline)


@admin.register(LegalAct)
class LegalActAdmin(CitedAdmin):
    list_display = ("title", "jurisdiction", "kind", "adopted_text", "body", "citations_count")
    list_filter = ("jurisdiction", "kind", decade_filter("adopted"))
    search_fields = ("title", "summary", "slug", "provisions__text", "provisions__summary")
    autocomplete_fields = ("body", "events")
    prepopulated_fields = {"slug": ("title",)}
    list_select_related = ("body",)
    ordering = ("adopted_earliest",)
    fieldsets = (
        (None, {"fields": ("slug", "jurisdiction", "kind", "title")}),
        ("Adoption", {"fields": (*date_columns("adopted"), "body", "summary")}),
        ("Links", {"fields": ("events", "public_note", "note")}),
        ("Derived", {"fields": ("adopted_earliest", "adopted_latest", "updated_at")}),
    )
    inlines = (ProvisionInline, CitationInline)


@admin.register(Provision)
class ProvisionAdmin(CitedAdmin):
    list_display = ("act", "reference", "requirement_kind", "requirement_value", "citations_count")
    list_filter = ("requirement_kind", "act__jurisdiction")
    search_fields = ("act__title", "reference", "text", "summary")
    autocomplete_fields = ("act",)
    list_select_related = ("act",)


@admin.register(RegistrationDecision)
class RegistrationDecisionAdmin(CitedAdmin):
    list_display = ("organization", "decision", "date_text", "act", "body", "citations_count")
    list_filter = ("decision", decade_filter("date"))
    search_fields = ("organization__name", "organization__names__name", "note")
    autocomplete_fields = ("organization", "act", "body")
    list_select_related = ("organization", "act", "body")
