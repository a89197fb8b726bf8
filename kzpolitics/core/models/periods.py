"""The periods the founding article tells: the home page's and the timeline's entry points."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from kzpolitics.core.editorial.limits import CEILING
from kzpolitics.core.models.citations import Cited, CitedQuerySet
from kzpolitics.core.models.notes import internal_note_field, public_note_field


class PeriodQuerySet(CitedQuerySet):
    def chronological(self):
        return self.order_by("start_year", "end_year", "id")


class Period(Cited):
    """A stretch of years the founding article treats as one stage of the story (the
    movements of 1986-1991, the first parties, ...): a way into the timeline, with a summary
    backed by the article's section that tells it."""

    CITED_FIELDS = ("summary",)

    slug = models.SlugField(
        max_length=120, unique=True, help_text="Stable URL name; never change it."
    )
    label = models.CharField(
        max_length=40, help_text="The years as readers see them, e.g. “1986–1991”."
    )
    start_year = models.PositiveSmallIntegerField(
        help_text="The first year: the timeline link shows what may fall from its 1 January."
    )
    end_year = models.PositiveSmallIntegerField(
        help_text="The last year: the timeline link shows what may fall up to its 31 December."
    )
    title = models.CharField(max_length=200, help_text="A short heading, e.g. “Movements”.")
    summary = models.TextField(
        help_text="One or two sentences on what happened in it, per the article (cite it).",
        validators=[CEILING],
    )
    public_note = public_note_field()
    note = internal_note_field()

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ("start_year", "end_year", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="period_ends_after_it_starts",
                violation_error_message="A period cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.title}"

    def get_absolute_url(self) -> str:
        """The timeline, narrowed to the period's years."""
        query = urlencode({"from": self.start_year, "to": self.end_year})
        return f"{reverse('kzpolitics:timeline')}?{query}"
