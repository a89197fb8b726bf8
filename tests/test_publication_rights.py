"""Only reviewers change what the public sees.

Every way of changing a record's publication (change form, list actions, revert, restore,
delete view, import, API), tried by an editor and by a reviewer: allowed or refused, and the
stored status is what the rule says. Then publishing a record with its draft rows, and no lost
edit of an inline row. Revert, restore, import and the inline conflict also run in real
transactions (``transaction=True``), as they do on PostgreSQL in production.
"""

import pytest
import tablib
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kzpolitics.core.editorial.restore import deleted_versions
from kzpolitics.core.models import Citation, Person, Status
from parties.models import Organization, Role

from .factories import OrganizationFactory, PersonFactory, RoleFactory, SourceFactory
from .test_editorial import admin_url, change_form_data

ROLES = ("editor", "reviewer")


@pytest.fixture
def clients(editor, reviewer):
    made = {}
    for who, user in (("editor", editor), ("reviewer", reviewer)):
        made[who] = Client()
        made[who].force_login(user)
    return made


def stored_status(record) -> str | None:
    found = type(record)._base_manager.filter(pk=record.pk).values_list("status", flat=True)
    return found.first()


def party(status=Status.PUBLISHED, **kwargs):
    return OrganizationFactory(status=status, **kwargs)


# -- the matrix -------------------------------------------------------------------------------


def via_change_form(client, record, status):
    url = admin_url(Organization, "change", record.pk)
    data = change_form_data(client.get(url))
    data.update(status=status, edit_summary="Status changed")
    return client.post(url, data)


def via_action(client, record, action):
    return client.post(
        admin_url(Organization, "changelist"),
        {"action": action, "_selected_action": [record.pk], "post": "yes", "summary": "By action"},
    )


def via_api_post(client, _record, status):
    return client.post(
        "/api/v1/organizations/",
        {"slug": "posted-party", "name": "Posted Party", "kind": "party", "status": status},
        content_type="application/json",
    )


def via_api_patch(client, record, status):
    return client.patch(
        f"/api/v1/organizations/{record.slug}/",
        {"status": status},
        content_type="application/json",
        headers={"X-Edit-Summary": "Status through the API"},
    )


def via_import(client, record, status):
    people = tablib.Dataset(headers=["slug", "name", "status"])
    people.append([record.slug, record.name, status])
    preview = client.post(
        reverse("admin:kzpolitics_person_import"),
        {
            "resource": 0,
            "format": 0,
            "import_file": SimpleUploadedFile("people.csv", people.export("csv").encode()),
        },
    )
    if "confirm_form" not in (preview.context or {}):
        return preview
    form = {**preview.context["confirm_form"].initial, "edit_summary": "Status from a file"}
    return client.post(reverse("admin:kzpolitics_person_process_import"), form)


# (way, starting status, asked-for status, make the record, change it) -> status for editor,
# status for reviewer. None: the record is gone.
MATRIX = {
    "form publishes": (Status.DRAFT, Status.DRAFT, Status.PUBLISHED),
    "form unpublishes": (Status.PUBLISHED, Status.PUBLISHED, Status.REVIEW),
    "action publish": (Status.DRAFT, Status.DRAFT, Status.PUBLISHED),
    "action unpublish": (Status.PUBLISHED, Status.PUBLISHED, Status.REVIEW),
    "action send for review (draft)": (Status.DRAFT, Status.REVIEW, Status.REVIEW),
    "action send for review (published)": (Status.PUBLISHED, Status.PUBLISHED, Status.PUBLISHED),
    "action delete selected (published)": (Status.PUBLISHED, Status.PUBLISHED, None),
    "action delete selected (draft)": (Status.DRAFT, None, None),
    "delete view (published)": (Status.PUBLISHED, Status.PUBLISHED, None),
    "delete view (draft)": (Status.DRAFT, None, None),
    "api patch publishes": (Status.DRAFT, Status.DRAFT, Status.PUBLISHED),
    "api patch unpublishes": (Status.PUBLISHED, Status.PUBLISHED, Status.REVIEW),
    "api delete (published)": (Status.PUBLISHED, Status.PUBLISHED, None),
    "api delete (draft)": (Status.DRAFT, None, None),
    "import publishes": (Status.DRAFT, Status.DRAFT, Status.PUBLISHED),
    "import unpublishes": (Status.PUBLISHED, Status.PUBLISHED, Status.DRAFT),
}

WAYS = {
    "form publishes": lambda c, r: via_change_form(c, r, Status.PUBLISHED),
    "form unpublishes": lambda c, r: via_change_form(c, r, Status.REVIEW),
    "action publish": lambda c, r: via_action(c, r, "publish"),
    "action unpublish": lambda c, r: via_action(c, r, "unpublish"),
    "action send for review (draft)": lambda c, r: via_action(c, r, "send_for_review"),
    "action send for review (published)": lambda c, r: via_action(c, r, "send_for_review"),
    "action delete selected (published)": lambda c, r: via_action(c, r, "delete_selected"),
    "action delete selected (draft)": lambda c, r: via_action(c, r, "delete_selected"),
    "delete view (published)": lambda c, r: c.post(
        admin_url(Organization, "delete", r.pk), {"post": "yes", "summary": "Gone"}
    ),
    "delete view (draft)": lambda c, r: c.post(
        admin_url(Organization, "delete", r.pk), {"post": "yes", "summary": "Gone"}
    ),
    "api patch publishes": lambda c, r: via_api_patch(c, r, Status.PUBLISHED),
    "api patch unpublishes": lambda c, r: via_api_patch(c, r, Status.REVIEW),
    "api delete (published)": lambda c, r: c.delete(f"/api/v1/organizations/{r.slug}/"),
    "api delete (draft)": lambda c, r: c.delete(f"/api/v1/organizations/{r.slug}/"),
    "import publishes": lambda c, r: via_import(c, r, Status.PUBLISHED),
    "import unpublishes": lambda c, r: via_import(c, r, Status.DRAFT),
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("way", MATRIX)
def test_who_may_change_publication(clients, who, way):
    start, editor_gets, reviewer_gets = MATRIX[way]
    if way.startswith("import"):
        record = PersonFactory(status=start, slug="imported-person", name="Imported Person")
    else:
        record = party(status=start, name="Matrix Party", slug="matrix-party")
    response = WAYS[way](clients[who], record)
    expected = editor_gets if who == "editor" else reviewer_gets
    assert response.status_code < 500
    assert stored_status(record) == expected, (way, who, response.status_code)
    if way.startswith("api") and expected == start:
        assert response.status_code == 403
        assert "reviewer" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ROLES)
def test_publishing_through_an_api_post(clients, who):
    response = via_api_post(clients[who], None, Status.PUBLISHED)
    assert response.status_code == (403 if who == "editor" else 201)
    stored = Organization.objects.filter(slug="posted-party").values_list("status", flat=True)
    assert list(stored) == ([] if who == "editor" else [Status.PUBLISHED])


@pytest.mark.django_db
def test_an_editors_refused_deletion_says_why(clients):
    record = party(name="Visible Party")
    page = clients["editor"].post(
        admin_url(Organization, "delete", record.pk),
        {"post": "yes", "summary": "Gone"},
        follow=True,
    )
    assert "only a reviewer can take what the public sees off the site" in page.content.decode()
    listed = clients["editor"].post(
        admin_url(Organization, "changelist"),
        {"action": "delete_selected", "_selected_action": [record.pk]},
        follow=True,
    )
    assert "“Visible Party” is published" in listed.content.decode()
    api = clients["editor"].delete(f"/api/v1/organizations/{record.slug}/")
    assert api.status_code == 403
    assert "only a reviewer can delete what the public sees" in api.json()["detail"]
    assert stored_status(record) == Status.PUBLISHED


@pytest.mark.django_db
@pytest.mark.parametrize("who", ROLES)
def test_deleting_a_published_row_inline(clients, who):
    record = party(status=Status.DRAFT, name="Row Party")
    person = PersonFactory()
    role = RoleFactory(organization=record, person=person, status=Status.PUBLISHED)
    record.status = Status.PUBLISHED
    record.save()
    url = admin_url(Organization, "change", record.pk)
    data = change_form_data(clients[who].get(url))
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(role.pk))[:-3]
    data[f"{prefix}-DELETE"] = "on"
    data["edit_summary"] = "Drop the role"
    response = clients[who].post(url, data)
    exists = Role.objects.filter(pk=role.pk).exists()
    if who == "editor":
        assert response.status_code == 200
        assert "only a reviewer can delete what the public sees" in response.content.decode()
        assert exists
    else:
        assert response.status_code == 302
        assert not exists


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("event_status", [Status.PUBLISHED, Status.DRAFT])
def test_linking_published_records_from_a_link_inline_is_a_reviewers_change(
    clients, who, event_status
):
    """The organizations an event concerns: a link between two published records is public,
    so only a reviewer makes it here; an editor may link a draft event (nobody sees it)."""
    from kzpolitics.core.models import Event

    event = Event.objects.published().order_by("pk").first()
    Event.objects.filter(pk=event.pk).update(status=event_status)
    organization = Organization.objects.published().exclude(events=event).order_by("pk").first()
    url = admin_url(Event, "change", event.pk)
    data = change_form_data(clients[who].get(url))
    prefix = next(k for k in data if k.endswith("TOTAL_FORMS") and "organization" in k.lower())
    prefix = prefix[: -len("-TOTAL_FORMS")]
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data[f"{prefix}-{index}-organization"] = str(organization.pk)
    data[f"{prefix}-{index}-event"] = str(event.pk)
    data["edit_summary"] = "Concerns this party too"
    response = clients[who].post(url, data)
    linked = organization.events.filter(pk=event.pk).exists()
    if who == "editor" and event_status == Status.PUBLISHED:
        assert response.status_code == 200
        assert "Only a reviewer can link or unlink published records" in (response.content.decode())
        assert not linked
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert linked


# -- revert, restore and import, in real transactions ----------------------------------------


def revert_to(client, record, version):
    url = reverse(
        f"admin:{record._meta.app_label}_{record._meta.model_name}_simple_history",
        args=[record.pk, version.history_id],
    )
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, change_form_data(page))


@pytest.mark.django_db(transaction=True)
def test_revert_restore_and_import_in_real_transactions(clients):
    """On PostgreSQL the revert's version check locks the record: outside a transaction that
    was a 500 for every record. Each runs here as the site runs it, no test transaction
    around it."""
    # Revert: a draft whose earlier version was published. An editor's revert would publish
    # it: refused with a form error. A reviewer's goes through.
    record = party(name="Was Published")
    published_version = record.history.first()
    record.status = Status.DRAFT
    record._change_reason = "Taken back to draft"
    record.save()
    refused = revert_to(clients["editor"], record, published_version)
    assert refused.status_code == 200
    assert "Only a reviewer can publish" in refused.content.decode()
    assert stored_status(record) == Status.DRAFT
    assert revert_to(clients["reviewer"], record, published_version).status_code == 302
    assert stored_status(record) == Status.PUBLISHED

    # An editor's revert of a draft to an earlier draft version is an ordinary edit.
    draft = party(status=Status.DRAFT, name="First Draft Name")
    first = draft.history.first()
    draft.name = "Second Draft Name"
    draft.save()
    assert revert_to(clients["editor"], draft, first).status_code == 302
    draft.refresh_from_db()
    assert draft.name == "First Draft Name"

    # Restore: deleted while published. An editor brings it back as a draft; a reviewer as
    # it was.
    for who, comes_back_as in (("editor", Status.DRAFT), ("reviewer", Status.PUBLISHED)):
        gone = party(name=f"Deleted by mistake ({who})", slug=f"deleted-{who}")
        pk = gone.pk
        gone._change_reason = "Deleted"
        gone.delete()
        row = next(v for v in deleted_versions(Organization) if v.id == pk)
        response = clients[who].post(
            admin_url(Organization, "deleted"),
            {"history_id": row.history_id, "summary": "Deleted by mistake"},
            follow=True,
        )
        assert response.status_code == 200
        restored = Organization.objects.get(pk=pk)
        assert restored.status == comes_back_as
        citation = Citation.objects.get(
            content_type=ContentType.objects.get_for_model(Organization), object_id=pk
        )
        assert citation.status == comes_back_as
        if who == "editor":
            assert "it is back as a draft" in response.content.decode()

    # Import with confirmation: a reviewer's file publishes, an editor's may not.
    person = PersonFactory(status=Status.DRAFT, slug="imported-person", name="Imported Person")
    refused = via_import(clients["editor"], person, Status.PUBLISHED)
    assert "confirm_form" not in refused.context
    assert stored_status(person) == Status.DRAFT
    confirmed = via_import(clients["reviewer"], person, Status.PUBLISHED)
    assert confirmed.status_code == 302
    assert stored_status(person) == Status.PUBLISHED
    assert (
        Person.history.filter(id=person.pk)
        .first()
        .history_change_reason.endswith("(imported from people.csv)")
    )


# -- publishing a record with its rows --------------------------------------------------------


def draft_citation(record, **kwargs):
    return Citation.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        source=SourceFactory(),
        pages="7",
        status=Status.DRAFT,
        **kwargs,
    )


@pytest.fixture
def party_with_draft_rows():
    record = party(status=Status.DRAFT, name="New Party", slug="new-party")
    leader = RoleFactory(
        organization=record,
        person=PersonFactory(name="Published Leader"),
        status=Status.DRAFT,
        title="leader",
    )
    founder = RoleFactory(
        organization=record,
        person=PersonFactory(name="Draft Founder", status=Status.DRAFT),
        status=Status.DRAFT,
        title="founder",
    )
    citation = draft_citation(record)
    return record, leader, founder, citation


def test_the_publish_action_lists_the_draft_rows_and_publishes_those_ticked(
    clients, party_with_draft_rows, client
):
    record, leader, founder, citation = party_with_draft_rows
    changelist = admin_url(Organization, "changelist")
    page = clients["reviewer"].post(
        changelist, {"action": "publish", "_selected_action": [record.pk]}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Published Leader" in html and "Draft Founder" in html
    assert stored_status(record) == Status.DRAFT  # nothing yet: the page asks first
    keys = [row["key"] for row in page.context["groups"][0]["rows"]]
    assert len(keys) == 3  # two roles and the party's citation
    done = clients["reviewer"].post(
        changelist,
        {
            "action": "publish",
            "_selected_action": [record.pk],
            "post": "yes",
            "publish_row": keys,
            "summary": "Checked",
        },
        follow=True,
    )
    text = done.content.decode()
    assert stored_status(record) == Status.PUBLISHED
    assert stored_status(leader) == Status.PUBLISHED
    assert stored_status(citation) == Status.PUBLISHED
    # Published, but hidden while its person is a draft: and the reviewer is told.
    assert stored_status(founder) == Status.PUBLISHED
    assert "Still hidden from the public" in text
    assert "its person “Draft Founder” is draft" in text
    public = client.get(record.get_absolute_url()).content.decode()
    assert "Published Leader" in public
    assert "Draft Founder" not in public


def test_a_row_left_unticked_stays_a_draft_and_the_message_says_so(clients, party_with_draft_rows):
    record, leader, founder, citation = party_with_draft_rows
    changelist = admin_url(Organization, "changelist")
    page = clients["reviewer"].post(
        changelist, {"action": "publish", "_selected_action": [record.pk]}
    )
    keys = [row["key"] for row in page.context["groups"][0]["rows"]]
    role_type = ContentType.objects.get_for_model(Role).pk
    founder_key = f"{role_type}:{founder.pk}"
    assert founder_key in keys
    done = clients["reviewer"].post(
        changelist,
        {
            "action": "publish",
            "_selected_action": [record.pk],
            "post": "yes",
            "publish_row": [k for k in keys if k != founder_key],
            "summary": "Checked",
        },
        follow=True,
    )
    assert stored_status(founder) == Status.DRAFT
    assert stored_status(leader) == Status.PUBLISHED
    assert "not ticked: it stays draft" in done.content.decode()


def test_publishing_through_the_status_field_leads_to_the_rows(clients, party_with_draft_rows):
    record, leader, founder, citation = party_with_draft_rows
    response = via_change_form(clients["reviewer"], record, Status.PUBLISHED)
    publish_url = admin_url(Organization, "publish", record.pk)
    assert response.status_code == 302
    assert response["Location"] == publish_url
    assert stored_status(record) == Status.PUBLISHED
    page = clients["reviewer"].get(publish_url)
    assert "Published Leader" in page.content.decode()
    keys = [row["key"] for row in page.context["groups"][0]["rows"]]
    clients["reviewer"].post(
        publish_url, {"post": "yes", "publish_row": keys, "summary": "Checked"}
    )
    assert stored_status(leader) == Status.PUBLISHED
    assert stored_status(citation) == Status.PUBLISHED
    # Only reviewers publish rows.
    assert clients["editor"].get(publish_url).status_code == 403


def test_a_record_without_draft_rows_is_published_once_confirmed_with_a_summary(clients):
    record = party(status=Status.DRAFT)
    asked = clients["reviewer"].post(
        admin_url(Organization, "changelist"),
        {"action": "publish", "_selected_action": [record.pk]},
    )
    assert asked.status_code == 200 and "summary" in asked.content.decode()
    assert stored_status(record) == Status.DRAFT
    response = via_action(clients["reviewer"], record, "publish")
    assert response.status_code == 302
    assert stored_status(record) == Status.PUBLISHED


pytestmark = pytest.mark.django_db


# -- no lost edit of an inline row ------------------------------------------------------------


def row_prefix(data: dict, inline: str, pk: int) -> str:
    """The form prefix of the inline row of ``pk`` in ``inline`` (a formset prefix's start)."""
    return next(
        key[: -len("-id")]
        for key, value in data.items()
        if key.startswith(inline) and key.endswith("-id") and value == str(pk)
    )


@pytest.fixture
def shared_draft():
    """A draft party whose citation is a draft too: both editors' saves go straight in."""
    record = party(status=Status.DRAFT, name="Shared Draft", slug="shared-draft")
    citation = record.citations.get()
    citation.status = Status.DRAFT
    citation.save()
    return record, citation


def two_open_pages(clients, record):
    url = admin_url(Organization, "change", record.pk)
    return (
        url,
        change_form_data(clients["editor"].get(url)),
        change_form_data(clients["reviewer"].get(url)),
    )


CITATIONS = "kzpolitics-citation"


def check_a_stale_row_save_keeps_both(clients, record, citation):
    url, first, second = two_open_pages(clients, record)
    row = row_prefix(first, CITATIONS, citation.pk)
    first.update({f"{row}-quote": "Quote by the first.", "edit_summary": "First's quote"})
    assert clients["editor"].post(url, first).status_code == 302

    second.update({f"{row}-pages": "99", "edit_summary": "Second's pages"})
    refused = clients["reviewer"].post(url, second)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Someone else saved this citation after you opened the page" in html
    assert "Quote by the first." in html  # the colleague's value, shown in the row
    again = change_form_data(refused)
    assert again[f"{row}-quote"] == "Quote by the first."
    assert again[f"{row}-pages"] == "99"  # the second editor's own change is kept
    citation.refresh_from_db()
    assert (citation.quote, citation.pages) == ("Quote by the first.", "1")

    again["edit_summary"] = "Second's pages, after reading First's"
    assert clients["reviewer"].post(url, again).status_code == 302
    citation.refresh_from_db()
    assert (citation.quote, citation.pages) == ("Quote by the first.", "99")


def test_a_stale_save_of_an_inline_row_is_refused_and_saving_again_keeps_both(
    clients, shared_draft
):
    check_a_stale_row_save_keeps_both(clients, *shared_draft)


def test_a_row_a_colleague_deleted_meanwhile_is_said_to_be_gone(clients, shared_draft):
    record, citation = shared_draft
    url, first, second = two_open_pages(clients, record)
    row = row_prefix(second, CITATIONS, citation.pk)
    pk = citation.pk
    citation.delete()
    second.update({f"{row}-quote": "Too late.", "name": "Renamed Draft", "edit_summary": "Both"})
    refused = clients["reviewer"].post(url, second)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert f"Someone else deleted a citation of this list (#{pk})" in html
    assert f'name="{row}-id"' not in html  # the page no longer shows the row
    record.refresh_from_db()
    assert record.name == "Shared Draft"
    # What the browser sends back: the page as shown, without the gone row.
    again = {k: v for k, v in change_form_data(refused).items() if not k.startswith(row)}
    assert clients["reviewer"].post(url, again).status_code == 302
    record.refresh_from_db()
    assert record.name == "Renamed Draft"


def test_deleting_a_row_a_colleague_changed_meanwhile_is_refused(clients, shared_draft):
    record, citation = shared_draft
    url, first, second = two_open_pages(clients, record)
    row = row_prefix(first, CITATIONS, citation.pk)
    first.update({f"{row}-quote": "Kept quote.", "edit_summary": "Quote"})
    assert clients["editor"].post(url, first).status_code == 302
    second.update({f"{row}-DELETE": "on", "edit_summary": "Drop it"})
    refused = clients["reviewer"].post(url, second)
    assert refused.status_code == 200
    assert "It was not deleted" in refused.content.decode()
    assert Citation.objects.filter(pk=citation.pk).exists()
    again = change_form_data(refused)
    again.update({f"{row}-DELETE": "on", "edit_summary": "Drop it, having read the quote"})
    assert clients["reviewer"].post(url, again).status_code == 302
    assert not Citation.objects.filter(pk=citation.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_stale_inline_save_in_real_transactions(clients):
    # The article's data is here even after another test emptied the database
    # (tests/conftest.py puts it back).
    assert Organization.objects.filter(slug="otan").exists()
    assert Group.objects.get(name="Editors").permissions.exists()
    record = party(status=Status.DRAFT, name="Shared Draft", slug="shared-draft")
    citation = record.citations.get()
    citation.status = Status.DRAFT
    citation.save()
    check_a_stale_row_save_keeps_both(clients, record, citation)
