"""Elections, their rounds, and results per party or candidate."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from kzpolitics.core.dates import UncertainDate, reading_order
from kzpolitics.core.editorial.limits import CEILING
from kzpolitics.core.models import (
    Cited,
    CitedQuerySet,
    Event,
    Person,
    internal_note_field,
    public_note_field,
)
from kzpolitics.core.paths import record_path
from kzpolitics.core.search import SearchKeyField
from parties.models import Organization


class ElectionQuerySet(CitedQuerySet):
    def chronological(self):
        return self.order_by(*reading_order("date"), "name", "id")


class Election(Cited):
    """An election: presidential, to the Majilis (lower chamber), or municipal."""

    class Kind(models.TextChoices):
        PRESIDENTIAL = "presidential", "Presidential"
        MAJILIS = "majilis", "Majilis (parliamentary)"
        MUNICIPAL = "municipal", "Municipal"

    CITED_FIELDS = ("date", "parties_taking_part", "seats_total", "summary")

    slug = models.SlugField(
        max_length=160, unique=True, help_text="Stable URL name; never change it."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField(max_length=300)
    name_key = SearchKeyField(source="name")
    date = UncertainDate("Date")
    parties_taking_part = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many parties (and movements) took part."
    )
    parties_wording = models.CharField(
        max_length=300, blank=True, help_text="The source's words for that number."
    )
    seats_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seats at stake in all, where the source gives it."
    )
    summary = models.TextField(
        blank=True, help_text="What the sources say of it (cite it).", validators=[CEILING]
    )
    public_note = public_note_field()
    note = internal_note_field()
    events = models.ManyToManyField(Event, blank=True, related_name="elections")
    _history_m2m_fields = ("events",)  # in each version: diffs, reverts, restores include them

    objects = ElectionQuerySet.as_manager()

    class Meta:
        ordering = (*reading_order("date"), "name", "id")
        indexes = [UncertainDate.order_index("date", "election_timeline_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_path("elections:election-detail", self.slug)


class Round(Cited):
    """One round of voting in an election (19 September and 3 October 2004)."""

    PARENT = "election"

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(help_text="1 for the first round.")
    date = UncertainDate("Date")

    class Meta:
        ordering = ("election", "number")
        constraints = [
            models.UniqueConstraint(fields=("election", "number"), name="round_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="round_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.election}, round {self.number}"

    def get_absolute_url(self) -> str:
        return f"{self.election.get_absolute_url()}#rounds"


class Result(Cited):
    """What one party or candidate won in an election, in one tier of seats."""

    class Tier(models.TextChoices):
        PARTY_LIST = "party_list", "Party list"
        SINGLE_MEMBER = "single_member", "Single-member districts"
        TOTAL = "total", "Total"

    # A result for a party or candidate the public may not see is not shown.
    PUBLIC_WITH = ("round", "organization", "person")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="results")
    # PROTECT, not SET_NULL: a result is public only with its round, so emptying the round
    # of a draft's deletion would show a result no reviewer published as it then stands.
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, null=True, blank=True, related_name="results"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="results"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="results"
    )
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.TOTAL)
    seats = models.PositiveIntegerField(null=True, blank=True)
    seats_of = models.PositiveIntegerField(
        null=True, blank=True, help_text="Out of how many seats (in this tier)."
    )
    vote_share = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="Percent of the votes."
    )
    wording = models.CharField(max_length=300, blank=True, help_text="The source's words.")
    public_note = public_note_field()
    note = internal_note_field()

    class Meta:
        ordering = ("election", "tier", F("seats").desc(nulls_last=True), "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__isnull=True)
                | Q(seats_of__isnull=True)
                | Q(seats__lte=F("seats_of")),
                name="result_seats_within_total",
                violation_error_message="Seats won cannot exceed the seats at stake.",
            ),
            models.CheckConstraint(
                condition=Q(vote_share__isnull=True) | Q(vote_share__gte=0, vote_share__lte=100),
                name="result_share_is_percent",
                violation_error_message="A vote share is a percentage between 0 and 100.",
            ),
            models.CheckConstraint(
                condition=(Q(organization__isnull=False) & Q(person__isnull=True))
                | (Q(organization__isnull=True) & Q(person__isnull=False)),
                name="result_for_party_or_candidate",
                violation_error_message="A result is for one party or one candidate.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election}: {self.contestant} ({self.get_tier_display()})"

    @property
    def contestant(self):
        return self.organization or self.person

    def get_absolute_url(self) -> str:
        """The row of this result on its election's page."""
        return f"{self.election.get_absolute_url()}#result-{self.pk}"
