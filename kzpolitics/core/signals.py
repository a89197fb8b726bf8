"""The data version moves on when, and only when, what the public may see changes.

``DataVersion`` is what the public's ``Last-Modified``, the response cache's keys (and so the
ETags), the export's version and the sitemap's dates come from. A save, deletion or link of a
row the public may not see (a draft, a citation of a draft, a name of a draft organization, a
link to a draft) must leave it where it is, or a visitor could watch drafts come and go by
polling any public page. So each change of a record asks, with the same definition the public
pages use (``type(row).objects.published()``), whether the row was public before the change
(``pre_save``, ``pre_delete``) or is after it (``post_save``), inside the change's own
transaction; a link (many-to-many) counts when both of its ends are public.

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

WAS_PUBLIC = "_kz_was_public"  # set on an instance between its pre_ and post_ signals


def is_public(model, pk) -> bool:
    """Whether the row of ``model`` with ``pk`` is one the public may see now."""
    if pk is None:
        return False
    return model.objects.published().filter(pk=pk).exists()


def touch() -> None:
    from kzpolitics.core.models import DataVersion

    DataVersion.touch()


def remember_before_save(sender, instance, raw=False, **kwargs):
    if raw:
        return  # fixtures loaded with loaddata: the loader touches once at the end
    adding = instance._state.adding
    instance.__dict__[WAS_PUBLIC] = False if adding else is_public(sender, instance.pk)


def touch_after_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    was_public = instance.__dict__.pop(WAS_PUBLIC, True)  # unknown: count it
    if was_public or is_public(sender, instance.pk):
        touch()


def remember_before_delete(sender, instance, **kwargs):
    instance.__dict__[WAS_PUBLIC] = is_public(sender, instance.pk)


def touch_after_delete(sender, instance, **kwargs):
    if instance.__dict__.pop(WAS_PUBLIC, True):
        touch()


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
        if pk_set and model.objects.published().filter(pk__in=pk_set).exists():
            touch()

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
