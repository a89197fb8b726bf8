"""People and the names they are known by."""

from __future__ import annotations

from django.db import models

from kzpolitics.core.editorial.limits import CEILING
from kzpolitics.core.models.citations import Cited, CitedQuerySet
from kzpolitics.core.models.notes import internal_note_field, public_note_field
from kzpolitics.core.paths import record_path
from kzpolitics.core.search import SearchKeyField, search


class PersonQuerySet(CitedQuerySet):
    def matching(self, text: str):
        """People any of whose names the public may see match the text (``search``)."""
        return search(self, text, ("name", "names__name"))


class Person(Cited):
    """A person the sources name: a leader, an official, a writer."""

    CITED_FIELDS = ("description",)

    slug = models.SlugField(
        max_length=120, unique=True, help_text="Stable URL name; never change it."
    )
    name = models.CharField(max_length=200, help_text="The name as the founding article spells it.")
    name_key = SearchKeyField(source="name")
    description = models.TextField(
        blank=True,
        help_text="Who they were, as the sources describe them (cite it).",
        validators=[CEILING],
    )
    public_note = public_note_field()
    note = internal_note_field()

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ("name", "id")
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_path("kzpolitics:person-detail", self.slug)


class PersonName(Cited):
    """Another name or spelling of a person (Nazarbayev for Nazarbaev)."""

    names_its_parent = True  # a mention of the person may show it (core.dependencies)

    class Kind(models.TextChoices):
        ARTICLE = "article", "As printed in the article"
        VARIANT = "variant", "Variant spelling"
        FULL = "full", "Full name"
        TRANSLITERATION = "transliteration", "Transliteration"

    PARENT = "person"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200, db_index=True, help_text="The name or spelling.")
    name_key = SearchKeyField(source="name")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.VARIANT)
    public_note = public_note_field()
    note = internal_note_field()

    class Meta:
        ordering = ("person", "kind", "name")
        constraints = [
            models.UniqueConstraint(fields=("person", "name"), name="person_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.person.get_absolute_url()
