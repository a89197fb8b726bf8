"""Watching records, as on a wiki: an editor watches a record from its form (or by saving a
change to it), and its changes show on their watchlist and in their personal feed
(kzpolitics.site.watchlist)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse

from kzpolitics.core.models.watching import Watch


def is_watching(user, record) -> bool:
    return Watch.objects.of(record).filter(user=user).exists()


def watch(user, record) -> None:
    """``user`` watches ``record`` (again: nothing changes)."""
    try:
        with transaction.atomic():
            Watch.objects.get_or_create(
                user=user,
                content_type=ContentType.objects.get_for_model(type(record)),
                object_id=record.pk,
            )
    except IntegrityError:
        pass  # a second tab's click made the same watch at the same moment


def unwatch(user, record) -> None:
    Watch.objects.of(record).filter(user=user).delete()


class WatchingAdminMixin:
    """For ``EditorialAdmin``: the Watch / Unwatch button of a record's form, and the watch an
    editor's save makes (``watch_on_save``: as a wiki watches the pages one edits, so a
    colleague's later change to the record shows on the editor's watchlist)."""

    watch_on_save = True

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.model(pk=int(object_id)) if _is_key(object_id) else None
        if record is not None:
            extra_context = {
                **(extra_context or {}),
                "watch": {
                    "watching": is_watching(request.user, record),
                    "content_type": ContentType.objects.get_for_model(self.model).pk,
                    "object_id": record.pk,
                    "url": reverse(f"{self.admin_site.name}:watch"),
                },
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        if self.watch_on_save:
            watch(request.user, obj)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if self.watch_on_save:
            watch(request.user, obj)
        return entry


def _is_key(object_id) -> bool:
    text = str(object_id)
    return text.isdigit() and len(text) < 19
