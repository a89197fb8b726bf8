"""What editors watch: records whose changes they follow on a watchlist and in a feed."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class WatchQuerySet(models.QuerySet):
    def of(self, record):
        """The watches on ``record``."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
        )


class Watch(models.Model):
    """An editor's watch on one record (as on a wiki's watchlist): the record's changes show on
    the editor's watchlist page and in their personal feed. Not a record: no status, no
    history, and nothing the public sees."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(default=timezone.now)

    objects = WatchQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("user", "content_type", "object_id"), name="one_watch_per_record"
            )
        ]
        indexes = [models.Index(fields=("content_type", "object_id"))]

    def __str__(self) -> str:
        return f"{self.user} watches {self.content_type.name} #{self.object_id}"


class FeedKey(models.Model):
    """The secret in an editor's personal feed address. Only its SHA-256 digest is kept: the
    address is shown once, when it is made; revoking deletes the key, and a new one makes a new
    address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_key"
    )
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the secret.")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Feed key of {self.user}"
