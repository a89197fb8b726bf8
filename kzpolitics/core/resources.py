"""Spreadsheet import and export in the admin (django-import-export), CSV and XLSX.

Editors download a list, correct it in a spreadsheet and upload it again. The admin first shows
a preview of what would change: the new rows, each changed cell as its old and new value, and
each refused row with its reason; unchanged rows are only counted. Nothing is saved until the
editor confirms, with an edit summary. What keeps the data sound:

- A file goes in whole or not at all. Every row is validated as the admin's form validates it
  (the model's ``full_clean``: choices, lengths, EDTF dates, uniqueness, constraints) and one
  bad row rolls the whole file back; the preview lists each bad row by number with the reason.
- Rows are matched by the record's slug where it has one, else by id. A foreign key travels as
  the related record's slug, never as an id an editor cannot check by eye.
- An uncertain date is two columns, its wording and its EDTF value; the earliest and latest
  days are derived again on save, so they are not in the file.
- ``version`` is never written (saving moves it on) but is checked, as the admin's form checks
  it: a row that would change a record a colleague has saved since the file was exported is an
  error on that row, so an old file cannot silently undo newer edits; the error names who
  saved it since (“you” when it was the importing editor). An empty version cell skips the
  check, for an editor who means to overwrite.
- ``status`` defaults to draft, and only a reviewer's file may publish or unpublish a record.
- Each saved row gets a history entry by the importing user, with the edit summary given at
  confirmation: “<summary> (imported from <file name>)” (“Imported from <file name>” when an
  import is run without one, from code).

This module holds the shared pieces and the resources of the shared models (people,
citations); ``parties.resources`` and ``elections.resources`` build on it.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from import_export import widgets
from import_export.admin import ImportExportMixin
from import_export.fields import Field
from import_export.forms import ConfirmImportForm
from import_export.resources import ModelResource
from import_export.results import RowResult

from kzpolitics.core.analyze import analyze
from kzpolitics.core.editorial.conflicts import saved_by
from kzpolitics.core.inline_policy import allow_inline
from kzpolitics.core.models import Citation, Cited, Person, Source, Status
from kzpolitics.core.revisions import must_propose, propose
from kzpolitics.core.uploads import LimitedImportForm, SafeCSV, SafeXLSX
from kzpolitics.core.visibility import publishing_error

# -- Widgets: how a cell becomes a value, and back ---------------------------------------------


class SlugWidget(widgets.ForeignKeyWidget):
    """A foreign key as the related record's slug; an unknown slug is an error on its row."""

    def __init__(self, model, **kwargs):
        super().__init__(model, field="slug", **kwargs)

    def clean(self, value, row=None, **kwargs):
        value = value.strip() if isinstance(value, str) else value
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                f"No {self.model._meta.verbose_name} has the slug “{value}”."
            ) from None


class EdtfWidget(widgets.CharWidget):
    """An EDTF value. A spreadsheet may have turned “1999-03-01” into a date: take it back."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
            value = value.date()
        if isinstance(value, datetime.date):
            value = value.isoformat()
        return super().clean(value, row, **kwargs).strip()


class StatusWidget(widgets.Widget):
    """The review status, by value or label (“review”, “In review”). An empty cell leaves the
    status as it is: draft for a new record, unchanged for an existing one."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().lower()
        if not text:
            return None
        for choice, label in Status.choices:
            if text in (choice, str(label).lower()):
                return choice
        allowed = ", ".join(Status.values)
        raise ValueError(f"“{value}” is not a status; use one of: {allowed}.")

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ContentTypeWidget(widgets.Widget):
    """The kind of record a citation backs, as ``app_label.model`` (``parties.organization``)."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().lower()
        if not text:
            return None  # the model's validation says the value is required
        app_label, _, model_name = text.partition(".")
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
        except ContentType.DoesNotExist:
            content_type = None
        model = content_type.model_class() if content_type else None
        if model is None or not issubclass(model, Cited):
            raise ValueError(
                f"“{value}” is not a kind of record that takes citations; write it as "
                "app_label.model, e.g. parties.organization."
            )
        return content_type

    def render(self, value, obj=None, **kwargs):
        return f"{value.app_label}.{value.model}" if value else ""


class CitedObjectField(Field):
    """The record a citation backs: its slug where its kind of record has slugs, else its id.

    Reads the row's ``content_type`` to know where to look. Exporting looks the slugs of each
    kind of record up once, not once per citation.
    """

    def __init__(self, **kwargs):
        super().__init__(attribute="object_id", column_name="object", **kwargs)
        self._slugs: dict[type[models.Model], dict[int, str]] = {}

    def clean(self, row, **kwargs):
        value = row.get(self.column_name)
        value = value.strip() if isinstance(value, str) else value
        if value in (None, ""):
            return None
        try:
            content_type = ContentTypeWidget().clean(row.get("content_type"))
        except ValueError:
            content_type = None
        if content_type is None:
            raise ValueError("Cannot look the record up without a valid content_type.")
        model = content_type.model_class()
        name = model._meta.verbose_name
        if has_slug(model):
            found = model._base_manager.filter(slug=value).values_list("pk", flat=True).first()
            if found is None:
                raise ValueError(f"No {name} has the slug “{value}”.")
            return found
        try:
            pk = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"A {name} is named by its id, a number, not “{value}”.") from None
        if not model._base_manager.filter(pk=pk).exists():
            raise ValueError(f"No {name} has the id {pk}.")
        return pk

    def get_value(self, instance):
        if instance.object_id is None or instance.content_type_id is None:
            return None
        model = ContentType.objects.get_for_id(instance.content_type_id).model_class()
        if model is None or not has_slug(model):
            return instance.object_id
        if model not in self._slugs:
            self._slugs[model] = dict(model._base_manager.values_list("pk", "slug"))
        return self._slugs[model].get(instance.object_id, instance.object_id)


def version_error(stored, cell, user=None) -> str | None:
    """What is wrong with a row's ``version`` cell for the record as stored, if anything: not
    a number, or not the version the record is at now (saved since the export: by a colleague,
    named, or by ``user``, the importing editor, in another tab or an earlier import)."""
    text = str(cell if cell is not None else "").strip()
    if not text or stored.pk is None:
        return None  # a new record, or an editor who cleared the cell to overwrite
    try:
        number = float(text)  # an XLSX cell may come back as 3.0
    except ValueError:
        number = None
    if number is None or not number.is_integer():
        return f"“{cell}” is not a version number; leave the cell as exported, or empty."
    if int(number) == stored.version:
        return None
    who = saved_by(type(stored), stored.pk, int(number), user)
    return (
        f"“{stored}” was saved by {who} after this file was exported (the file has "
        f"version {int(number)}, the record is at version {stored.version}): export the list "
        "again and redo your change, or empty the version cell to overwrite that save."
    )


def has_slug(model) -> bool:
    """Whether the model's records have a slug: then a link to one travels as its slug (here
    and in the full export, kzpolitics.site.export), else as its id."""
    return any(f.name == "slug" for f in model._meta.concrete_fields)


# -- The preview: what a file would change ----------------------------------------------------


@dataclass
class CellChange:
    """One cell an import changes: its column, the value the record has, the file's value."""

    column: str
    old: str
    new: str


@dataclass
class PreviewRow:
    """A row of the file the preview lists: a new or changed record with its changed cells, or
    a refused row with its reasons (column and message)."""

    number: int | None
    record: str
    changes: list[CellChange] = dataclasses.field(default_factory=list)
    reasons: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    link: str = ""


@dataclass
class ImportPreview:
    """What a file would do, for the editor to check before confirming: the refused rows,
    the changed and the new records; unchanged rows only counted."""

    refused: list[PreviewRow]
    changed: list[PreviewRow]
    new: list[PreviewRow]
    unchanged: int
    total: int

    @classmethod
    def of(cls, result, change_url=None) -> ImportPreview:
        """The preview of an import's ``result`` (its dry run); ``change_url(pk)`` is the
        address of a record's admin page, to link each changed record to."""
        headers = list(result.diff_headers)
        refused = [
            PreviewRow(None, "", reasons=[("", str(error.error))]) for error in result.base_errors
        ]
        for row in result.invalid_rows:
            cells = dict(zip(headers, row.values, strict=False))
            reasons = [
                (column, str(message))
                for column, found in row.field_specific_errors.items()
                for message in found
            ]
            reasons += [("", str(message)) for message in row.non_field_specific_errors]
            refused.append(PreviewRow(row.number, _named(cells), reasons=reasons))
        for row in result.error_rows:
            reasons = [("", str(error.error)) for error in row.errors]
            refused.append(PreviewRow(row.number, "", reasons=reasons))
        refused.sort(key=lambda row: (row.number is not None, row.number or 0))
        changed, new = [], []
        for row in result.valid_rows():
            if row.import_type not in (row.IMPORT_TYPE_NEW, row.IMPORT_TYPE_UPDATE):
                continue
            link = change_url(row.object_id) if change_url and row.is_update() else ""
            listed = PreviewRow(
                getattr(row, "number", None),
                row.object_repr or "",
                changes=getattr(row, "changes", []),
                link=link,
            )
            (new if row.is_new() else changed).append(listed)
        return cls(
            refused=refused,
            changed=changed,
            new=new,
            unchanged=result.totals[RowResult.IMPORT_TYPE_SKIP],
            total=result.total_rows,
        )


def _named(cells: dict) -> str:
    """A refused row's record as the file names it: its slug or id, else its name."""
    for column in ("slug", "id", "name"):
        value = cells.get(column)
        if value not in (None, "", "---"):
            return str(value)
    return ""


class EditSummaryConfirmForm(ConfirmImportForm):
    """The import's confirmation: the file (hidden, as uploaded) and the edit summary every
    saved record's history keeps, with the file's name."""

    edit_summary = forms.CharField(
        label="Edit summary",
        max_length=300,
        help_text=(
            "What this file changes and why, in a few words: each saved record's history keeps "
            "it, with the file's name."
        ),
        error_messages={"required": "Say in a few words what this file changes and why."},
        widget=forms.TextInput(attrs={"size": 80}),
    )


# -- Resources ---------------------------------------------------------------------------------


class RecordResource(ModelResource):
    """The shared rules of every record's import and export (see the module docstring)."""

    # Text columns read empty cells as "" (a blank field), never None (a NOT NULL failure).
    WIDGETS_MAP = {**ModelResource.WIDGETS_MAP, "TextField": widgets.CharWidget}

    status = Field(
        attribute="status", column_name="status", widget=StatusWidget(), saves_null_values=False
    )
    version = Field(
        attribute="version", column_name="version", widget=widgets.IntegerWidget(), readonly=True
    )

    class Meta:
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        # The preview compares each row's record before and after, value by value
        # (``after_import_row``), so it needs the instances, not the library's HTML diff.
        store_instance = True
        skip_html_diff = True

    @classmethod
    def widget_kwargs_for_field(cls, field_name, django_field):
        kwargs = super().widget_kwargs_for_field(field_name, django_field)
        if isinstance(django_field, models.CharField | models.TextField):
            # An empty required cell then fails as “cannot be blank”, which says what to do.
            kwargs.update({"coerce_to_string": True, "allow_blank": True})
        return kwargs

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if f.name.endswith("_edtf"):
            return EdtfWidget
        return super().widget_from_django_field(f, default)

    def get_user_visible_fields(self):
        """The columns the import page says it reads: not ``version``, which it checks but never
        writes."""
        return [field for field in super().get_user_visible_fields() if not field.readonly]

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """Import all the rows or none: any invalid row rolls the whole file back. A sheet
        imported analyses its table (``kzpolitics.core.analyze``: a sheet may add thousands of
        rows), after it commits; a sample of at most 30,000 rows, cheap at any size."""
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        result = super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)
        if not dry_run and not result.has_errors() and not result.has_validation_errors():
            analyze([self._meta.model])
        return result

    def after_init_instance(self, instance, new, row, **kwargs):
        """A row naming an id that no record has is a mistake, not a new record."""
        super().after_init_instance(instance, new, row, **kwargs)
        if new and "id" in self.get_import_id_fields():
            given = row.get("id")
            if given not in (None, "") and str(given).strip():
                name = self._meta.model._meta.verbose_name
                raise ValidationError(
                    {"id": f"No {name} has the id {given}; leave id empty to add a new {name}."}
                )

    def import_instance(self, instance, row, **kwargs):
        """Read the row into the record; refuse a change of publication by a non-reviewer."""
        stored = copy.copy(instance)
        errors = {}
        instance._import_version_error = version_error(
            stored, row.get("version"), kwargs.get("user")
        )
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "status" not in errors:
            problem = publishing_error(kwargs.get("user"), stored, instance.status)
            if problem:
                errors["status"] = [problem]
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's validation, its errors named by the file's columns and said once (an
        EDTF value is checked by its field and again by the date's own ``clean``).

        Only rows that would change something get here (unchanged rows are skipped first), so
        a stale version is an error exactly when the row would overwrite a newer edit."""
        stale = getattr(instance, "_import_version_error", None)
        if stale:
            import_validation_errors = {**(import_validation_errors or {}), "version": [stale]}
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as exc:
            columns = {f.attribute: f.column_name for f in self.get_import_fields()}
            errors: dict[str, list[str]] = {}
            for name, found in exc.message_dict.items():
                said = errors.setdefault(columns.get(name, name), [])
                for message in found:
                    if message not in said:
                        said.append(message)
            raise ValidationError(errors) from exc

    def after_import_row(self, row, row_result, **kwargs):
        """Keep, for the preview, the row's number and what it changes, cell by cell."""
        super().after_import_row(row, row_result, **kwargs)
        row_result.number = kwargs.get("row_number")
        row_result.changes = self.changes_of(row_result)

    def changes_of(self, row_result) -> list[CellChange]:
        """The cells a valid row changes, as the file writes them (a place as its slug): for a
        new record its filled cells, for an updated one those whose value differs from the
        record as it was. ``version`` is left out: it moves on with every save."""
        new = row_result.import_type == row_result.IMPORT_TYPE_NEW
        before, after = row_result.original, row_result.instance
        if after is None or not (new or before is not None):
            return []
        changes = []
        for column in self.get_import_fields():
            if column.readonly:
                continue
            old = "" if new else str(column.export(before) or "")
            now = str(column.export(after) or "")
            if old != now:
                changes.append(CellChange(column.column_name, old, now))
        return changes

    def before_save_instance(self, instance, row, **kwargs):
        """Say in the record's history why the change was made, where it came from and who
        made it: the edit summary given at confirmation and the file's name."""
        super().before_save_instance(instance, row, **kwargs)
        file_name = kwargs.get("file_name")
        summary = (kwargs.get("edit_summary") or "").strip()
        if summary:
            source = f" (imported from {file_name})" if file_name else " (imported)"
            instance._change_reason = summary + source
        else:
            instance._change_reason = f"Imported from {file_name}" if file_name else "Imported"
        user = kwargs.get("user")
        if user is not None and user.is_authenticated:
            instance._history_user = user

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.proposed_rows: list[int] = []

    def save_instance(self, instance, is_create, row, **kwargs):
        """A row that changes a published record, from someone who may not publish, is kept
        as a pending revision of it (kzpolitics.core.revisions): the record is not saved."""
        user = kwargs.get("user")
        if is_create or not must_propose(user, instance):
            super().save_instance(instance, is_create, row, **kwargs)
            return
        self.before_save_instance(instance, row, **kwargs)
        instance._proposed = True
        instance._revision = propose(instance, user, instance._change_reason)
        self.proposed_rows.append(kwargs.get("row_number"))

    def save_m2m(self, instance, row, **kwargs):
        if not getattr(instance, "_proposed", False):
            super().save_m2m(instance, row, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        result.proposed_rows = list(getattr(self, "proposed_rows", []))


class PersonResource(RecordResource):
    class Meta:
        model = Person
        import_id_fields = ("slug",)
        fields = ("slug", "name", "description", "public_note", "note", "status", "version")


class CitationResource(RecordResource):
    """Citations by id (they have no slug); the record they back as its kind and slug (or id
    for records without one), sources by slug."""

    content_type = Field(
        attribute="content_type", column_name="content_type", widget=ContentTypeWidget()
    )
    object = CitedObjectField()
    source = Field(attribute="source", column_name="source", widget=SlugWidget(Source))
    via = Field(attribute="via", column_name="via", widget=SlugWidget(Source))

    class Meta:
        model = Citation
        fields = (
            "id",
            "content_type",
            "object",
            "field",
            "source",
            "pages",
            "footnote",
            "section",
            "quote",
            "via",
            "public_note",
            "note",
            "status",
            "version",
        )

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("content_type", "source", "via")


# -- The admin ---------------------------------------------------------------------------------


class ImportExportAdminMixin(ImportExportMixin):
    """Import and export buttons on a record's admin list: CSV and XLSX, with a preview.

    Importing adds and changes records, so it needs both permissions; exporting needs the
    permission to view the list it exports.
    """

    # Within the upload limits, cells escaped against formula injection (kzpolitics.core.uploads).
    import_formats = (SafeCSV, SafeXLSX)
    export_formats = (SafeCSV, SafeXLSX)
    import_form_class = LimitedImportForm
    confirm_form_class = EditSummaryConfirmForm
    # The preview lists only what changes, and asks for the edit summary under it.
    import_template_name = "admin/import_export/import_preview.html"

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_or_change_permission(request)

    def import_action(self, request, **kwargs):
        """The import form and its preview: refused, changed and new rows, unchanged ones
        counted (``ImportPreview``)."""
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        result = context.get("result")
        if result is not None:
            context["preview"] = ImportPreview.of(result, self.change_url)
            if not (result.has_errors() or result.has_validation_errors()):
                say_proposed(request, result, self.admin_site.name, done=False)
        return response

    def change_url(self, pk) -> str:
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[pk]
        )

    def process_import(self, request, **kwargs):
        """The confirmation. Sent without its edit summary, it comes back with the error and
        the preview again (the file is read anew from where the upload left it): the editor
        writes the summary with the changes in view."""
        response = super().process_import(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        form = context.get("confirm_form")
        if form is None or set(form.errors) != {"edit_summary"}:
            return response
        formats = self.get_import_formats()
        input_format = formats[int(form.cleaned_data["format"])](encoding=self.from_encoding)
        storage = self.get_tmp_storage_class()(
            name=form.cleaned_data["import_file_name"],
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        try:
            dataset = input_format.create_dataset(storage.read())
        except Exception:  # the upload is gone or unreadable: the form's error alone
            return response
        resource_kwargs = self.get_import_resource_kwargs(request, form=form, **kwargs)
        resource = self.choose_import_resource_class(form, request)(**resource_kwargs)
        result = resource.import_data(
            dataset,
            dry_run=True,
            raise_errors=False,
            file_name=form.cleaned_data["original_file_name"],
            user=request.user,
        )
        context.update(result=result, preview=ImportPreview.of(result, self.change_url))
        return response

    def get_import_data_kwargs(self, **kwargs):
        """The confirmation's edit summary goes to the import, for each record's history."""
        form = kwargs.get("form")
        kwargs = super().get_import_data_kwargs(**kwargs)
        if isinstance(form, EditSummaryConfirmForm) and form.is_valid():
            kwargs["edit_summary"] = form.cleaned_data["edit_summary"]
        return kwargs

    def export_action(self, request):
        """The export form. Its template (django-import-export's own) has two inline style
        attributes and the “Select all” box's inline event handler: allowed by their hashes on
        this page only."""
        return allow_inline(
            super().export_action(request),
            styles=("padding: 0;", "font-weight: bold;"),
            handlers=("onSelectToggleChange(event)",),
        )

    def process_result(self, result, request):
        """After the confirmation: should a row have gone bad since the preview (a colleague's
        edit), nothing was saved; say so instead of reporting an import of nothing."""
        if not (result.has_errors() or result.has_validation_errors()):
            say_proposed(request, result, self.admin_site.name, done=True)
            return super().process_result(result, request)
        self.message_user(
            request,
            "Nothing was imported: " + "; ".join(problems(result)),
            messages.ERROR,
        )
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
        )


def say_proposed(request, result, site_name: str, done: bool) -> None:
    """Tell the importer which rows change published records and so wait for a reviewer."""
    rows = [number for number in getattr(result, "proposed_rows", ()) if number is not None]
    if not rows:
        return
    listed = ", ".join(str(number) for number in rows)
    queue = reverse(f"{site_name}:review-queue")
    if done:
        text = (
            "{} row(s) ({}) change published records: they were kept as pending revisions, "
            'which the public does not see until a reviewer accepts them in the <a href="{}">'
            "review queue</a>."
        )
    else:
        text = (
            "{} row(s) ({}) change published records: once you confirm, they will be kept as "
            "pending revisions, which the public does not see until a reviewer accepts them "
            'in the <a href="{}">review queue</a>.'
        )
    messages.info(request, format_html(text, len(rows), listed, queue))


def problems(result) -> list[str]:
    """Each bad row of an import, by number, with what is wrong: “row 3: founding_place: …”."""
    found = [f"the file: {error.error}" for error in result.base_errors]
    for row in result.error_rows:
        found += [f"row {row.number}: {error.error}" for error in row.errors]
    for row in result.invalid_rows:
        for field, messages_ in row.field_specific_errors.items():
            found += [f"row {row.number}: {field}: {message}" for message in messages_]
        found += [f"row {row.number}: {message}" for message in row.non_field_specific_errors]
    return found
