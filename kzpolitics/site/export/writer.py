"""Writing the export: every table read once, as CSV files into the zip and, on the way, every
record into the JSON dump (Django's serialization format), with each file's size and hash.

The rows are read with ``.values()``, a fixed number of queries however many records there
are, and the dump is built in a spooled temporary file, so memory stays bounded."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q

from kzpolitics.core.cells import safe_cell
from kzpolitics.core.models import Citation, public_condition

from .derived import DERIVED, KEEP, columns_of, derived_rows
from .tables import (
    FORMAT_VERSION,
    JSON_DUMP,
    LINKS,
    TABLES,
    Column,
    LinkTable,
    Table,
    columns,
    link_columns,
    ordered_fields,
    shown_links,
)

SPOOL_BYTES = 8 * 1024 * 1024
CHUNK = 2000


def csv_cell(value) -> str:
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
        """The version's stable id, as in its address and file names (``version_id``)."""
        return version_id(self.version)

    @property
    def filename(self) -> str:
        return f"kzpolitics-{self.version_label}.zip"

    @property
    def sqlite_filename(self) -> str:
        return f"kzpolitics-{self.version_label}.sqlite3"

    @property
    def etag(self) -> str:
        return etag_for(self.version)


def version_id(version: datetime.datetime) -> str:
    """A data version's stable id: its time, in UTC to the microsecond (ISO 8601 basic), and
    the format of its files, e.g. ``20261203T163557.123456Z-f5``. The format is part of it
    because the same data in a new layout is other bytes: an address naming an id keeps
    answering with the same ones."""
    stamp = version.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{stamp}-f{FORMAT_VERSION}"


def etag_for(version: datetime.datetime) -> str:
    stamp = version.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f'"kzpolitics-export-{FORMAT_VERSION}-{stamp}"'


class Exporter:
    """Reads every table once and writes the zip; see the module docstring."""

    def __init__(self, archive: zipfile.ZipFile, export: Export):
        self.archive = archive
        self.export = export
        self.stamp = export.version.astimezone(datetime.UTC).timetuple()[:6]
        # The rows the derived tables are computed from, as written (derived.KEEP).
        self.kept: dict[str, list[dict]] = {name: [] for name in KEEP}

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
                    writer.writerow([csv_cell(row[c.lookup]) for c in cols])
                    written.rows += 1
        for table in DERIVED:
            cols = columns_of(table)
            with self.csv_writer(table.path, cols) as (writer, written):
                for row in derived_rows(table, self.kept):
                    writer.writerow([csv_cell(row[c.name]) for c in cols])
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
        concrete = [f for f in ordered_fields(model) if not f.primary_key]
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
        kept = self.kept.get(table.name)
        wanted = KEEP.get(table.name)
        with self.csv_writer(table.path, cols) as (writer, written):
            for row in records:
                cells = {c.name: value[c.name](row) for c in cols}
                writer.writerow([csv_cell(cells[c.name]) for c in cols])
                written.rows += 1
                if kept is not None and (wanted is None or wanted(cells)):
                    kept.append(cells)
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
