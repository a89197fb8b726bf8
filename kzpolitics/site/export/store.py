"""The zip of one data version: built from one snapshot of the database, and kept in
``settings.EXPORT_CACHE_DIR`` once built, served from there until the data changes.

Building it takes seconds at a hundred times the article's size, so a repeated download costs
one query. One process builds a version while the others wait for it (a file lock), and older
versions' files are removed."""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import json
import os
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from kzpolitics.core.models import DataVersion

from .descriptor import datapackage
from .tables import DESCRIPTOR, FORMAT_VERSION, TABLES
from .writer import Export, Exporter

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
