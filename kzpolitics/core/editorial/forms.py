"""The forms of the editorial workflow: edit summary, status, and the version check.

- ``EditorialForm``: a record's form. Every change carries an edit summary; editors save
  drafts and send them for review, only reviewers publish. It remembers the version it was
  opened at: if a colleague saved the record since, the save is refused, the form comes back
  with the editor's input intact (a three-way merge), and the message lists what the
  colleague changed.
- ``RowVersionForm`` and ``RowsFormSetMixin``: the same for an inline's rows.

Both state their inputs' limits and refuse what is too long, saying so
(``LimitsFormMixin``, kzpolitics.core.editorial.limits).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst

from kzpolitics.core.changes import links_of_versions, tracked_links
from kzpolitics.core.editorial.conflicts import conflict_message, row_conflict_message
from kzpolitics.core.editorial.limits import LimitsFormMixin
from kzpolitics.core.editorial.links import links_in_the_same_version
from kzpolitics.core.models import Status
from kzpolitics.core.publishing import shown_to_public
from kzpolitics.core.visibility import may_publish, publishing_error


def _text(value):
    """A form value in a comparable shape: posted strings and model values alike."""
    if isinstance(value, (list, tuple)):
        return sorted(str(v) for v in value)
    if value is None or value is False:
        return ""
    return "on" if value is True else str(value)


def stored_record(instance):
    """``instance`` as the database holds it now (``instance`` itself if it is new or gone)."""
    if instance.pk is None:
        return instance
    return type(instance)._base_manager.filter(pk=instance.pk).first() or instance


class EditorialForm(LimitsFormMixin, forms.ModelForm):
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
                self.take_links_from(history)
        if "status" in self.fields and not may_publish(self.editor):
            self.fields["status"].help_text = (
                "Save as “Draft” while you work, “In review” when it is ready; a reviewer "
                "publishes it."
            )

    def take_links_from(self, history) -> None:
        """Start the many-to-many fields from ``history``'s links, not the record's own (which
        is what a ModelForm of a version's instance shows: the links live in the database), to
        the records that still exist."""
        model = type(self.instance)
        kept = links_of_versions(model, [history.history_id])[history.history_id]
        for link in tracked_links(model):
            if link.name in self.fields:
                existing = link.related_model._base_manager.filter(pk__in=kept[link.name])
                self.initial[link.name] = sorted(existing.values_list("pk", flat=True))

    def save(self, commit=True):
        # As ModelForm.save, through its public save_m2m (which the admin calls after the
        # record's save): the many-to-many links belong to the version the record's save just
        # made, with its edit summary and author.
        instance = super().save(commit=False)
        save_links = self.save_m2m

        def save_m2m():
            if getattr(self.instance, "_proposed", False):
                return  # the record was not saved: its links wait in the pending revision
            links_in_the_same_version(self.instance, save_links)

        self.save_m2m = save_m2m
        if commit:
            instance.save()
            self.save_m2m()
        return instance

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if "status" in self.fields:
            # Against the record as stored: the revert form's instance is the old version,
            # whose status may not be the record's now (reverting to a published version of
            # a draft would publish it).
            stored = stored_record(instance)
            error = publishing_error(self.editor, stored, cleaned.get("status"))
            if error:
                self.add_error("status", error)
            # Its draft rows are offered for publication with it, once saved.
            instance._publishing_now = cleaned.get("status") == Status.PUBLISHED and (
                stored.pk is None or stored.status != Status.PUBLISHED
            )
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
                    conflict_message(type(instance), instance.pk, expected, stored, self.editor)
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
            if name not in opened.fields:
                continue  # what a formset adds to an inline row's form: its id, DELETE
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


class RowVersionForm(LimitsFormMixin, forms.ModelForm):
    """An inline row's form (a citation, a name, a role) remembers the version of the row it
    was opened at, as the record's form does: a stale save of the row is refused on that row,
    which then shows the colleague's values where the editor had changed nothing, so saving
    again keeps both people's work. A row a colleague deleted meanwhile is said to be gone."""

    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, opened_with_the_page=False, **kwargs):
        super().__init__(*args, **kwargs)
        # A row the page was opened with (one of a formset's initial forms, not a new row).
        self.opened_with_the_page = opened_with_the_page
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version

    take_in_their_changes = EditorialForm.take_in_their_changes

    def posted_pk(self) -> str:
        """The key of the row this form was rendered for, as posted ("" for a new row)."""
        if not self.is_bound:
            return ""
        return str(self.data.get(self.add_prefix(self._meta.model._meta.pk.name)) or "")

    gone = False  # the row was deleted by a colleague after the page was opened

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk is None and self.opened_with_the_page:
            # A row the page was opened with (a formset's initial form) that is not in the
            # database: a colleague deleted it. Nothing of it can be saved; it is dropped as
            # deleted (Django does not render it again), and the formset says so.
            self.gone = True
            self.errors.clear()  # “Select a valid choice”: its key names no row now
            cleaned["DELETE"] = True
            return cleaned
        if instance.pk is not None and self.has_changed():
            self.check_version(cleaned.get("expected_version"))
        return cleaned

    def check_version(self, expected) -> None:
        """Refuse the row's save if a colleague saved it since ``expected``; locked until the
        admin's transaction ends, so no one slips in between."""
        if expected is None:
            return
        instance = self.instance
        model = type(instance)
        stored = (
            model._base_manager.select_for_update()
            .filter(pk=instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if stored is None or stored == expected:
            instance._expected_version = expected
            return
        self.data = self.data.copy()
        self.take_in_their_changes(expected)
        self.data[self.add_prefix("expected_version")] = str(stored)
        editor = getattr(self, "editor", None)
        self.add_error(None, row_conflict_message(model, instance.pk, expected, stored, editor))


class RowsFormSetMixin:
    """Checks on an inline's rows as a whole: deleting a row the public sees is a reviewer's
    decision, and deleting a row a colleague changed since the page was opened is refused
    (the deleted rows' own forms are not validated by Django)."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < self.initial_form_count():
            kwargs["opened_with_the_page"] = True
        return kwargs

    def clean(self):
        super().clean()
        editor = getattr(self.form, "editor", None)
        problems = [
            f"Someone else deleted a {self.model._meta.verbose_name} of this list (#"
            f"{form.posted_pk()}) after you opened the page: it is gone, and what you typed "
            "in it was not saved. Nothing was saved: save again to keep the rest of your "
            "changes."
            for form in self.initial_forms
            if getattr(form, "gone", False)
            and form.posted_pk()
            and not form.data.get(form.add_prefix("DELETE"))  # they deleted it too
        ]
        for form in self.deleted_forms:
            row = form.instance
            if row.pk is None:
                continue
            if not may_publish(editor) and shown_to_public(row):
                problems.append(
                    f"{capfirst(row._meta.verbose_name)} “{row}” is published: only a reviewer "
                    "can delete what the public sees. Untick its “Delete” box, or ask a "
                    "reviewer."
                )
                continue
            expected = (getattr(form, "cleaned_data", None) or {}).get("expected_version")
            stored = (
                type(row)
                ._base_manager.select_for_update()
                .filter(pk=row.pk)
                .values_list("version", flat=True)
                .first()
            )
            if expected is not None and stored is not None and stored != expected:
                form.data = form.data.copy()
                form.take_in_their_changes(expected)
                form.data[form.add_prefix("expected_version")] = str(stored)
                problems.append(
                    format_html(
                        "{} It was not deleted: save again to delete it.",
                        row_conflict_message(type(row), row.pk, expected, stored, editor),
                    )
                )
        if problems:
            raise ValidationError(problems)
