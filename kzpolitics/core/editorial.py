"""The editorial workflow in the admin: edit summaries, review status, no lost updates.

- Every change carries an edit summary, kept in the record's history (django-simple-history)
  with who and when; the history page shows what changed field by field, and any earlier
  version can be restored from it (the revert is itself a change with its own summary).
- Many-to-many links (an organization's, election's or act's events, an event's people) are
  part of each version: one save of the form is one version, links included; a revert puts
  back the version's links; a restored record comes back linked as it was when deleted. Links
  changed from the other side (an event's "organizations concerned", a deleted event) make a
  version of each record whose links they changed, so its history misses none.
- Status: editors save drafts and send them for review; only reviewers (permission
  ``kzpolitics.publish_record``) publish or unpublish.
- No lost update: the form remembers the version it was opened at; if a colleague saved the
  record since, the save is refused, the form comes back with the editor's input intact, and
  the message lists what the colleague changed. Saving again then is a deliberate choice.
"""

from __future__ import annotations

import datetime
import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models.signals import m2m_changed, post_delete, pre_delete
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin
from simple_history.signals import pre_create_historical_m2m_records
from simple_history.utils import (
    get_change_reason_from_object,
    get_m2m_field_name,
    get_m2m_reverse_field_name,
)

from kzpolitics.core.changes import link_history_model, links_of_versions, tracked_links
from kzpolitics.core.inline_policy import allow_inline
from kzpolitics.core.models import Status, content_apps
from kzpolitics.core.publishing import (
    describe,
    draft_rows,
    hidden_because,
    publish,
    row_key,
    shown_to_public,
)
from kzpolitics.core.revisions import must_propose, pending_for, propose
from kzpolitics.core.visibility import may_publish, publishing_error


def changes_since(model, pk, version: int) -> list[dict]:
    """What colleagues changed after ``version``: each later save with its author, time,
    summary and the fields it changed."""
    rows = list(
        model.history.filter(id=pk, version__gte=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    kept = [link.name for link in tracked_links(model)]
    pairs = list(zip(rows, rows[1:], strict=False))
    link_changes = _link_changes(model, pairs)
    changes = []
    for previous, row in pairs:
        delta = row.diff_against(previous, excluded_fields=kept)
        fields = [
            f"{change.field} “{_short(change.old)}” → “{_short(change.new)}”"
            for change in delta.changes
            if change.field not in {"version", "updated_at"}
        ]
        fields += [f"{link.name}: {text}" for link, text in link_changes.get(row.history_id, [])]
        changes.append(
            {
                "who": row.history_user.get_username() if row.history_user else "someone",
                "when": row.history_date,
                "summary": row.history_change_reason or "",
                "fields": fields,
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
                format_html_join("; ", "{}", ((field,) for field in c["fields"]))
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


# -- many-to-many links in history -----------------------------------------------------------


def link_labels(link: models.ManyToManyField, pks) -> dict[int, str]:
    """What the records ``link`` points to are called: their names now, or, for one deleted
    since, its name when it was deleted (from its own history)."""
    related = link.related_model
    labels = {obj.pk: str(obj) for obj in related._base_manager.filter(pk__in=set(pks))}
    gone = set(pks) - labels.keys()
    if gone and hasattr(related._meta, "simple_history_manager_attribute"):
        for version in _latest_per_record(related.history.filter(id__in=gone)):
            labels[version.id] = f"{version.instance} (deleted)"
    for pk in gone - labels.keys():
        labels[pk] = f"{related._meta.verbose_name} #{pk} (deleted)"
    return labels


def describe_links(before, after, labels: dict[int, str]) -> str:
    """“added “December 1986 events”; removed “…””: how one field's links changed."""
    parts = []
    for verb, pks in (("added", after - before), ("removed", before - after)):
        if pks:
            names = sorted(labels[pk] for pk in pks)
            parts.append(f"{verb} " + ", ".join(f"“{name}”" for name in names))
    return "; ".join(parts)


def _link_changes(model, pairs) -> dict[int, list[tuple[models.ManyToManyField, str]]]:
    """For (older, newer) pairs of versions: per newer version, each tracked many-to-many field
    whose links differ and how, described. A query per tracked field, a few for the labels."""
    links = tracked_links(model)
    if not links or not pairs:
        return {}
    kept = links_of_versions(model, {v.history_id for pair in pairs for v in pair})
    differing = [
        (
            newer.history_id,
            link,
            kept[older.history_id][link.name],
            kept[newer.history_id][link.name],
        )
        for older, newer in pairs
        for link in links
        if kept[older.history_id][link.name] != kept[newer.history_id][link.name]
    ]
    labels = {
        link.name: link_labels(
            link, {pk for _, changed, old, new in differing if changed is link for pk in old ^ new}
        )
        for link in links
    }
    described: dict[int, list] = {}
    for version, link, old, new in differing:
        text = describe_links(old, new, labels[link.name])
        described.setdefault(version, []).append((link, text))
    return described


def keep_links_in(version, instance) -> None:
    """Make ``version`` (a history row of ``instance``) hold the links ``instance`` has now,
    if it does not already."""
    model = type(instance)
    kept = links_of_versions(model, [version.history_id])[version.history_id]
    for link in tracked_links(model):
        through = link.remote_field.through
        other = through._meta.get_field(get_m2m_reverse_field_name(link)).attname
        rows = list(through._base_manager.filter(**{get_m2m_field_name(link): instance.pk}))
        if {getattr(row, other) for row in rows} == kept[link.name]:
            continue
        snapshot = link_history_model(model, link)
        snapshot.objects.filter(history_id=version.history_id).delete()
        columns = [f.attname for f in through._meta.concrete_fields]
        snapshot.objects.bulk_create(
            snapshot(history=version, **{name: getattr(row, name) for name in columns})
            for row in rows
        )


def links_in_the_same_version(instance, change_links) -> None:
    """Run ``change_links()``, which changes the links of ``instance`` just saved, so that
    they go into the version that save made rather than into versions of their own (the
    library adds one per add, remove or clear): one save, one entry in the history."""
    if not tracked_links(type(instance)) or hasattr(instance, "skip_history_when_saving"):
        change_links()
        return
    _without_history(instance, change_links)
    version = (
        type(instance)
        .history.filter(id=instance.pk)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if version is not None:
        keep_links_in(version, instance)


def save_as_relinked(record, reason: str, user=None) -> None:
    """Record that an editor changed ``record``'s links from the other side (the linked
    record's page, its deletion or restoration): a save, so its version moves on (a
    colleague's form opened before is refused, not let drop the change) and its history gets
    the new links with ``reason``."""
    record._change_reason = reason
    if user is not None:
        record._history_user = user
    record.save(update_fields=["updated_at"])


def record_relinked(records, reason: str, user=None) -> None:
    """Record in history that code changed these records' links from the other side (the
    article loader links events to organizations from the event): a version each with the new
    links, without a save, so their version number stays (a load leaves its records at 1)."""
    for record in records:
        [version] = type(record).history.bulk_history_create(
            [record], update=True, default_user=user, default_change_reason=reason
        )
        keep_links_in(version, record)


def links_to(model) -> list[models.ManyToManyField]:
    """The tracked many-to-many fields of other models that point at ``model``."""
    return [
        link
        for other in _models_with_links()
        for link in tracked_links(other)
        if link.related_model is model
    ]


def _models_with_links() -> list[type[models.Model]]:
    return [
        model for config in content_apps() for model in config.get_models() if tracked_links(model)
    ]


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


def stored_record(instance):
    """``instance`` as the database holds it now (``instance`` itself if it is new or gone)."""
    if instance.pk is None:
        return instance
    return type(instance)._base_manager.filter(pk=instance.pk).first() or instance


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

    def _save_m2m(self):
        if getattr(self.instance, "_proposed", False):
            return  # the record was not saved: its links wait in the pending revision
        # Django saves the many-to-many fields after the record: their links belong to the
        # version the record's save just made, with its edit summary and author.
        links_in_the_same_version(self.instance, super()._save_m2m)

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


class RowVersionForm(forms.ModelForm):
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
        self.add_error(None, row_conflict_message(model, instance.pk, expected, stored))


def row_conflict_message(model, pk, expected: int, stored: int):
    changes = changes_since(model, pk, expected)
    items = format_html_join(
        "; ",
        "{} by {}: {}",
        (
            (
                date_format(timezone.localtime(c["when"]), "DATETIME_FORMAT"),
                c["who"],
                format_html_join("; ", "{}", ((field,) for field in c["fields"]))
                or "no field changed",
            )
            for c in changes
        ),
    )
    return format_html(
        "Someone else saved this {} after you opened the page (you started from version {}; "
        "it is now version {}): {}. Nothing was saved. This row keeps your changes and shows "
        "their newer values where you had changed nothing: check it, and save again to keep "
        "both.",
        model._meta.verbose_name,
        expected,
        stored,
        items,
    )


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
                        row_conflict_message(type(row), row.pk, expected, stored),
                    )
                )
        if problems:
            raise ValidationError(problems)


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


def restore_deleted(row, user, as_draft: bool = False) -> list:
    """Bring a deleted record back as it was, with the rows deleted along with it (names,
    roles, citations...: whatever went within seconds of it and pointed at it) and its
    many-to-many links, both its own (an organization's events) and other records' links to it
    (the organizations an event concerned), to records that still exist. Each is recorded in
    history as restored. Returns what was restored.

    With ``as_draft`` (an editor's restore: only reviewers change what the public sees), what
    was published comes back as a draft, marked ``_was_published``, for a reviewer to publish
    again; restoring as it was would put it back on the site without a review."""
    when = date_format(timezone.localtime(row.history_date), "DATETIME_FORMAT")
    reason = f"Restored after its deletion of {when}"
    restored, deleted_at = [], []

    def bring_back(version):
        instance = version.instance
        instance._change_reason = reason
        if as_draft and instance.status == Status.PUBLISHED:
            instance.status = Status.DRAFT
            instance._was_published = True
            instance._change_reason = f"{reason}, as a draft (it was published)"
        instance._history_user = user
        instance.save()
        links_in_the_same_version(instance, lambda: _link_as_when_deleted(instance, version))
        restored.append(instance)
        deleted_at.append(version.history_date)
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
            for version in _latest_per_record(
                child_model.history.filter(history_type="-", **{column: record.pk}, **window)
            ):
                if not child_model._base_manager.filter(pk=version.id).exists():
                    dependents.append(bring_back(version))
        # the citations of each: the generic relation cascades
        from kzpolitics.core.models import Citation

        for dependent in dependents:
            content_type = ContentType.objects.get_for_model(type(dependent))
            for version in _latest_per_record(
                Citation.history.filter(
                    history_type="-",
                    content_type_id=content_type.pk,
                    object_id=dependent.pk,
                    **window,
                )
            ):
                if not Citation._base_manager.filter(pk=version.id).exists():
                    bring_back(version)
        for instance, when_deleted in zip(restored, deleted_at, strict=True):
            _relink_from_the_other_side(instance, when_deleted, user)
    return restored


def _link_as_when_deleted(instance, version) -> None:
    """Give a restored record the links its deletion's version kept, to records that exist."""
    kept = links_of_versions(type(instance), [version.history_id])[version.history_id]
    for link in tracked_links(type(instance)):
        existing = link.related_model._base_manager.filter(pk__in=kept[link.name])
        getattr(instance, link.name).set(existing)


def _relink_from_the_other_side(instance, deleted_at, user) -> None:
    """Link a restored record again to the records that were linked to it when it was deleted
    (the links went with it): each of those that exists and is not linked to it now gets the
    link back, in a version of its own saying so."""
    reason = (
        f"{capfirst(instance._meta.verbose_name)} “{instance}” restored after its deletion of "
        f"{date_format(timezone.localtime(deleted_at), 'DATETIME_FORMAT')}"
    )
    for link in links_to(type(instance)):
        owner = link.model
        kept = link_history_model(owner, link)
        other = kept._meta.get_field(get_m2m_reverse_field_name(link)).attname
        ever_linked = kept.objects.filter(**{other: instance.pk}).values("history__id")
        linked_now = link.remote_field.through._base_manager.filter(
            **{get_m2m_reverse_field_name(link): instance.pk}
        ).values(get_m2m_field_name(link))
        for record in owner._base_manager.filter(pk__in=ever_linked).exclude(pk__in=linked_now):
            # Its version current when the deletion began (the deletion's own versions of the
            # records it unlinked come after the deleted record's last one).
            then = (
                owner.history.filter(id=record.pk, history_date__lt=deleted_at)
                .order_by("-history_date", "-history_id")
                .first()
            )
            if then is None:
                continue
            if (
                instance.pk
                not in links_of_versions(owner, [then.history_id])[then.history_id][link.name]
            ):
                continue
            _without_history(record, functools.partial(getattr(record, link.name).add, instance))
            save_as_relinked(record, reason, user)


def _without_history(record, change) -> None:
    """Run ``change()`` with django-simple-history's recording of ``record`` switched off
    (``skip_history_when_saving``, which its many-to-many signal heeds too): the caller puts
    what changed into a version of its own making."""
    record.skip_history_when_saving = True
    try:
        change()
    finally:
        del record.skip_history_when_saving


def _latest_per_record(rows):
    """The newest of the history rows of each record among ``rows``."""
    seen = set()
    for row in rows.order_by("-history_date", "-history_id"):
        if row.id not in seen:
            seen.add(row.id)
            yield row


class EditorialAdmin(SimpleHistoryAdmin):
    """History, edit summaries, status and version checks for a record's admin."""

    form = EditorialForm
    change_list_template = "admin/editorial_change_list.html"
    object_history_list_template = "admin/editorial_history_list.html"
    EDITORIAL_FIELDS = ("status", "edit_summary", "expected_version")
    actions = ("send_for_review", "publish", "unpublish")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"editor": request.user})

    def history_view(self, request, object_id, extra_context=None):
        # django-simple-history's list of versions styles its pager inline.
        response = super().history_view(request, object_id, extra_context)
        return allow_inline(response, styles=("border-top: 0",))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A version's page and its Revert, in one transaction as Django's own change form
        is: the form's version check locks the record (``select_for_update``), which
        PostgreSQL refuses outside a transaction, and the revert's save, links and log entry
        go in together or not at all."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """What each version on the History page changed: the library's field-by-field diff,
        and for many-to-many fields the links added and removed, by name (the library would
        show the link table's rows, and ask for them twice per version)."""
        links = tracked_links(self.model)
        if not links:
            super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
            return
        versions = list(historical_records)
        pairs = list(zip(versions[1:], versions, strict=False))  # (older, newer), newest first
        link_changes = _link_changes(self.model, pairs)
        kept = [link.name for link in links]
        for older, newer in pairs:
            delta = newer.diff_against(
                older, excluded_fields=kept, foreign_keys_are_objs=foreign_keys_are_objs
            )
            helper = self.get_historical_record_context_helper(request, newer)
            described = helper.context_for_delta_changes(delta)
            described += [
                {"field": capfirst(link.verbose_name), "links": text}
                for link, text in link_changes.get(newer.history_id, [])
            ]
            newer.history_delta_changes = described

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
        if change and must_propose(request.user, obj):
            # An editor's change to a published record waits for a reviewer (the record is
            # not saved): kzpolitics.core.revisions.
            links = {
                field.name: form.cleaned_data[field.name]
                for field in obj._meta.many_to_many
                if field.name in form.cleaned_data
            }
            obj._proposed = True
            obj._revision = propose(obj, request.user, obj._change_reason, links)
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not getattr(form.instance, "_proposed", False):
            super().save_related(request, form, formsets, change)
            return
        # The links went into the pending revision; the inline rows are saved as drafts, or
        # proposed in their turn where they are published (kzpolitics.core.admin.InlineStatusForm).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def response_change(self, request, obj):
        if not getattr(obj, "_proposed", False):
            return self._offer_rows_to_publish(request, obj) or super().response_change(
                request, obj
            )
        queue = reverse(f"{self.admin_site.name}:review-queue")
        if obj._revision is None:
            message = format_html(
                "“{}” is published: its changes wait for a reviewer. Nothing in the record "
                "itself differs from what is published; any changed rows are in the <a "
                'href="{}">review queue</a>.',
                obj,
                queue,
            )
        else:
            message = format_html(
                "Your change was saved as a pending revision (#{}); a reviewer will accept or "
                'reject it in the <a href="{}#revision-{}">review queue</a>. Until then the '
                "public sees “{}” as it was.",
                obj._revision.pk,
                queue,
                obj._revision.pk,
                obj,
            )
        self.message_user(request, message, messages.SUCCESS)
        opts = obj._meta
        return HttpResponseRedirect(
            reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[obj.pk],
            )
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and str(object_id).isdigit() and len(str(object_id)) < 19:
            record = self.model(pk=int(object_id))
            waiting = pending_for(record)
            if waiting:
                queue = reverse(f"{self.admin_site.name}:review-queue")
                links = format_html_join(
                    ", ",
                    '<a href="{}#revision-{}">#{} by {}</a>',
                    (
                        (queue, r.pk, r.pk, r.author.get_username() if r.author else "someone")
                        for r in waiting
                    ),
                )
                self.message_user(
                    request,
                    format_html(
                        "This record has {} pending revision(s) waiting for a reviewer: {}. "
                        "This form shows the published record, without them.",
                        len(waiting),
                        links,
                    ),
                    messages.WARNING,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_formset(self, request, form, formset, change):
        # Rows edited inline (citations, names) share the record's edit summary.
        summary = form.cleaned_data.get("edit_summary") or ("Changed" if change else "Created")
        for inline_form in formset.forms:
            inline_form.instance._change_reason = summary
        link = _link_of_through(formset.model)
        if link is None:
            super().save_formset(request, form, formset, change)
            return
        # Rows of a link table (an event's "organizations concerned"): the records on the
        # table's other side get their links changed, which their history must show.
        owner = get_m2m_field_name(link)
        relinked = set()
        for inline_form in formset.forms:
            if inline_form.has_changed() or inline_form in formset.deleted_forms:
                relinked.add(inline_form.initial.get(owner))
                relinked.add(getattr(inline_form.instance, f"{owner}_id", None))
        relinked.discard(None)
        super().save_formset(request, form, formset, change)
        for record in link.model._base_manager.filter(pk__in=relinked):
            save_as_relinked(record, summary, request.user)

    def delete_model(self, request, obj):
        obj._change_reason = "Deleted"
        super().delete_model(request, obj)

    # -- what the public sees: deleting it, and publishing a record with its rows ------------

    def has_delete_permission(self, request, obj=None):
        """Deleting a record the public sees takes it off the site: a reviewer's decision."""
        if obj is not None and not may_publish(request.user) and shown_to_public(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if (
            obj is not None
            and self.has_view_or_change_permission(request, obj)
            and not may_publish(request.user)
            and shown_to_public(obj)
        ):
            self.message_user(request, deletion_refusal([obj]), messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=[obj.pk],
                )
            )
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions and not may_publish(request.user):
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_unless_public, name, description)
        return actions

    def has_publish_permission(self, request) -> bool:
        return may_publish(request.user) and self.has_change_permission(request)

    def publish_view(self, request, object_id):
        """Publish a record's draft rows (and the record, if it is not yet): the page a
        reviewer comes to after publishing through the change form's status field."""
        record = self.get_object(request, unquote(object_id))
        if not self.has_publish_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        if record is None:
            self.message_user(request, "That record does not exist (deleted?).", messages.ERROR)
            return HttpResponseRedirect(
                reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
            )
        change_url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[record.pk]
        )
        if request.method == "POST" and request.POST.get("post") == "yes":
            self._publish_with_rows(request, [record], set(request.POST.getlist("publish_row")))
            return HttpResponseRedirect(change_url)
        return self._publish_confirmation(request, [record], change_url=change_url)

    def _publish_confirmation(self, request, records, change_url=None):
        """The page that lists the draft rows of the records being published, each ticked to
        go with them (as Django's delete confirmation lists what a deletion takes along)."""
        groups = [
            {
                "record": record,
                "rows": [
                    {"key": row_key(row), "text": describe(row), "status": row.status}
                    for row in draft_rows(record)
                ],
            }
            for record in records
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Publish with their rows?",
            "opts": self.model._meta,
            "groups": groups,
            "records": records,
            "as_action": change_url is None,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/publish_with_rows.html", context)

    def _publish_with_rows(self, request, records, chosen: set[str]) -> None:
        """Publish ``records`` and those of their draft rows whose key is in ``chosen``; say
        what stays hidden from the public, and why."""
        published, with_them, left = 0, [], []
        with transaction.atomic(using=router.db_for_write(self.model)):
            for record in records:
                rows = draft_rows(record)
                published += publish(record, request.user, "Published")
                summary = f"Published with the {record._meta.verbose_name} “{record}”"
                for row in rows:
                    if row_key(row) in chosen:
                        publish(row, request.user, summary)
                        with_them.append(row)
                    else:
                        left.append(row)
        self.message_user(
            request,
            f"{published} record(s) published, {len(with_them)} of their rows with them.",
            messages.SUCCESS,
        )
        hidden = [(row, "not ticked: it stays " + Status(row.status).label.lower()) for row in left]
        for obj in [*records, *with_them]:
            reason = hidden_because(obj)
            if reason:
                hidden.append((obj, reason))
        if hidden:
            self.message_user(
                request,
                format_html(
                    "Still hidden from the public:<ul>{}</ul>",
                    format_html_join(
                        "", "<li>{}: {}</li>", ((describe(o), why) for o, why in hidden)
                    ),
                ),
                messages.WARNING,
            )

    def _offer_rows_to_publish(self, request, obj):
        """After a reviewer published ``obj`` through its form: its draft rows' page, if it
        has any (None otherwise)."""
        if not getattr(obj, "_publishing_now", False) or "_popup" in request.POST:
            return None
        if not self.has_publish_permission(request) or not draft_rows(obj):
            return None
        self.message_user(
            request,
            f"“{obj}” is published. Some of its rows are not: choose which to publish with it.",
            messages.INFO,
        )
        opts = obj._meta
        return HttpResponseRedirect(
            reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_publish",
                args=[obj.pk],
            )
        )

    def response_add(self, request, obj, post_url_continue=None):
        return self._offer_rows_to_publish(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    # -- deleted records, and undoing a deletion -------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name=f"{opts.app_label}_{opts.model_name}_deleted",
            ),
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name=f"{opts.app_label}_{opts.model_name}_publish",
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
                as_draft = not may_publish(request.user)
                restored = restore_deleted(row, request.user, as_draft=as_draft)
                message = (
                    f"Restored “{restored[0]}” and {len(restored) - 1} row(s) deleted with it."
                )
                if as_draft and any(getattr(r, "_was_published", False) for r in restored):
                    message += (
                        " It was published when deleted: it is back as a draft, which the "
                        "public does not see, until a reviewer publishes it again."
                    )
                self.message_user(request, message, messages.SUCCESS)
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
        """Publish, first showing the records' draft rows to publish with them, if any."""
        records = list(queryset)
        if request.POST.get("post") != "yes" and any(draft_rows(r) for r in records):
            return self._publish_confirmation(request, records)
        self._publish_with_rows(request, records, set(request.POST.getlist("publish_row")))

    @admin.action(
        description="Unpublish the selected records (back to review)", permissions=("publish",)
    )
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Status.REVIEW, "Unpublished")


def deletion_refusal(shown) -> str:
    names = ", ".join(f"“{obj}”" for obj in shown[:10]) + (" …" if len(shown) > 10 else "")
    return (
        f"Nothing was deleted: {names} {'is' if len(shown) == 1 else 'are'} published, and "
        "only a reviewer can take what the public sees off the site. Ask a reviewer to "
        "unpublish or delete it."
    )


def delete_selected_unless_public(modeladmin, request, queryset):
    """Django's “Delete selected” for an editor: refused, with the records named, if any of
    them is one the public sees."""
    published = modeladmin.model._default_manager.published()
    shown = list(queryset.filter(pk__in=published.values("pk"))[:11])
    if shown:
        modeladmin.message_user(request, deletion_refusal(shown), messages.ERROR)
        return None
    return delete_selected(modeladmin, request, queryset)


def _flatten(fields):
    for item in fields:
        if isinstance(item, (list, tuple)):
            yield from item
        else:
            yield item


# -- links changed from the other side, and links of deleted records ----------------------------
#
# Connected when this module is first imported: the admin imports it as Django starts (admin
# autodiscovery), in every process, before any record is saved.


def _link_of_through(model) -> models.ManyToManyField | None:
    """The tracked many-to-many field whose link table ``model`` is, if it is one."""
    for owner in _models_with_links():
        for link in tracked_links(owner):
            if link.remote_field.through is model:
                return link
    return None


def _relinked_from_the_other_side(sender, instance, action, reverse, model, pk_set, **kwargs):
    """``event.organizations.add(party)``: django-simple-history records it on the event (it
    takes every change as one of the instance's own fields); the organizations, whose field
    it is, get a version each with the new links."""
    if not reverse:
        return
    link = _link_of_through(sender)
    if action == "pre_clear":
        through = link.remote_field.through
        owners = through._base_manager.filter(**{get_m2m_reverse_field_name(link): instance.pk})
        cleared = set(owners.values_list(f"{get_m2m_field_name(link)}_id", flat=True))
        instance.__dict__.setdefault("_links_cleared", {})[link] = cleared
        return
    if action == "post_clear":
        pk_set = instance.__dict__.get("_links_cleared", {}).pop(link, set())
    elif action not in ("post_add", "post_remove"):
        return
    reason = get_change_reason_from_object(instance) or (
        f"Links changed from the {instance._meta.verbose_name} “{instance}”"
    )
    records = model._base_manager.filter(pk__in=pk_set or ())
    record_relinked(records, reason, getattr(instance, "_history_user", None))


def _remember_links(sender, instance, **kwargs):
    """Before a deletion takes a record's links with it: what they were, both its own (for its
    deletion's version) and the records linked to it (to record that they lost the link)."""
    own = {}
    for link in tracked_links(sender):
        through = link.remote_field.through
        columns = [f.attname for f in through._meta.concrete_fields]
        rows = through._base_manager.filter(**{get_m2m_field_name(link): instance.pk})
        own[link.name] = list(rows.values(*columns))
    instance._links_when_deleted = own
    instance._linked_when_deleted = [
        (
            link,
            set(
                link.remote_field.through._base_manager.filter(
                    **{get_m2m_reverse_field_name(link): instance.pk}
                ).values_list(f"{get_m2m_field_name(link)}_id", flat=True)
            ),
        )
        for link in links_to(sender)
    ]
    if any(pks for _, pks in instance._linked_when_deleted):
        instance._public_when_deleted = sender.objects.published().filter(pk=instance.pk).exists()


def _keep_links_of_a_deletion(sender, rows, history_instance, instance, field, **kwargs):
    """The deletion's version holds the links as they were: the library reads them after the
    deletion removed them, so it finds none."""
    if history_instance.history_type != "-" or rows:
        return
    for values in getattr(instance, "_links_when_deleted", {}).get(field.name, ()):
        rows.append(sender(history=history_instance, **values))


def _unlinked_by_a_deletion(sender, instance, **kwargs):
    """The records that were linked to a deleted record get a version without the link. A
    deleted record the public could see changes what they show: they are saved (their version
    and time move on, so a form opened before is refused). One the public could not see (a
    draft) changes nothing the public sees of them: the version is recorded in their history
    only, so their version, time and the public data version stay as they were."""
    reason = f"{capfirst(instance._meta.verbose_name)} “{instance}” deleted"
    user = getattr(instance, "_history_user", None)
    public = getattr(instance, "_public_when_deleted", False)
    for link, pks in getattr(instance, "_linked_when_deleted", ()):
        records = link.model._base_manager.filter(pk__in=pks)
        if public:
            for record in records:
                save_as_relinked(record, reason, user)
        else:
            record_relinked(records, reason, user)


def connect_link_history() -> None:
    """Connect the receivers above to every link table history keeps, its historical copy, and
    the models on either side of it."""
    deletable = set()
    for owner in _models_with_links():
        for link in tracked_links(owner):
            uid = f"link-history-{owner._meta.label_lower}-{link.name}"
            m2m_changed.connect(
                _relinked_from_the_other_side,
                sender=link.remote_field.through,
                dispatch_uid=f"{uid}-reverse",
            )
            pre_create_historical_m2m_records.connect(
                _keep_links_of_a_deletion,
                sender=link_history_model(owner, link),
                dispatch_uid=f"{uid}-deletion",
            )
            deletable |= {owner, link.related_model}
    for model in deletable:
        uid = f"link-history-{model._meta.label_lower}"
        pre_delete.connect(_remember_links, sender=model, dispatch_uid=f"{uid}-pre-delete")
        if links_to(model):
            post_delete.connect(
                _unlinked_by_a_deletion, sender=model, dispatch_uid=f"{uid}-post-delete"
            )
