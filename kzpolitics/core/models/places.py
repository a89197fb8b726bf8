"""Places and their names over time."""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.urls import reverse

from kzpolitics.core.dates import UncertainDate
from kzpolitics.core.models.citations import Cited


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
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        help_text="The larger place it lies in.",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("kzpolitics:place-detail", args=[self.slug])


class NameInUse(Cited):
    """A name something bore, with its kind, language and the period it was in use."""

    name = models.CharField(max_length=300, db_index=True, help_text="The name as written.")
    language = models.CharField(max_length=40, blank=True, help_text="e.g. Kazakh, Russian.")
    start = UncertainDate("In use from")
    end = UncertainDate("In use until")
    note = models.TextField(blank=True)

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
