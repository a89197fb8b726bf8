"""Dated happenings: the timeline."""

from __future__ import annotations

from django.db import models

from kzpolitics.core.dates import UncertainDate, first_day, last_day
from kzpolitics.core.editorial.limits import CEILING
from kzpolitics.core.models.citations import Cited, CitedQuerySet
from kzpolitics.core.models.notes import internal_note_field, public_note_field
from kzpolitics.core.models.people import Person
from kzpolitics.core.models.places import Place
from kzpolitics.core.paths import record_path
from kzpolitics.core.search import SearchKeyField


class EventQuerySet(CitedQuerySet):
    def between(self, start=None, end=None):
        """Events that may fall within [start, end] (compares real dates, not strings)."""
        qs = self
        if start:
            qs = qs.filter(date_latest__gte=start)
        if end:
            qs = qs.filter(date_earliest__lte=end)
        return qs

    def chronological(self):
        return self.order_by(first_day("date").asc(), last_day("date").asc(), "title", "id")


class Event(Cited):
    """A dated happening: a protest, a congress, a coup, an announcement, a statement."""

    class Kind(models.TextChoices):
        PROTEST = "protest", "Protest"
        CONGRESS = "congress", "Congress or conference"
        FOUNDING = "founding", "Founding"
        COUP = "coup", "Coup"
        ELECTION = "election", "Election"
        LEGISLATION = "legislation", "Legislation"
        ANNOUNCEMENT = "announcement", "Announcement"
        STATEMENT = "statement", "Statement"
        REGISTRATION = "registration", "Registration"
        OTHER = "other", "Other"

    CITED_FIELDS = ("date", "place", "summary")

    slug = models.SlugField(
        max_length=160, unique=True, help_text="Stable URL name; never change it."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    title_key = SearchKeyField(source="title")
    date = UncertainDate("Date")
    place = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    summary = models.TextField(
        blank=True, help_text="What happened, per the sources (cite it).", validators=[CEILING]
    )
    people = models.ManyToManyField(Person, blank=True, related_name="events")
    _history_m2m_fields = ("people",)  # in each version: diffs, reverts, restores include them
    public_note = public_note_field()
    note = internal_note_field()

    objects = EventQuerySet.as_manager()

    class Meta:
        # As the timeline: a date known only to come “by 1996” goes by that day, not last.
        ordering = (first_day("date").asc(), last_day("date").asc(), "title", "id")
        indexes = [UncertainDate.order_index("date", "event_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.date})" if self.date else self.title

    def get_absolute_url(self) -> str:
        return record_path("kzpolitics:event-detail", self.slug)
