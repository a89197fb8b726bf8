"""Site-level public pages: home, people, sources, events, the timeline and search.

This module sits beside the settings and may know every app (see the design notes): the
timeline and search span parties, elections and legislation.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlencode

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.views.generic import DetailView, ListView, TemplateView

from elections.models import Election, Result, Round
from kzpolitics.core.dates import (
    UNDATED,
    UncertainDate,
    UncertainDateValue,
    dated,
    first_day,
    last_day,
)
from kzpolitics.core.models import (
    Citation,
    Event,
    Person,
    PersonName,
    Place,
    PlaceName,
    Source,
    attach_citations,
    published_prefetch,
)
from kzpolitics.core.references import locator_of
from kzpolitics.core.rest import matching
from kzpolitics.core.views_base import PublicPageMixin
from kzpolitics.site.article_loader import ARTICLE_SLUG
from legislation.models import LegalAct, Provision, RegistrationDecision
from parties.models import (
    MembershipFigure,
    Organization,
    OrganizationName,
    Relation,
    Role,
    RoleQuerySet,
    Stance,
)

# -- home --------------------------------------------------------------------------------------


class _Citations(list):
    """Stands in for a related manager so that ``{% cite %}`` can number unsaved citations."""

    def all(self):
        return self


@dataclass
class Period:
    """One of the main periods the founding article tells, as an entry point to the timeline."""

    years: str
    start: int
    end: int
    title: str
    text: str
    section: str
    quote: str
    citations: _Citations | None = None

    def field_is_filled(self, name: str) -> bool:
        return True


PERIODS = (
    Period(
        "1986–1991",
        1986,
        1991,
        "Movements",
        "After the events of December 1986 in Alma Ata, discussion clubs, popular fronts and "
        "informal movements appear under perestroika.",
        "Introduction",
        "It was on a grass-roots initiative that the first informal political organizations "
        "appeared in the republic.",
    ),
    Period(
        "1990–1994",
        1990,
        1994,
        "The first parties",
        "The first public and political organizations that call themselves parties appear, "
        "national and democratic, and the first are registered.",
        "The First Political Parties",
        "In 1990, the first public and political organizations appeared, which called themselves "
        "parties.",
    ),
    Period(
        "1995–1999",
        1995,
        1999,
        "Elections and laws",
        "A new constitution, the law on political parties of 1996, and the parliamentary, "
        "presidential and municipal elections of 1995 and 1999.",
        "Large Political Parties",
        "The first parliamentary elections according to the new constitution were held in "
        "December 1995.",
    ),
    Period(
        "2002–2004",
        2002,
        2004,
        "The 2002 law and the 2004 elections",
        "The law on political parties of 15 July 2002 asks 50,000 members for registration and "
        "makes every party re-register; parliamentary elections follow in 2004.",
        "The New Law on the Parties and the Parliamentary Elections of 2004",
        "In 2002-2003, political parties were re-registered according to the law",
    ),
)


class HomeView(PublicPageMixin, TemplateView):
    """What the site is, the main periods as entry points, and how much it holds."""

    template_name = "kzpolitics/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        public = self.public
        article = Source.objects.visible(public).filter(slug=ARTICLE_SLUG).first()
        periods = []
        for period in PERIODS:
            cited = _Citations()
            if article is not None:
                cited.append(Citation(source=article, section=period.section, quote=period.quote))
            periods.append(
                Period(**{**period.__dict__, "citations": cited}),
            )
        context.update(
            title="Kazakhstan’s multiparty system, 1986-2005",
            article=article,
            periods=periods,
            figures=[
                (label, model.objects.visible(public).count(), url_name)
                for label, model, url_name in (
                    ("organizations", Organization, "parties:organization-list"),
                    ("people", Person, "kzpolitics:person-list"),
                    ("events", Event, "kzpolitics:timeline"),
                    ("elections", Election, "elections:election-list"),
                    ("legal acts", LegalAct, "legislation:act-list"),
                    ("sources", Source, "kzpolitics:source-list"),
                    # Those of records the public may see, from sources it may see.
                    ("citations", Citation, "kzpolitics:source-list"),
                )
            ],
        )
        return context


# -- people ------------------------------------------------------------------------------------


def main_role(roles: list[Role]) -> Role | None:
    """The role that best says who someone was: a public office (President, prime minister),
    else the lead of an organization, else the first recorded."""
    for kinds in ((Role.Kind.OFFICE,), RoleQuerySet.LEADING):
        for role in roles:
            if role.kind in kinds:
                return role
    return roles[0] if roles else None


class PersonListView(PublicPageMixin, ListView):
    """People the sources name, with their main role and how many roles are recorded."""

    template_name = "kzpolitics/person_list.html"
    paginate_by = 100

    def get_queryset(self):
        public = self.public
        # A role is public with its organization: joining it is safe.
        roles = Role.objects.select_related("organization")
        return (
            Person.objects.visible(public)
            .prefetch_related(published_prefetch("roles", Role, roles, public=public))
            .with_citations("roles", public=public)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for person in context["object_list"]:
            roles = list(person.roles.all())
            person.role_count = len(roles)
            person.main_role = main_role(roles)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(title="People", query_string=query.urlencode())
        return context


class PersonDetailView(PublicPageMixin, DetailView):
    """A person: names and spellings, description, roles over time, results, events."""

    template_name = "kzpolitics/person_detail.html"

    def get_queryset(self):
        public = self.public
        # A role is public with its organization, a result with its election: joining is safe.
        roles = Role.objects.select_related("organization")
        results = Result.objects.select_related("election")
        return (
            Person.objects.visible(public)
            .prefetch_related(
                published_prefetch("names", PersonName, public=public),
                published_prefetch("roles", Role, roles, public=public),
                published_prefetch("results", Result, results, public=public),
                published_prefetch("events", Event, Event.objects.chronological(), public=public),
            )
            .with_citations("names", "roles", "results", "events", public=public)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.object.name
        return context


# -- sources -----------------------------------------------------------------------------------


def footnote_numbers(source: Source) -> list[int]:
    return [int(n) for n in source.footnotes.split(",") if n.strip().isdigit()]


BOOKISH = {Source.Kind.BOOK, Source.Kind.EDITED_VOLUME, Source.Kind.HANDBOOK}


def full_reference(source: Source) -> str:
    """The work as a bibliography lists it: authors, title, container, issue, place, date.

    A newspaper issue whose title only repeats its paper's name and date is given once.
    """
    parts = []
    if source.authors:
        parts.append(escape(source.authors))
    elif source.editors:
        plural = "," in source.editors or " and " in source.editors
        parts.append(escape(f"{source.editors} ({'eds.' if plural else 'ed.'})"))
    title = source.title
    container = source.container
    if container and title.startswith(container):
        title, container = container, ""
        parts.append(format_html("<cite>{}</cite>", title))
    elif source.kind in BOOKISH or source.kind == Source.Kind.NEWSPAPER:
        parts.append(format_html("<cite>{}</cite>", title))
    else:
        parts.append(escape(f"“{title}”"))
    if container:
        parts.append(format_html("<cite>{}</cite>", container))
    if source.issue:
        parts.append(escape(source.issue))
    where = ": ".join(p for p in (source.place, source.publisher) if p)
    if where:
        parts.append(escape(where))
    if source.date:
        parts.append(escape(str(source.date)))
    text = format_html("{}.", format_html_join(", ", "{}", ((part,) for part in parts)))
    if source.url.lower().startswith(("http://", "https://")):
        text = format_html('{} <a href="{}">{}</a>', text, source.url, source.url)
    elif source.url:  # never a javascript: (or other) link, whatever was stored
        text = format_html("{} {}", text, source.url)
    return text


class SourceListView(PublicPageMixin, ListView):
    """The bibliography: the founding article, then the works its footnotes name, in order."""

    template_name = "kzpolitics/source_list.html"

    def get_queryset(self):
        return Source.objects.visible(self.public)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sources = list(context["object_list"])
        for source in sources:
            source.footnote_list = footnote_numbers(source)
            source.full_reference = full_reference(source)
        articles = [s for s in sources if s.kind == Source.Kind.ARTICLE]
        footnoted = sorted(
            (s for s in sources if s.kind != Source.Kind.ARTICLE and s.footnote_list),
            key=lambda s: (min(s.footnote_list), s.short_reference),
        )
        others = [s for s in sources if s.kind != Source.Kind.ARTICLE and not s.footnote_list]
        context.update(title="Sources", articles=articles, footnoted=footnoted, others=others)
        return context


# How to label a record that cites a source, and which page shows it. The related rows named
# are what ``str(record)`` and the page link read, fetched with the record.
RECORD_PAGES: dict[type, tuple[tuple[str, ...], object]] = {
    Organization: ((), lambda r: r.get_absolute_url()),
    OrganizationName: (("organization",), lambda r: r.organization.get_absolute_url()),
    Stance: (("organization",), lambda r: r.organization.get_absolute_url()),
    MembershipFigure: (("organization",), lambda r: r.organization.get_absolute_url()),
    Relation: (("subject", "object"), lambda r: r.subject.get_absolute_url() + "#lineage"),
    Role: (("person", "organization"), lambda r: r.person.get_absolute_url() + "#roles"),
    Person: ((), lambda r: r.get_absolute_url()),
    PersonName: (("person",), lambda r: r.person.get_absolute_url()),
    Event: ((), lambda r: r.get_absolute_url()),
    Election: ((), lambda r: r.get_absolute_url()),
    Round: (("election",), lambda r: r.election.get_absolute_url() + "#rounds"),
    Result: (("election", "organization", "person"), lambda r: r.get_absolute_url()),
    LegalAct: ((), lambda r: r.get_absolute_url()),
    Provision: (("act",), lambda r: f"{r.act.get_absolute_url()}#provision-{r.pk}"),
    RegistrationDecision: (("organization",), lambda r: r.get_absolute_url()),
    Place: ((), None),
    PlaceName: (("place",), None),
}


def field_label(model, name: str) -> str:
    """A readable name for the field a citation backs: “founded”, “summary”."""
    if not name:
        return "the record"
    declared = getattr(model, name, None)
    if isinstance(declared, UncertainDate):
        return declared.verbose_name.lower()
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name.replace("_", " ")


@dataclass
class CitingRecord:
    label: str
    url: str
    citations: list[dict]


CITING_PAGE = 50  # records a page of a source's “what cites it” lists


class SourceDetailView(PublicPageMixin, DetailView):
    """A source, and the records and facts that cite it: how many of each kind of record,
    and those of one kind (``?kind=organization``, by default the first), CITING_PAGE
    records a page (``?page=``) with their citations of it, so that a source cited thousands
    of times makes a page no longer than one cited a hundred times. The records it backs the
    most facts of come first: what the source is most about."""

    template_name = "kzpolitics/source_detail.html"

    def get_queryset(self):
        return Source.objects.visible(self.public)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.object
        source.footnote_list = footnote_numbers(source)
        source.full_reference = full_reference(source)
        # Citations the public may see: of records it may see, through sources it may see.
        citing = Citation.objects.visible(self.public).filter(Q(source=source) | Q(via=source))
        counts = {
            content_type: (citations, records)
            for content_type, citations, records in citing.order_by()
            .values_list("content_type")
            .annotate(n=Count("pk"), records=Count("object_id", distinct=True))
            .values_list("content_type", "n", "records")
        }
        kinds = []
        for model in RECORD_PAGES:
            content_type = ContentType.objects.get_for_model(model)  # cached: no query
            if content_type.pk in counts:
                citations, records = counts[content_type.pk]
                kinds.append(
                    {
                        "id": model._meta.model_name,
                        "label": str(model._meta.verbose_name_plural).capitalize(),
                        "citations": citations,
                        "records": records,
                        "model": model,
                        "content_type": content_type,
                    }
                )
        asked = self.request.GET.get("kind", "")
        kind = next((k for k in kinds if k["id"] == asked), kinds[0] if kinds else None)
        context.update(
            title=source.short_reference or source.title,
            citation_count=sum(k["citations"] for k in kinds),
            kinds=kinds,
            kind=kind,
            unknown_kind=asked if asked and kind and kind["id"] != asked else "",
        )
        if kind is not None:
            of_kind = citing.filter(content_type=kind["content_type"])
            paginator = Paginator(
                of_kind.order_by()
                .values_list("object_id")
                .annotate(n=Count("pk"))
                .order_by("-n", "object_id")
                .values_list("object_id", flat=True),
                CITING_PAGE,
            )
            paginator.count = kind["records"]  # counted above: no second query
            page = paginator.get_page(self.request.GET.get("page"))
            context.update(
                page_obj=page,
                records=self.citing_records(
                    source, kind["model"], of_kind, list(page), self.public
                ),
                query_string=urlencode({"kind": kind["id"]}),
            )
        return context

    @staticmethod
    def citing_records(
        source, model, citations, ids: list[int], public: bool = True
    ) -> list[CitingRecord]:
        """The records of ``model`` with these ids (one query), in that order, each with the
        ``citations`` of it (one query). The related rows named in RECORD_PAGES are ones a
        record requires, so a record the public may see has them public too."""
        related, page = RECORD_PAGES[model]
        records = model.objects.visible(public).select_related(*related).in_bulk(ids)
        entries: dict[int, CitingRecord] = {}
        for pk in ids:
            record = records.get(pk)
            if record is not None:  # else a citation of a record since deleted
                entries[pk] = CitingRecord(str(record), page(record) if page else "", [])
        rows = citations.filter(object_id__in=list(entries)).select_related("source", "via")
        for citation in rows.order_by("object_id", "field", "pk"):
            entries[citation.object_id].citations.append(
                {
                    "field": field_label(model, citation.field),
                    "locator": locator_of(citation),
                    "quote": citation.quote,
                    # The record cites another work that is known through this one.
                    "through": citation.source if citation.via_id == source.pk else None,
                    "via": citation.via if citation.source_id == source.pk else None,
                }
            )
        return list(entries.values())


# -- events ------------------------------------------------------------------------------------


class EventDetailView(PublicPageMixin, DetailView):
    """An event: date, place, summary, and the organizations, people, elections and acts."""

    template_name = "kzpolitics/event_detail.html"

    def get_queryset(self):
        public = self.public
        return (
            Event.objects.visible(public)
            .prefetch_related(
                published_prefetch("place", Place, public=public),
                published_prefetch("people", Person, public=public),
                published_prefetch("organizations", Organization, public=public),
                published_prefetch("elections", Election, public=public),
                published_prefetch("acts", LegalAct, public=public),
            )
            .with_citations(public=public)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.object.title
        return context


class PlaceDetailView(PublicPageMixin, DetailView):
    """A place: the names it bore, what happened there, what was founded there."""

    template_name = "kzpolitics/place_detail.html"

    def get_queryset(self):
        public = self.public
        events = Event.objects.chronological().with_citations(public=public)
        return (
            Place.objects.visible(public)
            .prefetch_related(
                published_prefetch("parent", Place, public=public),
                published_prefetch("names", PlaceName, public=public),
                published_prefetch("children", Place, public=public),
                published_prefetch("events", Event, events, public=public),
                published_prefetch("organizations_founded", Organization, public=public),
            )
            .with_citations("names", public=public)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.object.name
        return context


# -- timeline ----------------------------------------------------------------------------------

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
FIRST_YEAR, LAST_YEAR = 1800, 2100
TIMELINE_PAGE = 100  # entries on a page of the timeline


class TimelineKey(NamedTuple):
    """An entry's place in the timeline: the days its date sorts by (``dates.first_day`` and
    ``last_day``), its kind's place in TIMELINE_KINDS and its record's id. Written in links
    as ``1990-05-01.1990-05-31.founding.12``."""

    first: datetime.date
    last: datetime.date
    rank: int
    pk: int

    def __str__(self) -> str:
        kind = TIMELINE_KINDS[self.rank][0]
        return f"{self.first.isoformat()}.{self.last.isoformat()}.{kind}.{self.pk}"

    @classmethod
    def parse(cls, text: str) -> TimelineKey | None:
        found = re.fullmatch(r"(\d{4}-\d\d-\d\d)\.(\d{4}-\d\d-\d\d)\.([a-z]+)\.(\d{1,18})", text)
        ranks = {kind: rank for rank, (kind, _) in enumerate(TIMELINE_KINDS)}
        if not found or found[3] not in ranks:
            return None
        try:
            first, last = (datetime.date.fromisoformat(found[n]) for n in (1, 2))
        except ValueError:
            return None
        return cls(first, last, ranks[found[3]], int(found[4]))

    @property
    def year(self) -> int | None:
        return None if self.first == UNDATED else self.first.year


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


class TimelineForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", choices=(("", "All kinds"), *TIMELINE_KINDS), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # “from” is a Python keyword, so these are added by name.
        for name, label in (("from", "From year"), ("to", "To year")):
            self.fields[name] = forms.IntegerField(
                label=label,
                required=False,
                min_value=FIRST_YEAR,
                max_value=LAST_YEAR,
                error_messages={
                    "invalid": "Give the year as four digits, such as 1990.",
                    "min_value": f"Give a year from {FIRST_YEAR} to {LAST_YEAR}.",
                    "max_value": f"Give a year from {FIRST_YEAR} to {LAST_YEAR}.",
                },
            )
        self.order_fields(["from", "to", "kind"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            raise forms.ValidationError(
                f"The first year ({start}) comes after the last ({end}): swap them."
            )
        return cleaned


def beyond(key: TimelineKey, rank: int, backwards: bool = False, inclusive: bool = False) -> Q:
    """Entries of the kind at ``rank`` that come after ``key`` in the timeline (before it,
    ``backwards``; or are it, ``inclusive``). The leading condition on the first day alone is
    what lets the database start its walk of the order index there, not at the beginning."""
    op = "lt" if backwards else "gt"
    further = Q(**{f"timeline_first__{op}": key.first}) | Q(
        timeline_first=key.first, **{f"timeline_last__{op}": key.last}
    )
    same_days = Q(timeline_first=key.first, timeline_last=key.last)
    if rank == key.rank:
        further |= same_days & Q(**{f"pk__{op}{'e' if inclusive else ''}": key.pk})
    elif (rank > key.rank) != backwards:  # a kind listed after key's, on the same days
        further |= same_days
    return Q(**{f"timeline_first__{op}e": key.first}) & further


def placed(rows: QuerySet, source: TimelineSource, rank: int, start=None, end=None) -> QuerySet:
    """``rows`` of ``source`` with their place in the timeline (``timeline_first``,
    ``timeline_last``, ``timeline_rank``), those that may fall within the years ``start`` to
    ``end`` (an uncertain date counts if any day it can mean does)."""
    rows = rows.filter(source.where).annotate(
        timeline_first=first_day(source.date),
        timeline_last=last_day(source.date),
        timeline_rank=Value(rank),
    )
    if start:
        rows = rows.filter(
            timeline_last__gte=datetime.date(start, 1, 1), timeline_first__lt=UNDATED
        )
    if end:
        rows = rows.filter(timeline_first__lte=datetime.date(end, 12, 31))
    return rows


def timeline_keys(
    kinds: set[str],
    start: int | None = None,
    end: int | None = None,
    key: TimelineKey | None = None,
    backwards: bool = False,
    count: int = TIMELINE_PAGE,
    public: bool = True,
) -> list[TimelineKey]:
    """The places of up to ``count`` entries of the kinds asked for, in order from ``key`` on
    (or back from it), that may fall within the years ``start`` to ``end``: one query. With
    ``public``, of records the public may see only.

    Each kind's part reads at most ``count`` rows of its order index, from where ``key``
    is, however many records there are (on PostgreSQL; SQLite, which cannot limit the parts
    of a union, sorts them all, and holds little).
    """
    sign = "-" if backwards else ""
    order = (f"{sign}timeline_first", f"{sign}timeline_last", f"{sign}timeline_rank", f"{sign}pk")
    limit_parts = connection.features.supports_slicing_ordering_in_compound
    parts = []
    for rank, source in enumerate(TIMELINE_SOURCES):
        if source.kind not in kinds:
            continue
        rows = placed(source.records(public), source, rank, start, end)
        if key is not None:
            rows = rows.filter(beyond(key, rank, backwards))
        rows = rows.values_list("timeline_first", "timeline_last", "timeline_rank", "pk")
        parts.append(rows.order_by(*order)[:count] if limit_parts else rows.order_by())
    if not parts:
        return []
    if len(parts) == 1:
        found = parts[0] if limit_parts else parts[0].order_by(*order)[:count]
    else:
        found = parts[0].union(*parts[1:], all=True).order_by(*order)[:count]
    return [TimelineKey(*row) for row in found]


def timeline_entries(
    first: TimelineKey,
    last: TimelineKey,
    kinds: set[str],
    start=None,
    end=None,
    public: bool = True,
) -> list[TimelineItem]:
    """The entries from ``first`` to ``last`` (``timeline_keys``), in order, with their
    citations: one query per kind asked for (each reads its order index from ``first`` to
    ``last`` only), and one for the citations of them all. With ``public``, of records the
    public may see only (as ``timeline_keys`` found them)."""
    items = []
    for rank, source in enumerate(TIMELINE_SOURCES):
        if source.kind not in kinds:
            continue
        rows = placed(source.records(public), source, rank, start, end).filter(
            beyond(first, rank, inclusive=True) & beyond(last, rank, backwards=True, inclusive=True)
        )
        for record in rows:
            item = source.entry(record)
            item.key = TimelineKey(record.timeline_first, record.timeline_last, rank, record.pk)
            items.append(item)
    items.sort(key=lambda item: item.key)
    attach_citations([item.record for item in items], public=public)
    return items


class TimelineView(PublicPageMixin, TemplateView):
    """Every dated event, founding, renaming, registration, election and act, in order, a
    page of TIMELINE_PAGE entries at a time.

    ``?from=1990&to=1995`` keeps what may fall within those years (an uncertain date counts if
    any day it can mean does); ``?kind=`` keeps one kind. Undated items come last, and only
    when no year is asked for. A page begins after the entry named by ``?after=`` or ends
    before the one named by ``?before=`` (a TimelineKey), so that each is found through an
    index from where it starts, as quickly on the last page as on the first.
    """

    template_name = "kzpolitics/timeline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = TimelineForm(self.request.GET or None)
        start = end = None
        kinds = {key for key, _ in TIMELINE_KINDS}
        kept = {}  # the filters the links between pages keep
        if form.is_bound:
            form.is_valid()
            # Apply what is valid; the errors are shown beside the form.
            data = form.cleaned_data
            if not form.non_field_errors():
                start, end = data.get("from"), data.get("to")
            if data.get("kind"):
                kinds = {data["kind"]}
                kept["kind"] = data["kind"]
        kept.update({name: year for name, year in (("from", start), ("to", end)) if year})

        key, backwards, position_error = None, False, ""
        raw = self.request.GET.get("after") or self.request.GET.get("before")
        if raw:
            key = TimelineKey.parse(raw)
            backwards = key is not None and not self.request.GET.get("after")
            if key is None:
                position_error = (
                    "The link to a place in the timeline is not one this site made: "
                    "here is the timeline from its beginning."
                )
        keys = timeline_keys(
            kinds, start, end, key, backwards, TIMELINE_PAGE + 1, public=self.public
        )
        beyond_page = keys[TIMELINE_PAGE] if len(keys) > TIMELINE_PAGE else None
        keys = keys[:TIMELINE_PAGE]
        if backwards:
            keys.reverse()
            earlier, later = beyond_page is not None, True
        else:
            earlier, later = key is not None, beyond_page is not None
        items = (
            timeline_entries(keys[0], keys[-1], kinds, start, end, public=self.public)
            if keys
            else []
        )

        # The year the entry before this page falls in: its heading here says “continued”.
        if backwards:
            previous_year = beyond_page.year if beyond_page else None
        else:
            previous_year = key.year if key else None
        years: list[dict] = []
        for item in items:
            label = item.year or "Undated"
            if not years or years[-1]["year"] != label:
                continued = not years and earlier and item.key.year == previous_year
                years.append({"year": label, "items": [], "continued": continued})
            years[-1]["items"].append(item)

        def address(**query) -> str:
            query = {**kept, **query}
            return reverse("kzpolitics:timeline") + (f"?{urlencode(query)}" if query else "")

        first_key = keys[0] if keys else key
        last_key = keys[-1] if keys else key
        context.update(
            title="Timeline",
            form=form,
            start=start,
            end=end,
            years=years,
            count=len(items),
            position_error=position_error,
            first_year=next((i.year for i in items if i.year), None),
            last_year=next((i.year for i in reversed(items) if i.year), None),
            pages={
                "start": address() if earlier else "",
                "earlier": address(before=str(first_key)) if earlier and first_key else "",
                "later": address(after=str(last_key)) if later and last_key else "",
            },
            periods=[
                {
                    "period": period,
                    "url": address(**{"from": period.start, "to": period.end}),
                    "current": (start, end) == (period.start, period.end),
                }
                for period in PERIODS
            ],
        )
        return context


# -- search ------------------------------------------------------------------------------------

MAX_QUERY = 100
MIN_QUERY = 2
LIMIT = 50


# Each search reads the records the public may see (``public``; every one for an editor's
# preview) by their own fields, and through related rows (other names, places) only those the
# public may see: each such row is matched in its own table, and what it points to joined in
# by id (``also``), as ``matching`` joins its fields.


def names_matching(name_model, owner: str, text: str, public: bool = True):
    """The ids of the records (``owner``, the name's link to its record) that a name of
    ``name_model`` the public may see contains the text in."""
    return name_model.objects.visible(public).filter(name__icontains=text).values(owner)


def places_matching(text: str, public: bool = True):
    """Places any of whose names contain the text (Almaty finds Alma Ata)."""
    other_names = names_matching(PlaceName, "place", text, public)
    return matching(
        Place.objects.visible(public), text, ("name",), also=[other_names], public=public
    )


def events_matching(text: str, places, public: bool = True):
    """Events whose title or summary contains the text, or that happened at the places (ids
    of places the public may see)."""
    at_places = Event.objects.visible(public).filter(place__in=places).values("pk")
    return matching(
        Event.objects.visible(public), text, ("title", "summary"), also=[at_places], public=public
    )


def organizations_matching(text: str, places, public: bool = True):
    """Organizations by any of their names, or founded at the places (ids of places the
    public may see)."""
    other_names = names_matching(OrganizationName, "organization", text, public)
    founded_there = Organization.objects.visible(public).filter(founding_place__in=places)
    return matching(
        Organization.objects.visible(public),
        text,
        ("name",),
        also=[other_names, founded_there.values("pk")],
        public=public,
    )


def people_matching(text: str, public: bool = True):
    """People by any of their names or spellings."""
    other_names = names_matching(PersonName, "person", text, public)
    return matching(
        Person.objects.visible(public), text, ("name",), also=[other_names], public=public
    )


def matched_name(record, text: str) -> str:
    """The variant name that matched, where the record's own name does not contain the text."""
    needle = text.casefold()
    if needle in record.name.casefold():
        return ""
    for name in record.names.all():
        if needle in name.name.casefold():
            return name.name
    return ""


class SearchView(PublicPageMixin, TemplateView):
    """One box across every kind of record, finding them by any name or spelling."""

    template_name = "kzpolitics/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        raw = self.request.GET.get("q", "")
        query = re.sub(r"\s+", " ", raw).strip()
        context.update(title="Search", query=query[:MAX_QUERY], groups=[], message="")
        if not query:
            context["message"] = (
                "Type a name or a word to search for: a party, a person, a place, a law."
            )
            return context
        if len(query) > MAX_QUERY:
            context["message"] = (
                f"That search is {len(query)} characters long; use at most {MAX_QUERY}."
            )
            return context
        if len(query) < MIN_QUERY:
            context["message"] = f"Type at least {MIN_QUERY} characters."
            return context
        context["title"] = f"Search: {query}"
        public = self.public
        places = list(
            places_matching(query, public).prefetch_related(
                published_prefetch("names", PlaceName, public=public)
            )[: LIMIT + 1]
        )
        place_ids = [p.pk for p in places]

        organizations = list(
            organizations_matching(query, place_ids, public)
            .prefetch_related(
                published_prefetch("founding_place", Place, public=public),
                published_prefetch("names", OrganizationName, public=public),
            )
            .order_by("name", "pk")[: LIMIT + 1]
        )
        for org in organizations:
            org.matched = matched_name(org, query)
            org.at_place = org.founding_place_id in place_ids and not org.matched
        people = list(
            people_matching(query, public).prefetch_related(
                published_prefetch("names", PersonName, public=public)
            )[: LIMIT + 1]
        )
        for person in people:
            person.matched = matched_name(person, query)
        for place in places:
            place.matched = matched_name(place, query)
        events = list(
            events_matching(query, place_ids, public)
            .prefetch_related(published_prefetch("place", Place, public=public))
            .chronological()[: LIMIT + 1]
        )
        elections = list(
            matching(Election.objects.visible(public), query, ("name", "summary")).chronological()[
                : LIMIT + 1
            ]
        )
        acts = list(
            matching(LegalAct.objects.visible(public), query, ("title", "summary")).chronological()[
                : LIMIT + 1
            ]
        )
        # The footnotes of all three kinds in one query.
        attach_citations([*events[:LIMIT], *elections[:LIMIT], *acts[:LIMIT]], public=public)
        sources = list(
            matching(
                Source.objects.visible(public),
                query,
                ("title", "authors", "editors", "container"),
                public=public,
            )[: LIMIT + 1]
        )
        for source in sources:
            source.full_reference = full_reference(source)
        groups = [
            ("organizations", "Organizations", organizations),
            ("people", "People", people),
            ("places", "Places", places),
            ("events", "Events", events),
            ("elections", "Elections", elections),
            ("acts", "Legal acts", acts),
            ("sources", "Sources", sources),
        ]
        context["groups"] = [
            {"id": key, "label": label, "items": items[:LIMIT], "more": len(items) > LIMIT}
            for key, label, items in groups
            if items
        ]
        context["total"] = sum(len(g["items"]) for g in context["groups"])
        context["places"] = places
        return context
