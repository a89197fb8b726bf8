"""Backups: every record, citation and history row, with the accounts the history names.

A backup is Django's serialization format (what ``dumpdata`` writes and ``loaddata`` reads),
gzipped. It holds the user accounts, groups and API tokens, then every model of the content
apps: records, citations, their historical rows (with the many-to-many links each version
kept) and the data version. ``manage.py backup`` writes one; ``manage.py restore`` loads one
into a database that holds no records yet.

What a round trip must not lose, and how it is kept:

- Ids. Records, citations, history rows and users keep their primary keys: citations point
  at records by id, history rows name their records and their history ids are page links.
  Groups are written by name instead (natural primary keys): the target database's migrations
  have already made Editors and Reviewers under ids of its own, and the backup's groups are
  merged into those. Content types and permissions are referred to by name for the same reason.
- Versions, timestamps, derived dates, citations' ``record_published``: a restore saves rows
  "raw", as ``loaddata`` does, so no ``save()`` override, ``auto_now`` field or history
  signal runs; the rows come back as they were written. Many-to-many links are set after
  their rows, through signals that are not raw: history is switched off for them
  (``skip_history_when_saving``), as the links each version kept are restored as rows of their
  own.
- Microseconds. Django's JSON encoder cuts datetimes to milliseconds; history is ordered and
  paged by its timestamps, so the backup writes them in full.
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import DatabaseError, connections, models, transaction
from simple_history.models import HistoricalChanges

from kzpolitics.core.dependencies import everything_changed
from kzpolitics.core.models import Citation, DataVersion, content_apps

CHUNK = 500
MERGED = ("auth.group", "kzpolitics.dataversion")  # rows a restore may find in the target
ACCOUNTS = {"auth.group": "groups", "auth.user": "users", "knox.authtoken": "API tokens"}


class BackupError(Exception):
    """A backup could not be written or restored; nothing was changed."""


def backed_up_models() -> list[type[models.Model]]:
    """Every model a backup holds, in an order that loads: what is referred to by name
    (groups, users) before what refers to it."""
    chosen = [apps.get_model("auth", "Group"), get_user_model()]
    if apps.is_installed("knox"):
        # Their digests (django-rest-knox keeps no key): a restored token still signs in.
        chosen.append(apps.get_model("knox", "AuthToken"))
    for config in content_apps():
        chosen.extend(config.get_models())
    chosen = [m for m in chosen if not m._meta.proxy and m._meta.managed]
    return serializers.sort_dependencies([(None, chosen)], allow_cycles=True)


def kind(model: type[models.Model]) -> str:
    """What a model's rows are, for the figures a backup and a restore print."""
    if issubclass(model, HistoricalChanges):
        return "history rows"
    if model is Citation:
        return "citations"
    if model is DataVersion:
        return "data version"
    if model._meta.app_label in {config.label for config in content_apps()}:
        return "records"
    return ACCOUNTS.get(model._meta.label_lower, model._meta.label_lower)


def figures(counts: Counter) -> list[str]:
    """One line per model, then the totals: records, citations, history rows, accounts."""
    lines = [f"  {model._meta.label:42} {counts[model]:>6}" for model in backed_up_models()]
    totals: Counter = Counter()
    for model, n in counts.items():
        totals[kind(model)] += n
    order = ("records", "citations", "history rows", "users", "groups", "API tokens")
    named = [*order, *sorted(k for k in totals if k not in order and k != "data version")]
    lines.append(", ".join(f"{totals[k]} {k}" for k in named) + ".")
    return lines


class FullPrecisionEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but keeping microseconds (it rounds times down to milliseconds)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class BackupSerializer(JSONSerializer):
    """Django's JSON serializer, writing groups by name and everything else with its id."""

    by_name = ("auth.group",)

    def get_dump_object(self, obj):
        data = super().get_dump_object(obj)
        if obj._meta.label_lower in self.by_name:
            del data["pk"]
        return data


def _natural_key_relations(model: type[models.Model]) -> list[str]:
    """The foreign keys a backup writes by name (content types, users): each needs its row."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and hasattr(f.related_model, "natural_key")
    ]


def _rows(model: type[models.Model], using: str) -> Iterator[models.Model]:
    """Every row in id order, fetched with the related rows the backup names, in a few
    queries per chunk rather than one per row."""
    queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
    if relations := _natural_key_relations(model):
        queryset = queryset.select_related(*relations)
    for field in model._meta.many_to_many:
        related = field.related_model._base_manager.using(using)
        if relations := _natural_key_relations(field.related_model):
            related = related.select_related(*relations)
        queryset = queryset.prefetch_related(models.Prefetch(field.name, queryset=related))
    return queryset.iterator(chunk_size=CHUNK)


def write_backup(path: Path, using: str = "default") -> Counter:
    """Write every backed-up row to ``path`` (gzipped JSON); return the rows per model.

    The file appears only once complete (written beside it, then renamed), readable by its
    owner only: it holds password hashes and the API tokens' digests.
    """
    if path.exists():
        raise BackupError(f"{path} already exists; choose another --output.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    counts: Counter = Counter()

    def every_row():
        for model in backed_up_models():
            counts[model] = 0
            for row in _rows(model, using):
                counts[model] += 1
                yield row

    connection = connections[using]
    outermost = not connection.in_atomic_block
    try:
        handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with (
            open(handle, "wb") as raw,
            gzip.open(raw, "wt", encoding="utf-8") as text,
            transaction.atomic(using=using),
        ):
            if outermost and connection.vendor == "postgresql":
                # One snapshot of every table: an edit made meanwhile is in whole or not at all.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            BackupSerializer().serialize(
                every_row(),
                stream=text,
                indent=1,
                cls=FullPrecisionEncoder,
                use_natural_foreign_keys=True,
            )
        partial.rename(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return counts


def read_backup(path: Path) -> list[dict]:
    """The backup's rows as Django's serializer wrote them, checked for shape: a truncated,
    corrupt or foreign file is refused here, before the database is touched."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BackupError(f"{path} cannot be read: {exc.strerror or exc}.") from exc
    try:
        if data[:2] == b"\x1f\x8b":  # gzip's magic number; a plain .json file is read as is
            data = gzip.decompress(data)
        entries = json.loads(data.decode("utf-8"))
    except (EOFError, OSError, zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise BackupError(
            f"{path} is not a complete backup (truncated or corrupt: {exc}). Nothing was changed."
        ) from exc
    known = {model._meta.label_lower for model in backed_up_models()}
    if not isinstance(entries, list):
        raise BackupError(
            f"{path} is not a kzpolitics backup (no list of rows). Nothing was changed."
        )
    for number, entry in enumerate(entries, start=1):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("fields"), dict)
            and str(entry.get("model")).lower() in known
        ):
            what = entry.get("model") if isinstance(entry, dict) else type(entry).__name__
            raise BackupError(
                f"{path} is not a kzpolitics backup: row {number} ({what}) is not a row of a "
                "backed-up model. Nothing was changed."
            )
    return entries


def rows_in_the_way(using: str = "default") -> Counter:
    """Rows the target already holds that a restore would clash with or silently overwrite.

    Groups may be there (migrations make Editors and Reviewers; the backup's are merged by
    name), and so may the data version (a restore sets it).
    """
    held = Counter()
    for model in backed_up_models():
        if model._meta.label_lower not in MERGED:
            held[model] = model._base_manager.using(using).count()
    return +held  # only the models that hold rows


def restore_backup(entries: list[dict], using: str = "default") -> Counter:
    """Load a backup's rows into an empty database, all or nothing; return rows per model.

    Rows are saved raw (no ``save()`` override, history or data-version signal reacts), foreign
    keys are checked once everything is in, and sequences are moved past the restored ids so
    that new rows get fresh ones.
    """
    connection = connections[using]
    counts: Counter = Counter()
    try:
        with transaction.atomic(using=using):
            clashing = rows_in_the_way(using)
            if clashing:
                some = ", ".join(f"{m._meta.label} {n}" for m, n in list(clashing.items())[:3])
                more = f" and {len(clashing) - 3} more" if len(clashing) > 3 else ""
                raise BackupError(
                    f"The database already holds data: {clashing.total()} rows in "
                    f"{len(clashing)} tables ({some}{more}). A backup is restored into an "
                    "empty database only: create one, run `manage.py migrate`, and restore "
                    "into that. Nothing was changed."
                )
            with connection.constraint_checks_disabled():
                deferred = []
                for row in serializers.deserialize(
                    "python", entries, using=using, handle_forward_references=True
                ):
                    # Only groups and the data version may be there already; the rest is new,
                    # so skip the UPDATE a raw save tries first.
                    merged = row.object._meta.label_lower in MERGED
                    # Its many-to-many links are set the way Django sets them, with signals:
                    # its history, restored as it was, must not gain versions for them.
                    row.object.skip_history_when_saving = True
                    row.save(using=using, force_insert=not merged)
                    counts[type(row.object)] += 1
                    if row.deferred_fields:
                        deferred.append(row)
                for row in deferred:
                    row.save_deferred_fields(using=using)
            loaded = list(counts)
            tables = [m._meta.db_table for m in loaded]
            tables += [
                f.remote_field.through._meta.db_table
                for m in loaded
                for f in m._meta.local_many_to_many
            ]
            connection.check_constraints(table_names=tables)
            statements = connection.ops.sequence_reset_sql(no_style(), loaded)
            if statements:
                with connection.cursor() as cursor:
                    for statement in statements:
                        cursor.execute(statement)
            DataVersion.touch()
            everything_changed()  # its rows were saved without their signals
    except (
        DeserializationError,
        DatabaseError,
        ValidationError,
        FieldDoesNotExist,
        ObjectDoesNotExist,
        TypeError,
        ValueError,
    ) as exc:
        reason = str(exc).strip().rstrip(".")
        raise BackupError(
            f"The backup could not be restored: {reason}. Nothing was changed."
        ) from exc
    return counts
