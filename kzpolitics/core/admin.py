"""Admin for the shared records, and the pieces every app's admin reuses.

- ``CitationInline``: the one citations inline, on every record of every app.
- ``CitedAdmin``: a ModelAdmin with that inline, a citation count column and readable dates.
- ``decade_filter(date)``: a list filter by decade of an uncertain date.
"""

from __future__ import annotations

import datetime
import re

from axes import admin as axes_admin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html

from kzpolitics.core.admin_keys import KeyCheckedAdminMixin, KeyCheckedAutocompleteSelect
from kzpolitics.core.dates import UncertainDate, uncertain_dates
from kzpolitics.core.editorial import (
    EditorialAdmin,
    EditorialForm,
    RowsFormSetMixin,
    RowVersionForm,
    publishing_error,
)
from kzpolitics.core.models import Citation, Event, Person, PersonName, Place, PlaceName, Source
from kzpolitics.core.publishing import shown_to_public
from kzpolitics.core.resources import CitationResource, ImportExportAdminMixin, PersonResource
from kzpolitics.core.revisions import must_propose, propose
from kzpolitics.core.visibility import may_publish


class PreloadedAutocompleteSelect(KeyCheckedAutocompleteSelect):
    """An autocomplete that labels its selected value from the row already loaded.

    Django's widget runs one query per form to label the selected record, so an inline of
    fifty rows runs fifty; with the label preloaded from ``select_related`` it runs none. A
    posted value that is no key is not looked up (kzpolitics.core.admin_keys).
    """

    preloaded: dict[str, str] = {}

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if not selected or not selected <= self.preloaded.keys():
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for key in sorted(selected):
            options.append(
                self.create_option(name, key, self.preloaded[key], selected, len(options))
            )
        return [(None, options, 0)]


class PreloadedLabelsForm(forms.ModelForm):
    """Hands each autocomplete the label of its record when the row has it cached."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        for name, formfield in self.fields.items():
            widget = getattr(formfield.widget, "widget", formfield.widget)
            if not isinstance(widget, PreloadedAutocompleteSelect):
                continue
            field = self.instance._meta.get_field(name)
            if field.is_cached(self.instance):
                related = field.get_cached_value(self.instance)
                if related is not None:
                    widget.preloaded = {str(related.pk): str(related)}


class RecordForm(PreloadedLabelsForm, EditorialForm):
    """A record's admin form: preloaded autocomplete labels, edit summary, version check."""


class InlineStatusForm(RowVersionForm, PreloadedLabelsForm):
    """An inline row's form: its status may go to or from published only for a reviewer; a
    stale save of the row is refused (kzpolitics.core.editorial.RowVersionForm)."""

    editor = None

    def clean(self):
        cleaned = super().clean()
        if "status" in self.fields and self.has_changed():
            error = publishing_error(self.editor, self.instance, cleaned.get("status"))
            if error:
                self.add_error("status", error)
        return cleaned

    def save(self, commit=True):
        """A changed row that is published (a citation, a name) is not saved when an editor
        changes it: the change waits as a pending revision of the row (kzpolitics.core.revisions),
        its summary the record's."""
        instance = self.instance
        if commit and self.has_changed() and must_propose(self.editor, instance):
            summary = getattr(instance, "_change_reason", None) or "Changed"
            instance._proposed = True
            instance._revision = propose(instance, self.editor, summary)
            return instance
        return super().save(commit)


class EditorialInlineMixin:
    """Inline rows (citations, names, roles) show their status; reviewers publish them."""

    form = InlineStatusForm

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        extra = [name for name in ("status", "expected_version") if name not in fields]
        return [*fields, *extra]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"editor": request.user})
        # Deleting a published row, or one a colleague changed meanwhile, is refused.
        return type(formset.__name__, (RowsFormSetMixin, formset), {})


class PreloadedAutocompleteMixin(KeyCheckedAdminMixin):
    """For admins and inlines: autocompletes labelled without a query per row; posted keys
    checked before they are looked up (kzpolitics.core.admin_keys)."""

    form = PreloadedLabelsForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PreloadedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        related = [
            name
            for name in self.get_autocomplete_fields(request)
            if self.model._meta.get_field(name).many_to_one
        ]
        return queryset.select_related(*related) if related else queryset


class PublicLinksFormSet(forms.BaseInlineFormSet):
    """The rows of a link table (the organizations an event concerns): a link between two
    records the public sees is itself public, so only a reviewer adds or removes one. An
    editor proposes it from the other record's form instead (its links are part of the
    pending revision there)."""

    editor = None

    def clean(self):
        super().clean()
        if may_publish(self.editor) or not shown_to_public(self.instance):
            return
        other = next(
            f.name
            for f in self.model._meta.concrete_fields
            if f.many_to_one and f.related_model is not type(self.instance)
        )
        related = self.model._meta.get_field(other).related_model
        touched = set()
        for form in self.forms:
            if form in self.deleted_forms or form.has_changed():
                touched.add(form.initial.get(other))
                chosen = (getattr(form, "cleaned_data", None) or {}).get(other)
                touched.add(getattr(chosen, "pk", chosen))
        touched.discard(None)
        public = [
            str(record) for record in related._default_manager.published().filter(pk__in=touched)
        ]
        if public:
            raise ValidationError(
                f"Only a reviewer can link or unlink published records: "
                f"{', '.join(sorted(public))} and “{self.instance}” are both published. "
                f"Propose the change on the {related._meta.verbose_name}'s own page (its "
                "links wait there for a reviewer), or ask a reviewer."
            )


class KeyCheckedTabularInline(KeyCheckedAdminMixin, admin.TabularInline):
    """Django's tabular inline, with the keys posted to its autocompletes checked (for the
    inlines of plain links, such as the organizations an event concerns); an editor may not
    change a link between two published records here (``PublicLinksFormSet``)."""

    formset = PublicLinksFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"editor": request.user})


class CitationInline(EditorialInlineMixin, PreloadedAutocompleteMixin, GenericTabularInline):
    model = Citation
    extra = 1
    fields = ("field", "source", "pages", "footnote", "section", "quote", "via", "note")
    autocomplete_fields = ("source", "via")
    verbose_name_plural = "Citations (leave “field” empty to back the whole record)"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "field":
            # Editors pick what the citation backs from the record's own factual fields.
            choices = [("", "the record as a whole")] + [
                (name, field_label(self.parent_model, name))
                for name in getattr(self.parent_model, "CITED_FIELDS", ())
            ]
            return forms.ChoiceField(
                choices=choices, required=False, label="Backs", help_text=db_field.help_text
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def field_label(model, name: str) -> str:
    declared = getattr(model, name, None)
    if isinstance(declared, UncertainDate):
        return declared.verbose_name
    return str(model._meta.get_field(name).verbose_name)


class CountCitationsMixin:
    """Annotates the changelist or inline with citation counts: no query per row."""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations"))

    @admin.display(description="Citations", ordering="citation_count")
    def citations_count(self, obj):
        return obj.citation_count


class CitedRowInline(
    EditorialInlineMixin, CountCitationsMixin, PreloadedAutocompleteMixin, admin.TabularInline
):
    """An inline for statement rows (names, roles, figures): cite each on its own page."""

    extra = 0
    show_change_link = True
    readonly_fields = ("citations_count",)

    def get_queryset(self, request):
        # Each row is labelled with its __str__, which names its related records.
        related = [f.name for f in self.model._meta.get_fields() if f.many_to_one and f.concrete]
        return super().get_queryset(request).select_related(*related)


def date_columns(*names: str) -> tuple[str, ...]:
    """The editable columns of uncertain dates, for ``fields`` and ``fieldsets``."""
    return tuple(column for name in names for column in (f"{name}_text", f"{name}_edtf"))


class CitedAdmin(CountCitationsMixin, PreloadedAutocompleteMixin, EditorialAdmin):
    """Admin for any cited record: citations inline, counts, uncertain dates shown as bounds,
    history, edit summaries, review status and the version check (kzpolitics.core.editorial)."""

    form = RecordForm
    inlines = (CitationInline,)
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        bounds = tuple(
            column
            for declared in uncertain_dates(self.model)
            for column in declared.column_names[2:]
        )
        return (*super().get_readonly_fields(request, obj), *bounds, "updated_at")

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        if CitationInline not in inlines:
            inlines.append(CitationInline)
        return inlines


DECADE_START = re.compile(r"[0-9]{1,4}")
MAX_DECADE_START = datetime.MAXYEAR - 9


def decade_filter(date_name: str, title: str | None = None):
    """A list filter grouping records by the decade their uncertain date falls in."""
    column = f"{date_name}_earliest"

    class DecadeFilter(admin.SimpleListFilter):
        parameter_name = f"{date_name}_decade"

        def lookups(self, request, model_admin):
            years = (
                model_admin.get_queryset(request)
                .exclude(**{f"{column}__isnull": True})
                .values_list(f"{column}__year", flat=True)
                .distinct()
            )
            decades = sorted({year - year % 10 for year in years})
            return [(str(d), f"{d}s") for d in decades]

        def queryset(self, request, queryset):
            value = self.value()
            if not value:
                return queryset
            # ASCII digits only (int() refuses “²”, which isdigit() passes), and a decade that
            # ends within what datetime.date holds (years 1 to 9999; the 0s start at year 1).
            if not DECADE_START.fullmatch(value) or int(value) > MAX_DECADE_START:
                raise IncorrectLookupParameters(f"“{value[:20]}” is not the year a decade starts.")
            start = int(value)
            return queryset.filter(
                **{
                    f"{column}__gte": datetime.date(max(start, datetime.MINYEAR), 1, 1),
                    f"{column}__lte": datetime.date(start + 9, 12, 31),
                }
            )

    DecadeFilter.title = title or f"{date_name} (decade)"
    return DecadeFilter


class CheckedDateFieldListFilter(admin.DateFieldListFilter):
    """Django's date list filter (“Today”, “Past 7 days”, …), refusing a bound that is no
    date or time the database can compare.

    Django hands ``?field__gte=`` and ``?field__lt=`` to the query as sent: on SQLite a time
    with no UTC value (0001-01-01T00:00:00+05:00) raised OverflowError, a 500. Such a bound
    is now Django's answer to any lookup it cannot make, as a malformed date already was: a
    redirect to the unfiltered list (``?e=1``). Registered for every date field below, so
    the admins of other apps (accounts, tokens, sign-in attempts) use it too.
    """

    def queryset(self, request, queryset):
        for name in (self.lookup_kwarg_since, self.lookup_kwarg_until):
            for value in self.used_parameters.get(name, ()):
                if not is_comparable_date(self.field, value):
                    raise IncorrectLookupParameters(f"“{value[:40]}” is not a date or time.")
        return super().queryset(request, queryset)


def is_comparable_date(field: models.DateField, value: str) -> bool:
    """Whether ``value`` is a date (or time) of ``field`` that has a UTC value."""
    try:
        parsed = field.to_python(value)
    except ValidationError:
        return False
    if isinstance(parsed, datetime.datetime) and settings.USE_TZ:
        try:
            aware = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
            aware.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            return False
    return parsed is not None


# Before Django's own (take_priority); a date field with choices keeps the choices filter.
admin.FieldListFilter.register(
    lambda field: isinstance(field, models.DateField) and not field.choices,
    CheckedDateFieldListFilter,
    take_priority=True,
)


@admin.register(Source)
class SourceAdmin(KeyCheckedAdminMixin, EditorialAdmin):
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
        ("In the founding article", {"fields": ("reference_text", "footnotes", "note")}),
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

    list_display = ("__str__", "record", "field", "quote")
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
        "note",
    )

    @admin.display(description="Backs", ordering="content_type")
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
    fields = ("name", "kind", "note", "citations_count")


@admin.register(Person)
class PersonAdmin(ImportExportAdminMixin, CitedAdmin):
    resource_classes = [PersonResource]
    list_display = ("name", "slug", "citations_count", "updated_at")
    search_fields = ("name", "names__name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("slug", "name", "description", "note", "updated_at")
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
    fields = ("name", "kind", "language", *date_columns("start", "end"), "citations_count")


@admin.register(Place)
class PlaceAdmin(CitedAdmin):
    list_display = ("name", "kind", "parent", "citations_count")
    list_filter = ("kind",)
    search_fields = ("name", "names__name", "slug")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("parent",)
    fields = ("slug", "name", "kind", "parent", "note", "updated_at")
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
        ("What happened", {"fields": ("summary", "people", "note")}),
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


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, SignInAttemptAdmin)


def check_keys_in_admins_registered_so_far() -> None:
    """Registers each admin registered so far again, with the keys posted to it checked."""
    for model, model_admin in list(admin.site._registry.items()):
        registered = type(model_admin)
        if not issubclass(registered, KeyCheckedAdminMixin):
            admin.site.unregister(model)
            checked = type(registered.__name__, (KeyCheckedAdminMixin, registered), {})
            admin.site.register(model, checked)


# The admins of the apps before this one (accounts, tokens, sign-in attempts) check posted
# keys too: the group form answered a permission key of 10**30 with a 500 on SQLite, and
# their lists' actions a record ticked whose key is no number.
check_keys_in_admins_registered_so_far()
