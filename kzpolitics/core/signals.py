"""The data version moves on when, and only when, what the public may see changes.

``DataVersion`` is what the public's ``Last-Modified``, the response cache's keys (and so the
ETags), the export's version and the sitemap's dates come from. A save, deletion or link of a
row the public may not see (a draft, a citation of a draft, a name of a draft organization, a
link to a draft) must leave it where it is, or a visitor could watch drafts come and go by
polling any public page. So each change of a record asks, with the same definition the public
pages use (``type(row).objects.published()``), whether the row was public before the change
(``pre_save``, ``pre_delete``) or is after it (``post_save``), inside the change's own
transaction; a link (many-to-many) counts when both of its ends are public.

Each such change also announces the keys it touches (kzpolitics.core.dependencies: the row's,
and those of the records it links, before and after the change), which the response caches
purge once the transaction commits; a change the public cannot see announces nothing.

Deleting a draft removes only rows the public could not see (whatever requires a draft is not
public either), so it moves nothing. Historical rows (django-simple-history's copies) and other
models that are not records (``TimeStamped``) are not followed: they are never shown as such.
"""

from __future__ import annotations

from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
)

from kzpolitics.core import dependencies

# Set on an instance between its pre_ and post_ signals: the row's links as they were when it
# was public, or None when it was not.
WAS_PUBLIC = "_kz_was_public"
UNKNOWN = object()  # no pre_ signal was seen: count the change, with the links in memory
HANGING = "_kz_hanging"  # what hung on a deleted record (dependencies.keys_of_publication)


def is_public(model, pk) -> bool:
    """Whether the row of ``model`` with ``pk`` is one the public may see now."""
    return model.objects.public_row(pk) is not None


def touch() -> None:
    from kzpolitics.core.models import DataVersion

    DataVersion.touch()


def public_links(model, pk) -> dict | None:
    """The link columns of the row ``pk`` of ``model`` (and those a descriptive change is told
    by: ``dependencies.compared_columns``) if the public may see it now, else None (one query,
    the one ``is_public`` makes)."""
    columns = {*dependencies.link_column_names(model), *dependencies.compared_columns(model)}
    return model.objects.public_row(pk, *sorted(columns))


def remember_before_save(sender, instance, raw=False, **kwargs):
    if raw:
        return  # fixtures loaded with loaddata: the loader touches once at the end
    adding = instance._state.adding
    instance.__dict__[WAS_PUBLIC] = None if adding else public_links(sender, instance.pk)


def touch_after_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop(WAS_PUBLIC, UNKNOWN)
    public = is_public(sender, instance.pk)
    if before is None and not public:
        return
    touch()
    after = dependencies.row_links(instance)
    links = (after,) if before in (None, UNKNOWN) else (before, after)
    descriptive = (
        before not in (None, UNKNOWN)
        and public
        and dependencies.is_descriptive(sender, before, instance)
    )
    keys = set(dependencies.keys_of_change(sender, instance.pk, *links, descriptive=descriptive))
    if before in (None, UNKNOWN) or not public:  # it came into view or left it
        keys |= dependencies.keys_of_publication(sender, instance.pk)
    dependencies.announce(sender, keys)


def remember_before_delete(sender, instance, **kwargs):
    before = public_links(sender, instance.pk)
    if before is not None:  # what hangs on it, while it is still there to be found
        before = {**before, HANGING: dependencies.keys_of_publication(sender, instance.pk)}
    instance.__dict__[WAS_PUBLIC] = before


def touch_after_delete(sender, instance, **kwargs):
    before = instance.__dict__.pop(WAS_PUBLIC, UNKNOWN)
    if before is None:
        return
    touch()
    if before is UNKNOWN:
        before = dependencies.row_links(instance)
    keys = dependencies.keys_of_change(sender, instance.pk, before) | before.get(HANGING, set())
    dependencies.announce(sender, keys)


def link_receiver(field):
    """A receiver of ``m2m_changed`` for the link table of ``field`` (a many-to-many field
    between records): touches when a link both of whose ends are public is added or removed."""
    through = field.remote_field.through
    source_column = f"{field.m2m_field_name()}_id"
    target_column = f"{field.m2m_reverse_field_name()}_id"

    def changed(sender, instance, action, reverse, model, pk_set, **kwargs):
        if action not in ("post_add", "post_remove", "pre_clear"):
            return
        if not is_public(type(instance), instance.pk):
            return
        if action == "pre_clear":
            own, other = (source_column, target_column)
            if reverse:
                own, other = other, own
            pk_set = set(
                through._base_manager.filter(**{own: instance.pk}).values_list(other, flat=True)
            )
        if not pk_set:
            return
        public = list(model.objects.published().filter(pk__in=pk_set).values_list("pk", flat=True))
        if public:
            touch()
            own = type(instance)
            keys = set(dependencies.keys_of_change(own, instance.pk))
            for pk in public:
                keys |= dependencies.keys_of_change(model, pk)
            dependencies.announce(own, keys)

    return changed


def connect() -> None:
    """Connect the receivers to every kind of record and every link table between records."""
    from kzpolitics.core.models import TimeStamped, content_models

    for model in content_models():
        uid = f"data-version-{model._meta.label_lower}"
        pre_save.connect(remember_before_save, sender=model, dispatch_uid=f"{uid}-pre-save")
        post_save.connect(touch_after_save, sender=model, dispatch_uid=f"{uid}-save")
        pre_delete.connect(remember_before_delete, sender=model, dispatch_uid=f"{uid}-pre-delete")
        post_delete.connect(touch_after_delete, sender=model, dispatch_uid=f"{uid}-delete")
        for field in model._meta.local_many_to_many:
            if not issubclass(field.related_model, TimeStamped):
                continue
            m2m_changed.connect(
                link_receiver(field),
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}-{field.name}-m2m",
                weak=False,
            )
