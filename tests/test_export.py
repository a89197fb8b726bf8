"""The full download: /api/v1/export/ gives every record as one zip of CSV files, a
Frictionless Data Package describing them, and a JSON dump, stamped with the data version."""

import csv
import datetime
import hashlib
import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import frictionless
import jsonschema
import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date
from rest_framework.throttling import AnonRateThrottle

from elections.models import Election, Result, Round
from kzpolitics.core.models import (
    Citation,
    Cited,
    DataVersion,
    Event,
    Period,
    Person,
    PersonName,
    Place,
    PlaceName,
    Source,
    Status,
    TimeStamped,
    content_apps,
    is_internal,
)
from kzpolitics.core.search import SearchKeyField
from kzpolitics.site.export.store import site_key
from kzpolitics.site.export.tables import FORMAT_VERSION
from kzpolitics.site.export.writer import version_id
from legislation.models import LegalAct, Provision, RegistrationDecision
from parties.models import (
    MembershipFigure,
    Organization,
    OrganizationName,
    Relation,
    Role,
    Stance,
)

from .factories import EventFactory, OrganizationFactory, RoleFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/export/"

# The files the issue asks for, and the records each must hold.
TABLES = {
    "organizations.csv": Organization,
    "organization-names.csv": OrganizationName,
    "stances.csv": Stance,
    "membership-figures.csv": MembershipFigure,
    "roles.csv": Role,
    "relations.csv": Relation,
    "people.csv": Person,
    "person-names.csv": PersonName,
    "places.csv": Place,
    "place-names.csv": PlaceName,
    "events.csv": Event,
    "elections.csv": Election,
    "rounds.csv": Round,
    "results.csv": Result,
    "legal-acts.csv": LegalAct,
    "provisions.csv": Provision,
    "registration-decisions.csv": RegistrationDecision,
    "sources.csv": Source,
    "citations.csv": Citation,
    "periods.csv": Period,
}
LINKS = {
    "event-organizations.csv": Organization.events.through,
    "event-people.csv": Event.people.through,
    "event-elections.csv": Election.events.through,
    "event-acts.csv": LegalAct.events.through,
}
CONTENT_APPS = tuple(config.label for config in content_apps())


def download(client, **headers):
    response = client.get(URL, **headers)
    assert response.status_code == 200, response.content[:500]
    return response, b"".join(response.streaming_content)


@pytest.fixture
def archive(client):
    _, content = download(client)
    return zipfile.ZipFile(io.BytesIO(content))


@pytest.fixture
def package(archive):
    return json.loads(archive.read("datapackage.json"))


def rows(archive, name):
    text = archive.read(name).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def validation_errors(directory):
    """Frictionless's verdict on the extracted package: valid, and (file, row, error) found."""
    report = frictionless.validate(str(directory / "datapackage.json"))
    errors = [
        (task.name, *error)
        for task in report.tasks
        for error in task.flatten(["rowNumber", "fieldName", "note"])
    ]
    errors += [(None, None, None, error.note) for error in report.errors]
    return report.valid, errors


# -- The response ----------------------------------------------------------------------------


def test_the_export_is_a_zip_named_after_the_data_version(client):
    version = DataVersion.current()
    response, content = download(client)
    assert response["Content-Type"] == "application/zip"
    label = version.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S.%fZ") + f"-f{FORMAT_VERSION}"
    assert label == version_id(version)
    assert response["Content-Disposition"] == f'attachment; filename="kzpolitics-{label}.zip"'
    assert response["Link"] == (
        f'<http://testserver/api/v1/export/{label}/kzpolitics.zip>; rel="canonical"'
    )
    assert response["Last-Modified"] == http_date(version.timestamp())
    assert int(response["Content-Length"]) == len(content)
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None


def test_the_same_data_gives_the_same_bytes(client):
    assert download(client)[1] == download(client)[1]


def test_an_unchanged_export_answers_304_to_its_etag_or_date(client):
    response, _ = download(client)
    again = client.get(URL, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again["Last-Modified"] == response["Last-Modified"]
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


def test_a_change_makes_the_old_etag_stale(client):
    DataVersion.objects.filter(pk=1).update(changed_at="2000-01-01T00:00:00Z")
    response, _ = download(client)
    Person.objects.create(slug="new-for-the-test", name="New For The Test", status=Status.PUBLISHED)
    assert client.get(URL, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


def test_head_answers_like_get_without_a_body(client):
    response = client.head(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_the_export_is_read_only_for_everyone(client, editor_client, method):
    for who in (client, editor_client):
        response = getattr(who, method)(URL)
        assert response.status_code == 405
        assert response["Content-Type"] == "application/problem+json"
        assert "not allowed" in response.json()["detail"]


def test_an_unknown_format_is_a_400_naming_it(client):
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 400
    assert "format" in response.json()["detail"]


def test_the_zip_format_may_be_asked_for_by_name_or_media_type(client):
    assert client.get(URL, {"format": "zip"}).status_code == 200
    assert client.get(URL, HTTP_ACCEPT="application/zip").status_code == 200


def test_a_client_that_takes_only_json_is_told_406_in_json(client):
    response = client.get(URL, HTTP_ACCEPT="application/json")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/problem+json"


def test_the_export_is_throttled_and_says_so_in_json(client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "1/minute", raising=False)
    cache.clear()
    try:
        assert client.get(URL, HTTP_ACCEPT="application/zip").status_code == 200
        response = client.get(URL, HTTP_ACCEPT="application/zip")
    finally:
        cache.clear()
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) > 0


# -- The files -------------------------------------------------------------------------------


def test_every_model_of_the_data_has_a_file():
    exported = set(TABLES.values())
    for label in CONTENT_APPS:
        for model in apps.get_app_config(label).get_models():
            # History and pending revisions are the editors' (and the backup's), not part of
            # the published dataset: every kind of record (TimeStamped) is.
            if issubclass(model, TimeStamped) and not model.__name__.startswith("Historical"):
                assert model in exported, model


def test_the_zip_holds_every_table_the_package_and_the_json_dump(archive):
    names = set(archive.namelist())
    derived = {"party-elections.csv", "crosswalk.csv"}
    assert names == {*TABLES, *LINKS, *derived, "datapackage.json", "kzpolitics.json"}


def test_every_file_the_package_lists_is_in_the_zip_and_every_csv_is_listed(archive, package):
    listed = [resource["path"] for resource in package["resources"]]
    assert len(listed) == len(set(listed))
    assert set(listed) <= set(archive.namelist())
    csv_files = {name for name in archive.namelist() if name.endswith(".csv")}
    assert csv_files <= set(listed)
    assert "kzpolitics.json" in listed


def test_the_data_package_validates_with_frictionless(archive, tmp_path):
    archive.extractall(tmp_path)
    valid, errors = validation_errors(tmp_path)
    assert valid, errors[:20]


def test_frictionless_would_catch_a_broken_foreign_key(archive, tmp_path):
    """The validation above checks the keys: a role naming an unknown person fails it."""
    archive.extractall(tmp_path)
    roles = rows(archive, "roles.csv")
    roles[0]["person_slug"] = "nobody-of-that-name"
    with open(tmp_path / "roles.csv", "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(roles[0]))
        writer.writeheader()
        writer.writerows(roles)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        resource.pop("hash", None)
        resource.pop("bytes", None)
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor))
    valid, errors = validation_errors(tmp_path)
    assert not valid
    assert [(name, row) for name, row, _, _ in errors] == [("roles", 2)]
    assert "person_slug" in errors[0][3]
    assert "nobody-of-that-name" in errors[0][3]


def public_links(through):
    """The links of a many-to-many table whose both ends the public may see."""
    keys = [f for f in through._meta.concrete_fields if f.is_relation]
    return through.objects.filter(
        **{f"{key.name}__in": key.related_model.objects.published() for key in keys}
    )


def test_each_table_has_one_row_per_public_record(archive):
    for name, model in TABLES.items():
        assert len(rows(archive, name)) == model.objects.published().count(), name
    for name, through in LINKS.items():
        assert len(rows(archive, name)) == public_links(through).count(), name


def test_the_citations_table_has_every_public_citation(archive):
    assert len(rows(archive, "citations.csv")) == Citation.objects.published().count()


def test_columns_are_the_models_fields_with_keys_as_slugs_or_ids(archive):
    """Every field the public may read; the editors' internal note is in no table, nor the
    search keys (a name folded for matching, which only repeats the name)."""
    for name, model in TABLES.items():
        expected = set()
        for field in model._meta.concrete_fields:
            if is_internal(field) or isinstance(field, SearchKeyField):
                continue
            if field.related_model is ContentType:
                expected.add(field.name)
            elif field.is_relation:
                has_slug = any(f.name == "slug" for f in field.related_model._meta.fields)
                expected.add(f"{field.name}_slug" if has_slug else field.attname)
            else:
                expected.add(field.name)
        if issubclass(model, Cited):
            expected.add("citations")
        header = next(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))
        assert header[0] == "id", name
        assert set(header) == expected, name
        assert "note" not in header, name
        assert not [column for column in header if column.endswith("_key")], name


def test_each_record_counts_its_citations(archive):
    for name, model in TABLES.items():
        if not issubclass(model, Cited):
            continue
        content_type = ContentType.objects.get_for_model(model)
        counted = dict(
            Citation.objects.published()
            .filter(content_type=content_type)
            .values("object_id")
            .annotate(n=Count("id"))
            .values_list("object_id", "n")
        )
        for row in rows(archive, name):
            assert int(row["citations"]) == counted.get(int(row["id"]), 0), (name, row["id"])


def test_every_citation_names_its_record_source_and_locator(archive):
    by_id = {int(row["id"]): row for row in rows(archive, "citations.csv")}
    for citation in Citation.objects.published().select_related("content_type", "source", "via"):
        row = by_id[citation.pk]
        assert row["content_type"] == (
            f"{citation.content_type.app_label}.{citation.content_type.model}"
        )
        assert int(row["object_id"]) == citation.object_id
        assert row["field"] == citation.field
        assert row["source_slug"] == citation.source.slug
        assert row["via_slug"] == (citation.via.slug if citation.via else "")
        assert row["pages"] == citation.pages
        assert row["footnote"] == ("" if citation.footnote is None else str(citation.footnote))
        assert row["quote"] == citation.quote


def test_relations_name_both_organizations_by_slug(archive):
    by_id = {int(row["id"]): row for row in rows(archive, "relations.csv")}
    assert by_id
    for relation in Relation.objects.published().select_related("subject", "object"):
        row = by_id[relation.pk]
        assert (row["subject_slug"], row["kind"], row["object_slug"]) == (
            relation.subject.slug,
            relation.kind,
            relation.object.slug,
        )


def test_uncertain_dates_come_as_their_four_columns(archive):
    by_id = {int(row["id"]): row for row in rows(archive, "organizations.csv")}
    dated = Organization.objects.published().exclude(founded_edtf="")
    assert dated.exists()
    for organization in dated:
        row = by_id[organization.pk]
        founded = organization.founded
        assert row["founded_text"] == founded.text
        assert row["founded_edtf"] == founded.edtf
        assert row["founded_earliest"] == (founded.earliest.isoformat() if founded.earliest else "")
        assert row["founded_latest"] == (founded.latest.isoformat() if founded.latest else "")


def test_event_links_name_the_event_and_what_it_concerns(archive):
    expected = {
        (event.slug, organization.slug)
        for event in Event.objects.published().prefetch_related("organizations")
        for organization in event.organizations.published()
    }
    assert expected
    found = {
        (r["event_slug"], r["organization_slug"]) for r in rows(archive, "event-organizations.csv")
    }
    assert found == expected


# -- The package descriptor ------------------------------------------------------------------


def test_the_package_gives_the_data_version(package):
    version = DataVersion.current()
    assert datetime.datetime.fromisoformat(package["created"]) == version
    assert package["version"] == version_id(version)
    assert package["version_source"] == "data_version"
    assert package["address"] == f"/api/v1/export/{version_id(version)}/kzpolitics.zip"
    assert package["sqlite_address"] == f"/api/v1/export/{version_id(version)}/kzpolitics.sqlite3"
    assert package["address"] in package["description"]


def test_the_package_names_its_licence_contributors_and_sources(package):
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]
    assert package["contributors"] == [{"title": "The kzpolitics project", "role": "author"}]
    titles = " ".join(source["title"] for source in package["sources"])
    assert "Babak" in titles and "Party Facts" in titles
    party_facts = next(s for s in package["sources"] if s["title"].startswith("Party Facts"))
    assert party_facts["license"] == "MIT"
    assert "CC BY 4.0" in package["license_note"] and "MIT" in package["license_note"]


def test_the_package_has_a_title_description_license_note_and_source_count(package):
    assert package["title"]
    assert "kzpolitics.json" in package["description"]
    assert "the data cite their sources; quotes are brief" in package["license_note"].lower()
    assert package["source_count"] == Source.objects.count()
    assert f"{Source.objects.count()} sources" in package["description"]


def test_columns_are_typed_and_described_from_the_models(package):
    resources = {resource["name"]: resource for resource in package["resources"]}
    fields = {f["name"]: f for f in resources["organizations"]["schema"]["fields"]}
    assert fields["id"]["type"] == "integer"
    assert fields["founded_earliest"]["type"] == "date"
    assert fields["updated_at"]["type"] == "datetime"
    assert fields["citations"]["type"] == "integer"
    place = Organization._meta.get_field("founding_place")
    assert fields["founding_place_slug"]["description"].startswith(str(place.help_text))
    assert set(fields["kind"]["constraints"]["enum"]) == set(Organization.Kind.values)
    results = {f["name"]: f for f in resources["results"]["schema"]["fields"]}
    assert results["vote_share"]["type"] == "number"
    for resource in package["resources"]:
        for field in resource.get("schema", {}).get("fields", []):
            assert field["description"], (resource["name"], field["name"])


def test_keys_are_declared(package):
    resources = {resource["name"]: resource for resource in package["resources"]}
    assert resources["organizations"]["schema"]["primaryKey"] == "id"
    keys = {fk["fields"]: fk["reference"] for fk in resources["relations"]["schema"]["foreignKeys"]}
    assert keys["subject_slug"] == {"resource": "organizations", "fields": "slug"}
    assert keys["object_slug"] == {"resource": "organizations", "fields": "slug"}
    results = {
        fk["fields"]: fk["reference"] for fk in resources["results"]["schema"]["foreignKeys"]
    }
    assert results["round_id"] == {"resource": "rounds", "fields": "id"}


# -- The JSON dump ---------------------------------------------------------------------------


def test_the_json_dump_loads_with_django_and_has_every_record(archive):
    objects = list(serializers.deserialize("json", archive.read("kzpolitics.json")))
    found = Counter(type(item.object) for item in objects)
    for model in TABLES.values():
        assert found[model] == model.objects.published().count(), model
    assert sum(found.values()) == sum(
        model.objects.published().count() for model in TABLES.values()
    )


def test_the_json_dump_keeps_the_links_and_the_cited_records(archive):
    objects = {
        (type(item.object), item.object.pk): item
        for item in serializers.deserialize("json", archive.read("kzpolitics.json"))
    }
    organization = Organization.objects.published().filter(events__isnull=False).first()
    dumped = objects[(Organization, organization.pk)]
    assert set(dumped.m2m_data["events"]) == set(
        organization.events.published().values_list("pk", flat=True)
    )
    citation = Citation.objects.published().first()
    dumped = objects[(Citation, citation.pk)].object
    assert (dumped.content_type, dumped.object_id, dumped.source_id) == (
        citation.content_type,
        citation.object_id,
        citation.source_id,
    )


# -- Queries ---------------------------------------------------------------------------------


def add_records(count: int) -> None:
    """Organizations, each with an event, a role held by a new person, and citations."""
    for _ in range(count):
        organization = OrganizationFactory()
        organization.events.add(EventFactory())
        RoleFactory(organization=organization)


def queries_for_export(client) -> int:
    """The queries of one download, from the cold state of a new process: an earlier test
    that migrated or restored leaves the content types' cache empty, and the first download
    after it would look the content types up once more than the second."""
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        download(client)
    return len(queries)


@pytest.mark.slow  # the whole export built, at two sizes
def test_the_export_runs_a_fixed_number_of_queries(client):
    add_records(10)
    with_ten = queries_for_export(client)
    add_records(190)
    assert queries_for_export(client) == with_ten
    # One per table and link table, and a few for the version, content types and counts.
    assert with_ten <= len(TABLES) + len(LINKS) + 8


# -- Versions of an unversioned database -----------------------------------------------------


def test_without_a_recorded_change_the_version_is_the_latest_edit(client):
    DataVersion.objects.all().delete()
    edits = [model.objects.aggregate(last=Max("updated_at"))["last"] for model in TABLES.values()]
    latest = max(edit for edit in edits if edit is not None)  # a table may be empty
    _, content = download(client)
    package = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("datapackage.json"))
    assert datetime.datetime.fromisoformat(package["created"]) == latest
    assert package["version_source"] == "latest_updated_at"
    assert "latest time any record was updated" in package["description"]


@pytest.mark.slow  # the whole export built and validated by frictionless
def test_an_empty_database_exports_empty_valid_tables(client, tmp_path):
    for model in (Citation, Result, *TABLES.values()):
        model.objects.all().delete()
    DataVersion.objects.all().delete()
    before = datetime.datetime.now(datetime.UTC)
    _, content = download(client)
    archive = zipfile.ZipFile(io.BytesIO(content))
    package = json.loads(archive.read("datapackage.json"))
    assert package["version_source"] == "export_time"
    assert datetime.datetime.fromisoformat(package["created"]) >= before
    assert all(rows(archive, name) == [] for name in {**TABLES, **LINKS})
    assert json.loads(archive.read("kzpolitics.json")) == []
    archive.extractall(tmp_path)
    valid, errors = validation_errors(tmp_path)
    assert valid, errors[:20]


# -- Each version built once, kept, and served from the file ---------------------------------


def kept_files() -> list:
    return sorted(Path(settings.EXPORT_CACHE_DIR).glob("kzpolitics-*.zip"))


def edit_otan(summary: str) -> None:
    otan = Organization.objects.get(slug="otan")
    otan.summary = summary
    otan._change_reason = "A test's edit"
    otan.save()


def test_a_repeated_download_is_served_from_the_kept_file_with_one_query(
    client, django_assert_max_num_queries
):
    first, content = download(client)
    assert len(kept_files()) == 1

    with django_assert_max_num_queries(1):  # the data version
        again, same = download(client)

    assert same == content
    assert again["ETag"] == first["ETag"]


def test_an_edit_is_in_the_next_download_and_every_versions_files_are_kept(client):
    _, before = download(client)
    names = [kept_files()[0].name]
    for summary in ("First change.", "Second change."):
        edit_otan(summary)
        response, content = download(client)
        archive = zipfile.ZipFile(io.BytesIO(content))
        (row,) = [r for r in rows(archive, "organizations.csv") if r["slug"] == "otan"]
        assert row["summary"] == summary
        names.append(kept_files()[-1].name)

    assert len(set(names)) == 3
    assert [path.name for path in kept_files()] == sorted(names)  # every version kept


def test_a_kept_file_of_another_database_is_neither_served_nor_removed(client):
    folder = Path(settings.EXPORT_CACHE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    version = DataVersion.current()
    assert site_key() != "0123456789ab"
    elsewhere = folder / f"kzpolitics-0123456789ab-{version_id(version)}.zip"
    elsewhere.write_bytes(b"another site's export")
    for _ in range(3):
        OrganizationFactory()
        _, content = download(client)
        assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None
    assert client.get("/api/v1/export/versions/").json()["versions"]  # this site's only

    assert elsewhere.read_bytes() == b"another site's export"


# -- Each version at its own address ---------------------------------------------------------


def versioned(client, kind="zip"):
    name = "kzpolitics.zip" if kind == "zip" else "kzpolitics.sqlite3"
    return f"/api/v1/export/{version_id(DataVersion.current())}/{name}"


def test_a_versions_address_keeps_its_bytes_after_a_later_edit(client):
    _, current = download(client)
    address = versioned(client)
    first = client.get(address)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/zip"
    assert "immutable" in first["Cache-Control"]
    assert first["Link"] == f'<http://testserver{address}>; rel="canonical"'
    before = b"".join(first.streaming_content)
    assert before == current

    edit_otan("A later change.")
    later, newer = download(client)
    assert newer != before
    assert later["Link"] != first["Link"]  # a new version, at a new address
    again = client.get(address)
    assert again.status_code == 200
    assert b"".join(again.streaming_content) == before  # the old one stays
    assert client.get(address, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_current_versions_address_builds_it_if_no_one_has(client):
    response = client.get(versioned(client))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert json.loads(archive.read("datapackage.json"))["version"] == version_id(
        DataVersion.current()
    )


def test_the_versions_list_names_each_kept_version_with_its_files(client):
    empty = client.get("/api/v1/export/versions/")
    assert empty.status_code == 200
    assert "no-cache" in empty["Cache-Control"]
    current = version_id(DataVersion.current())
    assert empty.json()["current"]["id"] == current
    assert empty.json()["versions"] == []
    _, content = download(client)
    edit_otan("A later change.")
    download(client)
    listed = client.get("/api/v1/export/versions/").json()
    assert [v["id"] for v in listed["versions"]] == [version_id(DataVersion.current()), current]
    oldest = listed["versions"][1]
    assert oldest["zip"]["url"] == f"http://testserver/api/v1/export/{current}/kzpolitics.zip"
    assert oldest["zip"]["bytes"] == len(content)
    assert oldest["zip"]["sha256"] == hashlib.sha256(content).hexdigest()
    assert oldest["sqlite"]["url"].endswith(f"/{current}/kzpolitics.sqlite3")


@pytest.mark.parametrize(
    "version",
    ["latest", "20261203T163557Z", "20261303T163557.123456Z-f5", "20261203T163557.123456Z-f0"],
)
def test_a_malformed_version_is_a_404_saying_what_an_id_is(client, version):
    response = client.get(f"/api/v1/export/{version}/kzpolitics.zip")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert "20261203T163557.123456Z-f5" in str(response.json())


def test_a_version_never_built_is_a_404_saying_it_cannot_be_built_now(client):
    download(client)
    past = DataVersion.current() - datetime.timedelta(days=1)
    for kind in ("zip", "sqlite"):
        name = "kzpolitics.zip" if kind == "zip" else "kzpolitics.sqlite3"
        response = client.get(f"/api/v1/export/{version_id(past)}/{name}")
        assert response.status_code == 404
        assert "cannot be built now" in str(response.json())
    # Nor is a file of another format of the current data version built on demand.
    other = version_id(DataVersion.current()).replace(f"-f{FORMAT_VERSION}", "-f99")
    assert client.get(f"/api/v1/export/{other}/kzpolitics.zip").status_code == 404


def test_with_a_retention_limit_old_versions_go_and_answer_410(client, settings):
    settings.EXPORT_KEEP_VERSIONS = 1
    download(client)
    first = versioned(client)
    edit_otan("A later change.")
    download(client)
    assert len(kept_files()) == 1
    response = client.get(first)
    assert response.status_code == 410
    assert response["Content-Type"] == "application/problem+json"
    assert "removed" in str(response.json())
    assert client.get(versioned(client)).status_code == 200


# -- Parties in elections (ParlGov's shape) and the crosswalk --------------------------------


def test_party_elections_has_one_row_per_party_per_election(archive):
    found = rows(archive, "party-elections.csv")
    pairs = [(r["election_slug"], r["organization_slug"]) for r in found]
    expected = set(
        Result.objects.published()
        .filter(organization__isnull=False)
        .values_list("election__slug", "organization__slug")
    )
    assert expected
    assert len(pairs) == len(set(pairs)) == len(expected)
    assert set(pairs) == expected
    by_pair = {(r["election_slug"], r["organization_slug"]): r for r in found}
    otan = by_pair[("majilis-2004", "otan")]
    assert (otan["seats"], otan["seats_of"]) == ("42", "77")
    assert (otan["list_seats"], otan["list_seats_of"]) == ("7", "10")
    assert (otan["district_seats"], otan["district_seats_of"]) == ("35", "67")
    assert otan["election_seats_total"] == "77"
    otan_1999 = by_pair[("majilis-1999", "otan")]
    assert otan_1999["seats"] == ""  # the source gives no total: none is made up
    assert otan_1999["list_seats"] == "4"


def test_party_elections_names_each_party_as_it_was_called_then(archive):
    organizations = {o.slug: o for o in Organization.objects.published().prefetch_related("names")}
    elections = {e.slug: e for e in Election.objects.published()}
    for row in rows(archive, "party-elections.csv"):
        organization = organizations[row["organization_slug"]]
        assert row["organization_name"] == organization.name_on(
            elections[row["election_slug"]].date
        )
        assert row["organization_current_name"] == organization.name
        assert row["partyfacts_id"] == str(organization.partyfacts_id or "")
        assert row["wikidata_id"] == organization.wikidata_id


def test_party_elections_leaves_out_a_draft_partys_results(client):
    party = OrganizationFactory(status=Status.DRAFT)
    election = Election.objects.get(slug="majilis-2004")
    Result.objects.create(election=election, organization=party, tier="total", seats=1)
    _, content = download(client)
    found = rows(zipfile.ZipFile(io.BytesIO(content)), "party-elections.csv")
    assert party.slug not in {r["organization_slug"] for r in found}


def test_the_crosswalk_gives_each_identifier_with_its_citation(client):
    party = OrganizationFactory(partyfacts_id=987654, wikidata_id="Q987654")
    source = Source.objects.get(slug="babak-kazakhstan-multiparty-system")
    citation = Citation.objects.create(
        content_type=ContentType.objects.get_for_model(Organization),
        object_id=party.pk,
        field="partyfacts_id",
        source=source,
        section="core-parties-kaz.csv, row 987654",
        status=Status.PUBLISHED,
    )
    Citation.objects.create(  # a draft citation backs nothing the public sees
        content_type=ContentType.objects.get_for_model(Organization),
        object_id=party.pk,
        field="wikidata_id",
        source=source,
        section="a draft",
        status=Status.DRAFT,
    )
    _, content = download(client)
    found = {
        r["organization_slug"]: r
        for r in rows(zipfile.ZipFile(io.BytesIO(content)), "crosswalk.csv")
    }
    row = found[party.slug]
    assert row["partyfacts_id"] == "987654"
    assert row["partyfacts_citation_id"] == str(citation.pk)
    assert row["partyfacts_source_slug"] == source.slug
    assert row["partyfacts_locator"] == "core-parties-kaz.csv, row 987654"
    assert row["wikidata_id"] == "Q987654"
    assert row["wikidata_citation_id"] == row["wikidata_locator"] == ""
    with_identifier = Organization.objects.published().exclude(
        partyfacts_id__isnull=True, wikidata_id=""
    )
    assert set(found) == set(with_identifier.values_list("slug", flat=True))


# -- CITATION.cff ----------------------------------------------------------------------------

CFF = Path(settings.BASE_DIR) / "CITATION.cff"


def test_citation_cff_parses_and_says_how_to_cite_the_data():
    cff = yaml.safe_load(CFF.read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "dataset"
    assert cff["license"] == "CC-BY-4.0"
    assert cff["authors"] == [{"name": "The kzpolitics project"}]
    assert "/api/v1/export/<version>/kzpolitics.zip" in cff["message"]
    (article,) = [r for r in cff["references"] if "Babak" in str(r["authors"])]
    assert article["title"] == "Kazakhstan: How its multiparty system came into being"
    assert article["type"] == "article"


def test_citation_cff_validates_against_the_cff_schema():
    errors = cff_errors(yaml.safe_load(CFF.read_text(encoding="utf-8")))
    assert errors == []
    assert cff_errors({"cff-version": "1.2.0", "title": "x"})  # the check can fail


# The CFF 1.2.0 schema's rules (citation-file-format.github.io, schema.json) for the keys a
# CITATION.cff may have, its authors and its references, transcribed: cffconvert, which
# carries the whole schema, pins jsonschema 3, which frictionless and schemathesis cannot use.
CFF_PERSON = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        key: {"type": "string"}
        for key in [
            "address",
            "affiliation",
            "alias",
            "city",
            "country",
            "email",
            "family-names",
            "fax",
            "given-names",
            "name-particle",
            "name-suffix",
            "orcid",
            "post-code",
            "region",
            "tel",
            "website",
        ]
    },
}
CFF_ENTITY = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1}},
}
CFF_AUTHORS = {"type": "array", "minItems": 1, "items": {"anyOf": [CFF_PERSON, CFF_ENTITY]}}
CFF_SCHEMA = {
    "type": "object",
    "required": ["authors", "cff-version", "message", "title"],
    "additionalProperties": False,
    "properties": {
        **{
            key: {}
            for key in [
                "abstract",
                "commit",
                "contact",
                "date-released",
                "doi",
                "identifiers",
                "keywords",
                "license",
                "license-url",
                "preferred-citation",
                "repository",
                "repository-artifact",
                "repository-code",
                "url",
                "version",
            ]
        },
        "cff-version": {"type": "string", "pattern": r"^1\.2\.0$"},
        "message": {"type": "string", "minLength": 1},
        "title": {"type": "string", "minLength": 1},
        "type": {"enum": ["dataset", "software"]},
        "authors": CFF_AUTHORS,
        "keywords": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "license": {"type": "string", "pattern": r"^[A-Za-z0-9.+-]+$"},
        "references": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["authors", "title", "type"],
                "properties": {
                    "authors": CFF_AUTHORS,
                    "title": {"type": "string", "minLength": 1},
                    "type": {
                        "enum": [
                            "art",
                            "article",
                            "audiovisual",
                            "bill",
                            "blog",
                            "book",
                            "catalogue",
                            "conference-paper",
                            "conference",
                            "data",
                            "database",
                            "dictionary",
                            "edited-work",
                            "encyclopedia",
                            "film-broadcast",
                            "generic",
                            "government-document",
                            "grant",
                            "hearing",
                            "historical-work",
                            "legal-case",
                            "legal-rule",
                            "magazine-article",
                            "manual",
                            "map",
                            "multimedia",
                            "music",
                            "newspaper-article",
                            "pamphlet",
                            "patent",
                            "personal-communication",
                            "proceedings",
                            "report",
                            "serial",
                            "slides",
                            "software-code",
                            "software-container",
                            "software-executable",
                            "software-virtual-machine",
                            "software",
                            "sound-recording",
                            "standard",
                            "statute",
                            "thesis",
                            "unpublished",
                            "video",
                            "website",
                        ]
                    },
                    "year": {"type": "integer"},
                    "volume": {"type": ["integer", "string"]},
                    "issue": {"type": ["integer", "string"]},
                    "start": {"type": ["integer", "string"]},
                    "end": {"type": ["integer", "string"]},
                    "doi": {
                        "type": "string",
                        "pattern": r"^10\.\d{4,9}(\.\d+)?/[A-Za-z0-9:/_;\-\.\(\)\[\]\\]+$",
                    },
                },
            },
        },
    },
}


def cff_errors(cff: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(CFF_SCHEMA)
    return [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(cff)]
