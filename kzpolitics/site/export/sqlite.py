"""The whole public database as one SQLite file, built from a version's zip: its CSV tables
(the same rows and columns, read back from the zip, so there is no second selection of what
the public may see) with the types, primary keys and foreign keys its datapackage.json
declares, indexes on the keys, and views for the common joins. It opens in ``sqlite3`` and in
Datasette.

Tables are named as the zip's files with ``_`` for ``-`` (``organization-names.csv`` is
``organization_names``). An empty cell is NULL, as Frictionless reads it; booleans are 0 and
1; dates and times are ISO 8601 text. The same zip gives the same bytes."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from pathlib import Path

from kzpolitics.core.cells import unescaped_cell

from .tables import DESCRIPTOR, FORMAT_VERSION

SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}

# The common joins, by name. Each reads only the tables above, so each answers for any data.
VIEWS = {
    "organization_names_with_organization": """
        SELECT o.slug AS organization_slug, o.name AS organization, o.kind AS organization_kind,
               n.name, n.kind, n.language, n.start_text, n.start_edtf, n.start_earliest,
               n.start_latest, n.end_text, n.end_edtf, n.end_earliest, n.end_latest, n.id
        FROM organization_names AS n JOIN organizations AS o ON o.slug = n.organization_slug""",
    "results_named": """
        SELECT r.id, e.slug AS election_slug, e.name AS election, e.kind AS election_kind,
               e.date_edtf AS election_date_edtf, e.date_earliest AS election_date_earliest,
               e.date_latest AS election_date_latest, r.tier,
               r.organization_slug, o.name AS organization, r.person_slug, p.name AS person,
               r.seats, r.seats_of, r.vote_share, r.wording
        FROM results AS r JOIN elections AS e ON e.slug = r.election_slug
        LEFT JOIN organizations AS o ON o.slug = r.organization_slug
        LEFT JOIN people AS p ON p.slug = r.person_slug""",
    "citations_with_source": """
        SELECT c.id, c.content_type, c.object_id, c.field, c.source_slug, s.title AS source,
               s.authors AS source_authors, s.kind AS source_kind, c.pages, c.section,
               c.footnote, c.quote, c.via_slug, v.title AS via
        FROM citations AS c JOIN sources AS s ON s.slug = c.source_slug
        LEFT JOIN sources AS v ON v.slug = c.via_slug""",
    "roles_named": """
        SELECT r.id, r.person_slug, p.name AS person, r.organization_slug,
               o.name AS organization, r.title, r.kind, r.start_edtf, r.start_earliest,
               r.start_latest, r.end_edtf, r.end_earliest, r.end_latest
        FROM roles AS r JOIN people AS p ON p.slug = r.person_slug
        LEFT JOIN organizations AS o ON o.slug = r.organization_slug""",
    "relations_named": """
        SELECT r.id, r.subject_slug, s.name AS subject, r.kind, r.object_slug,
               o.name AS object, r.date_edtf, r.date_earliest, r.date_latest
        FROM relations AS r JOIN organizations AS s ON s.slug = r.subject_slug
        JOIN organizations AS o ON o.slug = r.object_slug""",
}


def table_name(resource: str) -> str:
    return resource.replace("-", "_")


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def create_table(resource: dict) -> tuple[str, list[str]]:
    """The CREATE TABLE statement for a tabular resource, and its CREATE INDEX statements."""
    name = table_name(resource["name"])
    schema = resource["schema"]
    key = as_list(schema["primaryKey"])
    lines, indexes = [], []
    for field in schema["fields"]:
        sql_type = SQL_TYPES.get(field["type"], "TEXT")
        if key == ["id"] and field["name"] == "id":
            lines.append(f"{quoted('id')} INTEGER PRIMARY KEY")
            continue
        constraints = field.get("constraints", {})
        line = f"{quoted(field['name'])} {sql_type}"
        if constraints.get("required"):
            line += " NOT NULL"
        if constraints.get("unique"):
            line += " UNIQUE"
        lines.append(line)
    if key != ["id"]:
        lines.append(f"PRIMARY KEY ({', '.join(quoted(k) for k in key)})")
    for foreign in schema.get("foreignKeys", []):
        columns = as_list(foreign["fields"])
        target = table_name(foreign["reference"]["resource"] or resource["name"])
        fields = as_list(foreign["reference"]["fields"])
        lines.append(
            f"FOREIGN KEY ({', '.join(map(quoted, columns))}) "
            f"REFERENCES {quoted(target)} ({', '.join(map(quoted, fields))})"
        )
        if columns != key[: len(columns)]:  # the primary key's index already serves it
            index = f"{name}__{'__'.join(columns)}"
            indexes.append(
                f"CREATE INDEX {quoted(index)} ON {quoted(name)} "
                f"({', '.join(map(quoted, columns))})"
            )
    body = ",\n  ".join(lines)
    return f"CREATE TABLE {quoted(name)} (\n  {body}\n)", indexes


def cell(value: str, kind: str):
    """A CSV cell as the SQLite value of a column of Frictionless type ``kind``."""
    if value == "":
        return None
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return 1 if value == "true" else 0
    return unescaped_cell(value) if kind == "string" else value


def build_sqlite(zip_path: Path, target: Path) -> dict[str, int]:
    """Write the SQLite database of the zip at ``zip_path`` to ``target`` (a new file); say
    how many rows each table got. Fails, writing nothing usable, if a foreign key dangles."""
    target.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with zipfile.ZipFile(zip_path) as archive:
        package = json.loads(archive.read(DESCRIPTOR))
        tables = [r for r in package["resources"] if r.get("type") == "table"]
        database = sqlite3.connect(target, isolation_level=None)
        try:
            database.execute("PRAGMA foreign_keys = OFF")  # checked once everything is in
            database.execute(f"PRAGMA user_version = {int(FORMAT_VERSION)}")
            database.execute("BEGIN")
            for resource in tables:
                create, indexes = create_table(resource)
                database.execute(create)
                for statement in indexes:
                    database.execute(statement)
            for resource in tables:
                counts[table_name(resource["name"])] = load(database, archive, resource)
            for name, query in VIEWS.items():
                database.execute(f"CREATE VIEW {quoted(name)} AS {query}")
            database.execute(
                "CREATE TABLE export_metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            database.executemany(
                "INSERT INTO export_metadata VALUES (?, ?)", metadata_rows(package)
            )
            database.execute("COMMIT")
            dangling = database.execute("PRAGMA foreign_key_check").fetchall()
            if dangling:
                raise ValueError(f"The export's foreign keys dangle: {dangling[:5]}")
        finally:
            database.close()
    return counts


def load(database: sqlite3.Connection, archive: zipfile.ZipFile, resource: dict) -> int:
    fields = resource["schema"]["fields"]
    kinds = [f["type"] for f in fields]
    text = io.TextIOWrapper(archive.open(resource["path"]), encoding="utf-8", newline="")
    reader = csv.reader(text)
    header = next(reader)
    if header != [f["name"] for f in fields]:
        raise ValueError(f"{resource['path']}: its header is not its schema's fields")
    statement = (
        f"INSERT INTO {quoted(table_name(resource['name']))} "
        f"VALUES ({', '.join('?' for _ in fields)})"
    )
    count = 0
    for row in reader:
        database.execute(statement, [cell(v, k) for v, k in zip(row, kinds, strict=True)])
        count += 1
    return count


def metadata_rows(package: dict) -> list[tuple[str, str]]:
    """What the file is, for a reader who has only it: the package's name, version, licence,
    addresses and description."""
    rows = [
        (key, package[key] if isinstance(package[key], str) else json.dumps(package[key]))
        for key in (
            "name",
            "title",
            "version",
            "created",
            "address",
            "sqlite_address",
            "licenses",
            "sources",
            "license_note",
            "description",
        )
        if key in package
    ]
    rows.append(("format_version", FORMAT_VERSION))
    return rows
