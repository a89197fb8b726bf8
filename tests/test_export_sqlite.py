"""The whole public database as one SQLite file, /api/v1/export/<version>/kzpolitics.sqlite3:
built from the same snapshot as the zip, with its tables, keys, indexes and views; it opens in
sqlite3 and in Datasette, and holds what the API shows, no more."""

import asyncio
import csv
import io
import sqlite3
import zipfile

import pytest
from datasette.app import Datasette
from django.contrib.contenttypes.models import ContentType

from elections.models import Election, Result
from kzpolitics.core.models import Citation, DataVersion, Person, Source, Status
from kzpolitics.site.export.sqlite import VIEWS
from kzpolitics.site.export.writer import version_id
from parties.models import Organization

from .factories import EventFactory, OrganizationFactory, RoleFactory

pytestmark = pytest.mark.django_db

# Each API list and the table of the SQLite file holding the same records.
API_TABLES = {
    "organizations": "organizations",
    "people": "people",
    "events": "events",
    "elections": "elections",
    "results": "results",
    "acts": "legal_acts",
    "registrations": "registration_decisions",
    "sources": "sources",
    "citations": "citations",
    "places": "places",
    "periods": "periods",
}


def addresses():
    current = version_id(DataVersion.current())
    return (
        f"/api/v1/export/{current}/kzpolitics.sqlite3",
        f"/api/v1/export/{current}/kzpolitics.zip",
    )


def fetch(client, address) -> bytes:
    response = client.get(address)
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content)


@pytest.fixture
def database_file(client, tmp_path):
    response = client.get(addresses()[0])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.sqlite3"
    assert response["Content-Disposition"].endswith('.sqlite3"')
    path = tmp_path / "kzpolitics.sqlite3"
    path.write_bytes(b"".join(response.streaming_content))
    return path


@pytest.fixture
def db(database_file):
    connection = sqlite3.connect(database_file)
    yield connection
    connection.close()


def test_the_file_opens_whole_with_every_foreign_key_satisfied(db):
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_it_has_the_zips_tables_columns_and_rows(client, db):
    archive = zipfile.ZipFile(io.BytesIO(fetch(client, addresses()[1])))
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    csv_files = [name for name in archive.namelist() if name.endswith(".csv")]
    assert tables == {name[: -len(".csv")].replace("-", "_") for name in csv_files} | {
        "export_metadata"
    }
    for name in csv_files:
        table = name[: -len(".csv")].replace("-", "_")
        found = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"), newline="")))
        columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
        assert columns == found[0], table
        count = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        assert count == len(found) - 1, table


def test_each_tables_row_count_is_the_apis_count(client, db):
    for endpoint, table in API_TABLES.items():
        response = client.get(f"/api/v1/{endpoint}/", {"page_size": 1})
        assert response.status_code == 200, endpoint
        count = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        assert count == response.json()["count"], endpoint
        assert count > 0, endpoint


def test_keys_are_declared_and_indexed(db):
    keys = db.execute('PRAGMA foreign_key_list("roles")').fetchall()
    targets = {(row[3], row[2], row[4]) for row in keys}  # (from, table, to)
    assert ("person_slug", "people", "slug") in targets
    assert ("organization_slug", "organizations", "slug") in targets
    indexed = {
        row[0]
        for row in db.execute(
            "SELECT il.name FROM pragma_index_list('roles') AS l, pragma_index_info(l.name) AS il"
        )
    }
    assert {"person_slug", "organization_slug"} <= indexed
    primary = [row[1] for row in db.execute('PRAGMA table_info("party_elections")') if row[5]]
    assert primary == ["election_slug", "organization_slug"]
    assert db.execute(
        "SELECT type FROM pragma_table_info('organizations') WHERE name = 'id'"
    ).fetchone() == ("INTEGER",)


def test_a_dangling_key_would_be_caught(db):
    """The check above can fail: a role naming no person is reported."""
    db.execute(
        "UPDATE roles SET person_slug = 'nobody-of-that-name' "
        "WHERE id = (SELECT min(id) FROM roles)"
    )
    assert db.execute("PRAGMA foreign_key_check").fetchall()


def test_the_views_answer(db):
    for view in VIEWS:
        rows = db.execute(f'SELECT * FROM "{view}"').fetchall()
        assert rows, view
    (otan,) = db.execute(
        "SELECT seats, seats_of FROM results_named WHERE election_slug = 'majilis-2004' "
        "AND organization_slug = 'otan' AND tier = 'total'"
    ).fetchall()
    assert otan == (42, 77)
    cited = db.execute("SELECT count(*) FROM citations_with_source").fetchone()[0]
    assert cited == db.execute("SELECT count(*) FROM citations").fetchone()[0]
    metadata = dict(db.execute("SELECT key, value FROM export_metadata"))
    assert metadata["version"] == version_id(DataVersion.current())
    assert "CC-BY-4.0" in metadata["licenses"]


def test_values_are_typed(db):
    share = db.execute(
        "SELECT vote_share FROM results WHERE vote_share IS NOT NULL LIMIT 1"
    ).fetchone()[0]
    assert isinstance(share, float)
    assert db.execute("SELECT count(*) FROM organizations WHERE wikidata_id = ''").fetchone() == (
        0,
    )  # an empty cell is NULL, as in the zip's schema


def test_datasette_serves_a_table_as_json(database_file):
    async def ask():
        datasette = Datasette(immutables=[str(database_file)])
        response = await datasette.client.get(
            f"/{database_file.stem}/organizations.json?_shape=objects&slug=otan"
        )
        return response.status_code, response.json()

    status, body = asyncio.run(ask())
    assert status == 200
    (otan,) = body["rows"]
    assert otan["name"] == Organization.objects.get(slug="otan").name


def test_the_same_data_gives_the_same_bytes(client, settings, tmp_path):
    first = fetch(client, addresses()[0])
    settings.EXPORT_CACHE_DIR = tmp_path / "again"  # built once more, from nothing kept
    assert fetch(client, addresses()[0]) == first


def test_a_draft_changes_neither_the_zip_nor_the_sqlite_file(client, settings, tmp_path):
    before = [fetch(client, address) for address in addresses()]
    version = DataVersion.current()
    source = Source.objects.get(slug="babak-kazakhstan-multiparty-system")
    draft = OrganizationFactory(status=Status.DRAFT, partyfacts_id=424242, cite__source=source)
    draft.events.add(EventFactory(status=Status.DRAFT, cite__source=source))
    RoleFactory(organization=draft, person=Person.objects.published().first(), cite__source=source)
    Result.objects.create(
        election=Election.objects.get(slug="majilis-2004"), organization=draft, seats=3
    )
    Citation.objects.create(
        content_type=ContentType.objects.get_for_model(Organization),
        object_id=Organization.objects.get(slug="otan").pk,
        field="wikidata_id",
        source=source,
        status=Status.DRAFT,
    )
    assert DataVersion.current() == version
    settings.EXPORT_CACHE_DIR = tmp_path / "after"  # nothing kept: built again
    assert [fetch(client, address) for address in addresses()] == before
