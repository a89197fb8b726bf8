"""Pending revisions: an editor's change to a published record waits for a reviewer, and the
public sees nothing of it until then. One review queue lists everything waiting, across every
kind of record, oldest first, each with its diff; only reviewers decide.

Tests that accept, reject, import or write through the API run in real transactions
(``transaction=True``), as they run on the site (PostgreSQL refuses ``select_for_update``
outside one); they build their own records with the factories."""

import json
import subprocess

import pytest
import tablib
import yaml
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kzpolitics.core import revisions
from kzpolitics.core.models import Citation, DataVersion, Event, Person, Revision, Status
from kzpolitics.core.resources import PersonResource, problems
from parties.models import Organization

from .checkers import VNU_JAR, missing_html_checker
from .factories import (
    EventFactory,
    OrganizationFactory,
    PersonFactory,
    PersonNameFactory,
    SourceFactory,
)
from .test_editorial import admin_url, change_form_data

pytestmark = pytest.mark.django_db
in_transactions = pytest.mark.django_db(transaction=True)

QUEUE = "/admin/review/"


@pytest.fixture
def reviewer_client(reviewer):
    client = Client()  # its own session, beside editor_client's
    client.force_login(reviewer)
    return client


def edit_in_admin(client, record, reason: str = "An editor's fix", **changes):
    """An editor's (or reviewer's) save of the record's change form, as a browser sends it."""
    url = admin_url(type(record), "change", record.pk)
    data = change_form_data(client.get(url))
    data.update(changes, edit_summary=reason)
    return client.post(url, data)


def messages_of(response) -> list[str]:
    """The messages the response carries, those of earlier undisplayed ones included."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def decide(client, item: str, decision: str, note: str = "", version=""):
    return client.post(
        QUEUE, {"item": item, "decision": decision, "note": note, "version": version}
    )


def public_state(record) -> tuple:
    """What a visitor can observe of the record: the data version and its API detail."""
    api = Client().get(f"/api/v1/organizations/{record.slug}/")
    return DataVersion.current(), api.status_code, api.content


# -- an editor's change waits --------------------------------------------------------------


def test_an_editors_change_to_a_published_record_waits_and_the_public_sees_nothing(
    editor_client, editor
):
    party = OrganizationFactory(summary="The published summary.")
    before = public_state(party)

    response = edit_in_admin(editor_client, party, "Better wording", summary="The editor's one.")

    assert response.status_code == 302
    (message,) = messages_of(response)
    assert message.startswith("Your change was saved as a pending revision")
    assert "a reviewer will accept or reject it" in message
    party.refresh_from_db()
    assert (party.summary, party.version) == ("The published summary.", 1)
    assert party.history.count() == 1  # no version made
    assert public_state(party) == before
    (revision,) = Revision.objects.pending().of(party)
    assert revision.data == {"summary": "The editor's one."}
    assert (revision.author, revision.summary, revision.base_version) == (
        editor,
        "Better wording",
        1,
    )


def test_saving_a_revision_moves_no_data_version():
    party = OrganizationFactory()
    before = DataVersion.current()
    party.summary = "Proposed."
    revision = revisions.propose(party, None, "A change")
    revision.summary = "Reworded"
    revision.save()
    assert revision.is_pending
    assert DataVersion.current() == before


def test_a_reviewers_own_change_is_saved_at_once(reviewer_client):
    party = OrganizationFactory(summary="Old.")
    assert edit_in_admin(reviewer_client, party, summary="New.").status_code == 302
    party.refresh_from_db()
    assert party.summary == "New."
    assert not Revision.objects.of(party).exists()


def test_an_editors_change_to_a_draft_is_saved_at_once(editor_client):
    party = OrganizationFactory(summary="Old.", status=Status.DRAFT)
    assert edit_in_admin(editor_client, party, summary="New.").status_code == 302
    party.refresh_from_db()
    assert party.summary == "New."
    assert not Revision.objects.of(party).exists()


def test_the_change_form_names_the_pending_revisions(editor_client):
    party = OrganizationFactory()
    edit_in_admin(editor_client, party, summary="Proposed.")
    revision = Revision.objects.of(party).get()

    page = editor_client.get(admin_url(Organization, "change", party.pk))

    html = page.content.decode()
    assert "This record has 1 pending revision(s) waiting for a reviewer" in html
    assert f'href="{QUEUE}#revision-{revision.pk}"' in html
    assert page.context["adminform"].form["summary"].value() != "Proposed."


def test_a_second_proposal_of_the_same_fields_supersedes_the_first(editor_client):
    party = OrganizationFactory()
    edit_in_admin(editor_client, party, summary="First try.")
    edit_in_admin(editor_client, party, summary="Second try.")
    states = list(Revision.objects.of(party).values_list("data", "state"))
    assert states == [
        ({"summary": "First try."}, Revision.State.SUPERSEDED),
        ({"summary": "Second try."}, Revision.State.PENDING),
    ]


def test_a_changed_published_citation_waits_too_and_a_new_one_stays_a_draft(editor_client):
    party = OrganizationFactory()
    citation = party.citations.get()
    url = admin_url(Organization, "change", party.pk)
    data = change_form_data(editor_client.get(url))
    prefix = "kzpolitics-citation-content_type-object_id"
    data[f"{prefix}-0-quote"] = "A quotation the editor added."
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-1-source": str(SourceFactory().pk),
            f"{prefix}-1-pages": "44",
            f"{prefix}-1-status": Status.DRAFT,
            "edit_summary": "Quoted the source",
        }
    )
    before = DataVersion.current()

    response = editor_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    citation.refresh_from_db()
    assert citation.quote == ""  # the published citation is as it was
    (revision,) = Revision.objects.pending().of(citation)
    assert revision.data == {"quote": "A quotation the editor added."}
    assert revision.summary == "Quoted the source"
    added = party.citations.get(pages="44")
    assert added.status == Status.DRAFT
    assert not Revision.objects.of(party).exists()  # the record itself did not change
    assert DataVersion.current() == before  # a draft's save moves nothing public either


# -- the queue ---------------------------------------------------------------------------------


def test_the_reviewer_sees_the_revision_in_the_queue_with_its_diff(editor_client, reviewer_client):
    party = OrganizationFactory(name="Queue Party", summary="Live summary.")
    edit_in_admin(editor_client, party, "Reworded", summary="Proposed summary.")
    revision = Revision.objects.of(party).get()

    page = reviewer_client.get(QUEUE)

    assert page.status_code == 200
    (item,) = [i for i in page.context["items"] if i.key == f"revision-{revision.pk}"]
    assert (item.author, item.summary, item.record) == ("editor", "Reworded", party)
    assert item.rows == [revisions.DiffRow("Summary", "Live summary.", "Proposed summary.")]
    html = page.content.decode()
    assert f'id="revision-{revision.pk}"' in html
    assert "<del>Live summary.</del>" in html
    assert "<ins>Proposed summary.</ins>" in html
    assert 'value="accept"' in html
    index = reviewer_client.get(reverse("admin:index")).content.decode()
    assert f'href="{QUEUE}"' in index


def test_editors_see_the_queue_but_may_not_decide(editor_client):
    party = OrganizationFactory()
    edit_in_admin(editor_client, party, summary="Proposed.")
    revision = Revision.objects.of(party).get()

    page = editor_client.get(QUEUE)

    assert page.status_code == 200
    assert f"revision-{revision.pk}" in page.content.decode()
    assert 'value="accept"' not in page.content.decode()
    assert decide(editor_client, f"revision-{revision.pk}", "accept").status_code == 403
    with pytest.raises(revisions.RevisionError, match="Only a reviewer"):
        revisions.accept(revision, revision.author)
    revision.refresh_from_db()
    assert revision.is_pending


def test_the_queue_is_for_signed_in_staff_only(client):
    assert client.get(QUEUE).status_code == 302  # to the sign-in page
    assert client.post(QUEUE, {"item": "revision-1", "decision": "accept"}).status_code == 302


def test_the_queue_lists_every_kind_oldest_first(editor, editor_client):
    # 1. a new person, sent for review; 2. a revision of an organization; 3. a published
    # event sent back into review with changes; 4. a revision of a citation.
    person = PersonFactory(name="New Person", status=Status.DRAFT)
    person.status = Status.REVIEW
    person._history_user = editor
    person._change_reason = "Ready"
    person.save()
    party = OrganizationFactory(summary="Live.")
    edit_in_admin(editor_client, party, summary="Proposed.")
    event = EventFactory(title="Old title")
    event.title, event.status = "New title", Status.REVIEW
    event._change_reason = "Retitled, for review"
    event.save()
    citation = party.citations.get()
    citation.pages = "99"
    revisions.propose(citation, editor, "Right page")

    items = editor_client.get(QUEUE).context["items"]

    mine = [
        i
        for i in items
        if (i.model, getattr(i.record, "pk", None))
        in {
            (Person, person.pk),
            (Organization, party.pk),
            (Event, event.pk),
            (Citation, citation.pk),
        }
    ]
    assert [(i.kind, i.model) for i in mine] == [
        ("review", Person),
        ("revision", Organization),
        ("review", Event),
        ("revision", Citation),
    ]
    times = [i.since for i in items]
    assert times == sorted(times)
    assert mine[0].new_record and mine[0].author == "editor"
    assert mine[2].rows == [revisions.DiffRow("Title", "Old title", "New title")]
    assert mine[2].summary == "Retitled, for review"
    assert mine[3].belongs_to == str(party)
    assert mine[3].rows == [revisions.DiffRow("Pages", "1", "99")]


def test_a_reviewer_publishes_a_record_in_review_from_the_queue_with_the_rows_chosen(
    reviewer_client, client
):
    person = PersonFactory(name="Waiting Person", status=Status.REVIEW)
    citation = Citation.objects.create(
        content_object=person, source=SourceFactory(), pages="5", status=Status.DRAFT
    )
    name = PersonNameFactory(person=person, name="Waiting Variant", status=Status.DRAFT)
    key = f"record-{ContentType.objects.get_for_model(Person).pk}-{person.pk}"
    (item,) = [i for i in reviewer_client.get(QUEUE).context["items"] if i.key == key]
    assert item.new_record
    assert [label for _, label in item.draft_rows] == [
        "Person name “Waiting Variant”",
        f"Citation “{citation}” of person “Waiting Person”",
    ]
    citation_key = f"{ContentType.objects.get_for_model(Citation).pk}:{citation.pk}"

    stale = decide(reviewer_client, key, "accept", version=str(person.version + 1))
    assert "was changed after you loaded the queue" in messages_of(stale)[-1]
    response = reviewer_client.post(
        QUEUE,
        {
            "item": key,
            "decision": "accept",
            "note": "Checked",
            "version": str(person.version),
            "rows": [citation_key],
        },
    )

    assert response.status_code == 302
    said = messages_of(response)[-1]
    assert said.startswith("“Waiting Person”: published, with 1 of its rows; still hidden: ")
    assert "Person name “Waiting Variant”" in said
    person.refresh_from_db()
    citation.refresh_from_db()
    name.refresh_from_db()
    assert (person.status, citation.status, name.status) == (
        Status.PUBLISHED,
        Status.PUBLISHED,
        Status.DRAFT,
    )
    latest = person.history.first()
    assert latest.history_change_reason == "Published from the review queue: Checked"
    assert latest.history_user.get_username() == "reviewer"
    assert client.get(f"/api/v1/people/{person.slug}/").status_code == 200


def test_a_reviewer_sends_a_record_in_review_back_to_draft_with_a_note(reviewer_client):
    person = PersonFactory(status=Status.REVIEW)
    key = f"record-{ContentType.objects.get_for_model(Person).pk}-{person.pk}"
    response = decide(reviewer_client, key, "reject", "Needs a source", str(person.version))
    assert messages_of(response)[-1] == f"“{person}”: returned to draft."
    person.refresh_from_db()
    assert person.status == Status.DRAFT
    reason = person.history.first().history_change_reason
    assert reason == "Returned to draft from the review queue: Needs a source"


# -- deciding, in real transactions ------------------------------------------------------------


@in_transactions
def test_accepting_a_revision_applies_it_for_the_public(editor, reviewer, client):
    party = OrganizationFactory(summary="Live.")
    party.summary = "Proposed."
    party._expected_version = 1
    revision = revisions.propose(party, editor, "Reworded")
    before = public_state(party)
    reviewer_client = Client()
    reviewer_client.force_login(reviewer)

    response = decide(reviewer_client, f"revision-{revision.pk}", "accept", "Agreed")

    assert response.status_code == 302
    assert messages_of(response) == [
        f"Revision #{revision.pk} accepted: “{party.name}” now shows it."
    ]
    party.refresh_from_db()
    assert (party.summary, party.version) == ("Proposed.", 2)
    latest = party.history.first()
    assert latest.history_change_reason == "Accepted revision by editor: Reworded"
    assert latest.history_user == reviewer
    revision.refresh_from_db()
    assert (revision.state, revision.reviewed_by, revision.review_note) == (
        Revision.State.ACCEPTED,
        reviewer,
        "Agreed",
    )
    assert revision.reviewed_at is not None
    after = public_state(party)
    assert after[0] > before[0]
    assert client.get(f"/api/v1/organizations/{party.slug}/").json()["summary"] == "Proposed."
    again = decide(reviewer_client, f"revision-{revision.pk}", "accept")
    assert "is no longer pending" in messages_of(again)[-1]


@in_transactions
def test_rejecting_a_revision_needs_a_note_and_leaves_the_record(editor, reviewer):
    party = OrganizationFactory(summary="Live.")
    party.summary = "Proposed."
    revision = revisions.propose(party, editor, "Reworded")
    reviewer_client = Client()
    reviewer_client.force_login(reviewer)

    silent = decide(reviewer_client, f"revision-{revision.pk}", "reject")
    assert messages_of(silent) == ["Nothing was changed: Say why in the note: its author reads it."]
    revision.refresh_from_db()
    assert revision.is_pending

    response = decide(reviewer_client, f"revision-{revision.pk}", "reject", "The article says not.")

    assert response.status_code == 302
    revision.refresh_from_db()
    assert (revision.state, revision.review_note) == (
        Revision.State.REJECTED,
        "The article says not.",
    )
    party.refresh_from_db()
    assert (party.summary, party.version) == ("Live.", 1)


@in_transactions
def test_a_revision_colliding_with_a_later_change_is_refused_naming_the_fields(editor, reviewer):
    party = OrganizationFactory(summary="Live.", note="Old note.")
    party.summary = "The editor's summary."
    party.note = "The editor's note."
    revision = revisions.propose(party, editor, "Reworded")
    later = Organization.objects.get(pk=party.pk)
    later.summary = "The reviewer's summary."
    later._change_reason = "A reviewer's own fix"
    later.save()

    with pytest.raises(revisions.RevisionConflict) as refused:
        revisions.accept(revision, reviewer)

    assert refused.value.fields == ["Summary"]
    assert "changed after this revision was made" in str(refused.value)
    assert "version 1; the record is now at version 2" in str(refused.value)
    party.refresh_from_db()
    assert (party.summary, party.note) == ("The reviewer's summary.", "Old note.")
    revision.refresh_from_db()
    assert revision.is_pending


@in_transactions
def test_a_revision_from_an_older_version_keeps_changes_to_other_fields(editor, reviewer):
    party = OrganizationFactory(name="Old Name", summary="Live.")
    party.summary = "The editor's summary."
    revision = revisions.propose(party, editor, "Reworded")
    later = Organization.objects.get(pk=party.pk)
    later.name = "The Reviewer's Name"
    later._change_reason = "Renamed"
    later.save()

    revisions.accept(revision, reviewer)

    party.refresh_from_db()
    assert (party.name, party.summary, party.version) == (
        "The Reviewer's Name",
        "The editor's summary.",
        3,
    )


@in_transactions
def test_an_events_people_are_proposed_with_it_and_kept_in_its_history(editor, reviewer):
    event = EventFactory(title="A congress")
    kept, added = PersonFactory(), PersonFactory()
    event.people.set([kept])
    event.refresh_from_db()
    version = event.version
    event.title = "The founding congress"

    revision = revisions.propose(event, editor, "Who was there", links={"people": [kept, added]})

    assert revision.data == {
        "title": "The founding congress",
        "people": sorted([kept.pk, added.pk]),
    }
    assert list(event.people.all()) == [kept]
    assert [row.field for row in revisions.diff(revision)] == ["Title", "People"]
    revisions.accept(revision, reviewer)
    event.refresh_from_db()
    assert event.title == "The founding congress"
    assert set(event.people.all()) == {kept, added}
    assert event.version == version + 1
    latest = event.history.first()
    assert {row.person_id for row in latest.people.all()} == {kept.pk, added.pk}


@in_transactions
def test_a_revision_of_a_record_deleted_since_cannot_be_accepted(editor, reviewer):
    party = OrganizationFactory()
    party.summary = "Proposed."
    revision = revisions.propose(party, editor, "Reworded")
    Organization.objects.filter(pk=party.pk).delete()
    with pytest.raises(revisions.RevisionError, match="was deleted since"):
        revisions.accept(revision, reviewer)


# -- import and API ----------------------------------------------------------------------------


@in_transactions
def test_an_editors_import_of_a_published_row_waits_as_a_revision(editor, client):
    person = PersonFactory(slug="imported-person", name="Published Name")
    draft = PersonFactory(slug="draft-person", name="Draft Name", status=Status.DRAFT)
    before = DataVersion.current()
    people = tablib.Dataset(headers=["slug", "name", "version"])
    people.append([person.slug, "Name From The File", "1"])
    people.append([draft.slug, "Draft Renamed", ""])

    result = PersonResource().import_data(people, file_name="people.csv", user=editor)

    assert not problems(result)
    assert result.proposed_rows == [1]
    person.refresh_from_db()
    assert (person.name, person.version) == ("Published Name", 1)
    (revision,) = Revision.objects.pending().of(person)
    assert revision.data == {"name": "Name From The File"}
    assert revision.summary == "Imported from people.csv"
    draft.refresh_from_db()
    assert draft.name == "Draft Renamed"  # a draft is no one's public record
    assert DataVersion.current() == before


@in_transactions
def test_the_admin_import_says_which_rows_wait_for_a_reviewer(editor):
    person = PersonFactory(slug="imported-person", name="Published Name")
    people = tablib.Dataset(headers=["slug", "name", "version"])
    people.append([person.slug, "Name From The File", "1"])
    client = Client()
    client.force_login(editor)

    preview = client.post(
        admin_url(Person, "import"),
        {
            "resource": 0,
            "format": 0,
            "import_file": SimpleUploadedFile("people.csv", people.export("csv").encode()),
        },
    )
    assert "once you confirm, they will be kept as pending revisions" in preview.content.decode()
    assert not Revision.objects.exists()  # the preview saved nothing
    form = {**preview.context["confirm_form"].initial, "edit_summary": "Names from a file"}
    done = client.post(admin_url(Person, "process_import"), form)

    assert done.status_code == 302
    assert any("1 row(s) (1) change published records" in m for m in messages_of(done))
    assert Revision.objects.pending().of(person).count() == 1
    person.refresh_from_db()
    assert person.name == "Published Name"


@in_transactions
def test_an_editors_api_write_to_a_published_record_answers_202(editor, reviewer, client):
    party = OrganizationFactory(summary="Live.")
    url = f"/api/v1/organizations/{party.slug}/"
    body_before = client.get(url).content
    before = DataVersion.current()
    api = Client()
    api.force_login(editor)

    response = api.patch(
        url,
        {"summary": "Proposed through the API.", "version": 1},
        content_type="application/json",
        headers={"X-Edit-Summary": "API fix"},
    )

    assert response.status_code == 202, response.content
    answer = response.json()
    revision = Revision.objects.get(pk=answer["revision"])
    assert (answer["state"], answer["fields"], answer["base_version"]) == (
        "pending",
        ["summary"],
        1,
    )
    assert (revision.summary, revision.author) == ("API fix", editor)
    assert client.get(url).content == body_before
    assert DataVersion.current() == before

    stale = api.patch(url, {"summary": "Other.", "version": 7}, content_type="application/json")
    assert stale.status_code == 409
    invalid = api.patch(url, {"kind": "no-such-kind"}, content_type="application/json")
    assert invalid.status_code == 400
    assert Revision.objects.count() == 1

    reviewer_api = Client()
    reviewer_api.force_login(reviewer)
    direct = reviewer_api.patch(
        url, {"public_note": "A reviewer's note."}, content_type="application/json"
    )
    assert direct.status_code == 200
    assert direct.json()["public_note"] == "A reviewer's note."


def test_the_schema_documents_the_202_of_a_pending_revision(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    patch = schema["paths"]["/api/v1/organizations/{slug}/"]["patch"]
    accepted = patch["responses"]["202"]["content"]["application/json"]["schema"]
    assert accepted == {"$ref": "#/components/schemas/PendingRevision"}
    documented = schema["components"]["schemas"]["PendingRevision"]["required"]
    assert documented == ["detail", "revision", "state", "base_version", "fields"]


@pytest.mark.slow  # the Nu Html Checker, in Java, as a subprocess
@pytest.mark.skipif(bool(missing_html_checker()), reason=missing_html_checker() or "-")
def test_the_queue_page_is_valid_html(editor, reviewer_client, tmp_path):
    party = OrganizationFactory(summary="Live.\nSecond line.")
    party.summary = "Proposed <b>bold</b> & more."
    revisions.propose(party, editor, "Reworded")
    PersonFactory(status=Status.REVIEW)
    page = tmp_path / "queue.html"
    page.write_bytes(reviewer_client.get(QUEUE).content)

    done = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", str(page)],
        capture_output=True,
        text=True,
        timeout=300,
    )

    messages = json.loads(done.stderr)["messages"]
    assert [m for m in messages if m["type"] == "error" or m.get("subType") == "fatal"] == []


def test_an_editors_revert_of_a_published_record_waits_as_a_revision_links_included(
    editor_client,
):
    party = OrganizationFactory(name="First Name")
    first_event, later_event = EventFactory(), EventFactory()
    party.events.set([first_event])
    first = party.history.order_by("-history_date", "-history_id").first()
    party.name = "Second Name"
    party._change_reason = "A reviewer's rename"
    party.save()
    party.events.set([later_event])
    party.refresh_from_db()
    version = party.version
    url = reverse("admin:parties_organization_simple_history", args=[party.pk, first.history_id])
    data = change_form_data(editor_client.get(url))

    response = editor_client.post(url, data)

    assert response.status_code == 302
    party.refresh_from_db()
    assert (party.name, party.version) == ("Second Name", version)
    assert list(party.events.all()) == [later_event]
    (revision,) = Revision.objects.pending().of(party)
    assert revision.data["name"] == "First Name"
    assert revision.data["events"] == [first_event.pk]
