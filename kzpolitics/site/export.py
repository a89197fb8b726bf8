"""The full download: every record as one zip of CSV files, a Frictionless Data Package
describing them, and a JSON dump, stamped with the version of the data.

It holds what the public may see, and nothing else: each table's ``published()`` rows, the
links between events and other records whose both ends are public, the citations the public
may see (and counts of those only), and a link to a record the row may be public without (a
founding place, the body that adopted an act) only while that record is public, else empty.

The export reads the database in one consistent snapshot and runs a fixed number of queries
(one per table), however many records there are. The zip is built in a spooled temporary
file, so memory stays bounded if the data grows.

Building it takes seconds at a hundred times the article's size, so each version's zip is kept
in ``settings.EXPORT_CACHE_DIR`` once built and served from there until the data changes: a
repeated download costs one query. One process builds a version while the others wait for it
(a file lock), and older versions' files are removed.

This module knows every app's models, so it sits at the top of the site, beside the router.
"""

from __future__ import annotations

import csv
import datetime
import fcntl
import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Count, F, Max, Q
from django.http import FileResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.text import capfirst
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, renderers
from rest_framework.response import Response
from rest_framework.views import APIView

from elections.models import Election, Result, Round
from kzpolitics.core.cells import safe_cell
from kzpolitics.core.models import (
    Citation,
    Cited,
    DataVersion,
    Event,
    Person,
    PersonName,
    Place,
    PlaceName,
    Source,
    TimeStamped,
    public_condition,
    required_links,
)
from legislation.models import LegalAct, Provision, RegistrationDecision
from parties.models import (
    MembershipFigure,
    Organization,
    OrganizationName,
    Relation,
    Role,
    Stance,
)

# Bump when the files' layout or what they hold changes: it is part of the ETag and of the
# kept files' names, so no file built before is served again. 2: public rows only.
FORMAT_VERSION = "2"
JSON_DUMP = "kzpolitics.json"
DESCRIPTOR = "datapackage.json"
LICENSE_NOTE = (
    "The data cite their sources; quotes are brief. Each fact names the work it comes from "
    "(sources.csv, citations.csv): credit those works when you reuse it."
)
SPOOL_BYTES = 8 * 1024 * 1024
CHUNK = 2000


# -- What the files hold ---------------------------------------------------------------------


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


TABLES = (
    Table("organizations", Organization, "Parties, movements, organizations and blocs"),
    Table("organization-names", OrganizationName, "Organizations' names over time"),
    Table("stances", Stance, "Organizations' stances towards the president"),
    Table("membership-figures", MembershipFigure, "Membership figures"),
    Table("roles", Role, "People's roles and offices"),
    Table("relations", Relation, "Relations between organizations"),
    Table("people", Person, "People"),
    Table("person-names", PersonName, "People's names and spellings"),
    Table("places", Place, "Places"),
    Table("place-names", PlaceName, "Places' names over time"),
    Table("events", Event, "Events: the timeline"),
    Table("elections", Election, "Elections"),
    Table("rounds", Round, "Rounds of voting"),
    Table("results", Result, "Election results"),
    Table("legal-acts", LegalAct, "Legal acts"),
    Table("provisions", Provision, "Provisions of legal acts"),
    Table("registration-decisions", RegistrationDecision, "Registration decisions"),
    Table("sources", Source, "Sources: the works cited"),
    Table("citations", Citation, "Citations: which source backs which record or field"),
)

LINKS = (
    LinkTable("event-organizations", Organization.events, "Events and organizations"),
    LinkTable("event-people", Event.people, "Events and people"),
    LinkTable("event-elections", Election.events, "Events and elections"),
    LinkTable("event-acts", LegalAct.events, "Events and legal acts", {"legalact": "act"}),
)

RESOURCE_OF = {table.model: table.name for table in TABLES}


def has_slug(model) -> bool:
    return any(f.name == "slug" for f in model._meta.concrete_fields)


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
    """The concrete fields, the record's own first and its timestamps last."""
    fields = model._meta.concrete_fields
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


# -- Writing ---------------------------------------------------------------------------------


def cell(value) -> str:
    """A value as a CSV cell that Frictionless types and pandas.read_csv both read."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return iso_utc(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_cell(value)  # no formula a spreadsheet would run (cells.py)
    return str(value)


def iso_utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


class _Tally(io.RawIOBase):
    """Passes bytes on to a zip member, counting and hashing them on the way."""

    def __init__(self, target):
        self.target = target
        self.bytes = 0
        self.sha256 = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self.target.write(data)
        self.bytes += len(data)
        self.sha256.update(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.target.close()
        super().close()


@dataclass
class Written:
    rows: int
    bytes: int
    hash: str


@dataclass
class Export:
    """What was written: the data version, how it was found, and each file's figures."""

    version: datetime.datetime
    version_source: str  # "data_version", "latest_updated_at" or "export_time"
    files: dict[str, Written] = field(default_factory=dict)

    @property
    def version_label(self) -> str:
        """The version as it appears in the file name: 20050101T120000Z (ISO 8601, basic)."""
        return self.version.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")

    @property
    def filename(self) -> str:
        return f"kzpolitics-{self.version_label}.zip"

    @property
    def etag(self) -> str:
        return etag_for(self.version)


def etag_for(version: datetime.datetime) -> str:
    stamp = version.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f'"kzpolitics-export-{FORMAT_VERSION}-{stamp}"'


class Exporter:
    """Reads every table once and writes the zip; see the module docstring."""

    def __init__(self, archive: zipfile.ZipFile, export: Export):
        self.archive = archive
        self.export = export
        self.stamp = export.version.astimezone(datetime.UTC).timetuple()[:6]

    def member(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=max(self.stamp, (1980, 1, 1, 0, 0, 0)))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def write_all(self) -> None:
        type_names = {
            pk: f"{app_label}.{model}"
            for pk, app_label, model in ContentType.objects.values_list("id", "app_label", "model")
        }
        counts = self.citation_counts()
        links = [(link, self.read_link(link)) for link in LINKS]
        many = self.many_to_many(links)
        with tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+b") as dump:
            tally = _Tally(dump)
            self.write_dump(dump, tally, type_names, counts, many)
        records = sum(self.export.files[table.path].rows for table in TABLES)
        self.export.files[JSON_DUMP] = Written(records, tally.bytes, tally.sha256.hexdigest())
        for link, rows in links:
            cols = link_columns(link)
            with self.csv_writer(link.path, cols) as (writer, written):
                for row in rows:
                    writer.writerow([cell(row[c.lookup]) for c in cols])
                    written.rows += 1

    def write_dump(self, dump, tally, type_names, counts, many) -> None:
        """Write the record tables, and every record into the JSON dump, then zip the dump."""
        with io.TextIOWrapper(io.BufferedWriter(tally), encoding="utf-8") as text:
            text.write("[")
            separator = "\n"
            for table in TABLES:
                for entry in self.write_table(table, type_names, counts, many):
                    text.write(separator + entry)
                    separator = ",\n"
            text.write("\n]\n")
            text.flush()
            dump.seek(0)
            with self.archive.open(self.member(JSON_DUMP), "w") as target:
                shutil.copyfileobj(dump, target)

    def citation_counts(self) -> dict[tuple[int, int], int]:
        """How many citations the public may see each record has: one query for all records."""
        rows = (
            Citation.objects.published()
            .order_by()
            .values("content_type_id", "object_id")
            .annotate(n=Count("id"))
            .values_list("content_type_id", "object_id", "n")
        )
        return {(ct, pk): n for ct, pk, n in rows}

    def read_link(self, link: LinkTable) -> list[dict]:
        """The links whose both ends the public may see."""
        sides = link.sides()
        lookups = [f.attname for f in sides] + [f"{f.name}__slug" for f in sides]
        through = link.m2m.remote_field.through
        both_public = Q()
        for key in sides:
            both_public &= public_condition(key.related_model, f"{key.name}__")
        links = through.objects.filter(both_public)
        return list(links.order_by(*lookups[2:]).values(*lookups))

    def many_to_many(self, links: list[tuple[LinkTable, list[dict]]]) -> dict:
        """For the JSON dump: model -> field name -> record id -> linked ids."""
        many: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
        for link, rows in links:
            m2m = link.m2m
            own = f"{m2m.m2m_field_name()}_id"
            other = f"{m2m.m2m_reverse_field_name()}_id"
            for row in rows:
                many[m2m.model][m2m.name][row[own]].append(row[other])
        return many

    def write_table(self, table: Table, type_names, counts, many) -> Iterator[str]:
        """Write the table's CSV; yield each record as a JSON dump entry on the way."""
        model = table.model
        cols = columns(table)
        concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
        lookups = {"pk", *(c.lookup for c in cols if c.lookup)}
        lookups.update(f.attname for f in concrete)
        type_id = {name: pk for pk, name in type_names.items()}.get(table.label)
        m2m_fields = [f.name for f in model._meta.local_many_to_many]
        shown = shown_links(model, lookups)
        lookups.difference_update(shown)
        value: dict[str, Callable] = {}
        for column in cols:
            if column.name == "citations":
                value[column.name] = lambda row: counts.get((type_id, row["pk"]), 0)
            elif column.name == "content_type":
                value[column.name] = lambda row: type_names[row["content_type_id"]]
            else:
                lookup = shown[column.lookup][0] if column.lookup in shown else column.lookup
                value[column.name] = lambda row, lookup=lookup: row[lookup]
        records = (
            model.objects.published()
            .order_by("pk")
            .values(*sorted(lookups), **dict(shown.values()))
            .iterator(CHUNK)
        )
        with self.csv_writer(table.path, cols) as (writer, written):
            for row in records:
                writer.writerow([cell(value[c.name](row)) for c in cols])
                written.rows += 1
                yield self.dump_entry(model, concrete, m2m_fields, row, type_names, many, shown)

    def dump_entry(self, model, concrete, m2m_fields, row, type_names, many, shown) -> str:
        """One record in Django's serialization format (``manage.py loaddata`` reads it)."""
        fields = {}
        for model_field in concrete:
            attname = model_field.attname
            raw = row[shown[attname][0] if attname in shown else attname]
            if model_field.is_relation and model_field.related_model is ContentType:
                raw = type_names[raw].split(".", 1)
            fields[model_field.name] = raw
        for name in m2m_fields:
            fields[name] = many[model][name].get(row["pk"], [])
        entry = {"model": model._meta.label_lower, "pk": row["pk"], "fields": fields}
        return json.dumps(entry, cls=DjangoJSONEncoder, ensure_ascii=False)

    @contextmanager
    def csv_writer(self, path: str, cols: list[Column]):
        """A CSV writer into a new zip member, with its header written; records its figures."""
        tally = _Tally(self.archive.open(self.member(path), "w"))
        written = Written(0, 0, "")
        with io.TextIOWrapper(io.BufferedWriter(tally), encoding="utf-8", newline="") as text:
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow([c.name for c in cols])
            yield writer, written
        written.bytes = tally.bytes
        written.hash = tally.sha256.hexdigest()
        self.export.files[path] = written


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


UNREAD = object()


def read_version(changed=UNREAD) -> tuple[datetime.datetime, str]:
    """The data version: the last save or delete (``changed``, if the caller read it), else
    the latest edit, else now."""
    if changed is UNREAD:
        changed = DataVersion.current()
    if changed is not None:
        return changed, "data_version"
    latest = [
        table.model.objects.published().aggregate(latest=Max("updated_at"))["latest"]
        for table in TABLES
    ]
    latest = [moment for moment in latest if moment is not None]
    if latest:
        return max(latest), "latest_updated_at"
    return timezone.now(), "export_time"


def write_export(target, version: tuple[datetime.datetime, str] | None = None) -> Export:
    """Write the whole dataset as a zip into ``target`` (a binary file) and say what it holds.

    Call it inside a transaction so that every table is read from the same snapshot.
    """
    export = Export(*(version or read_version()))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        exporter = Exporter(archive, export)
        exporter.write_all()
        source_count = export.files["sources.csv"].rows
        descriptor = json.dumps(datapackage(export, source_count), indent=2, ensure_ascii=False)
        archive.writestr(exporter.member(DESCRIPTOR), descriptor + "\n")
    return export


# -- Describing ------------------------------------------------------------------------------

VERSION_NOTES = {
    "data_version": "the time of the last save or delete of any record",
    "latest_updated_at": (
        "no change has been recorded, so it is the latest time any record was updated"
    ),
    "export_time": "the database is empty, so it is the time of the export",
}


def package_description(export: Export, source_count: int) -> str:
    return (
        "Every record of kzpolitics, a citation-backed record of how Kazakhstan's "
        "multiparty system came into being (1986-2005), founded on Vladimir Babak's article "
        "“Kazakhstan: How its multiparty system came into being”. "
        f"Data version {iso_utc(export.version)} ({VERSION_NOTES[export.version_source]}). "
        "One CSV file per table: UTF-8 without a byte-order mark, comma-separated, a header "
        "row, one row per record, empty cells for missing values. A column ending _slug holds "
        "the related record's slug, one ending _id its id. An uncertain date is four columns: "
        "*_text (the source's wording), *_edtf (Library of Congress EDTF), *_earliest and "
        "*_latest (the first and last day it can mean). citations.csv holds every citation: "
        "the record it backs is content_type (app_label.model) and object_id; each record "
        "table's citations column counts them. The event-*.csv files link events to the "
        "organizations, people, elections and acts they concern. "
        f"{JSON_DUMP} holds the same records in Django's serialization format: a list of "
        "{model, pk, fields}, foreign keys as ids, the cited record's type as a natural key "
        "[app_label, model], many-to-many links as lists of ids; `manage.py loaddata` reads "
        f"it. {source_count} sources are cited. {LICENSE_NOTE}"
    )


def datapackage(export: Export, source_count: int) -> dict:
    """The Frictionless Data Package descriptor (https://specs.frictionlessdata.io/)."""
    resources = [
        tabular(
            table.name,
            table.path,
            table.title,
            table.description(),
            columns(table),
            export.files[table.path],
            primary_key="id",
        )
        for table in TABLES
    ]
    resources += [
        tabular(
            link.name,
            link.path,
            link.title,
            link.description(),
            cols,
            export.files[link.path],
            primary_key=[c.name for c in cols],
        )
        for link in LINKS
        for cols in [link_columns(link)]
    ]
    dump = export.files[JSON_DUMP]
    resources.append(
        {
            "name": "kzpolitics-json",
            "path": JSON_DUMP,
            "type": "json",
            "title": "Everything as one JSON file",
            "description": (
                "Every record of the CSV files in Django's serialization format "
                "(model, pk, fields), loadable with `manage.py loaddata`."
            ),
            "format": "json",
            "mediatype": "application/json",
            "encoding": "utf-8",
            "bytes": dump.bytes,
            "hash": f"sha256:{dump.hash}",
        }
    )
    return {
        "name": "kzpolitics",
        "title": "Kazakhstan's multiparty system, 1986-2005: the kzpolitics data",
        "description": package_description(export, source_count),
        "version": export.version_label,
        "created": iso_utc(export.version),
        "version_source": export.version_source,
        "keywords": ["Kazakhstan", "political parties", "elections", "legislation"],
        "license_note": LICENSE_NOTE,
        "source_count": source_count,
        "resources": resources,
    }


def tabular(name, path, title, description, cols, written, *, primary_key) -> dict:
    schema: dict = {"fields": [c.schema() for c in cols], "primaryKey": primary_key}
    foreign_keys = [
        {"fields": c.name, "reference": {"resource": c.reference[0], "fields": c.reference[1]}}
        for c in cols
        if c.reference
    ]
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return {
        "name": name,
        "path": path,
        "type": "table",
        "title": title,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": written.bytes,
        "hash": f"sha256:{written.hash}",
        "schema": schema,
    }


# -- Serving ---------------------------------------------------------------------------------


class ZipRenderer(renderers.BaseRenderer):
    """Lets clients ask for ``application/zip`` (or ``?format=zip``); the view sends the file."""

    media_type = "application/zip"
    format = "zip"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


EXPORT_DESCRIPTION = (
    "The whole dataset as one zip file, named kzpolitics-<version>.zip after the data "
    "version (the time of the last change; also the Last-Modified header). It holds one CSV "
    "file per table (organizations, their names, stances, membership figures, roles and "
    "relations; people and their names; places and their names; events and their links to "
    "organizations, people, elections and acts; elections, rounds and results; legal acts, "
    "provisions and registration decisions; sources; citations), flat, one row per record, "
    "with foreign keys as slugs and uncertain dates as four columns (text, EDTF, earliest, "
    "latest); datapackage.json, a Frictionless Data Package describing every file's columns "
    "and keys; and kzpolitics.json, every record in Django's serialization format. Send "
    "If-None-Match or If-Modified-Since to get a 304 while the data is unchanged."
)


class ExportView(APIView):
    """The full download: every record, as CSV files, a data package and a JSON dump."""

    permission_classes = (permissions.AllowAny,)
    http_method_names = ("get", "head")
    renderer_classes = (ZipRenderer,)

    @extend_schema(
        summary="Download the whole dataset as a zip",
        description=EXPORT_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=["zip"],
                description="zip, the only format (the same as sending Accept: application/zip).",
            )
        ],
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="kzpolitics-<version>.zip"
            ),
            (304, "application/zip"): OpenApiResponse(
                description="The data has not changed since the version the client holds."
            ),
        },
    )
    def get(self, request, *args, **kwargs):
        version, how = read_version(DataVersion.answering(request._request))
        unchanged = get_conditional_response(
            request, etag=etag_for(version), last_modified=int(version.timestamp())
        )
        if unchanged is not None:
            return stamped(unchanged, version, etag_for(version))
        if how == "data_version":
            path, version = kept_export(version)
            # Not a with block: the response streams the file, and closes it when sent.
            kept = path.open("rb")
        else:
            # No recorded version (an empty or hand-loaded database): nothing to key a copy
            # on, so each download is built afresh.
            kept = tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+b")  # noqa: SIM115
            try:
                with transaction.atomic():
                    repeatable_read()
                    write_export(kept, (version, how))
            except BaseException:
                kept.close()
                raise
            kept.seek(0)
        export = Export(version, how)
        response = FileResponse(
            kept, as_attachment=True, filename=export.filename, content_type="application/zip"
        )
        return stamped(response, export.version, export.etag)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response):
            # Only errors (405, 406, 429, ...) come as a DRF response here: they are JSON.
            response.accepted_renderer = renderers.JSONRenderer()
            response.accepted_media_type = "application/json"
        return response


KEEP_VERSIONS = 2  # the newest, and the one before it for downloads still being sent


def kept_export(version: datetime.datetime) -> tuple[Path, datetime.datetime]:
    """The zip of the data at ``version``, built once and kept in ``EXPORT_CACHE_DIR``, and
    the version it holds.

    Named by the database and the version, so that sites sharing a folder never mix their
    files. While one process builds it the others wait on its lock, then serve what it built.
    The build reads one snapshot and the version in it: after an edit in between it holds
    (and is named for, and answers with) that newer version."""
    folder = Path(settings.EXPORT_CACHE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / export_file_name(version)
    if path.exists():
        return path, version
    with (folder / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if path.exists():
            return path, version  # another process built it while this one waited
        with transaction.atomic():
            repeatable_read()
            seen, how = read_version()
            path = folder / export_file_name(seen)
            partial = path.with_suffix(".partial")
            with partial.open("wb") as out:
                write_export(out, (seen, how))
            os.replace(partial, path)  # whole or not at all, for readers without the lock
        mine = sorted(folder.glob(f"kzpolitics-*-{site_key()}-*.zip"), key=os.path.getmtime)
        for old in mine[:-KEEP_VERSIONS]:
            old.unlink(missing_ok=True)
    return path, seen


def export_file_name(version: datetime.datetime) -> str:
    stamp = version.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"kzpolitics-{FORMAT_VERSION}-{site_key()}-{stamp}.zip"


def site_key() -> str:
    """Which database the files are of, in a few characters."""
    database = connection.settings_dict
    where = f"{connection.vendor}:{database.get('HOST')}:{database.get('PORT')}:"
    return hashlib.sha256((where + str(database.get("NAME"))).encode()).hexdigest()[:12]


def repeatable_read() -> None:
    """On PostgreSQL, read every table from one snapshot (SQLite's transactions already do)."""
    # Only as the transaction's first statement: not when the caller (a test) already has one.
    if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def stamped(response, version: datetime.datetime, etag: str):
    response.headers["Last-Modified"] = http_date(version.timestamp())
    response.headers["ETag"] = etag
    return response
