"""The files of one data version: the zip and the SQLite file built from it, both from one
snapshot of the database, kept in ``settings.EXPORT_CACHE_DIR`` once built and served from
there, at the version's own address, for as long as they are kept.

Building takes seconds at a hundred times the article's size, so a repeated download costs one
query. One process builds a version while the others wait for it (a file lock). Every
version's files are kept (researchers cite their addresses), unless
``settings.EXPORT_KEEP_VERSIONS`` is a number N > 0: then only the newest N are, and each
removed version leaves a marker saying it was (its address answers 410, not 404).

A version can only be built while it is the current one: the database keeps no past state,
so the files of a version no one downloaded while it was current never exist."""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from kzpolitics.core.models import DataVersion

from .descriptor import datapackage
from .sqlite import build_sqlite
from .tables import DESCRIPTOR, TABLES
from .writer import Export, Exporter, iso_utc, version_id

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


# A version's id: its time in UTC to the microsecond and its files' format (writer.version_id).
VERSION_ID = re.compile(r"^(\d{8}T\d{6}\.\d{6}Z)-f([1-9][0-9]{0,5})$")
KINDS = ("zip", "sqlite")
SUFFIXES = {"zip": ".zip", "sqlite": ".sqlite3", "info": ".json", "gone": ".gone"}


def parse_version_id(text: str) -> datetime.datetime | None:
    """The time a version id names, or None if ``text`` is no version id."""
    found = VERSION_ID.match(text)
    if not found:
        return None
    try:
        moment = datetime.datetime.strptime(found[1], "%Y%m%dT%H%M%S.%fZ")
    except ValueError:  # well-formed digits, but no such day or time
        return None
    return moment.replace(tzinfo=datetime.UTC)


@dataclass(frozen=True)
class KeptVersion:
    """The files of one data version in ``EXPORT_CACHE_DIR``: the zip (there only once the
    version is whole: it is written last), the SQLite file, a note of their sizes and
    hashes, and the marker of a version removed by ``EXPORT_KEEP_VERSIONS``."""

    id: str
    folder: Path

    def path(self, kind: str) -> Path:
        # Named by the database too, so that sites sharing a folder never mix their files.
        return self.folder / f"kzpolitics-{site_key()}-{self.id}{SUFFIXES[kind]}"

    @property
    def built(self) -> bool:
        return self.path("zip").exists()

    @property
    def removed(self) -> bool:
        return self.path("gone").exists()

    def info(self) -> dict:
        return json.loads(self.path("info").read_text(encoding="utf-8"))


def export_folder() -> Path:
    folder = Path(settings.EXPORT_CACHE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def kept(version: str | datetime.datetime) -> KeptVersion:
    """The files of the version ``version`` (an id, or the time of a version of this format)."""
    if isinstance(version, datetime.datetime):
        version = version_id(version)
    return KeptVersion(version, export_folder())


def kept_export(version: datetime.datetime) -> tuple[KeptVersion, datetime.datetime]:
    """The files of the data at ``version``, built once and kept in ``EXPORT_CACHE_DIR``, and
    the version they hold.

    While one process builds them the others wait on its lock, then serve what it built. The
    build reads one snapshot and the version in it: after an edit in between it holds (and is
    named for, and answers with) that newer version."""
    target = kept(version)
    if target.built:
        return target, version
    with (target.folder / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if target.built:
            return target, version  # another process built it while this one waited
        with transaction.atomic():
            repeatable_read()
            seen, how = read_version()
            target = kept(seen)
            if target.built:
                return target, seen
            partial = target.path("zip").with_suffix(".zip.partial")
            with partial.open("wb") as out:
                write_export(out, (seen, how))
        build_files(target, partial, seen)
        prune(target.folder)
    return target, seen


def build_files(target: KeptVersion, partial: Path, seen: datetime.datetime) -> None:
    """From the version's zip, written at ``partial``: its SQLite file and the note of both
    files, then the zip in its place, last, so that a reader never finds half a version."""
    sqlite_partial = target.path("sqlite").with_suffix(".sqlite3.partial")
    try:
        tables = build_sqlite(partial, sqlite_partial)
        info = {
            "id": target.id,
            "created": iso_utc(seen),
            "files": {
                "zip": file_figures(partial),
                "sqlite": file_figures(sqlite_partial),
            },
            "tables": tables,
        }
        info_partial = target.path("info").with_suffix(".json.partial")
        info_partial.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        os.replace(sqlite_partial, target.path("sqlite"))
        os.replace(info_partial, target.path("info"))
        os.replace(partial, target.path("zip"))
    finally:
        partial.unlink(missing_ok=True)
        sqlite_partial.unlink(missing_ok=True)


def file_figures(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def kept_versions(folder: Path | None = None) -> list[KeptVersion]:
    """This site's built versions, newest first (by time, then format)."""
    folder = folder or export_folder()
    found = []
    for path in folder.glob(f"kzpolitics-{site_key()}-*.zip"):
        version = path.name[len(f"kzpolitics-{site_key()}-") : -len(".zip")]
        moment = parse_version_id(version)
        if moment is not None:
            format_version = int(VERSION_ID.match(version)[2])
            found.append((moment, format_version, KeptVersion(version, folder)))
    return [entry for *_, entry in sorted(found, key=lambda f: f[:2], reverse=True)]


def prune(folder: Path) -> None:
    """Remove all but the newest ``EXPORT_KEEP_VERSIONS`` versions, if it is set (> 0),
    leaving a marker for each removed version."""
    keep = int(getattr(settings, "EXPORT_KEEP_VERSIONS", 0) or 0)
    if keep <= 0:
        return
    for old in kept_versions(folder)[keep:]:
        old.path("gone").touch()
        for kind in ("zip", "sqlite", "info"):  # the zip first: the version is no longer whole
            old.path(kind).unlink(missing_ok=True)


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
