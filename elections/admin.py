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
from kzpolitics.core.resources import ImportExportAdminMixin

from .models import Election, Result, Round
from .resources import ResultResource


class RoundInline(CitedRowInline):
    model = Round
    fields = ("number", *date_columns("date"), "row_citations")


class ResultInline(CitedRowInline):
    model = Result
    fields = (
        "organization",
        "person",
        "tier",
        "round",
        "seats",
        "seats_of",
        "vote_share",
        "wording",
        "row_citations",
    )
    autocomplete_fields = ("organization", "person")


class EventElectionInline(KeyCheckedTabularInline):
    model = Election.events.through
    extra = 0
    autocomplete_fields = ("election",)
    verbose_name_plural = "Elections concerned"


EventAdmin.inlines = (*EventAdmin.inlines, EventElectionInline)


@admin.register(Election)
class ElectionAdmin(CitedAdmin):
    list_display = ("name", "kind", "date_text", "date_earliest", "citations_count")
    list_filter = ("kind", decade_filter("date"))
    search_fields = ("name", "summary", "slug")
    autocomplete_fields = ("events",)
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("date_earliest",)
    fieldsets = (
        (None, {"fields": ("slug", "kind", "name", *date_columns("date"))}),
        (
            "Contest",
            {"fields": ("parties_taking_part", "parties_wording", "seats_total", "summary")},
        ),
        ("Links", {"fields": ("events", "public_note", "note")}),
        ("Derived", {"fields": ("date_earliest", "date_latest", "updated_at")}),
    )
    inlines = (RoundInline, ResultInline, CitationInline)


@admin.register(Round)
class RoundAdmin(CitedAdmin):
    list_display = ("election", "number", "date_text", "citations_count")
    autocomplete_fields = ("election",)
    search_fields = ("election__name",)
    list_select_related = ("election",)


@admin.register(Result)
class ResultAdmin(ImportExportAdminMixin, CitedAdmin):
    resource_classes = [ResultResource]
    list_display = (
        "election",
        "contestant",
        "tier",
        "seats",
        "seats_of",
        "vote_share",
        "citations_count",
    )
    list_filter = ("tier", "election")
    search_fields = (
        "election__name",
        "organization__name",
        "organization__names__name",
        "person__name",
        "person__names__name",
    )
    autocomplete_fields = ("election", "round", "organization", "person")
    list_select_related = ("election", "organization", "person")
