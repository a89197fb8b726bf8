"""Synthetic data shaped like the article's, for load tests (``manage.py seed_synthetic``).

The generator first measures the data already in the database (the article's, as
``load_article`` leaves it): how many rows each model has, how its kinds, statuses, tiers and
decisions are distributed, how often each optional field is filled, how precise its dates
are, how many citations back each field, how many participants an event has. It then adds
about N times as many rows of every model with the same proportions: organizations with names
over time, stances, membership figures, leaders and relations (a few "hub" organizations
collecting many of them); people with spelling variants (…aev / …ayev); places with former
names; elections with rounds and results per tier; acts with provisions and registration
decisions; events with their participants; and synthetic sources (books, newspapers, web
pages and articles with numbered footnotes) cited by every record and every filled factual
field, so that citation coverage stays complete.

Synthetic rows are recognisable: every slug starts with :data:`PREFIX`, and every other row
belongs to a record with such a slug (a name to its organization, a citation to its source).
:func:`remove` deletes exactly them.

Rows are inserted with ``bulk_create`` (no per-row ``save()``, no signals, so no history rows
and one data-version touch at the end), but hold what ``save()`` would have stored: status
published, version 1, timestamps, every uncertain date's earliest and latest day (computed by
the fields' own ``pre_save`` with :func:`kzpolitics.core.dates.bounds`) and ``record_published`` on
citations. No model keeps denormalised search text or a search index column of its own, so
there is nothing else to fill.

This module is shared code: it reaches the apps' models through ``apps.get_model`` only.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import hashlib
import itertools
import json
import math
import random
import re
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Q
from django.utils.text import slugify

from kzpolitics.core import dates
from kzpolitics.core.dates import UncertainDate, uncertain_dates
from kzpolitics.core.models import Status

PREFIX = "syn-"
DEFAULT_SEED = 1986
BATCH_SIZE = 2000
MAX_SCALE = 1000
HUB_NAME = "Democratic Party Birlik"
HUB_SLUG = PREFIX + slugify(HUB_NAME)
# The first synthetic person, whatever the scale or seed: the one with most roles and events,
# and a modern spelling of the name for variant-spelling searches.
HUB_PERSON = ("Serikbolsyn Tokhtarbaev", "Tokhtarbaev")
HUB_PERSON_SLUG = PREFIX + slugify(HUB_PERSON[0])
PERSON_VARIANT = "Tokhtarbayev"
FIRST_YEAR, LAST_YEAR = 1986, 2005

# Every model the article's data fills, in the order rows are created (parents first).
LABELS = (
    "kzpolitics.Source",
    "kzpolitics.Place",
    "kzpolitics.PlaceName",
    "kzpolitics.Person",
    "kzpolitics.PersonName",
    "parties.Organization",
    "parties.OrganizationName",
    "parties.Stance",
    "parties.MembershipFigure",
    "parties.Role",
    "parties.Relation",
    "elections.Election",
    "elections.Round",
    "elections.Result",
    "legislation.LegalAct",
    "legislation.Provision",
    "legislation.RegistrationDecision",
    "kzpolitics.Event",
    "kzpolitics.Citation",
)
# Many-to-many links, as (model label, field name): events and what took part in them.
LINKS = (
    ("kzpolitics.Event", "people"),
    ("parties.Organization", "events"),
    ("elections.Election", "events"),
    ("legislation.LegalAct", "events"),
)
# Records with a slug of their own; every other row belongs to one of these through a field.
OWN_SLUG = (
    "kzpolitics.Source",
    "kzpolitics.Place",
    "kzpolitics.Person",
    "kzpolitics.Event",
    "parties.Organization",
    "elections.Election",
    "legislation.LegalAct",
)
BELONGS_TO = {
    "kzpolitics.PlaceName": ("place",),
    "kzpolitics.PersonName": ("person",),
    "parties.OrganizationName": ("organization",),
    "parties.Stance": ("organization",),
    "parties.MembershipFigure": ("organization",),
    "parties.Role": ("person", "organization"),
    "parties.Relation": ("subject", "object"),
    "elections.Round": ("election",),
    "elections.Result": ("election", "organization", "person"),
    "legislation.Provision": ("act",),
    "legislation.RegistrationDecision": ("organization",),
}


def model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def synthetic_q(label: str) -> Q:
    """Which rows of a model are synthetic (for the models of :data:`LABELS` but Citation)."""
    if label in OWN_SLUG:
        return Q(slug__startswith=PREFIX)
    match = Q()
    for name in BELONGS_TO[label]:
        match |= Q(**{f"{name}__slug__startswith": PREFIX})
    return match


def synthetic_rows(label: str) -> models.QuerySet:
    """The synthetic rows of a model, Citation included, on the unrestricted manager."""
    manager = model(label)._base_manager
    if label != "kzpolitics.Citation":
        return manager.filter(synthetic_q(label))
    return manager.filter(_synthetic_citations_q())


def _synthetic_citations_q() -> Q:
    # A citation is synthetic if it cites a synthetic source or backs a synthetic record.
    match = Q(source__slug__startswith=PREFIX) | Q(via__slug__startswith=PREFIX)
    for label in LABELS:
        if label in ("kzpolitics.Source", "kzpolitics.Citation"):
            continue
        cited = model(label)
        content_type = ContentType.objects.get_for_model(cited)
        match |= Q(
            content_type=content_type,
            object_id__in=cited._base_manager.filter(synthetic_q(label)).values("pk"),
        )
    return match


def link_rows(label: str, name: str) -> models.QuerySet:
    """The synthetic rows of a many-to-many link: either end synthetic."""
    field_ = model(label)._meta.get_field(name)
    through = field_.remote_field.through
    own = field_.m2m_field_name()
    other = field_.m2m_reverse_field_name()
    return through._base_manager.filter(
        Q(**{f"{own}__slug__startswith": PREFIX}) | Q(**{f"{other}__slug__startswith": PREFIX})
    )


def link_label(label: str, name: str) -> str:
    return f"{label}.{name}"


def synthetic_counts() -> dict[str, int]:
    """How many synthetic rows each model (and link) holds now."""
    counts = {label: synthetic_rows(label).count() for label in LABELS}
    counts.update({link_label(*link): link_rows(*link).count() for link in LINKS})
    return counts


def remove() -> dict[str, int]:
    """Delete every synthetic row; return how many of each went.

    Rows are deleted in bulk, without per-row signals: Django's ``delete()`` would write a
    history row for each and touch the data version as often, and fetch every row to do so.
    References from other rows to synthetic ones are cleared first, as ``SET_NULL`` would.
    Call it inside a transaction; touch the data version afterwards.
    """
    _clear_references()
    removed: dict[str, int] = {}
    # Citations first, while the records they back still exist to be matched.
    removed["kzpolitics.Citation"] = _raw_delete(synthetic_rows("kzpolitics.Citation"))
    for link in LINKS:
        removed[link_label(*link)] = _raw_delete(link_rows(*link))
    for label in reversed(LABELS):
        if label != "kzpolitics.Citation":
            removed[label] = _raw_delete(synthetic_rows(label))
    return {key: removed[key] for key in (*LABELS, *(link_label(*link) for link in LINKS))}


def _raw_delete(queryset) -> int:
    # QuerySet._raw_delete is what Django's own fast deletes use: one DELETE, no signals.
    return queryset._raw_delete(queryset.db)


def _clear_references() -> None:
    """Where an article row points at a synthetic one through a SET_NULL key, clear it."""
    for label in LABELS:
        if label == "kzpolitics.Citation":
            continue
        owner = model(label)
        for fk in owner._meta.concrete_fields:
            if not fk.is_relation or fk.remote_field.on_delete is not models.SET_NULL:
                continue
            target = fk.related_model._meta.label
            if target not in LABELS:
                continue
            (
                owner._base_manager.exclude(synthetic_q(label))
                .filter(**{f"{fk.name}__in": synthetic_rows(target).values("pk")})
                .update(**{fk.name: None})
            )


def fingerprint() -> str:
    """A SHA-256 of every synthetic row's values, to compare two seedings.

    Ids are replaced by each row's position among the synthetic rows of its model (and
    content types by their model's label), so two databases seeded alike give the same
    fingerprint even when their ids differ. Timestamps are left out: they say when the rows
    were added.
    """
    positions: dict[str, dict[int, int]] = {}
    tables: dict[str, list] = {}
    content_types = {ct.pk: ct for ct in ContentType.objects.all()}
    ordered_labels = [label for label in LABELS if label != "kzpolitics.Citation"]
    for label in ordered_labels:
        positions[label] = {
            pk: index
            for index, pk in enumerate(
                synthetic_rows(label).order_by("pk").values_list("pk", flat=True)
            )
        }

    def ref(target_label: str, pk):
        if pk is None:
            return None
        found = positions.get(target_label, {}).get(pk)
        return [target_label, found] if found is not None else [target_label, "other", pk]

    for label in (*ordered_labels, "kzpolitics.Citation"):
        cls = model(label)
        columns = [
            f for f in cls._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")
        ]
        rows = []
        for values in (
            synthetic_rows(label).order_by("pk").values_list(*[f.attname for f in columns])
        ):
            row = {}
            for f, value in zip(columns, values, strict=True):
                if f.name == "content_type":
                    ct = content_types[value]
                    value = f"{ct.app_label}.{ct.model}"
                elif f.name == "object_id" and label == "kzpolitics.Citation":
                    value = ref(_label_of_content_type(row["content_type"]), value)
                elif f.is_relation:
                    value = ref(f.related_model._meta.label, value)
                row[f.name] = value
            rows.append(row)
        tables[label] = rows
    for link in LINKS:
        field_ = model(link[0])._meta.get_field(link[1])
        own, other = field_.m2m_column_name(), field_.m2m_reverse_name()
        pairs = link_rows(*link).values_list(own, other)
        tables[link_label(*link)] = sorted(
            [ref(link[0], a), ref(field_.related_model._meta.label, b)] for a, b in pairs
        )
    text = json.dumps(tables, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _label_of_content_type(app_model: str) -> str:
    return model(app_model)._meta.label


# -- What the article's data looks like --------------------------------------------------------


def edtf_form(value: str) -> str:
    """The precision of an EDTF value, as the date pool words them: day, month, season..."""
    if value.startswith("/") or value.endswith("/.."):
        return "open"
    if "/" in value:
        return "span"
    if value.endswith("~"):
        return "approx"
    if value.endswith("?"):
        return "uncertain"
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return "day"
    if re.fullmatch(r"\d{4}-4[01]", value):
        return "half"
    if re.fullmatch(r"\d{4}-2[1-4]", value):
        return "season"
    if re.fullmatch(r"\d{4}-\d\d", value):
        return "month"
    return "year"


@dataclass
class Profile:
    """The shape of the data already in the database, which the synthetic data copies."""

    counts: dict[str, int] = field(default_factory=dict)
    # (label, field) -> [(value, rows)], sorted by value
    choices: dict[tuple[str, str], list[tuple[str, int]]] = field(default_factory=dict)
    # (label, field or uncertain date) -> share of rows where it is filled
    rates: dict[tuple[str, str], float] = field(default_factory=dict)
    # (label, cited field or "" for the record) -> citations per record where it is filled
    citations_per: dict[tuple[str, str], float] = field(default_factory=dict)
    direct_share: float = 1.0  # citations citing an article directly, not via its footnote
    pages_share: float = 0.0  # of citations via a footnote, those giving pages
    quote_share: float = 1.0
    citation_note_share: float = 0.0
    date_forms: list[tuple[str, int]] = field(default_factory=list)
    event_links: dict[str, list[int]] = field(default_factory=dict)  # per-event counts

    @classmethod
    def measure(cls) -> Profile:
        profile = cls()
        cited_counts: Counter = Counter()
        citation_model = model("kzpolitics.Citation")
        article_citations = citation_model._base_manager.exclude(_synthetic_citations_q())
        for ct_id, name in article_citations.values_list("content_type_id", "field"):
            cited_counts[(ct_id, name)] += 1
        forms: Counter = Counter()
        for label in LABELS:
            cls_ = model(label)
            rows = (
                article_citations
                if label == "kzpolitics.Citation"
                else cls_._base_manager.exclude(synthetic_q(label))
            )
            total = rows.count()
            profile.counts[label] = total
            for f in cls_._meta.concrete_fields:
                if f.choices or f.name == "language":
                    tally = Counter(rows.values_list(f.attname, flat=True))
                    profile.choices[(label, f.name)] = sorted(tally.items())
            for name, filled in _fill_counts(cls_, rows).items():
                profile.rates[(label, name)] = filled / total if total else 0.0
            for declared in uncertain_dates(cls_):
                forms.update(
                    edtf_form(v)
                    for v in rows.exclude(**{f"{declared.name}_edtf": ""}).values_list(
                        f"{declared.name}_edtf", flat=True
                    )
                )
            if hasattr(cls_, "CITED_FIELDS") and total:
                ct_id = ContentType.objects.get_for_model(cls_).pk
                filled = Counter({"": total})
                for obj in rows.iterator():
                    filled.update(obj.filled_cited_fields())
                for name in ("", *cls_.CITED_FIELDS):
                    if filled[name]:
                        profile.citations_per[(label, name)] = (
                            cited_counts[(ct_id, name)] / filled[name]
                        )
        profile.date_forms = sorted(forms.items())
        total = article_citations.count()
        if total:
            direct = article_citations.filter(source__kind="article").count()
            profile.direct_share = direct / total
            indirect = article_citations.exclude(source__kind="article")
            if direct < total:
                profile.pages_share = indirect.exclude(pages="").count() / (total - direct)
            profile.quote_share = article_citations.exclude(quote="").count() / total
            profile.citation_note_share = article_citations.exclude(note="").count() / total
        for link in LINKS:
            article_links = link_rows(*link).model._base_manager.exclude(
                pk__in=link_rows(*link).values("pk")
            )
            profile.counts[link_label(*link)] = article_links.count()
        events = model("kzpolitics.Event")._base_manager.exclude(synthetic_q("kzpolitics.Event"))
        for name in ("organizations", "people", "elections", "acts"):
            profile.event_links[name] = sorted(
                events.annotate(n=Count(name)).values_list("n", flat=True)
            )
        return profile

    def weights(self, label: str, name: str) -> list[tuple[str, int]]:
        return self.choices.get((label, name), [])

    def rate(self, label: str, name: str) -> float:
        return self.rates.get((label, name), 0.0)


def _fill_counts(cls, rows) -> dict[str, int]:
    """Rows where each optional field is filled; uncertain dates by their name."""
    counts = {}
    for f in cls._meta.concrete_fields:
        if f.name in ("id", "created_at", "updated_at", "status", "version"):
            continue
        if isinstance(f, dates.DerivedDateField) or not (f.blank or f.null):
            continue
        empty = Q(**{f"{f.attname}__isnull": True})
        if isinstance(f, models.CharField | models.TextField):
            empty |= Q(**{f.attname: ""})
        counts[f.name] = rows.exclude(empty).count()
    for declared in uncertain_dates(cls):
        counts[declared.name] = counts.pop(f"{declared.name}_edtf", 0)
        counts.pop(f"{declared.name}_text", None)
    return counts


# -- Uncertain dates ---------------------------------------------------------------------------

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
SEASONS = (
    ("the spring of", 21),
    ("by the spring of", 21),
    ("the summer of", 22),
    ("the fall of", 23),
    ("the autumn of", 23),
    ("the winter of", 24),
)


@contextmanager
def remembered_bounds():
    """Remember :func:`kzpolitics.core.dates.bounds` per EDTF value while seeding.

    Parsing EDTF takes milliseconds, and every uncertain date column is derived from it on
    insert (``DerivedDateField.pre_save`` calls ``bounds``): for a hundred thousand rows the
    parsing alone would take minutes. The values come from a pool of a few hundred, and
    ``bounds`` is a pure function of its argument, so each is parsed once (and, as the
    answers are kept for the process, once for every run in it). The function is the
    project's own; only its answers are reused.
    """
    original = dates.bounds
    if original is not _remembered_bounds:
        dates.bounds = _remembered_bounds
    try:
        yield
    finally:
        dates.bounds = original


@functools.lru_cache(maxsize=4096)
def _remembered_bounds(value: str):
    return _original_bounds(value)


_original_bounds = dates.bounds


@dataclass(frozen=True)
class Dated:
    """One date of the pool: its wording, its EDTF value and the days it can mean."""

    text: str
    edtf: str
    form: str
    earliest: datetime.date | None
    latest: datetime.date | None

    @property
    def value(self) -> dict:
        return {"text": self.text, "edtf": self.edtf}

    @property
    def phrase(self) -> str:
        """The wording inside a sentence: “in May 1990”, “on 1 March, 1999”, “1999”."""
        text = self.text
        if text[:1].isupper() and not text[:1].isdigit() and text.split()[0] not in MONTHS:
            text = text[0].lower() + text[1:]
        if text[:1].isdigit() or text.split()[0] in MONTHS:
            return f"in {text}" if self.form != "day" else f"on {text}"
        return text


class DatePool:
    """A fixed set of dates between 1986 and 2005, worded as the article words them, in the
    proportions of precision (day, month, season, span...) the article's dates have."""

    def __init__(self, rng: random.Random, size: int, forms: list[tuple[str, int]]):
        self.rng = rng
        entries: dict[tuple[str, str], Dated] = {}
        for year in range(FIRST_YEAR, LAST_YEAR + 1):  # every year at least once
            text, edtf = self._year(year)
            entries[(text, edtf)] = self._dated(text, edtf, "year")
        weights = forms or [("month", 1)]
        names = [name for name, _ in weights]
        cum = list(itertools.accumulate(n for _, n in weights))
        for form in names:  # every precision the article uses at least a few times
            for _ in range(3):
                text, edtf = self._make(form)
                entries.setdefault((text, edtf), self._dated(text, edtf, form))
        attempts = 0
        while len(entries) < size and attempts < size * 20:
            attempts += 1
            form = rng.choices(names, cum_weights=cum)[0]
            text, edtf = self._make(form)
            entries.setdefault((text, edtf), self._dated(text, edtf, form))
        self.entries = sorted(entries.values(), key=self._key)
        self._lists: dict[tuple[str, ...], tuple[list[Dated], list[datetime.date]]] = {}

    @staticmethod
    def _key(d: Dated):
        return (d.earliest or datetime.date.min, d.latest or datetime.date.max, d.edtf, d.text)

    @staticmethod
    def _dated(text: str, edtf: str, form: str) -> Dated:
        earliest, latest = dates.bounds(edtf)
        return Dated(text, edtf, form, earliest, latest)

    def _year(self, year: int) -> tuple[str, str]:
        text = self.rng.choice((f"{year}", f"In {year}", f"in {year}", f"At that time [{year}]"))
        return text, f"{year}"

    def _make(self, form: str) -> tuple[str, str]:
        rng = self.rng
        year = rng.randint(FIRST_YEAR, LAST_YEAR)
        month = rng.randint(1, 12)
        name = MONTHS[month - 1]
        if form == "day":
            day = rng.randint(1, 28)
            text = rng.choice((f"On {day} {name}, {year}", f"{day} {name}, {year}"))
            return text, f"{year}-{month:02}-{day:02}"
        if form == "month":
            text = rng.choice(
                (
                    f"In {name} {year}",
                    f"in {name} {year}",
                    f"{name} {year}",
                    f"Late in {name} {year}",
                    f"Early in {name} {year}",
                    f"since {name} {year}",
                )
            )
            return text, f"{year}-{month:02}"
        if form == "half":
            if rng.random() < 0.6:
                return rng.choice((f"early in {year}", f"by early {year}")), f"{year}-40"
            return rng.choice((f"late in {year}", f"in the second half of {year}")), f"{year}-41"
        if form == "season":
            words, code = rng.choice(SEASONS)
            return f"{words} {year}", f"{year}-{code}"
        if form == "approx":
            if rng.random() < 0.6:
                return rng.choice((f"by mid-{year}", f"in mid-{year}")), f"{year}-06~"
            return f"about {name} {year}", f"{year}-{month:02}~"
        if form == "uncertain":
            return f"probably in {name} {year}", f"{year}-{month:02}?"
        if form == "span":
            year = min(year, LAST_YEAR - 1)
            choice = rng.randint(0, 2)
            if choice == 0:
                return f"In {year}-{year + 1}", f"{year}/{year + 1}"
            if choice == 1:
                return f"In late {year}-early {year + 1}", f"{year}-10/{year + 1}-03"
            month = min(month, 11)
            return (
                f"in {name} and {MONTHS[month]} [{year}]",
                f"{year}-{month:02}/{year}-{month + 1:02}",
            )
        if form == "open":
            if rng.random() < 0.5:
                return f"After {name} {year}", f"{year}-{month:02}/.."
            return f"By the fall of {year}", f"/{year}-23"
        return self._year(year)

    def _candidates(self, forms: tuple[str, ...]):
        if forms not in self._lists:
            chosen = [d for d in self.entries if not forms or d.form in forms]
            if not chosen:
                chosen = list(self.entries)
            self._lists[forms] = (chosen, [d.earliest or datetime.date.min for d in chosen])
        return self._lists[forms]

    def pick(
        self,
        *,
        after=None,
        lo: datetime.date | None = None,
        hi: datetime.date | None = None,
        forms: tuple[str, ...] = (),
    ) -> Dated | None:
        """A date of the pool, at random: of one of ``forms`` if given, starting after the
        last day of ``after`` (a date of the pool or a record's uncertain date) and between
        ``lo`` and ``hi``; None if there is none."""
        chosen, keys = self._candidates(forms)
        if after is not None:
            if after.latest is None:
                return None
            start = after.latest + datetime.timedelta(days=1)
            lo = max(lo, start) if lo else start
        first = bisect.bisect_left(keys, lo) if lo else 0
        last = bisect.bisect_right(keys, hi) if hi else len(keys)
        if lo is not None or hi is not None:
            # An open start (“by the fall of 1998”) cannot be said to fall in a range.
            while first < last and chosen[first].earliest is None:
                first += 1
        if first >= last:
            return None
        return chosen[self.rng.randrange(first, last)]


# -- Words -------------------------------------------------------------------------------------

# Kazakh toponyms are built from a head and a tail, each with its meaning (Karatau, Black
# Mountain), so places have translations; Russian-style ones stand for Soviet-era names.
TOPONYM_HEADS = (
    ("Ak", "White"),
    ("Kara", "Black"),
    ("Kok", "Blue"),
    ("Sary", "Yellow"),
    ("Kyzyl", "Red"),
    ("Zhana", "New"),
    ("Ulken", "Great"),
    ("Bes", "Five"),
    ("Zhar", "Steep"),
    ("Kos", "Twin"),
    ("Tas", "Stone"),
    ("Alty", "Six"),
    ("Ush", "Three"),
    ("Bayan", "Rich"),
    ("Kumis", "Silver"),
    ("Altyn", "Golden"),
    ("Zhasyl", "Green"),
    ("Temir", "Iron"),
)
TOPONYM_TAILS = (
    ("kol", "Lake"),
    ("tau", "Mountain"),
    ("bulak", "Spring"),
    ("su", "Water"),
    ("tobe", "Hill"),
    ("kum", "Sands"),
    ("sai", "Ravine"),
    ("agash", "Tree"),
    ("ozek", "Valley"),
    ("kuduk", "Well"),
    ("bastau", "Source"),
    ("zhar", "Cliff"),
    ("dala", "Steppe"),
    ("tal", "Willow"),
    ("oba", "Mound"),
    ("kent", "Town"),
    ("aryk", "Canal"),
)
RUSSIAN_PLACE_HEADS = (
    "Aleksandr",
    "Ivan",
    "Petr",
    "Mikhail",
    "Nikol",
    "Semen",
    "Konstantin",
    "Vladimir",
    "Georgi",
    "Pavl",
    "Fedor",
    "Andre",
    "Dmitri",
    "Vasil",
    "Ekaterin",
    "Uspen",
)
RUSSIAN_PLACE_TAILS = ("ovka", "ovsk", "ograd", "opol", "ovskoe", "ovo")
PLACE_FORMS = {
    "country": "Republic of {t}",
    "republic": "{t} Autonomous Republic",
    "region": "{t} Region",
    "lake": "Lake {t}",
    "sea": "{t} Sea",
    "test_site": "{t} Test Site",
    "area": "{t} District",
}
PLACE_TIERS = {"country": 0, "republic": 0, "region": 1, "area": 1, "sea": 1, "lake": 1}

MALE_NAMES = (
    "Yerlan",
    "Bolat",
    "Daulet",
    "Serik",
    "Zhenis",
    "Baurzhan",
    "Talgat",
    "Galymzhan",
    "Kuanysh",
    "Marat",
    "Mukhtar",
    "Serikbolsyn",
    "Altynbek",
    "Bulat",
    "Yermukhamet",
    "Amangeldy",
    "Tolen",
    "Nurlan",
    "Kairat",
    "Askar",
    "Gaziz",
    "Erlan",
    "Sabit",
    "Zhasaral",
    "Petr",
    "Vladimir",
    "Sergey",
    "Aleksandr",
    "Mikhail",
    "Nikolai",
    "Dmitriy",
    "Yuriy",
    "Viktor",
    "Anatoliy",
    "Dos",
    "Seitkazy",
    "Orazaly",
    "Rakhat",
)
FEMALE_NAMES = (
    "Gaukhar",
    "Zhanar",
    "Gulnara",
    "Aigul",
    "Saule",
    "Bakhyt",
    "Tatiana",
    "Elena",
    "Natalia",
    "Irina",
    "Raushan",
    "Zamira",
    "Svetlana",
    "Maira",
)
# Stems taking -aev or -ekov: Tokhtarbaev (variant Tokhtarbayev), Tokhtarbekov.
B_STEMS = (
    "Tokhtarb",
    "Sarsenb",
    "Zhumab",
    "Temirb",
    "Kuanyshb",
    "Dzhaksyb",
    "Yessenb",
    "Baimenb",
    "Sultanb",
    "Omarb",
    "Sagynb",
    "Turysb",
    "Zhanib",
    "Mukhametb",
    "Seitb",
    "Kenzheb",
    "Aitb",
    "Duisenb",
    "Kazyb",
    "Kaliib",
)
OTHER_SURNAMES = (
    "Kasymov",
    "Iskakov",
    "Nurlanov",
    "Mukhtarov",
    "Abenov",
    "Baigaliev",
    "Sadykov",
    "Tulegenov",
    "Zhunusov",
    "Khamitov",
    "Abdildin",
    "Akataev",
    "Kozhakhmetov",
    "Dzhandarbekov",
    "Zhukeev",
    "Grishchenko",
    "Fedoseev",
    "Sergeev",
    "Alekseev",
    "Matveev",
    "Grigoriev",
    "Kozlov",
    "Kuznetsov",
    "Belov",
    "Vasiliev",
    "Lebedev",
    "Fedorov",
    "Zaitsev",
    "Morozov",
    "Bondarenko",
    "Moiseev",
    "Kovalev",
    "Shevchenko",
    "Dementiev",
    "Kireev",
)
OCCUPATIONS = (
    "a lawyer",
    "an economist",
    "a writer",
    "a poet",
    "a journalist",
    "a historian",
    "an engineer",
    "a physician",
    "a schoolteacher",
    "a former Komsomol official",
    "a businessman",
    "an agronomist",
    "a former minister",
    "a trade union activist",
    "a physicist",
    "a film director",
    "a former Communist Party functionary",
    "a banker",
)
CAREERS = (
    "who chaired a party in the 1990s",
    "who co-founded a movement and later sat in the Majilis",
    "who headed a regional akimat before turning to the opposition",
    "who led a public association defending the rights of its members",
    "who was elected to the Supreme Soviet in 1990",
    "whose party was denied registration in the mid-1990s",
    "who backed the President's course and joined a pro-presidential party",
    "who ran for president and received a small share of the votes",
    "who organized rallies against the nuclear tests",
    "who edited an opposition newspaper until it was closed",
)
# Editorial remarks of the kind the article's records carry, by the kind of record.
NOTES = {
    "": (
        "Recorded as the source words it; its wording is vague.",
        "The sources disagree on the details; the version of the most detailed one is recorded.",
        "The source gives no exact date.",
    ),
    "kzpolitics.Place": (
        "Renamed after independence; the sources use both names.",
        "The source names it only in passing.",
    ),
    "kzpolitics.Person": (
        "The sources give neither the first name nor the office.",
        "The name is spelled differently in the newspapers of the time.",
        "Not to be confused with a namesake in the same party.",
    ),
    "names": (
        "The name is spelled differently in the newspapers of the time.",
        "Common modern transliteration; the sources write it otherwise.",
        "As printed in the source.",
    ),
    "parties.Organization": (
        "Not to be confused with a later organization of a similar name.",
        "The record's name is descriptive; the sources give no separate title.",
        "The founding date is read from the context.",
        "The sources disagree on the year of its founding; the earlier one is recorded.",
    ),
    "parties.Role": (
        "The source does not say when the post was taken.",
        "The title is as the source words it.",
    ),
    "parties.Relation": (
        "The source says “on the basis of”; recorded as based on.",
        "The date of the link is the founding date of the organization.",
    ),
    "elections.Election": (
        "The source gives no exact date.",
        "Results are given for the party lists only; the total number of seats is not stated.",
    ),
    "elections.Result": (
        "The source gives no total number of seats.",
        "The figure is the official one; the opposition disputed it.",
    ),
    "legislation.LegalAct": (
        "The title is editorial; the source describes the act but gives it no name.",
        "The source gives the year only.",
    ),
    "legislation.RegistrationDecision": (
        "It had to show the number of members the law required.",
        "The decision was appealed in court.",
        "The source does not name the body that decided.",
    ),
    "kzpolitics.Event": (
        "The source gives no exact date.",
        "The place is read from the context.",
    ),
}
NAME_LABELS = ("kzpolitics.PlaceName", "kzpolitics.PersonName", "parties.OrganizationName")

# Kazakh and Russian words that name organizations, with their meaning.
ORG_WORDS = (
    ("Azat", "Free", "kk"),
    ("Alash", "Alash", "kk"),
    ("Ak Zhol", "Bright Path", "kk"),
    ("Akikat", "the Truth", "kk"),
    ("Adilet", "Justice", "kk"),
    ("Azamat", "Citizen", "kk"),
    ("Zheltoksan", "December", "kk"),
    ("Otan", "Fatherland", "kk"),
    ("Birlik", "Unity", "kk"),
    ("Tabigat", "Nature", "kk"),
    ("Nur", "Light", "kk"),
    ("Auyl", "Village", "kk"),
    ("Yntymak", "Concord", "kk"),
    ("Zhas Otan", "Young Fatherland", "kk"),
    ("Atameken", "Homeland", "kk"),
    ("Umit", "Hope", "kk"),
    ("Erkindik", "Freedom", "kk"),
    ("Tugan Zher", "Native Land", "kk"),
    ("Zhana Dauir", "New Era", "kk"),
    ("Azattyk", "Liberty", "kk"),
    ("Bolashak", "Future", "kk"),
    ("Zhiger", "Energy", "kk"),
    ("Namys", "Honour", "kk"),
    ("Zhuldyz", "Star", "kk"),
    ("Asar", "All Together", "kk"),
    ("Zheruyk", "Promised Land", "kk"),
    ("Shanyrak", "Hearth", "kk"),
    ("Lad", "Harmony", "ru"),
    ("Yedinstvo", "Unity", "ru"),
    ("Vozrozhdenie", "Revival", "ru"),
    ("Sodruzhestvo", "Commonwealth", "ru"),
    ("Rodina", "Motherland", "ru"),
    ("Soglasie", "Accord", "ru"),
    ("Nadezhda", "Hope", "ru"),
)
ADJECTIVES = (
    "Democratic",
    "Republican",
    "People's",
    "National",
    "Social Democratic",
    "Agrarian",
    "Liberal",
    "Civilian",
    "Patriotic",
    "Green",
    "Socialist",
    "Labour",
    "Progressive",
    "Independent",
    "Popular",
    "National-Democratic",
    "Constitutional",
    "Industrial",
)
CAUSES = (
    "Revival",
    "Justice",
    "Unity",
    "Progress",
    "Peace",
    "Accord",
    "Patriots",
    "Renewal",
    "Reforms",
    "Democratic Choice",
    "Free Labour",
    "the Native Language",
)
GROUPS = (
    "Industrialists and Businessmen",
    "Young Builders",
    "Veterans",
    "Farmers",
    "Teachers",
    "Lawyers",
    "Miners",
    "Women",
    "Students",
    "Journalists",
    "Pensioners",
    "Entrepreneurs",
    "Writers",
    "Oil Workers",
    "Cossacks",
    "Slavs",
    "Uighurs",
    "Koreans",
    "Germans",
)
ORG_FORMS = {
    "party": (
        "{a} Party of Kazakhstan",
        "{a} Party {w}",
        "{w} {a} Party",
        "Party of {c} of Kazakhstan",
        "{a} Party of the {r}",
        "People's Party {w}",
        "{a} People's Party of Kazakhstan",
    ),
    "movement": (
        "{w} Movement",
        "{a} Movement of Kazakhstan",
        "Civilian Movement {w}",
        "Movement for {c}",
        "{t} Movement {w}",
    ),
    "public_organization": (
        "{t} Popular Front",
        "{w} Public Association",
        "Public Association {w} of the {r}",
        "Republican Staff in Support of {c}",
    ),
    "society": ("{w} Society", "Society for {c}", "{t} {a} Society"),
    "club": ("{w} Club", "{a} Club of {t}", "Discussion Club {w}"),
    "committee": ("Committee for {c}", "{t} Strike Committee", "{a} Committee {w}"),
    "union": (
        "People's Union of {c}",
        "Union of {g} of Kazakhstan",
        "{w} Union of the {r}",
    ),
    "association": ("Association of {g}", "{t} Association of {g}", "{a} Association {w}"),
    "bloc": ("Bloc of {a} Forces", "{w} Bloc", "Coalition {w}", "Forum of {a} Forces"),
    "trade_union": ("Independent Trade Union of {g}", "{t} Trade Union {w}"),
    "state_body": (
        "Ministry of Justice of the {r}",
        "Supreme Soviet of the {r}",
        "{r} Maslikhat",
        "{r} Court",
        "Electoral Commission of the {r}",
        "{t} City Akimat",
    ),
    "foreign_body": ("Embassy of the {k}", "OSCE Office in {t}", "{t} Helsinki Committee"),
    "other": ("{t} Initiative Group", "Newspaper {w}", "{w} Foundation"),
}
SMALL_WORDS = {"of", "the", "for", "and", "in", "in support of"}
GOALS = (
    "defending the rights of {g}",
    "reviving the Kazakh language and culture",
    "protecting the environment of the {r}",
    "a market economy with social guarantees",
    "equal rights for all the peoples of Kazakhstan",
    "rehabilitating the victims of the repressions",
    "a parliamentary republic",
    "supporting the President's reforms",
    "private ownership of land",
    "closing the nuclear test site",
    "dual citizenship for the Russians of Kazakhstan",
    "fighting corruption in the state apparatus",
    "independent trade unions",
    "free elections of the akims",
)
IDEOLOGIES = (
    "Social democratic.",
    "Liberal and pro-market.",
    "National-patriotic.",
    "Communist.",
    "Centrist and pro-presidential.",
    "Eurasianist.",
    "Green.",
    "Agrarian.",
    "Conservative.",
    "National-democratic.",
)
SOCIAL_BASES = (
    "Mainly {g} of the {r}.",
    "Kazakh-speaking intelligentsia.",
    "Russian-speaking workers of the northern regions.",
    "Young people and students of {t}.",
    "Farmers and agricultural workers.",
    "Entrepreneurs and managers of state enterprises.",
    "Mainly {g}.",
)
FATES = (
    "it later joined a pro-presidential bloc",
    "it was denied registration in the mid-1990s",
    "it merged into a larger party in 1999",
    "it was re-registered under the 2002 law",
    "it lost ground after the 1999 elections",
    "its leaders were prosecuted and it went underground",
    "it split over its attitude to the President",
    "it won seats in the Majilis",
)
STANCE_WORDS = {
    "pro_presidential": (
        "a political instrument of the country's leaders",
        "pro-presidential",
        "pro-governmental",
        "supported the President's course",
    ),
    "opposition": (
        "strictly oppositional",
        "a powerful opposition movement",
        "openly oppositional",
        "critical of power from the very beginning",
    ),
    "moderate_opposition": ("moderately oppositional", "a moderate opposition"),
    "constructive_opposition": ("in constructive opposition", "a constructive opposition"),
}
ROLE_TITLES = {
    "leader": ("leader", "head", "ideological and political leader"),
    "chair": ("chairman", "chairman of the political council", "temporary chairman"),
    "co_chair": ("co-chairman", "one of the three co-chairmen"),
    "deputy": ("deputy chairman",),
    "member": ("member of the political council", "member"),
    "founder": ("founder", "one of the founders"),
    "office": (
        "President",
        "prime minister",
        "akim (head) of the {r}",
        "Minister of Justice",
        "Foreign Minister",
        "Speaker of the Senate",
        "State Secretary",
    ),
    "other": ("head of the party's election list", "press secretary", "ideologist"),
}
RELATION_PHRASES = {
    "split_from": "split from",
    "merged_into": "joined",
    "based_on": "was formed on the basis of",
    "renamed_to": "was renamed",
    "founded_by": "was set up by",
    "member_of": "joined the bloc",
    "branch_of": "was a branch of",
    "set_up_to_counter": "was set up to counter",
}
ACT_TOPICS = (
    "Public Associations",
    "Political Parties",
    "Elections",
    "Freedom of Conscience and Religious Associations",
    "the Mass Media",
    "Local Government",
    "Trade Unions",
    "Languages",
    "the State Sovereignty of the Republic",
    "Non-Governmental Organizations",
    "Public Meetings, Rallies and Demonstrations",
    "National Security",
    "Citizenship",
    "Referendums",
    "the Procedure for Registering Public Associations",
)
ACT_FORMS = {
    "constitution": "Constitution of the Republic ({y})",
    "constitutional_amendment": "Amendments to the Constitution ({y})",
    "law": "Law on {topic} ({y})",
    "declaration": "Declaration on {topic}",
    "decision": "Decision on {topic} ({y})",
    "decree": "Decree on {topic} ({y})",
    "address": "Address of the President to the People ({y})",
    "other": "Regulation on {topic} ({y})",
}
ACT_EFFECTS = (
    "Laid down the rules on {topic}.",
    "Stipulated the right of parties and other public organizations to take part in public "
    "activities.",
    "Banned organizations aiming to change the constitutional order by force.",
    "Raised the number of members a party needs to be registered.",
    "Required every existing association to re-register within a year.",
    "Forbade foreign funding of political parties.",
    "Guaranteed all public and political organizations equal legal opportunities.",
)
# Provisions by the kind of requirement they set: (summary, the words quoted), with {v} for
# the figure where there is one.
PROVISIONS = {
    "min_members": (
        (
            "Number of members needed to register a political party: {v:,}.",
            "no fewer than {v:,} members",
        ),
    ),
    "min_members_per_region": (
        (
            "Regional cells with no fewer than {v:,} members each.",
            "regional cells with no fewer than {v:,} members in each region",
        ),
    ),
    "other": (
        (
            "A party may be liquidated if it misses {v} successive election campaigns.",
            "if it missed {v} successive election campaigns",
        ),
        (
            "Deadline for requests for re-registration: {v} months.",
            "within {v} months of the law's coming into force",
        ),
        (
            "To be registered, a party must submit a personal list of its members.",
            "a personal list of its members",
        ),
    ),
    "": (
        (
            "Parties may not receive money from foreign states or religious organizations.",
            "political parties have no right to receive money from foreign states",
        ),
        ("The president cannot be a party member.", "shall not be a member of a party"),
        (
            "Bans parties that work toward the use of force to change the constitutional order.",
            "aimed at the use of force to change the constitutional order",
        ),
        (
            "Members of the armed forces and judges may not join parties.",
            "servicemen and judges may not be members of parties",
        ),
    ),
}
REQUIREMENT_VALUES = {
    "min_members": (3000, 10000, 50000),
    "min_members_per_region": (100, 300, 700),
    "other": (2, 3, 6),
}
EVENT_FORMS = {
    "protest": ("Rally in {t} against {issue}", "Hunger strike of the {o} in {t}"),
    "congress": ("Constituent congress of the {o}", "Congress of the {o} in {t}"),
    "statement": ("Statement of the {o} on {issue}", "{p} criticizes {issue}"),
    "announcement": ("The {o} declares itself in opposition", "{p} announces a new party"),
    "founding": ("Founding of the {o}",),
    "registration": ("The {o} is registered by the Ministry of Justice",),
    "coup": ("Attempted putsch in {t}",),
    "election": ("Election campaign of the {o} in {t}",),
    "legislation": ("Debate on a new law on {issue}",),
    "other": ("{p} becomes chairman of the {o}", "Split in the {o}", "The {o} loses ground"),
}
ISSUES = (
    "the nuclear tests",
    "the price rises",
    "the new language law",
    "the pre-term elections",
    "the ban on rallies",
    "the closure of newspapers",
    "the privatization of land",
    "the arrest of opposition leaders",
)
DEMANDS = (
    "free elections of the akims",
    "a new law on political parties",
    "the release of political prisoners",
    "an end to the nuclear tests",
    "the registration of opposition parties",
    "a round table with the authorities",
)
SOURCE_BOOK_TITLES = (
    "Obshchestvennye organizatsii v Kazakhstane ({y1}-{y2})",
    "Politicheskie partii Kazakhstana, {y} god",
    "Mnogopartiinost' v Kazakhstane",
    "Vybory v Kazakhstane: {y}",
    "Oppozitsiia i vlast' v Kazakhstane",
    "Partiinaia sistema Respubliki Kazakhstan",
    "Natsional'nye dvizheniia v Kazakhstane",
    "Istoriia politicheskikh partii Kazakhstana",
)
SOURCE_VOLUME_TITLES = (
    "Political Organization in Central Asia. Sources and Documents",
    "Parties and Elections in Kazakhstan, {y1}-{y2}",
    "Civil Society in Central Asia",
    "Power and Opposition in Post-Soviet Kazakhstan",
)
NEWSPAPERS = (
    "Kazakhstanskaia pravda",
    "Delovaia nedelia",
    "Nezavisimaia gazeta",
    "Karavan",
    "Panorama",
    "Ekspress K",
    "Egemen Kazakhstan",
    "Respublika",
    "Vremia",
    "Sovety Kazakhstana",
)
JOURNALS = (
    "Mysl",
    "Partiinaia zhizn Kazakhstana",
    "Tsentral'naia Aziia i Kavkaz",
    "Central Asian Survey",
    "Saiasat",
    "Kazakhstan-Spektr",
)
JOURNAL_TITLES = (
    "K chemu prishli i k chemu idem?",
    "Partii i vlast'",
    "Oppozitsiia v poiskakh edinstva",
    "Kuda idet mnogopartiinost'?",
    "Politicheskii spektr Kazakhstana",
)
WEB_SITES = (
    ("centrasia.ru", "newsA.php4?st={n}"),
    ("navi.kz", "articles/?artid={n}"),
    ("gazeta.kg", "print.php?I={n}"),
    ("novopol.ru", "material{n}.html"),
    ("zona.kz", "index.php?art={n}"),
    ("kub.kz", "article.php?sid={n}"),
    ("respublika.kz", "index.php?art={n}"),
)
PUBLISHERS = ("Glagol Publishers", "Nauka", "Kazakhstan Publishers", "Atamura", "Gylym")
PUBLISHING_PLACES = ("Alma Ata", "Almaty", "Moscow", "Astana", "London")
ARTICLE_TITLES = (
    "Kazakhstan: How its party system took shape",
    "Parties and power in Kazakhstan after independence",
    "The opposition in Kazakhstan in the 1990s",
    "Elections and parties in Kazakhstan, 1994-2004",
    "From the Popular Front to Otan",
    "The {r}: politics in the provinces",
    "Kazakhstan's public organizations between perestroika and independence",
)
ARTICLE_SECTIONS = (
    "Introduction",
    "The Perestroika Years",
    "Independence and the First Parties",
    "The 1995 Constitution",
    "Pre-term Elections",
    "The Law on Political Parties",
    "The Opposition",
    "Conclusion",
)
SOURCE_NOTES = (
    "“Op. cit.” in a later footnote resolved to this work.",
    "Cited in a later footnote as “Ibid.”.",
    "The address is as the footnote prints it; the page is no longer online.",
    "The footnote gives no page.",
)

# Transliterations that differ (the first rule that applies is used). The first group can
# only match Kazakh or Russian words, so it may be applied to a name mixing them with English
# ("Zheltoksan Movement"); the second would also change English words ("Koreans").
VARIANT_RULES = (
    ("Kazakhstan", "Qazaqstan"),
    ("aev", "ayev"),
    ("iev", "iyev"),
    ("eev", "eyev"),
    ("ianov", "iyanov"),
    ("Dzh", "J"),
    ("Zh", "J"),
    ("zh", "j"),
    ("Kh", "H"),
    ("kh", "h"),
    ("Yed", "Ed"),
)
NAME_ONLY_RULES = (
    ("ey", "ei"),
    ("iy", "i"),
    ("Ka", "Qa"),
    ("Ko", "Qo"),
    ("Ky", "Qy"),
)


def variant_spelling(text: str, *, english: bool = False) -> str | None:
    """Another common spelling of a transliterated name (Nazarbaev -> Nazarbayev, Zheltoksan
    -> Jeltoksan), or None when no rule applies. ``english``: the text has English words too,
    which must stay as they are."""
    for old, new in VARIANT_RULES if english else (*VARIANT_RULES, *NAME_ONLY_RULES):
        if old in text:
            return text.replace(old, new)
    return None


def acronym(name: str) -> str:
    words = [w for w in re.split(r"[\s-]+", name) if w and w.lower() not in SMALL_WORDS]
    letters = "".join(w[0] for w in words if w[0].isupper())
    return letters if len(letters) >= 2 else ""


def first_sentence(text: str, limit: int = 300) -> str:
    sentence = re.split(r"(?<=[.;])\s", text, maxsplit=1)[0].rstrip(".;")
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rsplit(" ", 1)[0] + "…"
    return sentence


def plain_date(dated: Dated) -> str:
    """“10 January 1999”, “May 1999” or “1999”, for a name or title."""
    day = dated.earliest
    if day is None:
        return dated.text
    if dated.form == "day":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if dated.form == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return str(day.year)


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def harmonic(n: int) -> float:
    return sum(1 / (i + 1) for i in range(n))


def apportion(weights: list[tuple[object, float]], n: int) -> list[int]:
    """Split n into whole parts in proportion to the weights (largest remainders)."""
    total = sum(w for _, w in weights)
    if n <= 0 or total <= 0:
        return [0] * len(weights)
    quotas = [n * w / total for _, w in weights]
    parts = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[: n - sum(parts)]:
        parts[i] += 1
    return parts


# -- The generator -----------------------------------------------------------------------------

# The first elections of each kind that parties could fight: the Supreme Soviet of 1990
# (recorded as municipal and regional councils), the presidency from 1991, the Majilis from 1995.
ELECTIONS_SINCE = {
    "municipal": datetime.date(1990, 1, 1),
    "presidential": datetime.date(1991, 1, 1),
    "majilis": datetime.date(1995, 1, 1),
}
# An organization's optional fields, filled in the proportions the article fills them.
ORGANIZATION_FILLS = (
    "founded",
    "dissolved",
    "founding_place",
    "aims",
    "ideology",
    "social_base",
    "summary",
    "note",
)
# How the article's variants name a body by its Kazakh word (“Asar Party”, “Azamat Movement”).
KIND_NOUNS = {
    "party": "Party",
    "movement": "Movement",
    "public_organization": "Public Association",
    "society": "Society",
    "club": "Club",
    "committee": "Committee",
    "union": "Union",
    "association": "Association",
    "bloc": "Bloc",
    "trade_union": "Trade Union",
}
# Word by word, enough to render a synthetic name in Russian (a translation when the name
# holds no Kazakh or Russian word to translate).
RUSSIAN_WORDS = {
    "Democratic": "Demokraticheskaia",
    "Republican": "Respublikanskaia",
    "People's": "Narodnaia",
    "National": "Natsional'naia",
    "Party": "Partiia",
    "Movement": "Dvizhenie",
    "Union": "Soiuz",
    "Society": "Obshchestvo",
    "Association": "Assotsiatsiia",
    "Committee": "Komitet",
    "Bloc": "Blok",
    "Club": "Klub",
    "Forces": "Sil",
    "of": "",
    "the": "",
    "for": "za",
    "Kazakhstan": "Kazakhstana",
    "Region": "oblasti",
}


@dataclass
class Toponym:
    """A synthetic place name with what its other names are made from."""

    name: str
    meaning: str = ""
    soviet: str = ""
    hyphenated: str = ""


@dataclass
class OrgNaming:
    """An organization's name and the Kazakh or Russian word in it, if any: (word, meaning,
    language), from which its short name and translation are made."""

    name: str
    word: tuple[str, str, str] | None = None


@dataclass
class Article:
    """A synthetic article-kind source, with the works its footnotes name."""

    source: object
    sections: list[str]
    footnote_sources: list[tuple[object, list[int]]] = field(default_factory=list)
    cum: list[float] = field(default_factory=list)


@dataclass
class CitedRecord:
    """A synthetic record waiting for its citations: which fields, quoting what, from where."""

    obj: object
    label: str
    ct_id: int
    fields: list[tuple[str, str]]  # (cited field or "", the words a citation quotes)
    home: int  # index of the article that describes it
    weight: float = 1.0  # hubs draw more citations


@dataclass
class Report:
    """What a run added, and where to look at it."""

    counts: dict[str, int]
    article_counts: dict[str, int]
    hub_slug: str = ""
    busiest_source: str = ""
    person_variant: tuple[str, str] | None = None  # (variant spelling, person slug)
    organization_variant: tuple[str, str] | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # time taken per step


class Seeder:
    """Adds ``scale`` times the profile's rows, drawn reproducibly from ``seed``.

    Every row is published, whatever the article's mix of statuses (it has only published
    records): drafts are hidden from the public pages a load test measures. Synthetic rows
    refer to synthetic rows only, so removing them leaves the article's data as it was.
    """

    def __init__(self, profile: Profile, scale: float, seed: int):
        self.profile = profile
        self.rng = random.Random(seed)
        self.target = {label: int(n * scale + 0.5) for label, n in profile.counts.items()}
        self.counts: dict[str, int] = defaultdict(int)
        self.slugs: dict[str, set[str]] = defaultdict(set)
        self.slug_next: dict[tuple[str, str], int] = {}
        self.cited: list[CitedRecord] = []
        self.content_types: dict[str, int] = {}
        self.report = Report({}, dict(profile.counts))
        # Enough distinct dates to look varied, few enough to parse quickly (see
        # remembered_bounds): a few hundred at most.
        started = time.perf_counter()
        pool_size = max(80, min(300, int(40 * scale)))
        self.dates = DatePool(self.rng, pool_size, profile.date_forms)
        self.report.seconds["dates"] = time.perf_counter() - started

    # -- helpers -------------------------------------------------------------------------------

    def deal(self, label: str, name: str, n: int, default=()) -> list:
        """n values of a choice field, in the article's proportions, shuffled."""
        weights = self.profile.weights(label, name) or [(v, 1) for v in default]
        return self.deal_weights(weights, n)

    def flags(self, label: str, name: str, n: int) -> list[bool]:
        """For n rows, whether to fill a field, in the proportion the article fills it."""
        rate = self.profile.rate(label, name)
        return self.deal_weights([(True, rate), (False, 1 - rate)], n)

    def deal_weights(self, weights: list[tuple[object, float]], n: int) -> list:
        """n values in exactly these proportions (as near as whole numbers go), shuffled."""
        values = []
        for (value, _), part in zip(weights, apportion(weights, n), strict=True):
            values.extend([value] * part)
        self.rng.shuffle(values)
        return values

    def spread(self, n: int, weights: list[float]) -> list[int]:
        """n picks among parents with these weights, sorted so a parent's rows are together."""
        if not weights or n <= 0:
            return []
        cum = list(itertools.accumulate(weights))
        return sorted(self.rng.choices(range(len(weights)), cum_weights=cum, k=n))

    def pick_distinct(self, k: int, items: list, cum: list[float]) -> list:
        if not items:
            return []
        chosen: list = []
        seen: set[int] = set()
        for _ in range(k * 6):
            if len(chosen) >= min(k, len(items)):
                break
            index = self.rng.choices(range(len(items)), cum_weights=cum)[0]
            if index not in seen:
                seen.add(index)
                chosen.append(items[index])
        return chosen

    @staticmethod
    def hub_weights(n: int, hubs: int, share: float) -> list[float]:
        """Weights under which the first ``hubs`` of n parents get ``share`` of all picks,
        the first most (1/rank), the others one each."""
        hubs = min(hubs, n)
        rest = n - hubs
        if hubs == 0 or rest == 0 or share <= 0:
            return [1.0] * n
        top = share / (1 - share) * rest / harmonic(hubs)
        return [top / (i + 1) for i in range(hubs)] + [1.0] * rest

    def slug(self, label: str, text: str) -> str:
        base = PREFIX + (slugify(text)[:100].rstrip("-") or "record")
        used = self.slugs[label]
        candidate, n = base, self.slug_next.get((label, base), 2)
        while candidate in used:
            candidate = f"{base}-{n}"
            n += 1
        self.slug_next[(label, base)] = n
        used.add(candidate)
        return candidate

    def new(self, label: str, **values):
        return model(label)(status=Status.PUBLISHED, **values)

    def insert(self, label: str, objs: list) -> None:
        """Bulk-insert rows (their ids come back: PostgreSQL and SQLite 3.35+ return them)."""
        model(label)._base_manager.bulk_create(objs, batch_size=BATCH_SIZE)
        self.counts[label] += len(objs)

    def cite_later(self, label: str, obj, fields: list[tuple[str, str]], home: int, weight=1.0):
        if label not in self.content_types:
            self.content_types[label] = ContentType.objects.get_for_model(model(label)).pk
        self.cited.append(CitedRecord(obj, label, self.content_types[label], fields, home, weight))

    def note(self, flag: bool, label: str) -> str:
        """An editorial remark fitting this kind of record, or "" when ``flag`` is false."""
        if not flag:
            return ""
        kind = "names" if label in NAME_LABELS else label
        return self.rng.choice(NOTES.get(kind, NOTES[""]))

    def toponym(self) -> Toponym:
        rng = self.rng
        head, head_meaning = rng.choice(TOPONYM_HEADS)
        tail, tail_meaning = rng.choice(TOPONYM_TAILS)
        soviet = rng.choice(RUSSIAN_PLACE_HEADS) + rng.choice(RUSSIAN_PLACE_TAILS)
        return Toponym(
            head + tail, f"{head_meaning} {tail_meaning}", soviet, f"{head}-{tail.capitalize()}"
        )

    def person_name(self) -> tuple[str, str]:
        """A full name and its family name, Kazakh or Russian, male or female."""
        rng = self.rng
        female = rng.random() < 0.15
        first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        if rng.random() < 0.55:
            surname = rng.choice(B_STEMS) + rng.choice(("aev", "aev", "ekov"))
        else:
            surname = rng.choice(OTHER_SURNAMES)
        if female and surname.endswith(("ov", "ev", "in")):
            surname += "a"
        return f"{first} {surname}", surname

    def initials_name(self) -> str:
        _, surname = self.person_name()
        letters = self.rng.sample("ABDEGKMNOSTVZ", self.rng.choice((1, 1, 2)))
        return "".join(f"{c}." for c in letters) + " " + surname

    # -- the run -------------------------------------------------------------------------------

    def run(self) -> Report:
        steps = (
            ("sources", self.make_sources),
            ("places", self.make_places),
            ("people", self.make_people),
            ("organizations", self.make_organizations),
            ("elections", self.make_elections),
            ("legislation", self.make_acts),
            ("events", self.make_events),
            ("citations", self.make_citations),
        )
        for name, step in steps:
            started = time.perf_counter()
            step()
            self.report.seconds[name] = time.perf_counter() - started
        order = (*LABELS, *(link_label(*link) for link in LINKS))
        self.report.counts = {key: self.counts.get(key, 0) for key in order}
        return self.report

    # -- sources -------------------------------------------------------------------------------

    def make_sources(self) -> None:
        label = "kzpolitics.Source"
        n = max(1, self.target.get(label, 0))
        kinds = self.deal(label, "kind", n, default=("article",))
        # The first is an article, whatever the shuffle: every record needs one to cite.
        if "article" in kinds:
            kinds.remove("article")
        else:
            kinds.pop()
        kinds.insert(0, "article")
        notes = self.flags(label, "note", n)
        sources, articles = [], []
        for kind, noted in zip(kinds, notes, strict=True):
            source = self.make_source(kind)
            if noted and kind != "article":
                source.note = self.rng.choice(SOURCE_NOTES)
            sources.append(source)
        for source in sources:
            if source.kind == "article":
                sections = self.rng.sample(ARTICLE_SECTIONS, self.rng.randint(4, 7))
                articles.append(Article(source, sorted(sections, key=ARTICLE_SECTIONS.index)))
        # Each other work is named in the footnotes of one article; articles that cite more
        # come first, as the few big articles of a literature do.
        article_cum = list(itertools.accumulate(1 / math.sqrt(i + 1) for i in range(len(articles))))
        for source in sources:
            if source.kind == "article":
                continue
            home = articles[self.rng.choices(range(len(articles)), cum_weights=article_cum)[0]]
            home.footnote_sources.append((source, []))
        for article in articles:
            works = article.footnote_sources
            numbers = list(range(1, len(works) * 2 + self.rng.randint(3, 10)))
            self.rng.shuffle(numbers)
            for index, (_, own) in enumerate(works):
                own.append(numbers[index])
            spare = numbers[len(works) :]
            for source, own in works:
                if spare and self.rng.random() < 0.35:
                    own.append(spare.pop())
                own.sort()
                source.footnotes = ",".join(str(n) for n in own)
                source.reference_text = self.reference_text(source)
            article.cum = list(
                itertools.accumulate(1 / math.sqrt(i + 1) for i in range(len(works)))
            )
        self.articles = articles
        self.article_cum = article_cum
        self.insert(label, sources)

    def make_source(self, kind: str):
        rng = self.rng
        values: dict = {"kind": kind}
        year = rng.randint(FIRST_YEAR, LAST_YEAR)
        if kind == "article":
            full, _ = self.person_name()
            region = f"{self.toponym().name} Region"
            values.update(authors=full, title=rng.choice(ARTICLE_TITLES).format(r=region))
            if rng.random() < 0.5:
                values.update(
                    container="Central Asia and the Caucasus", issue=f"No. {rng.randint(1, 6)}"
                )
                values["date"] = {"text": f"{year}", "edtf": f"{year}"}
            short = f"{full.split()[-1]} {year} {values['title'][:30]}"
        elif kind in ("book", "handbook"):
            y1 = rng.randint(FIRST_YEAR, LAST_YEAR - 2)
            title = rng.choice(SOURCE_BOOK_TITLES).format(y=year, y1=y1, y2=y1 + 4)
            authors = (
                ", ".join(self.initials_name() for _ in range(rng.randint(2, 3)))
                if kind == "handbook"
                else self.initials_name()
            )
            values.update(
                authors=authors,
                title=title,
                place=rng.choice(PUBLISHING_PLACES),
                publisher=rng.choice(PUBLISHERS) if rng.random() < 0.3 else "",
                date={"text": f"{year}", "edtf": f"{year}"},
            )
            short = f"{authors.split(',')[0].split()[-1]} {year}"
        elif kind == "edited_volume":
            y1 = rng.randint(FIRST_YEAR, LAST_YEAR - 2)
            values.update(
                editors=self.initials_name(),
                title=rng.choice(SOURCE_VOLUME_TITLES).format(y1=y1, y2=y1 + 4),
                place=rng.choice(PUBLISHING_PLACES),
                date={"text": f"{year}", "edtf": f"{year}"},
            )
            short = f"{values['editors'].split()[-1]} {year}"
        elif kind == "newspaper":
            paper = rng.choice(NEWSPAPERS)
            dated = self.dates.pick(forms=("day",))
            if rng.random() < 0.7 and dated is not None:
                day_text = dated.text.removeprefix("On ")
                values.update(title=f"{paper}, {day_text}", date=dated.value)
                short = f"{paper} {dated.edtf}"
            else:
                issue = f"No. {rng.randint(1, 52)}"
                values.update(title=f"{paper}, {issue}, {year}", issue=issue)
                values["date"] = {"text": f"{year}", "edtf": f"{year}"}
                short = f"{paper} {year} {issue}"
            values["container"] = paper
        elif kind == "journal_article":
            journal = rng.choice(JOURNALS)
            issue = f"No. {rng.randint(1, 12)}"
            values.update(
                authors=self.initials_name(),
                title=rng.choice(JOURNAL_TITLES),
                container=journal,
                issue=issue,
                date={"text": f"{year}", "edtf": f"{year}"},
            )
            short = f"{values['authors'].split()[-1]} {year}"
        elif kind == "web_page":
            site, path = rng.choice(WEB_SITES)
            path = path.format(n=rng.randint(100, 1_099_999_999))
            values.update(title=f"{site}, {path}", url=f"http://www.{site}/{path}")
            if rng.random() < 0.15:
                values["authors"] = self.initials_name()
            short = f"{site} {re.sub(r'[^0-9]', '', path)}"
        else:  # a note, or a kind added later: a plain titled work
            values.update(title=f"Note on the sources, {year}")
            short = values["title"]
        date = values.pop("date", None)
        source = self.new("kzpolitics.Source", slug=self.slug("kzpolitics.Source", short), **values)
        source.date = date or {}
        return source

    @staticmethod
    def reference_text(source) -> str:
        if source.kind == "web_page":
            return f"[<{source.url}>]."
        parts = [source.authors or (f"ed. by {source.editors}" if source.editors else "")]
        title = f"“{source.title}”" if source.kind == "journal_article" else source.title
        parts.append(title)
        if source.kind == "journal_article":
            parts.append(f"{source.container}, {source.issue}")
        parts += [source.publisher, source.place]
        if source.date_text and source.kind != "newspaper":
            parts.append(source.date_text)
        text = ", ".join(p for p in parts if p)
        return f"See: {text}."

    # -- places --------------------------------------------------------------------------------

    def make_places(self) -> None:
        label = "kzpolitics.Place"
        n = self.target.get(label, 0)
        kinds = self.deal(label, "kind", n, default=("city",))
        parents = self.flags(label, "parent", n)
        notes = self.flags(label, "note", n)
        tiers: dict[int, list] = defaultdict(list)
        toponyms = {}
        for kind, has_parent, noted in zip(kinds, parents, notes, strict=True):
            toponym = self.toponym()
            if kind in ("city", "town") and self.rng.random() < 0.25:
                name = toponym.soviet  # a city still known by its Soviet name
            else:
                name = PLACE_FORMS.get(kind, "{t}").format(t=toponym.name)
            place = self.new(
                label,
                slug=self.slug(label, name),
                name=name,
                kind=kind,
                note=self.note(noted, label),
            )
            place._wants_parent = has_parent
            toponyms[place.slug] = toponym
            tiers[PLACE_TIERS.get(kind, 2)].append(place)
        self.places: list = []
        for tier in sorted(tiers):
            above = [p for p in self.places if PLACE_TIERS.get(p.kind, 2) < tier]
            for place in tiers[tier]:
                if place._wants_parent and above:
                    place.parent = self.rng.choice(above)
            self.insert(label, tiers[tier])
            self.places.extend(tiers[tier])
        self.place_cum = list(
            itertools.accumulate(
                self.hub_weights(len(self.places), max(1, len(self.places) // 50), 0.3)
            )
        )
        self.regions = [p.name for p in self.places if p.kind == "region"] or [
            f"{self.toponym().name} Region" for _ in range(5)
        ]
        self.towns = [p.name for p in self.places if p.kind in ("city", "town")] or [
            self.toponym().name for _ in range(5)
        ]
        place_home = {}
        for place in self.places:
            place_home[place.pk] = self.home()
            self.cite_later(label, place, [("", place.name)], place_home[place.pk])
        # Names over time: the current Kazakh name, the Soviet one, a spelling, a meaning.
        names_label = "kzpolitics.PlaceName"
        count = self.target.get(names_label, 0)
        kinds = self.deal(names_label, "kind", count, default=("official",))
        languages = self.deal(names_label, "language", count, default=("en",))
        notes = self.flags(names_label, "note", count)
        starts = self.flags(names_label, "start", count)
        ends = self.flags(names_label, "end", count)
        rows = []
        for i, index in enumerate(self.spread(count, [1.0] * len(self.places))):
            place = self.places[index]
            toponym = toponyms[place.slug]
            kind = kinds[i]
            form = PLACE_FORMS.get(place.kind, "{t}")
            name = {
                "official": form.format(t=toponym.name),
                "former": form.format(t=toponym.soviet),
                "variant": variant_spelling(place.name) or form.format(t=toponym.hyphenated),
                "translation": form.format(t=toponym.meaning),
            }.get(kind, place.name)
            row = self.new(names_label, place=place, name=name, kind=kind, language=languages[i])
            row.note = self.note(notes[i], names_label)
            if starts[i] and kind in ("official", "former"):
                row.start = self.date_value(self.dates.pick())
            if ends[i] and row.start:
                row.end = self.date_value(self.dates.pick(after=row.start))
            rows.append(row)
        self.insert(names_label, rows)
        for row in rows:
            self.cite_later(names_label, row, [("", row.name)], place_home[row.place.pk])

    @staticmethod
    def date_value(dated: Dated | None) -> dict:
        return dated.value if dated is not None else {}

    def home(self) -> int:
        return self.rng.choices(range(len(self.articles)), cum_weights=self.article_cum)[0]

    def place_pick(self):
        if not self.places:
            return None
        return self.places[self.rng.choices(range(len(self.places)), cum_weights=self.place_cum)[0]]

    # -- people --------------------------------------------------------------------------------

    def make_people(self) -> None:
        label = "kzpolitics.Person"
        n = self.target.get(label, 0)
        described = self.flags(label, "description", n)
        notes = self.flags(label, "note", n)
        self.people = []
        surnames = {}
        for i, (has_description, noted) in enumerate(zip(described, notes, strict=True)):
            full, surname = self.person_name() if i else HUB_PERSON
            name = surname if i and self.rng.random() < 0.08 else full
            description = ""
            if has_description:
                description = (
                    f"{upper_first(self.rng.choice(OCCUPATIONS))} from "
                    f"{self.rng.choice(self.towns)} {self.rng.choice(CAREERS)}."
                )
            person = self.new(
                label,
                slug=self.slug(label, name),
                name=name,
                description=description,
                note=self.note(noted, label),
            )
            surnames[person.slug] = (full, surname)
            self.people.append(person)
        self.insert(label, self.people)
        self.people_weights = self.hub_weights(len(self.people), max(1, n // 100), 0.25)
        self.people_cum = list(itertools.accumulate(self.people_weights))
        self.person_home = {}
        for person in self.people:
            home = self.home()
            self.person_home[person.pk] = home
            fields = [("", person.name)]
            if person.description:
                fields.append(("description", first_sentence(person.description)))
            self.cite_later(label, person, fields, home)
        self.make_person_names(surnames)

    def make_person_names(self, surnames) -> None:
        label = "kzpolitics.PersonName"
        count = self.target.get(label, 0)
        weights = self.profile.weights(label, "kind") or [("article", 1)]
        # Everyone's own printed name comes first; the others follow the article's mix of
        # what remains (in the article: more modern spellings than second printed forms).
        first = min(count, len(self.people))
        extra_weights = [
            (kind, max(0, n - (first if kind == "article" else 0))) for kind, n in weights
        ]
        if not any(n for _, n in extra_weights):
            extra_weights = weights
        extra_kinds = self.deal_weights(extra_weights, count - first)
        notes = self.flags(label, "note", count)
        rows, taken = [], set()

        def candidates(person, kind):
            full, surname = surnames[person.slug]
            first_name = full.split()[0]
            if kind == "article":
                return [surname, f"{first_name[0]}. {surname}", full]
            if kind == "variant":
                return [v for v in (variant_spelling(full), variant_spelling(surname)) if v]
            if kind == "full":
                patronymic = self.rng.choice(MALE_NAMES) + self.rng.choice(
                    ("ovich", "evich", "uly")
                )
                return [f"{first_name} {patronymic} {surname}"]
            return [f"{first_name} {surname}".replace("y", "i")]  # a transliteration

        def add(person, kind, name):
            taken.add((person.pk, name))
            row = self.new(label, person=person, name=name, kind=kind)
            row.note = self.note(notes[len(rows)], label)
            rows.append(row)

        for person in self.people[:first]:
            add(person, "article", person.name)
        if self.people and "variant" in extra_kinds:
            extra_kinds.remove("variant")
            add(self.people[0], "variant", variant_spelling(self.people[0].name))
        for kind in extra_kinds:
            for _ in range(40):  # a few tries to find someone with such a name left
                person = self.people[self.rng.randrange(len(self.people))]
                free = [c for c in candidates(person, kind) if (person.pk, c) not in taken]
                if free:
                    add(person, kind, free[0])
                    break
        rows.sort(key=lambda r: r.person.pk)  # a person's names together, as the loader has them
        self.insert(label, rows)
        for row in rows:
            self.cite_later(label, row, [("", row.name)], self.person_home[row.person.pk])
            # An example for load tests: a respelled surname, which no printed name contains.
            if row.kind == "variant" and self.report.person_variant is None:
                surname = row.name.split()[-1]
                if surname not in row.person.name.split():
                    self.report.person_variant = (surname, row.person.slug)

    # -- organizations -------------------------------------------------------------------------

    def org_name(self, kind: str) -> OrgNaming:
        rng = self.rng
        word = rng.choice(ORG_WORDS)
        form = rng.choice(ORG_FORMS.get(kind, ORG_FORMS["other"]))
        name = form.format(
            a=rng.choice(ADJECTIVES),
            w=word[0],
            c=rng.choice(CAUSES),
            g=rng.choice(GROUPS),
            r=rng.choice(self.regions),
            t=rng.choice(self.towns),
            k=f"Republic of {self.toponym().name}",
        )
        name = re.sub(r"\b(\S+) \1\b", r"\1", name)  # “People's People's Party”
        return OrgNaming(name, word if "{w}" in form else None)

    def make_organizations(self) -> None:
        label = "parties.Organization"
        n = self.target.get(label, 0)
        kinds = self.deal(label, "kind", n, default=("party",))
        if n and "party" in kinds:  # the biggest hub is a party, first, with a fixed name
            kinds.remove("party")
            kinds.insert(0, "party")
        fills = {name: self.flags(label, name, n) for name in ORGANIZATION_FILLS}
        self.hubs = max(1, int(n * 0.01 + 0.5)) if n else 0
        self.organizations, self.namings = [], []
        for i, kind in enumerate(kinds):
            naming = (
                OrgNaming(HUB_NAME, ("Birlik", "Unity", "kk"))
                if i == 0 and kind == "party"
                else self.org_name(kind)
            )
            org = self.new(label, slug=self.slug(label, naming.name), kind=kind, name=naming.name)
            founded = self.dates.pick() if fills["founded"][i] else None
            if founded is not None:
                org.founded = founded.value
                if fills["dissolved"][i]:
                    org.dissolved = self.date_value(self.dates.pick(after=founded))
            elif fills["dissolved"][i]:
                org.dissolved = self.date_value(self.dates.pick())
            place = self.place_pick() if fills["founding_place"][i] else None
            org.founding_place = place
            fill = self.fill_org_text
            org.aims = fill(GOALS, 3) if fills["aims"][i] else ""
            org.ideology = self.rng.choice(IDEOLOGIES) if fills["ideology"][i] else ""
            org.social_base = (
                self.format(self.rng.choice(SOCIAL_BASES)) if fills["social_base"][i] else ""
            )
            org.summary = self.org_summary(org, founded, place) if fills["summary"][i] else ""
            org.note = self.note(fills["note"][i], label)
            self.organizations.append(org)
            self.namings.append(naming)
        self.insert(label, self.organizations)
        if self.organizations:
            self.report.hub_slug = self.organizations[0].slug
        self.org_home = {}
        for i, org in enumerate(self.organizations):
            home = self.home()
            self.org_home[org.pk] = home
            fields = [("", first_sentence(org.summary) if org.summary else org.name)]
            for name in org.filled_cited_fields():
                fields.append((name, self.quote_for(org, name)))
            weight = 1 + 8 / (i + 1) if i < self.hubs else 1.0
            self.cite_later(label, org, fields, home, weight)
        self.parties = [o for o in self.organizations if o.kind in ("party", "bloc", "movement")]
        self.state_bodies = [o for o in self.organizations if o.kind == "state_body"]
        self.make_org_names()
        self.make_stances()
        self.make_membership()
        self.make_roles()
        self.make_relations()

    def format(self, template: str) -> str:
        rng = self.rng
        return template.format(
            g=rng.choice(GROUPS).lower(), r=rng.choice(self.regions), t=rng.choice(self.towns)
        )

    def fill_org_text(self, phrases, k: int) -> str:
        chosen = self.rng.sample(phrases, self.rng.randint(1, k))
        text = ", ".join(self.format(p) for p in chosen)
        return text[0].upper() + text[1:] + "."

    def org_summary(self, org, founded: Dated | None, place) -> str:
        what = model("parties.Organization").Kind(org.kind).label.lower()
        article = "An" if what[0] in "aeio" else "A"  # “a union”
        when = f" {founded.phrase}" if founded else ""
        where = f" in {place.name}" if place else ""
        return (
            f"{article} {what} set up{where}{when} that worked for "
            f"{self.format(self.rng.choice(GOALS))}; {self.rng.choice(FATES)}."
        )

    def quote_for(self, obj, name: str) -> str:
        """Words a citation of this field quotes: the sentence of the source that states it."""
        value = getattr(obj, name)
        label = str(getattr(obj, "name", "") or getattr(obj, "title", "") or obj)
        if isinstance(getattr(type(obj), name, None), UncertainDate):
            return f"{value.text}, {label}"[:400]
        if name == "parties_taking_part" and obj.parties_wording:
            return obj.parties_wording
        if isinstance(value, models.Model):
            return f"{label}, {value}"[:400]
        if isinstance(value, str):
            return first_sentence(value)
        return f"{label}: {value}"[:400]

    def org_weights(self, share: float, items=None) -> list[float]:
        items = self.organizations if items is None else items
        return self.hub_weights(len(items), self.hubs, share)

    def make_org_names(self) -> None:
        label = "parties.OrganizationName"
        count = self.target.get(label, 0)
        if not self.organizations:
            return
        kinds = self.deal(label, "kind", count, default=("official",))
        notes = self.flags(label, "note", count)
        starts = self.flags(label, "start", count)
        ends = self.flags(label, "end", count)
        cum = list(itertools.accumulate(self.org_weights(0.03)))
        taken: set[tuple[int, str]] = set()
        rows = []
        for i, kind in enumerate(kinds):
            # Another organization, if this one has no such name or has it already.
            for _ in range(30):
                index = self.rng.choices(range(len(self.organizations)), cum_weights=cum)[0]
                found = self.other_name(index, kind)
                if found is not None and (index, found[0]) not in taken:
                    break
            name, language = found or self.any_name(index, kind)
            taken.add((index, name))
            org = self.organizations[index]
            row = self.new(label, organization=org, name=name, kind=kind, language=language)
            row.note = self.note(notes[i], label)
            start = self.dates.pick(lo=org.founded.earliest) if starts[i] else None
            row.start = self.date_value(start)
            if ends[i]:
                row.end = self.date_value(self.dates.pick(after=start) if start else None)
            rows.append(row)
        rows.sort(key=lambda r: r.organization.pk)  # an organization's names together
        self.insert(label, rows)
        for row in rows:
            self.cite_later(label, row, [("", row.name)], self.org_home[row.organization.pk])
            # An example for load tests: a respelled word that is not the common “Qazaqstan”.
            if row.kind == "variant" and self.report.organization_variant is None:
                respelled = set(row.name.split()) - set(row.organization.name.split())
                if respelled and respelled != {"Qazaqstan"} and not row.name.startswith("the "):
                    self.report.organization_variant = (row.name, row.organization.slug)

    def other_name(self, index: int, kind: str) -> tuple[str, str] | None:
        """Another name of an organization, of a kind, with its language; None if the
        organization has none such (a translation needs a Kazakh or Russian word)."""
        org, naming = self.organizations[index], self.namings[index]
        word = naming.word
        if kind == "short":
            if word and self.rng.random() < 0.6:
                return word[0], word[2]
            return acronym(org.name) or org.name.split()[0], ""
        if kind == "translation":
            return (word[1], "en") if word else None
        if kind == "variant":
            spelled = variant_spelling(org.name, english=True)
            if spelled:
                return spelled, ""
            if word and org.kind in KIND_NOUNS:
                return f"{word[0]} {KIND_NOUNS[org.kind]}", ""
            return None
        if kind == "former":
            return self.org_name(org.kind).name, ""
        # official: the name as registered, in its own language where it has one
        return org.name, word[2] if word else ""

    def any_name(self, index: int, kind: str) -> tuple[str, str]:
        """A name of the kind even for an organization that has none such: a Russian
        rendering for a translation, the name with a “the” for a variant."""
        org = self.organizations[index]
        if kind == "translation":
            words = (RUSSIAN_WORDS.get(w, w) for w in org.name.split())
            return " ".join(w for w in words if w), "ru"
        return f"the {org.name}", ""

    def make_stances(self) -> None:
        label = "parties.Stance"
        count = self.target.get(label, 0)
        stances = self.deal(label, "stance", count, default=("opposition",))
        starts = self.flags(label, "start", count)
        ends = self.flags(label, "end", count)
        rows = []
        for i, index in enumerate(self.spread(count, self.org_weights(0.03))):
            org = self.organizations[index]
            row = self.new(
                label,
                organization=org,
                stance=stances[i],
                wording=self.rng.choice(STANCE_WORDS.get(stances[i], ("",))),
            )
            start = self.dates.pick(lo=org.founded.earliest) if starts[i] else None
            row.start = self.date_value(start)
            if ends[i] and start is not None:
                row.end = self.date_value(self.dates.pick(after=start))
            rows.append(row)
        self.insert(label, rows)
        for row in rows:
            self.cite_later(
                label,
                row,
                [("", f"{row.organization.name}, {row.wording}")],
                self.org_home[row.organization.pk],
            )

    def make_membership(self) -> None:
        label = "parties.MembershipFigure"
        count = self.target.get(label, 0)
        highs = self.flags(label, "high", count)
        regionals = self.flags(label, "regional_organizations", count)
        dated = self.flags(label, "date", count)
        rows = []
        for i, index in enumerate(self.spread(count, self.org_weights(0.03))):
            org = self.organizations[index]
            low = self.rng.choice((80, 200, 500, 1000, 5000, 8000, 20000, 47000, 50000, 120000))
            high = None
            if highs[i]:
                if self.rng.random() < 0.4:
                    high = low * self.rng.choice((2, 3))
                    wording = f"between {low:,} and {high:,}"
                else:
                    high = low
                    wording = f"about {low:,}"
            else:
                wording = f"over {low:,}"
            regional = self.rng.randint(3, 19) if regionals[i] else None
            when = self.dates.pick() if dated[i] else None
            if when is not None:
                wording = f"{upper_first(when.phrase)}, it had {wording} members"
            if regional:
                wording += f" and {regional} regional organizations"
            row = self.new(
                label,
                organization=org,
                wording=wording,
                low=low,
                high=high,
                regional_organizations=regional,
            )
            row.date = self.date_value(when)
            rows.append(row)
        self.insert(label, rows)
        for row in rows:
            self.cite_later(label, row, [("", row.wording)], self.org_home[row.organization.pk])

    def make_roles(self) -> None:
        label = "parties.Role"
        count = self.target.get(label, 0)
        if not self.people:
            return
        kinds = self.deal(label, "kind", count, default=("chair",))
        starts = self.flags(label, "start", count)
        ends = self.flags(label, "end", count)
        notes = self.flags(label, "note", count)
        org_cum = list(itertools.accumulate(self.org_weights(0.15)))
        people = self.spread(count, self.people_weights)
        rows = []
        for i, person_index in enumerate(people):
            kind = kinds[i]
            person = self.people[person_index]
            org = None
            if kind != "office" and self.organizations:
                org = self.organizations[
                    self.rng.choices(range(len(self.organizations)), cum_weights=org_cum)[0]
                ]
            title = self.rng.choice(ROLE_TITLES.get(kind, ("member",))).format(
                r=self.rng.choice(self.regions)
            )
            row = self.new(label, person=person, organization=org, title=title, kind=kind)
            start = None
            if starts[i]:
                start = self.dates.pick(lo=org.founded.earliest if org else None)
            row.start = self.date_value(start)
            if ends[i]:
                row.end = self.date_value(
                    self.dates.pick(after=start) if start else self.dates.pick()
                )
            row.note = self.note(notes[i], label)
            rows.append(row)
        self.insert(label, rows)
        for row in rows:
            where = f", {row.organization.name}" if row.organization else ""
            home = (
                self.org_home[row.organization.pk]
                if row.organization
                else self.person_home[row.person.pk]
            )
            self.cite_later(label, row, [("", f"{row.person.name}, {row.title}{where}")], home)

    def make_relations(self) -> None:
        label = "parties.Relation"
        count = self.target.get(label, 0)
        orgs = self.organizations
        if len(orgs) < 2:
            return
        kinds = self.deal(label, "kind", count, default=("split_from",))
        dated = self.flags(label, "date", count)
        ends = self.flags(label, "end", count)
        notes = self.flags(label, "note", count)
        # Hubs collect links as the object (members of a bloc, branches, splinters).
        object_cum = list(itertools.accumulate(self.org_weights(0.35)))
        blocs = [i for i, o in enumerate(orgs) if o.kind == "bloc"]
        used: set[tuple[int, str, int]] = set()
        rows = []
        for i, kind in enumerate(kinds):
            for _ in range(20):
                subject = self.rng.randrange(len(orgs))
                if kind == "member_of" and blocs and self.rng.random() < 0.5:
                    target = self.rng.choice(blocs)
                else:
                    target = self.rng.choices(range(len(orgs)), cum_weights=object_cum)[0]
                if subject != target and (subject, kind, target) not in used:
                    break
            else:
                continue
            used.add((subject, kind, target))
            row = self.new(label, subject=orgs[subject], object=orgs[target], kind=kind)
            when = None
            if dated[i]:
                founded = orgs[subject].founded
                when = (
                    self.dates.pick(lo=founded.earliest) if founded.earliest else self.dates.pick()
                )
                row.date = self.date_value(when)
            if ends[i]:
                row.end = self.date_value(
                    self.dates.pick(after=when) if when else self.dates.pick()
                )
            row.note = self.note(notes[i], label)
            rows.append(row)
        rows.sort(key=lambda r: r.subject.pk)
        self.insert(label, rows)
        for row in rows:
            quote = (
                f"{row.subject.name} {RELATION_PHRASES.get(row.kind, row.kind)} {row.object.name}"
            )
            self.cite_later(label, row, [("", quote)], self.org_home[row.subject.pk])

    # -- elections -----------------------------------------------------------------------------

    def make_elections(self) -> None:
        label = "elections.Election"
        n = self.target.get(label, 0)
        kinds = self.deal(label, "kind", n, default=("majilis",))
        fills = {
            name: self.flags(label, name, n)
            for name in ("parties_taking_part", "seats_total", "summary", "note", "date")
        }
        self.elections = []
        for i, kind in enumerate(kinds):
            since = ELECTIONS_SINCE.get(kind, datetime.date(1990, 1, 1))
            when = None
            if fills["date"][i]:
                when = self.dates.pick(lo=since, forms=("day", "month", "year"))
            year = (
                when.earliest.year
                if when and when.earliest
                else self.rng.randint(since.year, LAST_YEAR)
            )
            if kind == "presidential":
                name = f"Presidential election of {plain_date(when) if when else year}"
            elif kind == "municipal":
                name = f"Elections to the {self.rng.choice(self.regions)} Maslikhat, {year}"
            else:
                name = self.rng.choice(
                    (
                        f"Majilis elections of {year}",
                        f"Majilis by-elections in the {self.rng.choice(self.towns)} district, "
                        f"{year}",
                    )
                )
            election = self.new(label, slug=self.slug(label, name), kind=kind, name=name)
            election.date = self.date_value(when)
            if fills["parties_taking_part"][i] and kind != "presidential":
                parties = self.rng.randint(4, 40)
                election.parties_taking_part = parties
                election.parties_wording = self.rng.choice(
                    (
                        f"{parties} parties and movements competed for the seats",
                        f"{parties} registered political parties participated",
                    )
                )
            if fills["seats_total"][i] and kind != "presidential":
                election.seats_total = self.rng.choice(
                    (67, 77, 107) if kind == "majilis" else (15, 25, 30, 45)
                )
            if fills["summary"][i]:
                election.summary = self.election_summary(election)
            election.note = self.note(fills["note"][i], label)
            self.elections.append(election)
        self.insert(label, self.elections)
        self.election_home = {}
        for election in self.elections:
            home = self.home()
            self.election_home[election.pk] = home
            fields = [("", first_sentence(election.summary) if election.summary else election.name)]
            fields += [
                (name, self.quote_for(election, name)) for name in election.filled_cited_fields()
            ]
            self.cite_later(label, election, fields, home)
        self.make_rounds()
        self.make_results()

    def election_summary(self, election) -> str:
        if election.kind == "presidential":
            return (
                "A presidential election the opposition had little time to prepare for; "
                f"its campaign was criticized as undemocratic over {self.rng.choice(ISSUES)}."
            )
        return (
            f"Elections in which pro-presidential parties won most seats; the opposition "
            f"complained of {self.rng.choice(ISSUES)}."
        )

    def make_rounds(self) -> None:
        label = "elections.Round"
        count = self.target.get(label, 0)
        dated = self.flags(label, "date", count)
        # Elections held in two rounds (Majilis and presidential ones, as in 2004): each of
        # them gets rounds 1 and 2, the second after the first.
        candidates = [e for e in self.elections if e.kind != "municipal"] or self.elections
        order = list(range(len(candidates)))
        self.rng.shuffle(order)
        rows = []
        for index in order:
            if len(rows) >= count:
                break
            election = candidates[index]
            span = election.date
            first = self.dates.pick(lo=span.earliest, hi=span.latest, forms=("day",))
            for number in (1, 2):
                if len(rows) >= count:
                    break
                row = self.new(label, election=election, number=number)
                when = (
                    first
                    if number == 1
                    else (self.dates.pick(after=first, forms=("day",)) if first else None)
                )
                if dated[len(rows)]:
                    row.date = self.date_value(when)
                rows.append(row)
        rows.sort(key=lambda r: (r.election.pk, r.number))
        self.insert(label, rows)
        for row in rows:
            self.cite_later(
                label,
                row,
                [("", f"{row.election.name}, round {row.number}")],
                self.election_home[row.election.pk],
            )

    def make_results(self) -> None:
        label = "elections.Result"
        count = self.target.get(label, 0)
        if not self.elections:
            return
        weights = [2.0 if e.kind == "majilis" else 1.0 for e in self.elections]
        per_election = Counter(self.spread(count, weights))
        tier_weights = [(t, n) for t, n in self.profile.weights(label, "tier")] or [("total", 1)]
        notes = self.flags(label, "note", count)
        party_items = self.parties or self.organizations
        # Of the results for a party, the share the article gives out of how many seats.
        by_party = self.profile.rate(label, "organization")
        seats_of_share = (
            min(1.0, self.profile.rate(label, "seats_of") / by_party) if by_party else 0
        )
        party_cum = list(itertools.accumulate(self.org_weights(0.15, party_items)))
        rows = []
        for index in sorted(per_election):
            election = self.elections[index]
            k = per_election[index]
            if election.kind == "presidential" and self.people:
                rows += self.presidential_results(election, k)
                continue
            tiers = self.deal_weights(tier_weights, k)
            by_tier = Counter(tiers)
            for tier in sorted(by_tier):
                contestants = self.pick_distinct(by_tier[tier], party_items, party_cum)
                seats_of = None
                if self.rng.random() < seats_of_share:
                    seats_of = (
                        {"party_list": 10, "single_member": 67}.get(tier)
                        or election.seats_total
                        or 77
                    )
                remaining = seats_of
                for org in contestants:
                    if remaining is not None:
                        seats = self.rng.randint(0, max(0, remaining * 2 // 3)) if remaining else 0
                        remaining -= seats
                    else:
                        seats = self.rng.randint(1, 30)
                    wording = f"{org.name} received {seats} seat{'' if seats == 1 else 's'}" + (
                        f" out of {seats_of}" if seats_of else ""
                    )
                    rows.append(
                        self.new(
                            label,
                            election=election,
                            organization=org,
                            tier=tier,
                            seats=seats,
                            seats_of=seats_of,
                            wording=wording,
                        )
                    )
        for row, noted in zip(rows, notes, strict=False):
            row.note = self.note(noted, label)
        self.insert(label, rows)
        for row in rows:
            self.cite_later(label, row, [("", row.wording)], self.election_home[row.election.pk])

    def presidential_results(self, election, k: int) -> list:
        candidates = self.pick_distinct(k, self.people, self.people_cum)
        shares = sorted((self.rng.random() for _ in candidates), reverse=True)
        if shares:
            shares[0] += 2.5  # the incumbent's landslide
        total = sum(shares) * 1.05 or 1
        rows = []
        for person, share in zip(candidates, shares, strict=True):
            percent = Decimal(str(round(100 * share / total, 2)))
            rows.append(
                self.new(
                    "elections.Result",
                    election=election,
                    person=person,
                    tier="total",
                    vote_share=percent,
                    wording=f"According to official figures, {person.name} received {percent} "
                    "percent of the votes",
                )
            )
        return rows

    # -- legislation ---------------------------------------------------------------------------

    def make_acts(self) -> None:
        label = "legislation.LegalAct"
        n = self.target.get(label, 0)
        jurisdictions = self.deal(label, "jurisdiction", n, default=("kazakhstan",))
        kinds = self.deal(label, "kind", n, default=("law",))
        fills = {
            name: self.flags(label, name, n) for name in ("adopted", "body", "summary", "note")
        }
        independence = datetime.date(1991, 12, 16)
        self.acts = []
        for i in range(n):
            jurisdiction, kind = jurisdictions[i], kinds[i]
            soviet = jurisdiction in ("ussr", "kazakh_ssr")
            adopted = None
            if fills["adopted"][i]:
                adopted = (
                    self.dates.pick(hi=independence, forms=("day", "month"))
                    if soviet
                    else self.dates.pick(lo=independence, forms=("day", "month", "year"))
                )
            year = (
                adopted.earliest.year
                if adopted and adopted.earliest
                else (self.rng.randint(1986, 1991) if soviet else self.rng.randint(1992, LAST_YEAR))
            )
            topic = self.rng.choice(ACT_TOPICS)
            title = ACT_FORMS.get(kind, ACT_FORMS["other"]).format(topic=topic, y=year)
            if soviet:
                title += " (U.S.S.R.)" if jurisdiction == "ussr" else " (Kazakh S.S.R.)"
            act = self.new(
                label,
                slug=self.slug(label, title),
                jurisdiction=jurisdiction,
                kind=kind,
                title=title,
            )
            act.adopted = self.date_value(adopted)
            if fills["body"][i] and self.state_bodies:
                act.body = self.rng.choice(self.state_bodies)
            if fills["summary"][i]:
                act.summary = self.rng.choice(ACT_EFFECTS).format(topic=topic.lower())
            act.note = self.note(fills["note"][i], label)
            act._topic = topic
            self.acts.append(act)
        self.insert(label, self.acts)
        self.act_home = {}
        for act in self.acts:
            home = self.home()
            self.act_home[act.pk] = home
            fields = [("", first_sentence(act.summary) if act.summary else act.title)]
            fields += [(name, self.quote_for(act, name)) for name in act.filled_cited_fields()]
            self.cite_later(label, act, fields, home)
        self.make_provisions()
        self.make_registrations()

    def make_provisions(self) -> None:
        label = "legislation.Provision"
        count = self.target.get(label, 0)
        if not self.acts:
            return
        requirements = self.deal(label, "requirement_kind", count, default=("",))
        references = self.flags(label, "reference", count)
        texts = self.flags(label, "text", count)
        values = self.flags(label, "requirement_value", count)
        weights = [3.0 if a.kind == "law" else 1.0 for a in self.acts]
        rows, positions = [], Counter()
        for i, index in enumerate(self.spread(count, weights)):
            act = self.acts[index]
            positions[index] += 1
            requirement = requirements[i]
            # A figure for every membership threshold; for other requirements, as often as
            # the article gives one.
            value = None
            if requirement and (values[i] or requirement != "other"):
                value = self.rng.choice(REQUIREMENT_VALUES.get(requirement, (10,)))
            templates = PROVISIONS.get(requirement, PROVISIONS[""])
            numbered = [t for t in templates if "{v" in t[0]]
            plain = [t for t in templates if "{v" not in t[0]]
            summary, text = self.rng.choice((numbered if value else plain) or templates)
            row = self.new(
                label,
                act=act,
                position=positions[index],
                summary=summary.format(v=value or 0),
                requirement_kind=requirement,
                requirement_value=value,
            )
            if references[i]:
                row.reference = (
                    self.rng.choice(("Art", "Art.", "Para")) + f" {self.rng.randint(1, 40)}"
                )
            if texts[i]:
                row.text = text.format(v=value or 0)
            rows.append(row)
        self.insert(label, rows)
        for row in rows:
            self.cite_later(label, row, [("", row.text or row.summary)], self.act_home[row.act.pk])

    def make_registrations(self) -> None:
        label = "legislation.RegistrationDecision"
        count = self.target.get(label, 0)
        items = self.parties or self.organizations
        if not items:
            return
        decisions = self.deal(label, "decision", count, default=("registered",))
        fills = {name: self.flags(label, name, count) for name in ("act", "body", "date", "note")}
        laws = [a for a in self.acts if a.kind == "law"] or self.acts
        rows = []
        for i, index in enumerate(self.spread(count, self.org_weights(0.03, items))):
            org = items[index]
            row = self.new(label, organization=org, decision=decisions[i])
            when = None
            if fills["date"][i]:
                when = (
                    self.dates.pick(lo=org.founded.earliest)
                    if org.founded.earliest
                    else self.dates.pick()
                )
                row.date = self.date_value(when)
            if fills["act"][i] and laws:
                row.act = self.rng.choice(laws)
            if fills["body"][i] and self.state_bodies:
                row.body = self.rng.choice(self.state_bodies)
            row.note = self.note(fills["note"][i], label)
            rows.append(row)
        self.insert(label, rows)
        for row in rows:
            quote = f"{row.organization.name}: {row.get_decision_display().lower()}"
            self.cite_later(label, row, [("", quote)], self.org_home[row.organization.pk])

    # -- events --------------------------------------------------------------------------------

    def make_events(self) -> None:
        label = "kzpolitics.Event"
        n = self.target.get(label, 0)
        kinds = self.deal(label, "kind", n, default=("other",))
        fills = {name: self.flags(label, name, n) for name in ("date", "place", "summary", "note")}
        links = self.profile.event_links
        org_cum = list(itertools.accumulate(self.org_weights(0.25)))
        election_cum = list(itertools.accumulate([1.0] * len(self.elections)))
        act_cum = list(itertools.accumulate([1.0] * len(self.acts)))
        self.events, participants = [], []
        for i, kind in enumerate(kinds):
            orgs = self.pick_distinct(
                self.sample_links(links.get("organizations")), self.organizations, org_cum
            )
            people = self.pick_distinct(
                self.sample_links(links.get("people")), self.people, self.people_cum
            )
            elections = self.pick_distinct(
                self.sample_links(links.get("elections")), self.elections, election_cum
            )
            acts = self.pick_distinct(self.sample_links(links.get("acts")), self.acts, act_cum)
            place = self.place_pick() if fills["place"][i] else None
            when = self.dates.pick() if fills["date"][i] else None
            title = self.rng.choice(EVENT_FORMS.get(kind, EVENT_FORMS["other"])).format(
                o=orgs[0].name if orgs else self.org_name("party").name,
                p=people[0].name if people else self.person_name()[0],
                t=place.name if place else self.rng.choice(self.towns),
                issue=self.rng.choice(ISSUES),
            )
            year = f" {when.earliest.year}" if when and when.earliest else ""
            event = self.new(
                label, slug=self.slug(label, title + year), kind=kind, title=title, place=place
            )
            event.date = self.date_value(when)
            if fills["summary"][i]:
                who = orgs[0].name if orgs else (people[0].name if people else "The participants")
                if self.rng.random() < 0.5:
                    what = f"called for {self.rng.choice(DEMANDS)}"
                else:
                    verb = self.rng.choice(("protested against", "criticized", "debated"))
                    what = f"{verb} {self.rng.choice(ISSUES)}"
                event.summary = f"{title}{' ' + when.phrase if when else ''}. {who} {what}."
            event.note = self.note(fills["note"][i], label)
            self.events.append(event)
            participants.append((orgs, people, elections, acts))
        self.insert(label, self.events)
        for event in self.events:
            fields = [("", first_sentence(event.summary) if event.summary else event.title)]
            fields += [(name, self.quote_for(event, name)) for name in event.filled_cited_fields()]
            self.cite_later(label, event, fields, self.home())
        # Each link as (record, event) pairs, whichever side declares the many-to-many field.
        pairs = {link: [] for link in LINKS}
        for event, (orgs, people, elections, acts) in zip(self.events, participants, strict=True):
            pairs[LINKS[0]] += [(event, person) for person in people]
            pairs[LINKS[1]] += [(org, event) for org in orgs]
            pairs[LINKS[2]] += [(election, event) for election in elections]
            pairs[LINKS[3]] += [(act, event) for act in acts]
        for link in LINKS:
            field_ = model(link[0])._meta.get_field(link[1])
            through = field_.remote_field.through
            own, other = field_.m2m_field_name(), field_.m2m_reverse_field_name()
            rows = [through(**{f"{own}_id": a.pk, f"{other}_id": b.pk}) for a, b in pairs[link]]
            through._base_manager.bulk_create(rows, batch_size=BATCH_SIZE)
            self.counts[link_label(*link)] += len(rows)

    def sample_links(self, counts: list[int] | None) -> int:
        return self.rng.choice(counts) if counts else 0

    # -- citations -----------------------------------------------------------------------------

    def make_citations(self) -> None:
        """Every record's citations: one or more for the record and for each filled factual
        field, as many per field as the article has, citing the record's article directly or
        a work its footnotes name, via the article."""
        label = "kzpolitics.Citation"
        cls = model(label)
        profile = self.profile
        rng = self.rng
        cited_per_source: Counter = Counter()
        batch = []
        for record in self.cited:
            article = self.articles[record.home]
            for name, quote in record.fields:
                wanted = profile.citations_per.get((record.label, name), 1.0) * record.weight
                k = max(1, int(wanted) + (rng.random() < wanted - int(wanted)))
                for _ in range(k):
                    citation = cls(
                        content_type_id=record.ct_id,
                        object_id=record.obj.pk,
                        field=name,
                        status=Status.PUBLISHED,
                        record_published=True,
                    )
                    works = article.footnote_sources
                    if works and rng.random() >= profile.direct_share:
                        work, numbers = works[
                            rng.choices(range(len(works)), cum_weights=article.cum)[0]
                        ]
                        citation.source_id = work.pk
                        citation.via_id = article.source.pk
                        citation.footnote = rng.choice(numbers)
                        if rng.random() < profile.pages_share:
                            first = rng.randint(5, 320)
                            citation.pages = (
                                f"{first}-{first + 1}" if rng.random() < 0.3 else str(first)
                            )
                    else:
                        citation.source_id = article.source.pk
                        citation.section = rng.choice(article.sections)
                    if rng.random() < profile.quote_share:
                        citation.quote = quote[:400]
                    if rng.random() < profile.citation_note_share:
                        citation.note = "The source's wording is loose; the figure is approximate."
                    cited_per_source[citation.source_id] += 1
                    batch.append(citation)
                    if len(batch) >= BATCH_SIZE:
                        self.insert(label, batch)
                        batch = []
        if batch:
            self.insert(label, batch)
        if cited_per_source:
            busiest = max(sorted(cited_per_source), key=lambda pk: cited_per_source[pk])
            slugs = {a.source.pk: a.source.slug for a in self.articles}
            for article in self.articles:
                slugs.update({work.pk: work.slug for work, _ in article.footnote_sources})
            self.report.busiest_source = slugs.get(busiest, "")


def seed(scale: float, seed_value: int = DEFAULT_SEED) -> Report:
    """Measure the data in the database and add ``scale`` times as much, shaped like it.
    Call inside a transaction; touch the data version afterwards."""
    profile = Profile.measure()
    with remembered_bounds():
        return Seeder(profile, scale, seed_value).run()
