"""Pending revisions: an editor's change to a published record waits for a reviewer.

The public sees exactly the published record. An editor (who may not publish) who changes a
published record, in the admin, through a file or through the API, does not change it: the
change is kept as a :class:`~kzpolitics.core.models.Revision` holding the values of the fields it
changes, as Wagtail keeps page revisions and MediaWiki pending changes. Nothing a visitor can
observe moves (the record is not saved, so neither its version nor the data version does).

A reviewer sees each revision as a diff against the live record and accepts it (the record is
saved with those fields, in one transaction, its history naming the author and the reviewer)
or rejects it with a note. A revision made from an older version of the record is accepted
only if no field it changes was changed since: otherwise accepting it would silently undo a
colleague's edit, and the reviewer is told which fields collide.

Values are kept as Django's serializers write them (``django.core.serializers``): related
records by primary key, dates as ISO text, many-to-many fields as lists of keys; they are read
back with the same serializers, through each field's ``to_python``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst

from kzpolitics.core.models import Revision, Status
from kzpolitics.core.visibility import may_publish

# Fields a revision never carries: the record's identity and bookkeeping, and its status
# (only a reviewer changes what is published, and not through a revision).
NOT_PROPOSED = {"id", "status", "version", "created_at", "updated_at"}


class RevisionError(Exception):
    """A revision cannot be accepted or rejected (already decided, record gone, invalid)."""


class RevisionConflict(RevisionError):
    """The record changed, since the revision was made, in fields the revision changes too."""

    def __init__(self, revision: Revision, record, fields: list[str]):
        self.revision = revision
        self.fields = fields
        super().__init__(
            f"{capfirst(record._meta.verbose_name)} “{record}” was changed after this revision "
            f"was made (it was made from version {revision.base_version}; the record is now at "
            f"version {record.version}) in field(s) the revision changes too: "
            f"{', '.join(fields)}. Accepting it would undo that change, so nothing was "
            "saved: reject it, and ask its author to make the change again on the current "
            "version."
        )


# -- who must propose --------------------------------------------------------------------------


def must_propose(user, record) -> bool:
    """Whether a change by ``user`` to the stored ``record`` must wait as a pending revision:
    the record is published (as stored, not as the unsaved instance says) and the user may
    not publish."""
    if record.pk is None or may_publish(user):
        return False
    return type(record)._base_manager.filter(pk=record.pk, status=Status.PUBLISHED).exists()


def proposable_fields(model) -> list[models.Field]:
    """The fields of ``model`` a revision may change: the editable concrete ones and the
    many-to-many ones, but not its identity, bookkeeping or status."""
    return [
        field
        for field in (*model._meta.concrete_fields, *model._meta.many_to_many)
        if field.editable and not field.primary_key and field.name not in NOT_PROPOSED
    ]


def _links(record, field) -> list:
    through = field.remote_field.through
    own = field.m2m_field_name()
    other = field.m2m_reverse_field_name()
    linked = through._base_manager.filter(**{own: record.pk})
    return sorted(linked.values_list(f"{other}_id", flat=True))


# -- proposing ---------------------------------------------------------------------------------


def propose(instance, user, summary: str = "", links: dict | None = None) -> Revision | None:
    """Keep the changes of ``instance`` (a stored record changed in memory, not saved) and of
    ``links`` (many-to-many field name -> the related records or their keys) as a pending
    revision; the stored record is left as it is. Returns the revision, or None when nothing
    differs from the stored record.

    The revision is made from the version the editor started from (``_expected_version``,
    which the admin's form and the API set), else from the stored one. A pending revision of
    the same author on the same record that this one wholly covers is superseded by it."""
    model = type(instance)
    with transaction.atomic():
        stored = model._base_manager.select_for_update().get(pk=instance.pk)
        changed = [
            field.name
            for field in proposable_fields(model)
            if not field.many_to_many
            and field.value_from_object(instance) != field.value_from_object(stored)
        ]
        proposed_links = {}
        for name, related in (links or {}).items():
            field = model._meta.get_field(name)
            keys = sorted(getattr(item, "pk", item) for item in related)
            if keys != _links(stored, field):
                proposed_links[name] = keys
        if not changed and not proposed_links:
            return None
        data = {}
        if changed:
            written = serializers.serialize("json", [instance], fields=changed)
            data = json.loads(written)[0]["fields"]
        data.update(proposed_links)
        expected = getattr(instance, "_expected_version", None)
        revision = Revision.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=instance.pk,
            base_version=expected or stored.version,
            data=data,
            summary=(summary or "")[:300],
            author=user if getattr(user, "is_authenticated", False) else None,
        )
        earlier = (
            Revision.objects.pending()
            .of(stored)
            .filter(author=revision.author)
            .exclude(pk=revision.pk)
        )
        covered = [r.pk for r in earlier if set(r.data) <= set(data)]
        Revision.objects.filter(pk__in=covered).update(state=Revision.State.SUPERSEDED)
    return revision


def proposed_instance(revision: Revision):
    """The revision's values read back through Django's serializers: (an instance holding
    them in the fields the revision changes, {many-to-many field name: keys})."""
    model = revision.content_type.model_class()
    if model is None:
        raise RevisionError(f"The kind of record of revision #{revision.pk} no longer exists.")
    for name in revision.data:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            raise RevisionError(
                f"Revision #{revision.pk} changes “{name}”, which {model._meta.verbose_name} "
                "no longer has."
            ) from None
    (read,) = serializers.deserialize(
        "python",
        [{"model": model._meta.label_lower, "pk": revision.object_id, "fields": revision.data}],
    )
    links = {name: sorted(keys) for name, keys in (read.m2m_data or {}).items()}
    return read.object, links


# -- the diff a reviewer sees ------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    """One field of a diff: its label, the value the public sees and the proposed one."""

    field: str
    live: str
    proposed: str


def display(field: models.Field, value, find=None) -> str:
    """A field's value as a reviewer reads it: choices by label, related records by name.
    ``find(model, pk)`` gives a related record from rows already loaded (None: deleted);
    without it, the record is read."""
    if field.many_to_many:
        related = field.related_model._base_manager.filter(pk__in=value)
        labels = {obj.pk: str(obj) for obj in related}
        return "; ".join(sorted(labels.get(pk, f"#{pk} (deleted)") for pk in value)) or "—"
    if value in (None, ""):
        return "—"
    if field.is_relation:
        if find is not None:
            related = find(field.related_model, value)
        else:
            related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value} (deleted)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _value(field, instance, links: dict | None = None):
    """``field``'s value in ``instance`` (its column, or for many-to-many its keys)."""
    if field.many_to_many:
        return sorted(links[field.name]) if links is not None else _links(instance, field)
    return field.value_from_object(instance)


def diff(revision: Revision, record=None) -> list[DiffRow]:
    """What accepting ``revision`` would change in the live record: a row per field the
    revision changes, with the live value and the proposed one."""
    model = revision.content_type.model_class()
    if record is None:
        record = model._base_manager.filter(pk=revision.object_id).first()
    proposed, links = proposed_instance(revision)
    rows = []
    for name in revision.data:
        field = model._meta.get_field(name)
        new = _value(field, proposed, links if field.many_to_many else None)
        old = _value(field, record) if record is not None else None
        rows.append(
            DiffRow(
                capfirst(str(field.verbose_name)),
                display(field, old) if record is not None else "(record deleted)",
                display(field, new),
            )
        )
    return rows


def diff_records(model, before, after, before_links=None, after_links=None) -> list[DiffRow]:
    """The fields that differ between two states of a record (``before`` may be a version
    from its history), as diff rows; links as given (by field name), else as stored."""
    rows = []
    for field in proposable_fields(model):
        if field.many_to_many:
            if before_links is None or field.name not in before_links:
                continue
            old = sorted(before_links[field.name])
            new = sorted(after_links[field.name]) if after_links else _links(after, field)
        else:
            old, new = getattr(before, field.attname), getattr(after, field.attname)
        if old != new:
            rows.append(
                DiffRow(capfirst(str(field.verbose_name)), display(field, old), display(field, new))
            )
    return rows


# -- deciding ----------------------------------------------------------------------------------


def version_at(model, pk, version: int):
    """The record as it was at ``version``: the newest history row of that version."""
    return (
        model.history.filter(id=pk, version=version)
        .order_by("-history_date", "-history_id")
        .first()
    )


def conflicting_fields(revision: Revision, record) -> list[str]:
    """The fields the revision changes that were changed in the record since the revision's
    base version (labels). None when the record is still at that version."""
    if record.version == revision.base_version:
        return []
    model = type(record)
    base = version_at(model, record.pk, revision.base_version)
    fields = [model._meta.get_field(name) for name in revision.data]
    if base is None:  # no history of that version: every field may have changed
        return [capfirst(str(field.verbose_name)) for field in fields]
    from kzpolitics.core.changes import links_of_versions

    kept = links_of_versions(model, [base.history_id])[base.history_id]
    changed = []
    for field in fields:
        if field.many_to_many:
            if field.name not in kept:
                continue  # links history does not keep: nothing to compare with
            then, now = sorted(kept[field.name]), _links(record, field)
        else:
            then, now = getattr(base, field.attname), field.value_from_object(record)
        if then != now:
            changed.append(capfirst(str(field.verbose_name)))
    return changed


def _locked_pending(revision: Revision) -> Revision:
    locked = Revision.objects.select_for_update().get(pk=revision.pk)
    if not locked.is_pending:
        raise RevisionError(
            f"Revision #{locked.pk} is no longer pending: it was {locked.get_state_display()}"
            f"{' by ' + locked.reviewed_by.get_username() if locked.reviewed_by else ''}."
        )
    return locked


def _decided(revision: Revision, state: str, reviewer, note: str) -> None:
    revision.state = state
    revision.reviewed_by = reviewer
    revision.reviewed_at = timezone.now()
    revision.review_note = note or ""
    revision.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])


def accept(revision: Revision, reviewer, note: str = ""):
    """Apply the revision to its record, in one transaction, as ``reviewer``; returns the
    saved record. Refused (``RevisionError``) for a revision no longer pending, a record
    deleted since, a value the record's validation now refuses, or (``RevisionConflict``) a
    field the revision changes that was changed since its base version."""
    if not may_publish(reviewer):
        raise RevisionError("Only a reviewer can accept a revision.")
    from kzpolitics.core.editorial.links import links_in_the_same_version

    with transaction.atomic():
        locked = _locked_pending(revision)
        model = locked.content_type.model_class()
        record = model._base_manager.select_for_update().filter(pk=locked.object_id).first()
        if record is None:
            raise RevisionError(
                f"The {model._meta.verbose_name} this revision changes was deleted since."
            )
        collide = conflicting_fields(locked, record)
        if collide:
            raise RevisionConflict(locked, record, collide)
        proposed, links = proposed_instance(locked)
        for name in locked.data:
            field = model._meta.get_field(name)
            if not field.many_to_many:
                setattr(record, field.attname, getattr(proposed, field.attname))
        try:
            record.full_clean()
        except ValidationError as exc:
            problems = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
            )
            raise RevisionError(f"The revision's values are no longer valid: {problems}") from exc
        author = locked.author.get_username() if locked.author else "someone"
        record._change_reason = f"Accepted revision by {author}: {locked.summary or 'no summary'}"
        record._history_user = reviewer
        record._expected_version = record.version
        record.save()

        def set_links():
            for name, keys in links.items():
                related = model._meta.get_field(name).related_model
                getattr(record, name).set(related._base_manager.filter(pk__in=keys))

        if links:
            links_in_the_same_version(record, set_links)
        _decided(locked, Revision.State.ACCEPTED, reviewer, note)
    revision.refresh_from_db()
    return record


def reject(revision: Revision, reviewer, note: str = "") -> None:
    """Decline the revision; the record stays as it is."""
    if not may_publish(reviewer):
        raise RevisionError("Only a reviewer can reject a revision.")
    with transaction.atomic():
        _decided(_locked_pending(revision), Revision.State.REJECTED, reviewer, note)
    revision.refresh_from_db()


def pending_for(record) -> list[Revision]:
    return list(Revision.objects.pending().of(record).select_related("author"))
