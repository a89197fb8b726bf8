"""Places and their names over time."""

from __future__ import annotations

import datetime

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F

from kzpolitics.core.dates import UncertainDate, can_share_a_day
from kzpolitics.core.models.citations import Cited
from kzpolitics.core.models.notes import internal_note_field, public_note_field
from kzpolitics.core.models.records import Status
from kzpolitics.core.paths import record_path
from kzpolitics.core.search import SearchKeyField


class Place(Cited):
    """A place: a country, city, region, lake or test site, with its names over time."""

    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        REPUBLIC = "republic", "Republic"
        REGION = "region", "Region"
        CITY = "city", "City"
        TOWN = "town", "Town"
        LAKE = "lake", "Lake"
        SEA = "sea", "Sea"
        TEST_SITE = "test_site", "Test site"
        AREA = "area", "Area"

    slug = models.SlugField(
        max_length=120, unique=True, help_text="Stable URL name; never change it."
    )
    name = models.CharField(max_length=200, help_text="The name the site shows.")
    name_key = SearchKeyField(source="name")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        help_text="The larger place it lies in.",
    )
    public_note = public_note_field()
    note = internal_note_field()

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_path("kzpolitics:place-detail", self.slug)

    def names_in_date_order(self) -> list:
        """Its names as the view fetched them (published ones, or drafts too in an editor's
        preview), oldest first (see ``name_date_order``)."""
        return sorted(self.names.all(), key=name_date_order)

    def name_on(self, when) -> str:
        """The name it bore on ``when`` (a day or an uncertain date): Akmola on 27 March
        1993, Astana today. Reads its published names, prefetched where the caller did so
        (``published_prefetch("names", PlaceName)``)."""
        kinds = (PlaceName.Kind.OFFICIAL, PlaceName.Kind.FORMER)
        names = [n for n in self.names.all() if n.status == Status.PUBLISHED]
        return name_in_use(names, when, kinds, self.name)


def span_of(when) -> tuple[datetime.date | None, datetime.date | None]:
    """A day or an uncertain date (anything with ``earliest`` and ``latest``) as its first
    and last possible days."""
    if isinstance(when, datetime.date):
        return when, when
    return getattr(when, "earliest", None), getattr(when, "latest", None)


def name_date_order(name) -> tuple:
    """A sort key putting names in the order they were borne: by the first day any of their
    dates gives; an undated former name before every dated one, any other undated name
    (today's, a variant) after them."""
    day = name.start_earliest or name.start_latest or name.end_earliest or name.end_latest
    if day is None:
        day = datetime.date.min if name.kind == "former" else datetime.date.max
    return day, name.name


def name_in_use(names, when, kinds, fallback: str) -> str:
    """Which of ``names`` (rows of a NameInUse model) something bore on ``when``: a day or an
    uncertain date. Only names of ``kinds`` with a dated start or end count (an undated name
    says nothing of when it was used). A name certainly in use over the whole of ``when``
    wins; otherwise, of the names that may have been in use, those certainly begun by its
    last day, the most recently begun. With none, or no date, ``fallback`` (today's name)."""
    first, last = span_of(when)
    if first is None and last is None:
        return fallback
    dated = [
        n
        for n in names
        if n.kind in kinds
        and (n.start_earliest or n.start_latest or n.end_earliest or n.end_latest)
    ]
    possible = [
        n for n in dated if can_share_a_day((n.start_earliest, n.end_latest), (first, last))
    ]

    # A side with no date at all is open (in use since ever, or still); a side dated only
    # on its other bound (“by December 1988”, “/1988-12”) is certain only beyond it.
    def begun(n, day) -> bool:
        if n.start_earliest is None and n.start_latest is None:
            return True
        return day is not None and n.start_latest is not None and n.start_latest <= day

    def lasting(n, day) -> bool:
        if n.end_earliest is None and n.end_latest is None:
            return True
        return day is not None and n.end_earliest is not None and n.end_earliest >= day

    def newest(n):
        return n.start_latest or n.start_earliest or datetime.date.min

    whole = [n for n in possible if begun(n, first) and lasting(n, last)]
    if whole:
        return max(whole, key=newest).name
    started = [n for n in possible if begun(n, last)]
    return max(started, key=newest).name if started else fallback


# A BCP 47 (RFC 5646) language tag, well formed and in its conventional case: the language in
# lower case, a script capitalized, a region in capitals (kk, ru, en, kk-Cyrl, ru-Latn, en-GB).
# Why BCP 47: it is what HTML's lang attribute, the API's clients and Wikidata's labels use.
LANGUAGE_TAG = RegexValidator(
    r"^(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})"  # language, extended language subtags
    r"(?:-[A-Z][a-z]{3})?"  # script: Cyrl, Latn, Arab
    r"(?:-(?:[A-Z]{2}|[0-9]{3}))?"  # region: KZ, RU, 419
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"  # variants
    r"(?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*"  # extensions
    r"(?:-x(?:-[a-z0-9]{1,8})+)?$",  # private use
    "A BCP 47 language tag, e.g. kk, ru, en or kk-Cyrl (language in lower case, script "
    "capitalized, region in capitals).",
    code="invalid_language_tag",
)


class NameInUse(Cited):
    """A name something bore, with its kind, language and the period it was in use."""

    names_its_parent = True  # a mention of its record shows it (kzpolitics.core.dependencies)

    name = models.CharField(max_length=300, db_index=True, help_text="The name as written.")
    name_key = SearchKeyField(source="name")
    language = models.CharField(
        max_length=40,
        blank=True,
        validators=[LANGUAGE_TAG],
        help_text="Its language as a BCP 47 tag: kk (Kazakh), ru (Russian), en; with a script "
        "where it helps: kk-Cyrl, kk-Latn.",
    )
    start = UncertainDate("In use from")
    end = UncertainDate("In use until")
    public_note = public_note_field()
    note = internal_note_field()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class PlaceName(NameInUse):
    """A name a place bore, with the period it was in use (Tselinograd, Akmola, Astana)."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", "Official"
        FORMER = "former", "Former"
        VARIANT = "variant", "Variant spelling"
        TRANSLATION = "translation", "Translation"

    PARENT = "place"

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OFFICIAL)

    class Meta:
        ordering = ("place", F("start_earliest").asc(nulls_first=True), "name", "id")

    def get_absolute_url(self) -> str:
        return self.place.get_absolute_url()
