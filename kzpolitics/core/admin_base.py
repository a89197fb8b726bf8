"""The admin pieces every app's admin reuses (the core's own admins are in ``admin``).

- ``CitationInline``: the one citations inline, on every record of every app.
- ``CitedAdmin``: a ModelAdmin with that inline, a citation count column and readable dates,
  on ``EditorialAdmin`` (kzpolitics.core.editorial.admin).
- ``CitedRowInline``: an inline for statement rows (names, roles, figures).
- ``KeyCheckedTabularInline``: the inline of a plain link table.
- ``date_columns(...)``: the editable columns of uncertain dates.
- Autocompletes labelled from the rows already loaded, and the forms of records and rows.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import ValidationError
from django.db.models import Count

from kzpolitics.core.admin_keys import KeyCheckedAdminMixin, KeyCheckedAutocompleteSelect
from kzpolitics.core.dates import field_label, uncertain_dates
from kzpolitics.core.editorial.admin import EditorialAdmin
from kzpolitics.core.editorial.forms import EditorialForm, RowsFormSetMixin, RowVersionForm
from kzpolitics.core.models import Citation
from kzpolitics.core.publishing import shown_to_public
from kzpolitics.core.revisions import must_propose, propose
from kzpolitics.core.visibility import may_publish, publishing_error


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
    fields = (
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
