"""Pending revisions: an editor's change to a published record, kept for review."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class RevisionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=Revision.State.PENDING)

    def of(self, record):
        """The revisions proposed for ``record``."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
        )


class Revision(models.Model):
    """An editor's change to a published record, kept aside until a reviewer accepts it (as
    Wagtail's revisions and MediaWiki's pending changes are): the public goes on seeing the
    record as it was. It holds only the fields the change touches, so accepting it leaves
    every other field as it is then.

    Not a record itself: no status, no history, and saving one changes nothing the public
    sees (it does not move the data version)."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded by a later revision"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    base_version = models.PositiveIntegerField(
        help_text="The record's version the change was made from."
    )
    data = models.JSONField(
        help_text="The proposed values of the changed fields, as Django's serializers write "
        "them (related records by primary key, many-to-many fields as lists of them)."
    )
    summary = models.CharField(max_length=300, blank=True, help_text="The author's edit summary.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisions_proposed",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisions_reviewed",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, help_text="The reviewer's reason, for the author.")

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=("content_type", "object_id", "state"))]

    def __str__(self) -> str:
        return f"Revision #{self.pk} of {self.content_type.name} #{self.object_id}"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING
