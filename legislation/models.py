"""Legal acts, their provisions, and the registration decisions they brought about."""

from __future__ import annotations

from django.db import models
from django.db.models import F

from kzpolitics.core.dates import UncertainDate, reading_order
from kzpolitics.core.editorial.limits import CEILING
from kzpolitics.core.models import (
    Cited,
    CitedQuerySet,
    Event,
    internal_note_field,
    public_note_field,
)
from kzpolitics.core.paths import record_path
from kzpolitics.core.search import SearchKeyField
from parties.models import Organization


class LegalActQuerySet(CitedQuerySet):
    def chronological(self):
        return self.order_by(*reading_order("adopted"), "title", "id")

    def by_jurisdiction(self):
        """By jurisdiction, in the order ``LegalAct.Jurisdiction`` gives them (the U.S.S.R.,
        the Kazakh S.S.R., the Republic of Kazakhstan), each in order of adoption: the list
        page's order, which its pages follow."""
        return self.in_choice_order("jurisdiction", *reading_order("adopted"), "title", "id")


class LegalAct(Cited):
    """A law, constitution, declaration or decision of the USSR, the Kazakh SSR or Kazakhstan."""

    class Jurisdiction(models.TextChoices):
        USSR = "ussr", "U.S.S.R."
        KAZAKH_SSR = "kazakh_ssr", "Kazakh S.S.R."
        KAZAKHSTAN = "kazakhstan", "Republic of Kazakhstan"

    class Kind(models.TextChoices):
        CONSTITUTION = "constitution", "Constitution"
        CONSTITUTIONAL_AMENDMENT = "constitutional_amendment", "Constitutional amendment"
        LAW = "law", "Law"
        DECLARATION = "declaration", "Declaration"
        DECISION = "decision", "Decision"
        DECREE = "decree", "Decree"
        ADDRESS = "address", "Address"
        OTHER = "other", "Other"

    CITED_FIELDS = ("adopted", "body", "summary")

    slug = models.SlugField(
        max_length=160, unique=True, help_text="Stable URL name; never change it."
    )
    jurisdiction = models.CharField(max_length=20, choices=Jurisdiction.choices, db_index=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=300)
    title_key = SearchKeyField(source="title")
    adopted = UncertainDate("Adopted")
    body = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="acts_adopted",
        help_text="The body that adopted or signed it.",
    )
    summary = models.TextField(blank=True, help_text="What it did (cite it).", validators=[CEILING])
    public_note = public_note_field()
    note = internal_note_field()
    events = models.ManyToManyField(Event, blank=True, related_name="acts")
    _history_m2m_fields = ("events",)  # in each version: diffs, reverts, restores include them

    objects = LegalActQuerySet.as_manager()

    class Meta:
        ordering = (*reading_order("adopted"), "title", "id")
        verbose_name = "legal act"
        indexes = [UncertainDate.order_index("adopted", "act_timeline_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_path("legislation:act-detail", self.slug)


class Provision(Cited):
    """An article or paragraph of an act, with what it says and any numeric requirement."""

    class Requirement(models.TextChoices):
        MIN_MEMBERS = "min_members", "Minimum members"
        MIN_MEMBERS_PER_REGION = "min_members_per_region", "Minimum members per regional cell"
        OTHER = "other", "Other"

    PARENT = "act"

    act = models.ForeignKey(LegalAct, on_delete=models.CASCADE, related_name="provisions")
    reference = models.CharField(
        max_length=60, blank=True, help_text="Article or paragraph, e.g. “Art 5”, “Para 5”."
    )
    text = models.TextField(
        blank=True, help_text="A brief quotation of it, where quoted.", validators=[CEILING]
    )
    summary = models.TextField(blank=True, help_text="What it provides.", validators=[CEILING])
    requirement_kind = models.CharField(
        max_length=30, choices=Requirement.choices, blank=True, help_text="A numeric requirement."
    )
    requirement_value = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within the act.")

    class Meta:
        ordering = ("act", "position", "id")

    def __str__(self) -> str:
        return f"{self.act}, {self.reference or 'provision'}"

    def get_absolute_url(self) -> str:
        return f"{self.act.get_absolute_url()}#provision-{self.pk}"


class RegistrationDecision(Cited):
    """A decision on an organization's registration: registered, denied, banned, ..."""

    class Decision(models.TextChoices):
        REGISTERED = "registered", "Registered"
        RE_REGISTERED = "re_registered", "Re-registered"
        APPLIED = "applied", "Applied for registration"
        DENIED = "denied", "Denied registration"
        BANNED = "banned", "Banned"
        LIQUIDATED = "liquidated", "Liquidated"
        NEVER_REGISTERED = "never_registered", "Never registered"
        DID_NOT_APPLY = "did_not_apply", "Did not apply"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="registrations"
    )
    act = models.ForeignKey(
        LegalAct,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        help_text="The act under which it was decided.",
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, db_index=True)
    date = UncertainDate("Date")
    body = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registration_decisions_taken",
        help_text="Who decided (the Ministry of Justice, a court).",
    )
    public_note = public_note_field()
    note = internal_note_field()

    class Meta:
        ordering = ("organization", F("date_earliest").asc(nulls_last=True), "id")
        indexes = [UncertainDate.order_index("date", "registration_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.organization}: {self.get_decision_display()}"

    def get_absolute_url(self) -> str:
        """The decision in its organization's registration history."""
        return f"{self.organization.get_absolute_url()}#registration-{self.pk}"
