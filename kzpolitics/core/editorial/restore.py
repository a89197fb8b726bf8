"""Undoing a deletion: a deleted record back as it was, with its rows, links and citations."""

from __future__ import annotations

import datetime
import functools

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from simple_history.utils import get_m2m_field_name, get_m2m_reverse_field_name

from kzpolitics.core.changes import link_history_model, links_of_versions, tracked_links
from kzpolitics.core.editorial.links import (
    latest_per_record,
    links_in_the_same_version,
    links_to,
    save_as_relinked,
    without_history,
)
from kzpolitics.core.models import Status

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


def restore_deleted(row, user, as_draft: bool = False, summary: str = "") -> list:
    """Bring a deleted record back as it was, with the rows deleted along with it (names,
    roles, citations...: whatever went within seconds of it and pointed at it) and its
    many-to-many links, both its own (an organization's events) and other records' links to it
    (the organizations an event concerned), to records that still exist. Each is recorded in
    history as restored. Returns what was restored.

    With ``as_draft`` (an editor's restore: only reviewers change what the public sees), what
    was published comes back as a draft, marked ``_was_published``, for a reviewer to publish
    again; restoring as it was would put it back on the site without a review.

    ``summary`` (what the editor gave as the restore's reason) is each version's reason; by
    default it says when the record was deleted."""
    when = date_format(timezone.localtime(row.history_date), "DATETIME_FORMAT")
    reason = summary or f"Restored after its deletion of {when}"
    restored, deleted_at = [], []

    def bring_back(version):
        instance = version.instance
        instance._change_reason = reason
        if as_draft and instance.status == Status.PUBLISHED:
            instance.status = Status.DRAFT
            instance._was_published = True
            instance._change_reason = f"{reason} (back as a draft: it was published)"
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
            for version in latest_per_record(
                child_model.history.filter(history_type="-", **{column: record.pk}, **window)
            ):
                if not child_model._base_manager.filter(pk=version.id).exists():
                    dependents.append(bring_back(version))
        # the citations of each: the generic relation cascades
        from kzpolitics.core.models import Citation

        for dependent in dependents:
            content_type = ContentType.objects.get_for_model(type(dependent))
            for version in latest_per_record(
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
            _relink_from_the_other_side(instance, when_deleted, user, summary)
    return restored


def _link_as_when_deleted(instance, version) -> None:
    """Give a restored record the links its deletion's version kept, to records that exist."""
    kept = links_of_versions(type(instance), [version.history_id])[version.history_id]
    for link in tracked_links(type(instance)):
        existing = link.related_model._base_manager.filter(pk__in=kept[link.name])
        getattr(instance, link.name).set(existing)


def _relink_from_the_other_side(instance, deleted_at, user, summary: str = "") -> None:
    """Link a restored record again to the records that were linked to it when it was deleted
    (the links went with it): each of those that exists and is not linked to it now gets the
    link back, in a version of its own saying so."""
    reason = (
        f"{capfirst(instance._meta.verbose_name)} “{instance}” restored after its deletion of "
        f"{date_format(timezone.localtime(deleted_at), 'DATETIME_FORMAT')}"
    ) + (f": {summary}" if summary else "")
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
            without_history(record, functools.partial(getattr(record, link.name).add, instance))
            save_as_relinked(record, reason, user)
