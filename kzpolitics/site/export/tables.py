"""What the export's files hold: one CSV file per kind of record and per link between events
and other records, their columns (each with its Frictionless schema), and which links a row
shows only while the record they name is public."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F
from django.utils.text import capfirst, slugify

from kzpolitics.core.models import (
    Cited,
    Event,
    TimeStamped,
    content_models,
    is_internal,
    public_condition,
    required_links,
)
from kzpolitics.core.resources import has_slug
from kzpolitics.core.search import SearchKeyField

# Bump when the files' layout or what they hold changes: it is part of the ETag and of the
# kept files' names, so no file built before is served again. 2: public rows only. 3: a
# table for every kind of record, found by its base class (periods.csv). 4: the readers'
# public_note, not the editors' internal note. 5: the versioned address and licences in the
# descriptor, party-elections.csv (ParlGov's shape) and crosswalk.csv (identifiers elsewhere).
FORMAT_VERSION = "5"
JSON_DUMP = "kzpolitics.json"
DESCRIPTOR = "datapackage.json"


@dataclass(frozen=True)
class Column:
    """One CSV column: where its value comes from in a ``.values()`` row, and its schema."""

    name: str
    lookup: str
    type: str
    title: str
    description: str
    constraints: dict = field(default_factory=dict)
    reference: tuple[str, str] | None = None  # (resource, field) a foreign key points at

    def schema(self) -> dict:
        described = {
            "name": self.name,
            "type": self.type,
            "title": self.title,
            "description": self.description,
        }
        if self.constraints:
            described["constraints"] = self.constraints
        return described


@dataclass(frozen=True)
class Table:
    """One model's records, one row each."""

    name: str
    model: type[models.Model]
    title: str

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def cited(self) -> bool:
        return issubclass(self.model, Cited)

    def description(self) -> str:
        text = " ".join((self.model.__doc__ or "").split("\n\n")[0].split())
        if self.cited:
            text += (
                f" Its citations are the rows of citations.csv with content_type {self.label} "
                "and object_id the record's id; the citations column counts them."
            )
        return text


@dataclass(frozen=True)
class LinkTable:
    """A many-to-many link between events and other records: one row per link."""

    name: str
    descriptor: object  # the model's ManyToManyDescriptor, e.g. ``LegalAct.events``
    title: str
    aliases: dict = field(default_factory=dict)  # through-model field name -> column stem

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    @property
    def m2m(self) -> models.ManyToManyField:
        return self.descriptor.field

    def sides(self) -> list[models.ForeignKey]:
        """The through model's two keys, the event's first."""
        through = self.m2m.remote_field.through
        keys = [f for f in through._meta.concrete_fields if f.is_relation]
        return sorted(keys, key=lambda f: f.related_model is not Event)

    def stem(self, key: models.ForeignKey) -> str:
        return self.aliases.get(key.name, key.name)

    def description(self) -> str:
        owner = self.m2m.model._meta.verbose_name_plural
        return f"Which events concern which {owner}: one row per link."


# The tables' file names, titles and order. Every kind of record (``content_models()``: the
# subclasses of TimeStamped) has a table: one not named here gets one named after its plural,
# after these, so a new kind of record reaches the export without an edit here.
TABLE_NAMES = {
    "parties.organization": ("organizations", "Parties, movements, organizations and blocs"),
    "parties.organizationname": ("organization-names", "Organizations' names over time"),
    "parties.stance": ("stances", "Organizations' stances towards the president"),
    "parties.membershipfigure": ("membership-figures", "Membership figures"),
    "parties.role": ("roles", "People's roles and offices"),
    "parties.relation": ("relations", "Relations between organizations"),
    "kzpolitics.person": ("people", "People"),
    "kzpolitics.personname": ("person-names", "People's names and spellings"),
    "kzpolitics.place": ("places", "Places"),
    "kzpolitics.placename": ("place-names", "Places' names over time"),
    "kzpolitics.event": ("events", "Events: the timeline"),
    "elections.election": ("elections", "Elections"),
    "elections.round": ("rounds", "Rounds of voting"),
    "elections.result": ("results", "Election results"),
    "legislation.legalact": ("legal-acts", "Legal acts"),
    "legislation.provision": ("provisions", "Provisions of legal acts"),
    "legislation.registrationdecision": ("registration-decisions", "Registration decisions"),
    "kzpolitics.source": ("sources", "Sources: the works cited"),
    "kzpolitics.citation": (
        "citations",
        "Citations: which source backs which record or field",
    ),
}

# The links' file names, titles and column stems, by (model, many-to-many field), in order.
# A many-to-many field of a record not named here gets a file named after both ends.
LINK_NAMES = {
    ("parties.organization", "events"): ("event-organizations", "Events and organizations", {}),
    ("kzpolitics.event", "people"): ("event-people", "Events and people", {}),
    ("elections.election", "events"): ("event-elections", "Events and elections", {}),
    ("legislation.legalact", "events"): (
        "event-acts",
        "Events and legal acts",
        {"legalact": "act"},
    ),
}


def find_tables() -> tuple[Table, ...]:
    """A table per kind of record: those named in TABLE_NAMES in its order, then the rest."""
    order = list(TABLE_NAMES)
    tables = []
    for model in content_models():
        label = model._meta.label_lower
        plural = str(model._meta.verbose_name_plural)
        name, title = TABLE_NAMES.get(label, (slugify(plural), capfirst(plural)))
        rank = order.index(label) if label in TABLE_NAMES else len(order)
        tables.append((rank, label, Table(name, model, title)))
    return tuple(table for *_, table in sorted(tables, key=lambda found: found[:2]))


def find_links(tables: tuple[Table, ...]) -> tuple[LinkTable, ...]:
    """A link table per many-to-many field of a record: those named in LINK_NAMES in its
    order, then the rest, named after both ends (the event's first)."""
    order = list(LINK_NAMES)
    links = []
    for table in tables:
        for m2m in table.model._meta.local_many_to_many:
            key = (table.label, m2m.name)
            if key in LINK_NAMES:
                name, title, aliases = LINK_NAMES[key]
            else:
                ends = sorted((table.model, m2m.related_model), key=lambda m: m is not Event)
                plurals = [str(end._meta.verbose_name_plural) for end in ends]
                name = slugify(f"{ends[0]._meta.model_name} {plurals[1]}")
                title, aliases = capfirst(" and ".join(plurals)), {}
            rank = order.index(key) if key in LINK_NAMES else len(order)
            descriptor = getattr(table.model, m2m.name)
            links.append((rank, key, LinkTable(name, descriptor, title, aliases)))
    return tuple(link for *_, link in sorted(links, key=lambda found: found[:2]))


TABLES = find_tables()
LINKS = find_links(TABLES)

RESOURCE_OF = {table.model: table.name for table in TABLES}


def data_type(model_field: models.Field) -> str:
    if isinstance(model_field, models.BooleanField):
        return "boolean"
    if isinstance(model_field, models.IntegerField):
        return "integer"
    if isinstance(model_field, models.DecimalField | models.FloatField):
        return "number"
    if isinstance(model_field, models.DateTimeField):
        return "datetime"
    if isinstance(model_field, models.DateField):
        return "date"
    return "string"


def described(model_field: models.Field) -> str:
    if model_field.primary_key:
        return "The record's id."
    text = str(
        model_field.help_text
        or TIMESTAMPS.get(model_field.name)
        or capfirst(model_field.verbose_name)
    )
    if not text.endswith((".", ")", "”")):
        text += "."
    if model_field.choices:
        options = ", ".join(f"{value} ({label})" for value, label in model_field.flatchoices)
        text += f" One of: {options}."
    return text


POSITIVE = (
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)


def constraints_of(model_field: models.Field, *, required: bool) -> dict:
    found: dict = {}
    if required:
        found["required"] = True
    if model_field.primary_key or model_field.unique:
        # A nullable unique field (a Party Facts ID) is unique where it is filled in.
        if not model_field.null:
            found["required"] = True
        found["unique"] = True
    if model_field.choices:
        found["enum"] = [str(value) for value, _ in model_field.flatchoices]
    if isinstance(model_field, POSITIVE):
        found["minimum"] = 0
    return found


TIMESTAMPS = {
    "created_at": "When the record was created (UTC).",
    "updated_at": "When the record was last changed (UTC).",
}


def ordered_fields(model) -> list[models.Field]:
    """The concrete fields the public may read (not the editors' internal notes, nor the
    search keys, which only repeat a name folded for matching), the record's own first and
    its timestamps last."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if not is_internal(f) and not isinstance(f, SearchKeyField)
    ]
    return [f for f in fields if f.name not in TIMESTAMPS] + [
        f for f in fields if f.name in TIMESTAMPS
    ]


def columns(table: Table) -> list[Column]:
    """The model's concrete fields as columns; keys as the related record's slug, else id."""
    found = []
    for model_field in ordered_fields(table.model):
        title = capfirst(str(model_field.verbose_name))
        if model_field.is_relation and model_field.related_model is ContentType:
            found.append(
                Column(
                    model_field.name,
                    model_field.attname,
                    "string",
                    "Record type",
                    "Type of the record cited, as app_label.model (e.g. parties.organization): "
                    "the table whose description names it holds the record, by id.",
                    {"required": True},
                )
            )
        elif model_field.is_relation:
            target = model_field.related_model
            resource = "" if target is table.model else RESOURCE_OF[target]
            where = f"{RESOURCE_OF[target]}.csv"
            help_text = f"{model_field.help_text} " if model_field.help_text else ""
            required = {"required": True} if not model_field.null else {}
            if has_slug(target):
                found.append(
                    Column(
                        f"{model_field.name}_slug",
                        f"{model_field.name}__slug",
                        "string",
                        title,
                        f"{help_text}Slug of the {target._meta.verbose_name} ({where}).",
                        required,
                        (resource, "slug"),
                    )
                )
            else:
                found.append(
                    Column(
                        model_field.attname,
                        model_field.attname,
                        "integer",
                        title,
                        f"{help_text}Id of the {target._meta.verbose_name} ({where}).",
                        required,
                        (resource, "id"),
                    )
                )
        else:
            required = not model_field.null and not model_field.blank
            found.append(
                Column(
                    model_field.name,
                    model_field.attname,
                    data_type(model_field),
                    "Id" if model_field.primary_key else title,
                    described(model_field),
                    constraints_of(model_field, required=required),
                )
            )
    if table.cited:
        found.append(
            Column(
                "citations",
                "",
                "integer",
                "Citations",
                "How many citations back this record or its fields (rows of citations.csv).",
                {"required": True, "minimum": 0},
            )
        )
    return found


def link_columns(link: LinkTable) -> list[Column]:
    found = []
    for key in link.sides():
        target = key.related_model
        found.append(
            Column(
                f"{link.stem(key)}_slug",
                f"{key.name}__slug",
                "string",
                capfirst(str(target._meta.verbose_name)),
                f"Slug of the {target._meta.verbose_name} ({RESOURCE_OF[target]}.csv).",
                {"required": True},
                (RESOURCE_OF[target], "slug"),
            )
        )
    return found


def attribute_links(model) -> list[models.ForeignKey]:
    """The row's links to records it may be public without (a founding place, the body that
    adopted an act, the act a decision was taken under): each is written only while the
    record it names is public, and empty otherwise."""
    required = {link for link, _ in required_links(model)}
    return [
        f
        for f in model._meta.concrete_fields
        if f.many_to_one
        and isinstance(f.related_model, type)
        and issubclass(f.related_model, TimeStamped)
        and f not in required
    ]


def shown_links(model, lookups: set[str]) -> dict[str, tuple[str, models.Expression]]:
    """For each of ``lookups`` that reads an attribute link (``founding_place_id``,
    ``founding_place__slug``): the name (and expression) of the value to read instead, which
    is empty where the linked record is not public."""
    shown = {}
    for link in attribute_links(model):
        public = public_condition(link.related_model, f"{link.name}__")
        for lookup, output in (
            (link.attname, models.BigIntegerField()),
            (f"{link.name}__slug", models.CharField()),
        ):
            if lookup in lookups:
                alias = f"shown_{lookup.replace('__', '_')}"
                shown[lookup] = (
                    alias,
                    models.Case(models.When(public, then=F(lookup)), output_field=output),
                )
    return shown
