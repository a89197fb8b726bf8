"""How many-to-many links live in history.

Links (an organization's, election's or act's events, an event's people) are part of each
version: one save of the form is one version, links included (``links_in_the_same_version``).
Links changed from the other side (an event's "organizations concerned", a deleted event) make
a version of each record whose links they changed, so its history misses none: the receivers
below, connected by ``connect_link_history`` when Django starts (``kzpolitics.apps``), in every
process, before any record is saved.
"""

from __future__ import annotations

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, pre_delete
from django.utils.text import capfirst
from simple_history.signals import pre_create_historical_m2m_records
from simple_history.utils import (
    get_change_reason_from_object,
    get_m2m_field_name,
    get_m2m_reverse_field_name,
)

from kzpolitics.core.changes import (
    keeps_history,
    link_history_model,
    links_of_versions,
    tracked_links,
)
from kzpolitics.core.models import content_apps


def link_labels(link: models.ManyToManyField, pks) -> dict[int, str]:
    """What the records ``link`` points to are called: their names now, or, for one deleted
    since, its name when it was deleted (from its own history)."""
    related = link.related_model
    labels = {obj.pk: str(obj) for obj in related._base_manager.filter(pk__in=set(pks))}
    gone = set(pks) - labels.keys()
    if gone and keeps_history(related):
        for version in latest_per_record(related.history.filter(id__in=gone)):
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


def changed_links(model, pairs) -> dict[int, list[tuple[models.ManyToManyField, str]]]:
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
    without_history(instance, change_links)
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
        for other in models_with_links()
        for link in tracked_links(other)
        if link.related_model is model
    ]


def models_with_links() -> list[type[models.Model]]:
    return [
        model for config in content_apps() for model in config.get_models() if tracked_links(model)
    ]


def without_history(record, change) -> None:
    """Run ``change()`` with django-simple-history's recording of ``record`` switched off
    (``skip_history_when_saving``, which its many-to-many signal heeds too): the caller puts
    what changed into a version of its own making."""
    record.skip_history_when_saving = True
    try:
        change()
    finally:
        del record.skip_history_when_saving


def latest_per_record(rows):
    """The newest of the history rows of each record among ``rows``."""
    seen = set()
    for row in rows.order_by("-history_date", "-history_id"):
        if row.id not in seen:
            seen.add(row.id)
            yield row


def link_of_through(model) -> models.ManyToManyField | None:
    """The tracked many-to-many field whose link table ``model`` is, if it is one."""
    for owner in models_with_links():
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
    link = link_of_through(sender)
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
    for owner in models_with_links():
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
