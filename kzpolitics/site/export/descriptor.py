"""The export's ``datapackage.json``: a Frictionless Data Package (https://specs.frictionlessdata.io/)
describing every file of the zip, its columns, keys, size and hash, and the data version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from .derived import DERIVED, columns_of
from .tables import JSON_DUMP, LINKS, TABLES, columns, link_columns
from .writer import iso_utc

if TYPE_CHECKING:
    from .writer import Export

LICENSE_NOTE = (
    "The data cite their sources; quotes are brief. Each fact names the work it comes from "
    "(sources.csv, citations.csv): credit those works when you reuse it. The kzpolitics "
    "project's data are under CC BY 4.0: cite the data version (see CITATION.cff in the "
    "project's repository). The quotes remain their authors' (short quotations, for "
    "reference). The Party Facts identifiers (partyfacts_id, crosswalk.csv) and the Wikidata "
    "items they link come from Party Facts, MIT licence (Döring and Regel 2019, Party "
    "Politics 25(2)); Wikidata's data are CC0."
)

# The licence of the project's data, in the Data Package's form (name: an SPDX id).
LICENSES = [
    {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0 International",
    }
]

# Where the data come from, with the terms of those taken from elsewhere.
SOURCES = [
    {
        "title": (
            "Vladimir Babak, “Kazakhstan: How its multiparty system came into being” (the "
            "founding article), and the works its footnotes name: sources.csv"
        ),
    },
    {
        "title": "Party Facts (Döring and Regel 2019): party identifiers and Wikidata links",
        "path": "https://partyfacts.herokuapp.com/",
        "license": "MIT",
    },
    {
        "title": "Wikidata: item identifiers",
        "path": "https://www.wikidata.org/",
        "license": "CC0-1.0",
    },
]

CONTRIBUTORS = [{"title": "The kzpolitics project", "role": "author"}]

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
        f"it. {source_count} sources are cited. "
        "party-elections.csv has one row per party per election (ParlGov's shape) and "
        "crosswalk.csv each organization's identifiers in Party Facts and Wikidata, both "
        "derived from the tables above. "
        f"{addresses_note(export)}{LICENSE_NOTE}"
    )


def addresses(export: Export) -> dict[str, str] | None:
    """The site-relative addresses of this version's files, where the version is kept (it is
    whenever the database records its version)."""
    if export.version_source != "data_version":
        return None
    return {
        kind: reverse(f"api:export-version-{kind}", args=[export.version_label])
        for kind in ("zip", "sqlite")
    }


def addresses_note(export: Export) -> str:
    found = addresses(export)
    if found is None:
        return (
            "This download has no recorded data version, so it has no address of its own: "
            "it is not kept. "
        )
    return (
        f"This version's address, which keeps answering with these bytes: {found['zip']} "
        f"(and the same data as one SQLite file: {found['sqlite']}), on the site it was "
        "downloaded from. "
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
    resources += [
        tabular(
            table.name,
            table.path,
            table.title,
            table.description,
            cols,
            export.files[table.path],
            primary_key=table.primary_key,
        )
        for table in DERIVED
        for cols in [columns_of(table)]
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
    package = {
        "name": "kzpolitics",
        "title": "Kazakhstan's multiparty system, 1986-2005: the kzpolitics data",
        "description": package_description(export, source_count),
        "version": export.version_label,
        "created": iso_utc(export.version),
        "version_source": export.version_source,
        "licenses": LICENSES,
        "contributors": CONTRIBUTORS,
        "sources": SOURCES,
        "keywords": ["Kazakhstan", "political parties", "elections", "legislation"],
        "license_note": LICENSE_NOTE,
        "source_count": source_count,
    }
    found = addresses(export)
    if found is not None:
        # Site-relative: the same bytes are served on every host name of the site.
        package["address"] = found["zip"]
        package["sqlite_address"] = found["sqlite"]
    package["resources"] = resources
    return package


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
