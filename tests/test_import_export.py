"""Import and export in the admin: organizations, people, results and citations as CSV and
XLSX. An import shows what it would change before anything is saved; a file with a bad row
imports nothing, and the preview names each bad row and what is wrong with it."""

import datetime

import pytest
import tablib
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from elections.models import Result
from elections.resources import ResultResource
from kzpolitics.core.models import Citation, Person, Place, Status
from kzpolitics.core.resources import CitationResource, PersonResource, problems
from parties.models import Organization
from parties.resources import OrganizationResource

from .factories import save_organization

pytestmark = pytest.mark.django_db

RESOURCES = {
    Organization: OrganizationResource,
    Person: PersonResource,
    Result: ResultResource,
    Citation: CitationResource,
}
FORMATS = ("csv", "xlsx")  # in the order of the admin's format choices
HEADERS = {
    Organization: [
        "slug",
        "kind",
        "name",
        "founded_text",
        "founded_edtf",
        "dissolved_text",
        "dissolved_edtf",
        "founding_place",
        "aims",
        "ideology",
        "social_base",
        "summary",
        "public_note",
        "note",
        "status",
        "version",
    ],
    Person: ["slug", "name", "description", "public_note", "note", "status", "version"],
    Result: [
        "id",
        "election",
        "round",
        "organization",
        "person",
        "tier",
        "seats",
        "seats_of",
        "vote_share",
        "wording",
        "public_note",
        "note",
        "status",
        "version",
    ],
    Citation: [
        "id",
        "content_type",
        "object",
        "field",
        "source",
        "pages",
        "footnote",
        "section",
        "quote",
        "via",
        "public_note",
        "note",
        "status",
        "version",
    ],
}
ARTICLE = "babak-kazakhstan-multiparty-system"


@pytest.fixture
def reviewer_client(django_user_model):
    reviewer = django_user_model.objects.create_user("reviewer", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    client = Client()
    client.force_login(reviewer)
    return client


def reviewing(user):
    """Let ``user`` publish: an editor's change to a published record would wait as a pending
    revision instead (tests/test_revisions.py)."""
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


def admin_url(model, view):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}")


def download(client, model, fmt: str) -> tablib.Dataset:
    """Export every record of the model from its admin list, as an editor's browser would."""
    resource = RESOURCES[model]
    every_column = {
        f"{resource.__name__.lower()}_{name}": "on" for name in resource().get_export_order()
    }
    response = client.post(
        admin_url(model, "export"), {"format": FORMATS.index(fmt), "resource": 0, **every_column}
    )
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    return read(response.content, fmt)


def read(content: bytes, fmt: str) -> tablib.Dataset:
    return tablib.Dataset().load(
        content if fmt == "xlsx" else content.decode("utf-8-sig"), format=fmt
    )


def file_of(dataset: tablib.Dataset, fmt: str) -> bytes:
    data = dataset.export(fmt)
    return data.encode() if isinstance(data, str) else data


def upload(client, model, dataset: tablib.Dataset, fmt: str = "csv", name: str = ""):
    """The first step of an import: the file goes up and comes back as a preview."""
    name = name or f"{model._meta.model_name}s.{fmt}"
    return client.post(
        admin_url(model, "import"),
        {
            "resource": 0,
            "format": FORMATS.index(fmt),
            "import_file": SimpleUploadedFile(name, file_of(dataset, fmt)),
        },
    )


SUMMARY = "Checked against the article"


def confirm(client, model, preview):
    """The second step: the editor confirms what the preview showed, with an edit summary."""
    form = {**preview.context["confirm_form"].initial, "edit_summary": SUMMARY}
    return client.post(admin_url(model, "process_import"), form)


def row_of(dataset: tablib.Dataset, **match) -> dict:
    """The row whose cells hold these values, as text (XLSX cells come back typed)."""
    for values in dataset.dict:
        row = {key: "" if value is None else str(value) for key, value in values.items()}
        if all(row[key] == value for key, value in match.items()):
            return row
    raise AssertionError(f"no row with {match}")


def edited(dataset: tablib.Dataset, match: dict, cells: dict) -> tablib.Dataset:
    """The whole file again, with the cells of the matched row changed."""
    copy = tablib.Dataset(headers=dataset.headers)
    for values in dataset.dict:
        row = {key: "" if value is None else value for key, value in values.items()}
        if all(str(row[key]) == value for key, value in match.items()):
            row.update(cells)
        copy.append([row[header] for header in dataset.headers])
    return copy


def with_cells(dataset: tablib.Dataset, changes: list[tuple[dict, dict]]) -> tablib.Dataset:
    """A copy of the file holding only the matched rows, with their cells changed."""
    changed = tablib.Dataset(headers=dataset.headers)
    for match, cells in changes:
        row = {**row_of(dataset, **match), **cells}
        changed.append([row[header] for header in dataset.headers])
    return changed


def versions(model) -> dict:
    return dict(model.objects.values_list("pk", "version"))


# -- Export ------------------------------------------------------------------------------------

KNOWN_ROWS = {
    Organization: [
        (
            {"slug": "otan"},
            {
                "kind": "party",
                "name": "Republican (Homeland) Party Otan",
                "founded_text": "On 1 March, 1999",
                "founded_edtf": "1999-03-01",
                "founding_place": "",
                "status": "published",
                "version": "1",
            },
        ),
        ({"slug": "alma-ata-popular-front"}, {"founding_place": "alma-ata"}),
    ],
    Person: [
        (
            {"slug": "nursultan-nazarbaev"},
            {"name": "Nursultan Nazarbaev", "status": "published", "version": "1"},
        )
    ],
    Result: [
        (
            {"election": "majilis-2004", "organization": "otan", "tier": "total"},
            {"seats": "42", "seats_of": "77", "person": "", "round": "", "status": "published"},
        ),
        (
            {"election": "presidential-1999", "person": "nursultan-nazarbaev"},
            {"organization": "", "vote_share": "79.78"},
        ),
    ],
    Citation: [
        (
            {"content_type": "parties.organization", "object": "otan", "field": "founded"},
            {"source": ARTICLE, "via": "", "status": "published", "version": "1"},
        ),
        (
            {"object": "otan", "field": "social_base", "source": "dashkov-2004"},
            {"via": ARTICLE, "footnote": "26"},
        ),
    ],
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("model", RESOURCES, ids=lambda m: m._meta.model_name)
def test_the_admin_exports_every_record_with_keys_as_slugs(editor_client, model, fmt):
    exported = download(editor_client, model, fmt)

    assert exported.headers == HEADERS[model]
    assert len(exported) == model.objects.count()
    for match, expected in KNOWN_ROWS[model]:
        row = row_of(exported, **match)
        assert {key: row[key] for key in expected} == expected


def test_a_citation_of_a_record_without_a_slug_names_it_by_id():
    stance_citation = Citation.objects.filter(content_type__model="stance").first()

    exported = CitationResource().export(Citation.objects.filter(pk=stance_citation.pk))

    assert exported.dict[0]["content_type"] == "parties.stance"
    assert exported.dict[0]["object"] == str(stance_citation.object_id)


# -- Import: preview, confirm, history ---------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_round_trip_changes_exactly_the_edited_cell_and_records_why(editor_client, editor, fmt):
    reviewing(editor)
    before = versions(Organization)
    exported = download(editor_client, Organization, fmt)

    preview = upload(
        editor_client, Organization, edited(exported, {"slug": "otan"}, {"summary": "New."}), fmt
    )

    result = preview.context["result"]
    assert (result.totals["update"], result.totals["skip"]) == (1, len(exported) - 1)
    assert [row.object_repr for row in result.rows if row.import_type == "update"] == [
        "Republican (Homeland) Party Otan"
    ]
    assert b"Confirm import" in preview.content
    assert Organization.objects.get(slug="otan").summary != "New."  # not yet

    response = confirm(editor_client, Organization, preview)

    assert response.status_code == 302
    otan = Organization.objects.get(slug="otan")
    assert otan.summary == "New."
    after = versions(Organization)
    assert {pk for pk in after if after[pk] != before[pk]} == {otan.pk}
    reimported = row_of(download(editor_client, Organization, fmt), slug="otan")
    assert {k for k in reimported if reimported[k] != row_of(exported, slug="otan")[k]} == {
        "summary",
        "version",
    }
    latest = otan.history.first()
    assert latest.history_change_reason == f"{SUMMARY} (imported from organizations.{fmt})"
    assert latest.history_user == editor


@pytest.mark.parametrize(
    ("resource_class", "queryset", "match", "cells"),
    [
        (PersonResource, Person.objects.all, {"slug": "gorbachev"}, {"note": "Checked."}),
        (
            ResultResource,
            Result.objects.all,
            {"election": "majilis-2004", "organization": "otan", "tier": "party_list"},
            {"seats_of": "12"},
        ),
        (
            CitationResource,
            lambda: Citation.objects.filter(content_type__model="organization"),
            {"object": "otan", "field": "founded"},
            {"pages": "7"},
        ),
    ],
    ids=["person", "result", "citation"],
)
def test_importing_a_resources_own_export_changes_only_the_edited_cell(
    resource_class, queryset, match, cells, editor
):
    reviewing(editor)
    model = resource_class._meta.model
    exported = resource_class().export(queryset())
    before = versions(model)

    result = resource_class().import_data(
        edited(exported, match, cells), file_name="edited.csv", user=editor
    )

    assert not problems(result)
    assert (result.totals["update"], result.totals["skip"]) == (1, len(exported) - 1)
    after = versions(model)
    (changed,) = [pk for pk in after if after[pk] != before[pk]]
    record = model.objects.get(pk=changed)
    was = row_of(exported, **match)
    now = row_of(resource_class().export(model.objects.filter(pk=changed)))
    assert {key: now[key] for key in now if now[key] != was[key]} == {
        **cells,
        "version": str(int(was["version"]) + 1),
    }
    assert record.history.first().history_change_reason == "Imported from edited.csv"


def test_imported_records_are_drafts_unless_the_file_says_otherwise(editor):
    people = tablib.Dataset(headers=["slug", "name", "status"])
    people.append(["new-person", "A New Person", ""])
    people.append(["another-person", "Another Person", "review"])

    result = PersonResource().import_data(people, file_name="people.csv", user=editor)

    assert not problems(result)
    assert Person.objects.get(slug="new-person").status == Status.DRAFT
    assert Person.objects.get(slug="another-person").status == Status.REVIEW
    assert Person.objects.get(slug="new-person").history.first().history_type == "+"


def test_a_date_a_spreadsheet_turned_into_a_date_cell_is_read_back_as_edtf(editor):
    organizations = tablib.Dataset(
        ["a-new-party", "party", "A New Party", "On 1 March, 1999", datetime.datetime(1999, 3, 1)],
        headers=["slug", "kind", "name", "founded_text", "founded_edtf"],
    )

    result = OrganizationResource().import_data(organizations, user=editor)

    assert not problems(result)
    founded = Organization.objects.get(slug="a-new-party").founded
    assert (founded.edtf, founded.earliest) == ("1999-03-01", datetime.date(1999, 3, 1))


# -- Import: a bad row stops the whole file ----------------------------------------------------


def test_a_file_with_bad_rows_imports_nothing_and_the_preview_names_each(editor_client):
    exported = OrganizationResource().export()
    edited = with_cells(
        exported,
        [
            ({"slug": "otan"}, {"summary": "A good change."}),
            ({"slug": "adilet"}, {"founding_place": "atlantis"}),
            ({"slug": "akikat"}, {"founded_edtf": "1999-13-45"}),
            ({"slug": "asar"}, {"name": ""}),
        ],
    )
    before = versions(Organization)

    preview = upload(editor_client, Organization, edited)

    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    assert b"Confirm import" not in preview.content
    assert b"Some rows failed to validate" in preview.content
    invalid = {
        row.number: row.field_specific_errors for row in preview.context["result"].invalid_rows
    }
    assert set(invalid) == {2, 3, 4}
    assert invalid[2] == {"founding_place": ["No place has the slug “atlantis”."]}
    assert "is not a valid EDTF date" in invalid[3]["founded_edtf"][0]
    assert invalid[4] == {"name": ["This field cannot be blank."]}
    page = preview.content.decode()
    for reason in ("No place has the slug “atlantis”.", "“1999-13-45” is not a valid EDTF date"):
        assert reason in page
    assert versions(Organization) == before
    assert Organization.objects.get(slug="otan").summary != "A good change."


def test_a_row_gone_bad_between_preview_and_confirmation_stops_the_whole_file(editor_client):
    organizations = tablib.Dataset(headers=["slug", "kind", "name", "founding_place"])
    organizations.append(["a-new-party", "party", "A New Party", ""])
    organizations.append(["another-new-party", "party", "Another New Party", "alma-ata"])
    preview = upload(editor_client, Organization, organizations)
    assert preview.context["result"].totals["new"] == 2
    Place.objects.filter(slug="alma-ata").update(slug="almaty")  # a colleague's edit meanwhile

    response = confirm(editor_client, Organization, preview)

    assert response.status_code == 302
    assert not Organization.objects.filter(slug__in=["a-new-party", "another-new-party"]).exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Nothing was imported: row 2: founding_place: No place has the slug “alma-ata”."
    ]


def a_colleague_saves(slug: str, **changes) -> Organization:
    """Another editor's save, made while the file was out."""
    return save_organization(slug, "A colleague's edit", **changes)


def test_an_old_file_cannot_undo_an_edit_saved_since_it_was_exported(editor_client):
    exported = OrganizationResource().export()
    a_colleague_saves("otan", summary="The colleague's newer summary.")
    # The editor changes another row of the old file; its otan row still holds the old summary.
    stale = edited(exported, {"slug": "adilet"}, {"note": "Checked against the article."})
    before = versions(Organization)

    preview = upload(editor_client, Organization, stale)

    assert "confirm_form" not in preview.context
    invalid = {
        row.number: row.field_specific_errors for row in preview.context["result"].invalid_rows
    }
    (otan_row,) = invalid
    assert list(invalid[otan_row]) == ["version"]
    (message,) = invalid[otan_row]["version"]
    assert "saved by someone else after this file was exported" in message
    assert "the file has version 1, the record is at version 2" in message
    assert message in preview.content.decode()
    assert versions(Organization) == before
    otan = Organization.objects.get(slug="otan")
    assert otan.summary == "The colleague's newer summary."
    assert Organization.objects.get(slug="adilet").note != "Checked against the article."


def test_an_edit_saved_between_preview_and_confirmation_stops_the_file(editor_client):
    exported = OrganizationResource().export()
    preview = upload(
        editor_client,
        Organization,
        with_cells(exported, [({"slug": "otan"}, {"summary": "The file's summary."})]),
    )
    assert preview.context["result"].totals["update"] == 1
    a_colleague_saves("otan", summary="The colleague's summary.")

    response = confirm(editor_client, Organization, preview)

    assert response.status_code == 302
    assert Organization.objects.get(slug="otan").summary == "The colleague's summary."
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Nothing was imported: row 1: version: “Republican (Homeland)")


def test_a_stale_row_that_changes_nothing_is_skipped_not_refused(editor):
    exported = OrganizationResource().export()
    a_colleague_saves("otan", summary="Agreed wording.")
    same = with_cells(exported, [({"slug": "otan"}, {"summary": "Agreed wording."})])

    result = OrganizationResource().import_data(same, file_name="same.csv", user=editor)

    assert not problems(result)
    assert result.totals["skip"] == 1


def test_an_empty_version_cell_overwrites_on_purpose(editor):
    reviewing(editor)
    exported = OrganizationResource().export()
    a_colleague_saves("otan", summary="The colleague's summary.")
    overwrite = with_cells(
        exported, [({"slug": "otan"}, {"summary": "The file's summary.", "version": ""})]
    )

    result = OrganizationResource().import_data(overwrite, file_name="mine.csv", user=editor)

    assert not problems(result)
    otan = Organization.objects.get(slug="otan")
    assert (otan.summary, otan.version) == ("The file's summary.", 3)


@pytest.mark.parametrize("cell", ["two", "1.5", "nan"])
def test_a_version_cell_that_is_no_version_number_is_an_error(editor, cell):
    exported = OrganizationResource().export()
    bad = with_cells(exported, [({"slug": "otan"}, {"summary": "Changed.", "version": cell})])

    result = OrganizationResource().import_data(bad, file_name="bad.csv", user=editor)

    assert problems(result) == [
        f"row 1: version: “{cell}” is not a version number; leave the cell as exported, or empty."
    ]


GOOD_AND_BAD_ROWS = {
    "organization": (
        OrganizationResource,
        ["slug", "kind", "name", "founded_text", "founded_edtf"],
        ["a-new-party", "party", "A New Party", "spring of 1994", ""],
        ["a-bad-party", "party", "A Bad Party", "", "not a date"],
        "founded_edtf",
    ),
    "person": (
        PersonResource,
        ["slug", "name"],
        ["a-new-person", "A New Person"],
        ["a-bad-person", ""],
        "name",
    ),
    "result": (
        ResultResource,
        ["id", "election", "organization", "tier", "seats"],
        ["", "majilis-2004", "otan", "single_member", "1"],
        ["", "majilis-2004", "no-such-party", "single_member", "1"],
        "organization",
    ),
    "citation": (
        CitationResource,
        ["content_type", "object", "field", "source", "pages"],
        ["parties.organization", "otan", "summary", ARTICLE, "3"],
        ["parties.organization", "otan", "summary", "no-such-source", "3"],
        "source",
    ),
}


@pytest.mark.parametrize("kind", GOOD_AND_BAD_ROWS)
def test_a_confirmed_import_with_one_bad_row_leaves_the_database_unchanged(kind, editor):
    resource_class, headers, good, bad, column = GOOD_AND_BAD_ROWS[kind]
    model = resource_class._meta.model
    dataset = tablib.Dataset(good, bad, headers=headers)
    count, before = model.objects.count(), versions(model)

    result = resource_class().import_data(dataset, dry_run=False, file_name="f.csv", user=editor)

    assert [row.number for row in result.invalid_rows] == [2]
    assert list(result.invalid_rows[0].field_specific_errors) == [column]
    assert model.objects.count() == count
    assert versions(model) == before
    assert not model.history.filter(history_change_reason="Imported from f.csv").exists()


def test_a_result_names_its_round_by_number_within_its_election(editor):
    results = tablib.Dataset(headers=["id", "election", "round", "organization", "tier"])
    results.append(["", "majilis-2004", "2", "otan", "single_member"])
    results.append(["", "majilis-1999", "2", "otan", "single_member"])

    result = ResultResource().import_data(results, dry_run=True, user=editor)

    assert problems(result) == ["row 2: round: The election “majilis-1999” has no round “2”."]


def test_a_row_naming_an_unknown_id_is_refused_rather_than_added(editor):
    results = tablib.Dataset(headers=["id", "election", "organization", "tier"])
    results.append(["987654", "majilis-2004", "otan", "single_member"])

    result = ResultResource().import_data(results, dry_run=True, user=editor)

    assert problems(result) == [
        "row 1: id: No result has the id 987654; leave id empty to add a new result."
    ]


# -- Who may import, and publish ---------------------------------------------------------------


def test_an_editor_may_not_publish_through_a_file(editor_client):
    people = tablib.Dataset(["a-published-person", "A Published Person", "published"])
    people.headers = ["slug", "name", "status"]

    preview = upload(editor_client, Person, people)

    assert "confirm_form" not in preview.context
    (invalid,) = preview.context["result"].invalid_rows
    assert invalid.number == 1
    assert invalid.field_specific_errors == {
        "status": ["Only a reviewer can publish. Save it as “In review” and a reviewer will."]
    }
    assert not Person.objects.filter(slug="a-published-person").exists()


def test_an_editor_may_not_unpublish_through_a_file_either(editor):
    people = tablib.Dataset(["gorbachev", "Gorbachev", "draft"], headers=["slug", "name", "status"])

    result = PersonResource().import_data(people, user=editor)

    assert problems(result) == [
        "row 1: status: Only a reviewer can take a published record off the site."
    ]


def test_a_reviewer_may_publish_through_a_file(reviewer_client):
    people = tablib.Dataset(["a-published-person", "A Published Person", "published"])
    people.headers = ["slug", "name", "status"]

    preview = upload(reviewer_client, Person, people, "xlsx", name="new people.xlsx")
    response = confirm(reviewer_client, Person, preview)

    assert response.status_code == 302
    person = Person.objects.get(slug="a-published-person")
    assert person.status == Status.PUBLISHED
    reason = person.history.first().history_change_reason
    assert reason == f"{SUMMARY} (imported from new people.xlsx)"


@pytest.mark.parametrize("model", RESOURCES, ids=lambda m: m._meta.model_name)
def test_the_import_page_is_for_those_who_may_add_and_change(editor_client, model):
    import_url, export_url = admin_url(model, "import"), admin_url(model, "export")
    anonymous = Client()

    assert anonymous.get(import_url).status_code == 302  # to the sign-in page
    assert anonymous.post(admin_url(model, "process_import")).status_code == 302
    assert anonymous.get(export_url).status_code == 302
    import_page = editor_client.get(import_url)
    assert import_page.status_code == 200
    (read_columns,) = [columns for _, columns in import_page.context["fields_list"]]
    assert read_columns == [h for h in HEADERS[model] if h != "version"]  # version is never read
    changelist = editor_client.get(admin_url(model, "changelist")).content.decode()
    assert import_url in changelist
    assert export_url in changelist


def test_staff_who_may_only_view_may_export_but_not_import(django_user_model):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_organization"))
    client = Client()
    client.force_login(viewer)
    nobody = django_user_model.objects.create_user("nobody", is_staff=True)
    nobody_client = Client()
    nobody_client.force_login(nobody)

    assert client.get(admin_url(Organization, "import")).status_code == 403
    assert client.post(admin_url(Organization, "process_import")).status_code == 403
    assert client.get(admin_url(Organization, "export")).status_code == 200
    assert (
        admin_url(Organization, "import")
        not in client.get(admin_url(Organization, "changelist")).content.decode()
    )
    assert nobody_client.get(admin_url(Organization, "import")).status_code == 403
    assert nobody_client.get(admin_url(Organization, "export")).status_code == 403
