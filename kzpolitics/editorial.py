"""The editorial workflow in the admin: edit summaries, review status, no lost updates.

- Every change carries an edit summary, kept in the record's history (django-simple-history)
  with who and when; the history page shows what changed field by field, and any earlier
  version can be restored from it (the revert is itself a change with its own summary).
- Status: editors save drafts and send them for review; only reviewers (permission
  ``kzpolitics.publish_record``) publish or unpublish.
- No lost update: the form remembers the version it was opened at; if a colleague saved the
  record since, the save is refused, the form comes back with the editor's input intact, and
  the message lists what the colleague changed. Saving again then is a deliberate choice.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from .inline_policy import allow_inline
from .models import Status
from .visibility import may_publish, publishing_error


def changes_since(model, pk, version: int) -> list[dict]:
    """What colleagues changed after ``version``: each later save with its author, time,
    summary and the fields it changed."""
    rows = list(
        model.history.filter(id=pk, version__gte=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    changes = []
    for previous, row in zip(rows, rows[1:], strict=False):
        delta = row.diff_against(previous)
        changes.append(
            {
                "who": row.history_user.get_username() if row.history_user else "someone",
                "when": row.history_date,
                "summary": row.history_change_reason or "",
                "fields": [
                    (change.field, change.old, change.new)
                    for change in delta.changes
                    if change.field not in {"version", "updated_at"}
                ],
            }
        )
    return changes


def conflict_message(model, pk, expected: int, stored: int):
    changes = changes_since(model, pk, expected)
    items = format_html_join(
        "",
        "<li>{} by {}{}: {}</li>",
        (
            (
                date_format(timezone.localtime(c["when"]), "DATETIME_FORMAT"),
                c["who"],
                format_html(" (“{}”)", c["summary"]) if c["summary"] else "",
                format_html_join(
                    "; ",
                    "{} “{}” → “{}”",
                    ((name, _short(old), _short(new)) for name, old, new in c["fields"]),
                )
                or "no field changed",
            )
            for c in changes
        ),
    )
    return format_html(
        "Someone else saved this record after you opened it (you started from version {}; it "
        "is now version {}). Nothing was saved. What changed meanwhile:<ul>{}</ul>The form "
        "below keeps your changes and shows their newer values in the fields you had not "
        "touched: check it, and save again to keep your edit.",
        expected,
        stored,
        items,
    )


def _text(value):
    """A form value in a comparable shape: posted strings and model values alike."""
    if isinstance(value, (list, tuple)):
        return sorted(str(v) for v in value)
    if value is None or value is False:
        return ""
    return "on" if value is True else str(value)


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


class EditorialForm(forms.ModelForm):
    """Adds the edit summary and the version the edit started from to a record's form."""

    edit_summary = forms.CharField(
        max_length=300,
        required=False,
        help_text="What you changed and why, for the record's history (required for a change).",
        widget=forms.TextInput(attrs={"size": 80}),
    )
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    editor = None  # the signed-in user, set by the admin's get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk is not None:
            stored = (
                type(instance)
                ._base_manager.filter(pk=instance.pk)
                .values_list("version", flat=True)
            )
            self.fields["expected_version"].initial = stored.first() or instance.version
            history = getattr(instance, "_history", None)  # the revert form of a version
            if history is not None:
                self.fields["edit_summary"].initial = (
                    "Reverted to the version of "
                    f"{date_format(timezone.localtime(history.history_date), 'DATETIME_FORMAT')}"
                )
        if "status" in self.fields and not may_publish(self.editor):
            self.fields["status"].help_text = (
                "Save as “Draft” while you work, “In review” when it is ready; a reviewer "
                "publishes it."
            )

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if "status" in self.fields:
            error = publishing_error(self.editor, instance, cleaned.get("status"))
            if error:
                self.add_error("status", error)
        if instance.pk is not None and not cleaned.get("edit_summary"):
            self.add_error("edit_summary", "Say in a few words what you changed and why.")
        expected = cleaned.get("expected_version")
        if instance.pk is not None and expected is not None:
            # Locked until the admin's transaction ends: no colleague can slip in between.
            stored = (
                type(instance)
                ._base_manager.select_for_update()
                .filter(pk=instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if stored is not None and stored != expected:
                self.data = self.data.copy()
                self.take_in_their_changes(expected)
                # Let the next save go through, now that the editor has seen the changes.
                self.data[self.add_prefix("expected_version")] = str(stored)
                raise ValidationError(
                    conflict_message(type(instance), instance.pk, expected, stored)
                )
        return cleaned

    def take_in_their_changes(self, expected: int) -> None:
        """A three-way merge of the form: where this editor left a field as it was at the
        version they opened, show the colleague's newer value; where they changed it, keep
        theirs. Saving the re-rendered form then overwrites nothing the editor did not mean to.
        """
        model = type(self.instance)
        base = (
            model.history.filter(id=self.instance.pk, version=expected)
            .order_by("-history_date")
            .first()
        )
        if base is None:
            return
        current = model._base_manager.get(pk=self.instance.pk)
        opened, now = type(self)(instance=base.instance), type(self)(instance=current)
        for name, field in self.fields.items():
            if name in ("edit_summary", "expected_version") or field.disabled:
                continue
            mine, was, theirs = (_text(form[name].value()) for form in (self, opened, now))
            if mine == was and theirs != was:
                key = self.add_prefix(name)
                value = now[name].value()
                if isinstance(value, (list, tuple)):
                    self.data.setlist(key, [str(v) for v in value])
                elif value is None or value is False:
                    self.data.pop(key, None)
                else:
                    self.data[key] = "on" if value is True else str(value)


RESTORE_WINDOW = datetime.timedelta(seconds=10)


def deleted_versions(model):
    """The last version of every record of ``model`` that was deleted and is not back."""
    gone = (
        model.history.filter(history_type="-")
        .exclude(id__in=model._base_manager.values("pk"))
        .select_related("history_user")
        .order_by("-history_date")
    )
    seen, latest = set(), []
    for row in gone:
        if row.id not in seen:
            seen.add(row.id)
            latest.append(row)
    return latest


def restore_deleted(row, user) -> list:
    """Bring a deleted record back as it was, with the rows deleted along with it (names,
    roles, citations...: whatever went within seconds of it and pointed at it). Each is
    recorded in history as restored. Returns what was restored."""
    reason = "Restored after its deletion of " + date_format(
        timezone.localtime(row.history_date), "DATETIME_FORMAT"
    )
    restored = []

    def bring_back(version):
        instance = version.instance
        instance._change_reason = reason
        instance._history_user = user
        instance.save()
        restored.append(instance)
        return instance

    with transaction.atomic():
        record = bring_back(row)
        window = {"history_date__gte": row.history_date - RESTORE_WINDOW}
        window["history_date__lte"] = row.history_date + RESTORE_WINDOW
        dependents = [record]
        for relation in type(record)._meta.related_objects:
            if not relation.one_to_many or relation.on_delete is not models.CASCADE:
                continue
            child_model = relation.related_model
            if not hasattr(child_model, "history"):
                continue
            column = relation.field.attname
            for version in _last_deletions(
                child_model.history.filter(history_type="-", **{column: record.pk}, **window)
            ):
                if not child_model._base_manager.filter(pk=version.id).exists():
                    dependents.append(bring_back(version))
        from .models import Citation  # the citations of each: the generic relation cascades

        for dependent in dependents:
            content_type = ContentType.objects.get_for_model(type(dependent))
            for version in _last_deletions(
                Citation.history.filter(
                    history_type="-",
                    content_type_id=content_type.pk,
                    object_id=dependent.pk,
                    **window,
                )
            ):
                if not Citation._base_manager.filter(pk=version.id).exists():
                    bring_back(version)
    return restored


def _last_deletions(rows):
    seen = set()
    for row in rows.order_by("-history_date"):
        if row.id not in seen:
            seen.add(row.id)
            yield row


class EditorialAdmin(SimpleHistoryAdmin):
    """History, edit summaries, status and version checks for a record's admin."""

    form = EditorialForm
    change_list_template = "admin/editorial_change_list.html"
    EDITORIAL_FIELDS = ("status", "edit_summary", "expected_version")
    actions = ("send_for_review", "publish", "unpublish")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"editor": request.user})

    def history_view(self, request, object_id, extra_context=None):
        # django-simple-history's list of versions styles its pager inline.
        response = super().history_view(request, object_id, extra_context)
        return allow_inline(response, styles=("border-top: 0",))

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        named = {name for _, options in fieldsets for name in _flatten(options["fields"])}
        missing = tuple(name for name in self.EDITORIAL_FIELDS if name not in named)
        if self.fieldsets is None:
            # Django's single fieldset of every field: take the editorial ones out of it.
            title, options = fieldsets[0]
            rest = tuple(n for n in options["fields"] if n not in self.EDITORIAL_FIELDS)
            fieldsets[0] = (title, {**options, "fields": rest})
            missing = self.EDITORIAL_FIELDS
        extra = ("version",) if obj is not None else ()
        return [*fieldsets, ("Review and history", {"fields": (*missing, *extra)})]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields + [name for name in self.EDITORIAL_FIELDS if name not in fields]

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "version")

    def get_list_display(self, request):
        shown = tuple(super().get_list_display(request))
        return shown if "status" in shown else (*shown, "status")

    def get_list_filter(self, request):
        filters = tuple(super().get_list_filter(request))
        return filters if "status" in filters else ("status", *filters)

    def view_on_site(self, obj):
        url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None
        if url and obj.status != Status.PUBLISHED:
            return f"{url}?preview=1"
        return url

    def save_model(self, request, obj, form, change):
        obj._expected_version = form.cleaned_data.get("expected_version") if change else None
        obj._change_reason = form.cleaned_data.get("edit_summary") or (
            "Changed" if change else "Created"
        )
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # Rows edited inline (citations, names) share the record's edit summary.
        summary = form.cleaned_data.get("edit_summary") or ("Changed" if change else "Created")
        for inline_form in formset.forms:
            inline_form.instance._change_reason = summary
        super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        obj._change_reason = "Deleted"
        super().delete_model(request, obj)

    # -- deleted records, and undoing a deletion -------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name=f"{opts.app_label}_{opts.model_name}_deleted",
            ),
            *super().get_urls(),
        ]

    def deleted_view(self, request):
        """Records of this kind that were deleted, newest first, each with a restore button."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        versions = deleted_versions(self.model)
        may_restore = self.has_add_permission(request)
        if request.method == "POST":
            if not may_restore:
                raise PermissionDenied
            wanted = request.POST.get("history_id", "")
            row = next((v for v in versions if str(v.history_id) == wanted), None)
            if row is None:
                self.message_user(
                    request, "That deleted record is not here (restored already?).", messages.ERROR
                )
            else:
                restored = restore_deleted(row, request.user)
                self.message_user(
                    request,
                    f"Restored “{restored[0]}” and {len(restored) - 1} row(s) deleted with it.",
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Deleted {self.model._meta.verbose_name_plural}",
            "opts": self.model._meta,
            "versions": versions,
            "may_restore": may_restore,
        }
        return TemplateResponse(request, "admin/deleted_records.html", context)

    # -- actions on many records -------------------------------------------------------------

    def has_publish_permission(self, request) -> bool:
        return may_publish(request.user) and self.has_change_permission(request)

    def _set_status(self, request, queryset, status: str, summary: str) -> None:
        count = 0
        for record in queryset:
            if record.status == status:
                continue
            record.status = status
            record._change_reason = summary
            record._history_user = request.user
            record.save()
            count += 1
        self.message_user(request, f"{count} record(s): {summary.lower()}.", messages.SUCCESS)

    @admin.action(description="Send the selected records for review", permissions=("change",))
    def send_for_review(self, request, queryset):
        self._set_status(
            request, queryset.exclude(status=Status.PUBLISHED), Status.REVIEW, "Sent for review"
        )

    @admin.action(description="Publish the selected records", permissions=("publish",))
    def publish(self, request, queryset):
        self._set_status(request, queryset, Status.PUBLISHED, "Published")

    @admin.action(
        description="Unpublish the selected records (back to review)", permissions=("publish",)
    )
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Status.REVIEW, "Unpublished")


def _flatten(fields):
    for item in fields:
        if isinstance(item, (list, tuple)):
            yield from item
        else:
            yield item
