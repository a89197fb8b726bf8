"""When an organization came into being and when it ended, where its own dates are silent.

An organization's own cited ``founded`` / ``dissolved`` date wins, whole, whenever it has an
EDTF value (an open side, “after 2002-07-15”, stays open). Otherwise the bounds are derived
from the published rows that date it, every end of them published:

===========================  ==========================  ==========================
evidence                     its subject (or the         the other organization
                             organization it is about)
===========================  ==========================  ==========================
split from, based on,        founding: it came into      existence: it existed
founded by, set up to        being then                  then
counter
renamed to                   ending: it ended then       founding
merged into                  ending                      existence
member of, branch of         existence                   existence
election result              existence                   -
registration decision        existence (registered,      -
                             re-registered, applied,
                             denied); ending (banned,
                             liquidated); nothing
                             (never registered, did not
                             apply: they record an
                             absence)
event it is linked to        mention (see below)         -
===========================  ==========================  ==========================

Each piece of evidence dated [e, l] (a relation's ``date``; its ``end``, when dated, says the
link still held then):

- founding: founded no earlier than e and no later than l (an open end bounds nothing);
- existence: founded no later than l; not ended before e (nor before its end's earliest day);
- ending: ended no earlier than e and no later than l (and founded no later than l);
- mention (an event): not ended before e, but no bound on the founding. Events concern an
  organization before it exists as often as after: the coup of August 1991 concerns the
  parties the Communist Party split into afterwards, a founding congress's announcement
  precedes it (in the article's data, 4 of the 39 event links of organizations with a cited
  founding date fall before it).

So: founding earliest = the latest e of founding evidence; founding latest = the earliest l
of any evidence but mentions; ending earliest = the latest e (or end e) of any evidence, the
last dated mention: it existed at least until then; ending latest = the earliest l of ending
evidence. Evidence that contradicts itself is given as found (an earliest after a latest),
for an editor to see.

An organization existed on a day (both ends included) *certainly* when it was founded by
then (founding latest on or before it) and had not ended before it (ending earliest on or
after it); *possibly* when the founding earliest (or an unknown one) is on or before it and
the ending latest (or an unknown or open one) on or after it. Within a period: possibly when
its possible span overlaps the period, certainly when its certain span ([founding latest,
ending earliest]) does. A record that nothing dates (no own date, no dated evidence) is not
placed in time and matches no day.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, NullIf

from kzpolitics.core.dependencies import records_shown
from kzpolitics.core.fields import absolute, api_path
from kzpolitics.core.models import present

FOUNDING, EXISTENCE, MENTION, ENDING = "founding", "existence", "mention", "ending"

# What a relation of each kind shows of (its subject, its object). Kinds not named here (a
# kind added later) are not evidence until someone decides what they show.
RELATION_SHOWS = {
    "split_from": (FOUNDING, EXISTENCE),
    "based_on": (FOUNDING, EXISTENCE),
    "founded_by": (FOUNDING, EXISTENCE),
    "set_up_to_counter": (FOUNDING, EXISTENCE),
    "renamed_to": (ENDING, FOUNDING),
    "merged_into": (ENDING, EXISTENCE),
    "member_of": (EXISTENCE, EXISTENCE),
    "branch_of": (EXISTENCE, EXISTENCE),
}
SIDES = ("subject", "object")

# Registration decisions (legislation.RegistrationDecision, reached by relation name: this
# app does not import the apps that build on it) and what each shows of the organization.
REGISTRATION_SHOWS = {
    "registered": EXISTENCE,
    "re_registered": EXISTENCE,
    "applied": EXISTENCE,
    "denied": EXISTENCE,
    "banned": ENDING,
    "liquidated": ENDING,
}

BOUNDS = ("founding_earliest", "founding_latest", "ending_earliest", "ending_latest")
CERTAIN, POSSIBLE = "certain", "possible"
CERTAINTIES = ((CERTAIN, "Certain"), (POSSIBLE, "Possible"))

# What stands for "no bound" inside Greatest / Least, which on SQLite give NULL when any
# argument is NULL (PostgreSQL skips NULLs): never a real bound (dates.py gives none there).
_NO_EARLIEST, _NO_LATEST = datetime.date(1, 1, 1), datetime.date(9999, 12, 31)
_BOUND = "lifespan_bound"


def relation_kinds(side: str, *shown: str) -> list[str]:
    """The relation kinds that show one of ``shown`` of the organization at ``side``."""
    index = SIDES.index(side)
    return sorted(kind for kind, shows in RELATION_SHOWS.items() if shows[index] in shown)


def registration_decisions(*shown: str) -> list[str]:
    return sorted(decision for decision, shows in REGISTRATION_SHOWS.items() if shows in shown)


# -- in the database ---------------------------------------------------------------------------


class _Sources:
    """The published (or, for an editor's preview, every) rows that date the organizations of
    ``model``, each correlated with the outer organization, and the columns of their dates."""

    def __init__(self, model, public: bool):
        related = {name: model._meta.get_field(name).related_model for name in BOUND_RELATIONS}
        self.relations = related["relations_from"].objects.visible(public)
        self.events = related["events"].objects.visible(public)
        self.results = related["results"].objects.visible(public)
        self.registrations = related["registrations"].objects.visible(public)

    def relation(self, side: str, *shown: str):
        return self.relations.filter(
            **{side: OuterRef("pk")}, kind__in=relation_kinds(side, *shown)
        )

    def registration(self, *shown: str):
        return self.registrations.filter(
            organization=OuterRef("pk"), decision__in=registration_decisions(*shown)
        )


# The relations of Organization each source of evidence is reached by.
BOUND_RELATIONS = ("relations_from", "events", "results", "registrations")

ANY = (FOUNDING, EXISTENCE, ENDING)


def _extreme(rows, value, largest: bool):
    """The largest (or smallest) non-null ``value`` of ``rows``, as a correlated subquery."""
    rows = rows.annotate(**{_BOUND: value}).filter(**{f"{_BOUND}__isnull": False})
    order = F(_BOUND).desc() if largest else F(_BOUND).asc()
    return Subquery(rows.order_by(order).values(_BOUND)[:1], output_field=DateField())


def _greatest(values):
    padded = [Coalesce(v, Value(_NO_EARLIEST), output_field=DateField()) for v in values]
    return NullIf(Greatest(*padded), Value(_NO_EARLIEST), output_field=DateField())


def _least(values):
    padded = [Coalesce(v, Value(_NO_LATEST), output_field=DateField()) for v in values]
    return NullIf(Least(*padded), Value(_NO_LATEST), output_field=DateField())


def derived_bounds(model, public: bool = True) -> dict:
    """The four derived bounds (``BOUNDS``) as expressions on rows of ``model``
    (Organization), from the evidence alone."""
    s = _Sources(model, public)
    # A relation's candidates: its date's sides, or its end's where it has no date.
    last = Coalesce("date_latest", "end_latest")
    still = Coalesce("end_earliest", "date_earliest")
    election_first, election_last = F("election__date_earliest"), F("election__date_latest")
    return {
        "founding_earliest": _greatest(
            [_extreme(s.relation(side, FOUNDING), F("date_earliest"), True) for side in SIDES]
        ),
        "founding_latest": _least(
            [_extreme(s.relation(side, *ANY), last, False) for side in SIDES]
            + [
                _extreme(s.results.filter(organization=OuterRef("pk")), election_last, False),
                _extreme(s.registration(*ANY), F("date_latest"), False),
            ]
        ),
        "ending_earliest": _greatest(
            [_extreme(s.relation(side, *ANY), still, True) for side in SIDES]
            + [
                _extreme(s.events.filter(organizations=OuterRef("pk")), F("date_earliest"), True),
                _extreme(s.results.filter(organization=OuterRef("pk")), election_first, True),
                _extreme(s.registration(*ANY), F("date_earliest"), True),
            ]
        ),
        "ending_latest": _least(
            [
                _extreme(s.relation(side, ENDING), F("date_latest"), False)
                for side in SIDES
                if relation_kinds(side, ENDING)
            ]
            + [_extreme(s.registration(ENDING), F("date_latest"), False)]
        ),
    }


def time_bounds(model, public: bool = True) -> dict:
    """``BOUNDS`` as expressions: the organization's own date where it has an EDTF value,
    else the derived bounds."""
    return dict(_time_bounds(model, public))


# Built once per kind of query: building them took some 7 ms, on every page and API answer
# that dates organizations. ``annotate()`` resolves a copy of each expression (and a copy of
# each subquery's query), so the ones kept here are never changed by a query that uses them.
@functools.cache
def _time_bounds(model, public: bool) -> dict:
    derived = derived_bounds(model, public)
    own = {"founding": "founded", "ending": "dissolved"}
    annotations = {}
    for name, expression in derived.items():
        side, bound = name.split("_")
        date = own[side]
        annotations[name] = Case(
            When(**{f"{date}_edtf": ""}, then=expression),
            default=F(f"{date}_{bound}"),
            output_field=DateField(),
        )
    return annotations


def placed() -> Q:
    """Organizations something dates: a bound on either side."""
    placed = Q()
    for name in BOUNDS:
        placed |= Q(**{f"{name}__isnull": False})
    return placed


def possible_in(start: datetime.date, end: datetime.date) -> Q:
    """Organizations (annotated with ``BOUNDS``) that may have existed on some day of
    [start, end]."""
    return (
        placed()
        & (Q(founding_earliest__isnull=True) | Q(founding_earliest__lte=end))
        & (Q(ending_latest__isnull=True) | Q(ending_latest__gte=start))
    )


def certain_in(start: datetime.date, end: datetime.date) -> Q:
    """Organizations that certainly existed on some day of [start, end]: every day from the
    founding's latest day to the ending's earliest is certain, and that span meets it."""
    return (
        Q(founding_latest__lte=end)
        & Q(ending_earliest__gte=start)
        & Q(founding_latest__lte=F("ending_earliest"))
    )


def certainty_in(start: datetime.date, end: datetime.date) -> Case:
    return Case(
        When(certain_in(start, end), then=Value(CERTAIN)),
        default=Value(POSSIBLE),
        output_field=CharField(),
    )


# -- the evidence, listed ----------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """A row that dates an organization: a relation, an event, a result, a registration."""

    type: str  # relation, event, result, registration
    id: int
    kind: str  # the relation's kind, the event's kind, the result's tier, the decision
    role: str | None  # for a relation: subject or object (which end the organization is)
    other: tuple | None  # (id, slug, name, kind) of the other organization, event or election
    date: tuple  # (text, edtf)
    end: tuple  # (text, edtf): when a relation ended
    first: datetime.date | None
    last: datetime.date | None
    end_first: datetime.date | None
    end_last: datetime.date | None
    public: bool = True  # read from what the public may see (``evidence_of``)

    @property
    def shows(self) -> str | None:
        if self.type == "relation":
            return RELATION_SHOWS.get(self.kind, (None, None))[SIDES.index(self.role)]
        if self.type == "registration":
            return REGISTRATION_SHOWS.get(self.kind)
        return MENTION if self.type == "event" else EXISTENCE

    # What it bounds: the same rules as ``derived_bounds``, read on one row.
    def bound(self, name: str) -> datetime.date | None:
        shows = self.shows
        if name == "founding_earliest":
            return self.first if shows == FOUNDING else None
        if name == "founding_latest":
            return None if shows in (MENTION, None) else self.last or self.end_last
        if name == "ending_earliest":
            return None if shows is None else self.end_first or self.first
        return self.last if shows == ENDING else None

    def as_dict(self, models: dict, request=None) -> dict:
        """As the API gives it: ``models`` maps ``organization``, ``event``, ``election`` and
        this row's type to their models (for their API addresses)."""
        refs = dict.fromkeys(("organization", "event", "election"))
        linked = {"relation": "organization", "event": "event", "result": "election"}
        if self.other and self.type in linked:
            key = linked[self.type]
            other_id, slug, name, kind = self.other
            refs[key] = {
                "id": other_id,
                "slug": slug,
                "name": name,
                "kind": kind,
                "api_url": _api_url(models[key], slug, request),
            }
            if self.public:  # its name shows: an answer kept in a cache must name it
                records_shown.send(sender=models[key], pks=(other_id,))
        own_route = self.type in ("result", "registration")
        return {
            "shows": self.shows,
            "type": self.type,
            "id": self.id,
            "kind": self.kind,
            "role": self.role,
            "date": _date(*self.date, self.first, self.last),
            "end": _date(*self.end, self.end_first, self.end_last) if self.end[1] else None,
            **refs,
            "api_url": _api_url(models[self.type], self.id, request) if own_route else None,
        }


def _date(text, edtf, earliest, latest) -> dict:
    return {
        "text": text or "",
        "edtf": edtf or "",
        "earliest": earliest.isoformat() if earliest else None,
        "latest": latest.isoformat() if latest else None,
    }


def _api_url(model, key, request) -> str | None:
    path = api_path(model, key)
    if path is None:
        return None
    return absolute(request, path)


_COLUMNS = (
    ("org", IntegerField()),
    ("type", CharField()),
    ("row", IntegerField()),
    ("kind", CharField()),
    ("role", CharField()),
    ("other_id", IntegerField()),
    ("other_slug", CharField()),
    ("other_name", CharField()),
    ("other_kind", CharField()),
    ("date_text", CharField()),
    ("date_edtf", CharField()),
    ("end_text", CharField()),
    ("end_edtf", CharField()),
    ("first", DateField()),
    ("last", DateField()),
    ("end_first", DateField()),
    ("end_last", DateField()),
)


def _listed(rows, **values) -> tuple[QuerySet, str]:
    """``rows`` as the union's columns (``_COLUMNS``): each named value an expression or a
    column; the ones not given are null. With the column naming their organization (``org``),
    which ``evidence_of`` narrows them by."""
    columns = {}
    for name, output in _COLUMNS:
        given = values.get(name)
        if given is None:
            columns[f"ev_{name}"] = Value(None, output_field=output)
        elif isinstance(given, str):
            columns[f"ev_{name}"] = F(given)
        else:
            columns[f"ev_{name}"] = given
    return rows.order_by().annotate(**columns).values_list(*columns), values["org"]


def _dated_by(prefix: str = "") -> dict:
    """The union's date columns of a row whose date is ``<prefix>date``."""
    return {
        "date_text": f"{prefix}date_text",
        "date_edtf": f"{prefix}date_edtf",
        "first": f"{prefix}date_earliest",
        "last": f"{prefix}date_latest",
    }


# The relation of an organization that holds each part of the evidence (``_evidence_rows``,
# in its order): a relation it is the subject of, one it is the object of, an event, a
# result, a registration decision.
EVIDENCE_OF = ("relations_from", "relations_to", "events", "results", "registrations")


def evidence_of(model, ids, public: bool = True, kinds=EVIDENCE_OF) -> dict[int, list[Evidence]]:
    """Every row that dates the organizations with ``ids``, by organization: one query, of
    the parts of the evidence named in ``kinds`` (``EVIDENCE_OF``: those the others are
    known to hold none of may be left out), or none."""
    found: dict[int, list[Evidence]] = {pk: [] for pk in ids}
    parts = [
        rows.filter(**{f"{by}__any_of": ids})
        for (rows, by), kind in zip(_evidence_rows(model, public), EVIDENCE_OF, strict=True)
        if kind in kinds
    ]
    if not ids or not parts:
        return found
    first, *rest = parts
    for row in first.union(*rest, all=True):
        org, type_, pk, kind, role = row[:5]
        other = row[5:9] if row[5] is not None else None
        found[org].append(
            Evidence(type_, pk, kind, role, other, row[9:11], row[11:13], *row[13:], public=public)
        )
    return found


# Built once per model and audience, then copied and narrowed to the organizations asked for:
# building the union's five parts (their joins, seventeen columns each) took some 10 ms of
# every organization's page and API record, whatever it held.
@functools.cache
def _evidence_rows(model, public: bool) -> tuple[tuple[QuerySet, str], ...]:
    """The union's parts (``_listed``), each with the column naming its organization."""
    s = _Sources(model, public)
    through = model._meta.get_field("events").remote_field.through
    dated = ~Q(date_edtf="")
    parts = [
        _listed(
            s.relations.filter(dated | ~Q(end_edtf=""), kind__in=sorted(RELATION_SHOWS)),
            org=f"{side}_id",
            type=Value("relation"),
            row="pk",
            kind="kind",
            role=Value(side),
            other_id=f"{other}_id",
            other_slug=f"{other}__slug",
            other_name=f"{other}__name",
            other_kind=f"{other}__kind",
            end_text="end_text",
            end_edtf="end_edtf",
            end_first="end_earliest",
            end_last="end_latest",
            **_dated_by(),
        )
        for side, other in (("subject", "object"), ("object", "subject"))
    ]
    parts.append(
        _listed(
            through.objects.filter(event__in=s.events.filter(dated).values("pk")),
            org="organization_id",
            type=Value("event"),
            row="event_id",
            kind="event__kind",
            other_id="event_id",
            other_slug="event__slug",
            other_name="event__title",
            other_kind="event__kind",
            **_dated_by("event__"),
        )
    )
    parts.append(
        _listed(
            s.results.exclude(election__date_edtf=""),
            org="organization_id",
            type=Value("result"),
            row="pk",
            kind="tier",
            other_id="election_id",
            other_slug="election__slug",
            other_name="election__name",
            other_kind="election__kind",
            **_dated_by("election__"),
        )
    )
    parts.append(
        _listed(
            s.registrations.filter(dated, decision__in=sorted(REGISTRATION_SHOWS)),
            org="organization_id",
            type=Value("registration"),
            row="pk",
            kind="decision",
            **_dated_by(),
        )
    )
    return tuple(parts)


@dataclass
class Bounds:
    """One end of an organization's life (its founding or its ending): the earliest and
    latest day it can have been, whether they are derived, and from which evidence."""

    earliest: datetime.date | None = None
    latest: datetime.date | None = None
    derived: bool = False
    evidence: list[Evidence] = field(default_factory=list)

    def as_dict(self, models: dict, request=None) -> dict:
        """As the API gives it (``models``: see ``evidence_models``)."""
        return {
            "earliest": self.earliest.isoformat() if self.earliest else None,
            "latest": self.latest.isoformat() if self.latest else None,
            "derived": self.derived,
            "evidence": [item.as_dict(models, request) for item in self.evidence],
        }


def evidence_models(model) -> dict:
    """The models evidence rows are, and link to, by name, reached from ``model``
    (Organization) by relation name."""
    related = {name: model._meta.get_field(name).related_model for name in BOUND_RELATIONS}
    return {
        "organization": model,
        "relation": related["relations_from"],
        "event": related["events"],
        "result": related["results"],
        "election": related["results"]._meta.get_field("election").related_model,
        "registration": related["registrations"],
    }


@dataclass
class Lifespan:
    founding: Bounds
    ending: Bounds


# The organization's own date that wins, whole, over the evidence, for each side.
_OWN_DATE = {"founding": "founded", "ending": "dissolved"}


def bounds_from(organization, evidence: list[Evidence]) -> dict[str, datetime.date | None]:
    """``BOUNDS`` of the organization read from its evidence (``evidence_of``) by the rules
    ``time_bounds`` gives the database: its own date where it has an EDTF value, else the
    latest earliest and the earliest latest day its evidence allows. The same values as the
    annotations, without their twenty correlated subqueries per organization."""
    found = {}
    for name in BOUNDS:
        side, end = name.split("_")
        own = _OWN_DATE[side]
        if getattr(organization, f"{own}_edtf"):
            found[name] = getattr(organization, f"{own}_{end}")
            continue
        values = [value for item in evidence if (value := item.bound(name)) is not None]
        found[name] = (max if end == "earliest" else min)(values, default=None)
    return found


def lifespan(organization, evidence: list[Evidence]) -> Lifespan:
    """The organization's founding and ending bounds (``BOUNDS``, annotated by
    ``time_bounds`` or read by ``bounds_from``), each with the evidence that gives its
    derived bounds."""
    ends = {}
    for side, own in _OWN_DATE.items():
        earliest = getattr(organization, f"{side}_earliest")
        latest = getattr(organization, f"{side}_latest")
        derived = not getattr(organization, f"{own}_edtf") and bool(earliest or latest)
        decisive = []
        if derived:
            decisive = [
                item
                for item in evidence
                if (earliest and item.bound(f"{side}_earliest") == earliest)
                or (latest and item.bound(f"{side}_latest") == latest)
            ]
            decisive.sort(key=lambda item: (item.first or item.end_first or _NO_LATEST, item.id))
        ends[side] = Bounds(earliest, latest, derived, decisive)
    return Lifespan(ends["founding"], ends["ending"])


def attach_lifespans(organizations: list, public: bool = True) -> None:
    """Keep each organization's ``Lifespan`` (``Organization.lifespan``), with the evidence
    of all of them fetched in one query, and its ``BOUNDS`` where the query did not annotate
    them (``with_time_bounds``, which filtering by them needs)."""
    if not organizations:
        return
    model = type(organizations[0])
    # The parts some organization may hold (``present``: all, unless asked and found empty).
    kinds = [kind for kind in EVIDENCE_OF if any(present(o, kind) for o in organizations)]
    evidence = evidence_of(model, [o.pk for o in organizations], public, kinds)
    for organization in organizations:
        rows = evidence[organization.pk]
        if not hasattr(organization, BOUNDS[0]):
            for name, value in bounds_from(organization, rows).items():
                setattr(organization, name, value)
        organization.keep_lifespan(lifespan(organization, rows))
