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
from django.db.models import Count, Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from kzpolitics.core.admin_keys import KeyCheckedAdminMixin, KeyCheckedAutocompleteSelect
from kzpolitics.core.dates import field_label, uncertain_dates
from kzpolitics.core.editorial.admin import EditorialAdmin, flattened
from kzpolitics.core.editorial.forms import EditorialForm, RowsFormSetMixin, RowVersionForm
from kzpolitics.core.keys import is_usable_key
from kzpolitics.core.models import Citation, Source, Status
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


BACKS_THE_FIELD = "Backs the field"
BACKS_THE_FIELD_HELP = (
    "The fact of the record this citation backs: one of its fields, or the record as a whole."
)
THE_RECORD_AS_A_WHOLE = "The record as a whole"


def backs_the_field(model) -> forms.ChoiceField:
    """The choice of what a citation of a ``model`` record backs: the record as a whole, or one
    of its factual fields, each by its readable name in sentence case (“Founding place”)."""
    choices = [("", THE_RECORD_AS_A_WHOLE)] + [
        (name, capfirst(field_label(model, name))) for name in getattr(model, "CITED_FIELDS", ())
    ]
    return forms.ChoiceField(
        choices=choices, required=False, label=BACKS_THE_FIELD, help_text=BACKS_THE_FIELD_HELP
    )


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
    verbose_name_plural = "Citations"
    # Laid out to fit a 1366 px screen (kzpolitics/static/kzpolitics/admin.css).
    classes = ("kz-fit", "kz-citations")
    # A quotation and notes are a sentence or two: small boxes, which the editor may enlarge.
    TEXT_BOXES = ("quote", "public_note", "note")

    class Media:
        css = {"all": ("kzpolitics/admin.css",)}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "field":
            # Editors pick what the citation backs from the record's own factual fields.
            return backs_the_field(self.parent_model)
        if db_field.name in self.TEXT_BOXES:
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 20})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class CountCitationsMixin:
    """Annotates the changelist or inline with citation counts: no query per row."""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations"))

    @admin.display(description="Citations", ordering="citation_count")
    def citations_count(self, obj):
        return obj.citation_count


class CitationSourceField(forms.ModelChoiceField):
    """The source of a citation made from a row's own form; a posted key that can be no
    source's is refused before it is looked up (kzpolitics.core.admin_keys)."""

    def to_python(self, value):
        if value not in self.empty_values and not is_usable_key(
            Source._meta.pk, value, self.queryset.db
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class RowCitingForm(InlineStatusForm):
    """An inline statement row's form (a role, a relation, a name) with the columns of a new
    citation of it: its source, pages and a short quotation. On save the row is saved (or its
    change proposed, as ``InlineStatusForm`` does) and the citation added to it, backing the
    row as a whole: a draft, unless a reviewer cites a published row, which publishes it as a
    citation through its own form would let them. A row added with its citation comes out of
    the one save cited."""

    CITING = ("cite_source", "cite_pages", "cite_quote")

    cite_source = CitationSourceField(
        queryset=Source.objects.all(),
        required=False,
        label="Cite: source",
        help_text="A source for this row, cited on save (its citation backs the row as a whole).",
    )
    cite_pages = forms.CharField(
        max_length=Citation._meta.get_field("pages").max_length,
        required=False,
        label="Pages",
        help_text=Citation._meta.get_field("pages").help_text,
        widget=forms.TextInput(attrs={"size": 6}),
    )
    cite_quote = forms.CharField(
        max_length=Citation._meta.get_field("quote").max_length,
        required=False,
        label="Quote",
        help_text=Citation._meta.get_field("quote").help_text,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 20}),
    )

    admin_site = None  # set by the inline's get_formset: the source's autocomplete asks it

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.admin_site is not None:
            field = self.fields["cite_source"]
            widget = KeyCheckedAutocompleteSelect(
                Citation._meta.get_field("source"), self.admin_site
            )
            widget.choices, widget.is_required = field.choices, field.required
            field.widget = widget

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("cite_source")
        if source is None and (cleaned.get("cite_pages") or cleaned.get("cite_quote")):
            self.add_error("cite_source", "Pick the source these pages and quote are from.")
        return cleaned

    def save(self, commit=True):
        row = super().save(commit)
        source = self.cleaned_data.get("cite_source")
        if commit and source is not None and row.pk is not None:
            self.new_citation = self.cite(row, source)
        return row

    def cite(self, row, source) -> Citation:
        """Add the citation typed in the row's columns to ``row`` (saved), in its history with
        the record's edit summary."""
        stored = type(row)._base_manager.filter(pk=row.pk).values_list("status", flat=True)
        row_published = stored.first() == Status.PUBLISHED
        citation = Citation(
            content_object=row,
            source=source,
            pages=self.cleaned_data.get("cite_pages", ""),
            quote=self.cleaned_data.get("cite_quote", ""),
            status=Status.PUBLISHED if row_published and may_publish(self.editor) else Status.DRAFT,
        )
        citation.full_clean()
        citation._change_reason = getattr(row, "_change_reason", None) or "Cited"
        citation.save()
        return citation


class CitedRowInline(
    EditorialInlineMixin, CountCitationsMixin, PreloadedAutocompleteMixin, admin.TabularInline
):
    """An inline for statement rows (names, roles, figures): each row lists its citations
    (``row_citations``, linked) and takes a new one in its own columns (``RowCitingForm``)."""

    form = RowCitingForm
    extra = 0
    show_change_link = True
    readonly_fields = ("citations_count", "row_citations")
    # Laid out to fit a 1366 px screen (kzpolitics/static/kzpolitics/admin.css).
    classes = ("kz-fit", "kz-rows")

    class Media:
        css = {"all": ("kzpolitics/admin.css",)}

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        at = fields.index("status") if "status" in fields else len(fields)
        citing = [name for name in RowCitingForm.CITING if name not in fields]
        return [*fields[:at], *citing, *fields[at:]]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"admin_site": self.admin_site})
        return formset

    def get_queryset(self, request):
        # Each row is labelled with its __str__, which names its related records; its
        # citations are listed with their sources (one query for all rows).
        related = [f.name for f in self.model._meta.get_fields() if f.many_to_one and f.concrete]
        cited = Citation.objects.select_related("source", "via").order_by("field", "id")
        return (
            super()
            .get_queryset(request)
            .select_related(*related)
            .prefetch_related(Prefetch("citations", queryset=cited))
        )

    @admin.display(description="Citations")
    def row_citations(self, obj):
        """The row's citations, each linked to its own page (where it is changed), a draft
        one marked so."""
        citations = list(obj.citations.all()) if obj.pk else []
        if not citations:
            return "None yet"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a>{}',
            (
                (
                    _change_url(self.admin_site, citation),
                    citation,
                    ""
                    if citation.status == Status.PUBLISHED
                    else f" ({citation.get_status_display().lower()})",
                )
                for citation in citations
            ),
        )


def _change_url(admin_site, record) -> str:
    opts = record._meta
    try:
        return reverse(
            f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[record.pk]
        )
    except NoReverseMatch:
        return ""


class NameFirstSlugLastMixin:
    """For the admin of a record with a public address (``slug``, filled from its name by
    ``prepopulated_fields``): the name is the form's first field, so the cursor starts there,
    and the slug comes last in the first fieldset, filled from the name while the record is
    not published. Once it is, the slug is read-only: a published slug is a public address,
    which links and citations elsewhere rely on (a posted change of it is not taken)."""

    SLUG = "slug"

    def name_field(self) -> str | None:
        """The field the slug is filled from (the name, or a title)."""
        source = self.prepopulated_fields.get(self.SLUG) or ()
        return source[0] if source else None

    def slug_is_fixed(self, obj) -> bool:
        """Whether ``obj``'s slug is a public address already: it is published, as stored."""
        if obj is None or obj.pk is None or self.SLUG not in self.prepopulated_fields:
            return False
        stored = type(obj)._base_manager.filter(pk=obj.pk).values_list("status", flat=True)
        return stored.first() == Status.PUBLISHED

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (title, dict(options)) for title, options in super().get_fieldsets(request, obj)
        ]
        name = self.name_field()
        named = [n for _, options in fieldsets for n in flattened(options["fields"])]
        if not fieldsets or self.SLUG not in named:
            return fieldsets
        for _, options in fieldsets:
            options["fields"] = tuple(
                item for item in options["fields"] if item not in (self.SLUG, name)
            )
        title, first = fieldsets[0]
        leading = (name,) if name else ()
        fieldsets[0] = (title, {**first, "fields": (*leading, *first["fields"], self.SLUG)})
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if self.slug_is_fixed(obj) and self.SLUG not in fields:
            fields = (*fields, self.SLUG)
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        fields = dict(super().get_prepopulated_fields(request, obj))
        if self.slug_is_fixed(obj):
            fields.pop(self.SLUG, None)
        return fields

    def save_model(self, request, obj, form, change):
        # A revert saves an old version whole (django-simple-history's form of the version's
        # instance), its read-only slug included: the published address stays as it is.
        if change and self.slug_is_fixed(obj):
            stored = type(obj)._base_manager.filter(pk=obj.pk).values_list(self.SLUG, flat=True)
            setattr(obj, self.SLUG, stored.first())
        super().save_model(request, obj, form, change)


class CitedAdmin(
    NameFirstSlugLastMixin, CountCitationsMixin, PreloadedAutocompleteMixin, EditorialAdmin
):
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
