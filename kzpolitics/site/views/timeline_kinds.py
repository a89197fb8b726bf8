"""What the timeline lists: its kinds of entry, how each reads, and the records it comes from."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet

from elections.models import Election
from kzpolitics.core.dates import UncertainDateValue, dated
from kzpolitics.core.models import Event
from legislation.models import LegalAct, RegistrationDecision
from parties.models import Organization, OrganizationName

if TYPE_CHECKING:
    from kzpolitics.site.views.timeline_keyset import TimelineKey

# In the order entries on the same days are listed; a TimelineKey names a kind by its place.
TIMELINE_KINDS = (
    ("event", "Events"),
    ("founding", "Foundings"),
    ("dissolution", "Dissolutions"),
    ("renaming", "Names taken"),
    ("registration", "Registration decisions"),
    ("election", "Elections"),
    ("act", "Legal acts"),
)
ITEM_LABELS = {
    "founding": "founding",
    "dissolution": "dissolution",
    "renaming": "name",
    "registration": "registration",
    "election": "election",
    "act": "legal act",
}


@dataclass
class TimelineItem:
    kind: str
    date: UncertainDateValue
    record: object
    field: str
    url: str
    link_text: str
    before: str = ""
    after: str = ""
    key: TimelineKey | None = None

    @property
    def earliest(self) -> datetime.date | None:
        return self.date.earliest or self.date.latest

    @property
    def latest(self) -> datetime.date | None:
        return self.date.latest or self.date.earliest

    @property
    def year(self) -> int | None:
        return self.earliest.year if self.earliest else None

    @property
    def kind_label(self) -> str:
        if self.kind == "event":
            return self.record.get_kind_display()
        return ITEM_LABELS[self.kind]


@dataclass(frozen=True)
class TimelineSource:
    """Where the entries of one kind come from: which records (``records(public)``, as a page
    shows them: those the public may see, or every one for an editor's preview; narrowed by
    ``where``), the date that places each (an UncertainDate's name, whose ``order_index`` the
    model declares), and how one reads."""

    kind: str
    date: str
    records: Callable[[bool], QuerySet]
    entry: Callable[[object], TimelineItem]
    where: Q = Q()


def _event_entry(event) -> TimelineItem:
    date = event.date
    return TimelineItem(
        "event", date, event, "date" if date else "", event.get_absolute_url(), event.title
    )


def _founding_entry(org) -> TimelineItem:
    url = org.get_absolute_url()
    return TimelineItem("founding", org.founded, org, "founded", url, org.name, after=" founded")


def _dissolution_entry(org) -> TimelineItem:
    url = org.get_absolute_url()
    return TimelineItem(
        "dissolution", org.dissolved, org, "dissolved", url, org.name, after=" dissolved"
    )


def _renaming_entry(name) -> TimelineItem:
    org = name.organization
    after = f" takes the name “{name.name}”"
    return TimelineItem(
        "renaming", name.start, name, "", org.get_absolute_url(), org.name, after=after
    )


def _registration_entry(decision) -> TimelineItem:
    after = f": {decision.get_decision_display().lower()}"
    url = decision.get_absolute_url()
    return TimelineItem(
        "registration", decision.date, decision, "", url, decision.organization.name, after=after
    )


def _election_entry(election) -> TimelineItem:
    date = election.date
    url = election.get_absolute_url()
    return TimelineItem("election", date, election, "date" if date else "", url, election.name)


def _act_entry(act) -> TimelineItem:
    adopted = act.adopted
    return TimelineItem(
        "act",
        adopted,
        act,
        "adopted" if adopted else "",
        act.get_absolute_url(),
        act.title,
        after=" adopted" if adopted else "",
    )


# In the order of TIMELINE_KINDS. The conditions on dates (``dated``) are those of the models'
# partial order indexes, which the database uses only for queries that repeat them.
TIMELINE_SOURCES = (
    TimelineSource("event", "date", lambda public: Event.objects.visible(public), _event_entry),
    TimelineSource(
        "founding",
        "founded",
        lambda public: Organization.objects.visible(public),
        _founding_entry,
        where=dated("founded"),
    ),
    TimelineSource(
        "dissolution",
        "dissolved",
        lambda public: Organization.objects.visible(public),
        _dissolution_entry,
        where=dated("dissolved"),
    ),
    TimelineSource(
        "renaming",
        "start",
        # A name is public with its organization: joining it is safe.
        lambda public: OrganizationName.objects.visible(public).select_related("organization"),
        _renaming_entry,
        # A name in use from the founding is the one it was founded with, not a renaming.
        where=dated("start") & ~Q(start_edtf=F("organization__founded_edtf")),
    ),
    TimelineSource(
        "registration",
        "date",
        # A decision is public with its organization: joining it is safe.
        lambda public: RegistrationDecision.objects.visible(public).select_related("organization"),
        _registration_entry,
    ),
    TimelineSource(
        "election", "date", lambda public: Election.objects.visible(public), _election_entry
    ),
    TimelineSource("act", "adopted", lambda public: LegalAct.objects.visible(public), _act_entry),
)
