"""Admin for the founding article's periods (kzpolitics.core.models.periods): the home page's
and the timeline's ways in, edited, reviewed and cited like any record."""

from __future__ import annotations

from django.contrib import admin

from kzpolitics.core.admin_base import CitedAdmin
from kzpolitics.core.models import Period


@admin.register(Period)
class PeriodAdmin(CitedAdmin):
    # EditorialAdmin adds the status column and filter.
    list_display = ("label", "title", "start_year", "end_year", "citations_count")
    search_fields = ("title", "summary", "label", "slug")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("start_year", "end_year")
    fieldsets = (
        (None, {"fields": ("slug", "label", "start_year", "end_year", "title")}),
        ("What happened", {"fields": ("summary", "public_note", "note", "updated_at")}),
    )
