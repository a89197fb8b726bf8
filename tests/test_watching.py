"""Summaries and watching (issue 17): every change asks for an edit summary, which its history
keeps; editors watch records and follow their changes on a watchlist and in a personal feed
(a secret address, stored hashed, revocable); each published record has a public feed of its
published changes."""

import hashlib
import os
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kzpolitics.core.editorial.restore import deleted_versions
from kzpolitics.core.models import Citation, FeedKey, Status, Watch
from kzpolitics.core.revisions import propose
from parties.models import Organization

from .factories import CitationFactory, OrganizationFactory, RoleFactory
from .test_editorial import admin_url, change_form_data

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SUMMARY = "Merged into Otan in 1999, per Ponomarev"


@pytest.fixture
def reviewer_client(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def colleague(django_user_model):
    """A second editor, whose changes the first watches."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("colleague", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


@pytest.fixture
def colleague_client(colleague):
    client = Client()
    client.force_login(colleague)
    return client


def reason(record) -> str:
    return (
        type(record).history.filter(id=record.pk).order_by("-history_id")[0].history_change_reason
    )


def changelist(model=Organization) -> str:
    return admin_url(model, "changelist")


def entries(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
        }
        for entry in feed.iter(f"{ATOM}entry")
    ]


# -- edit summaries ------------------------------------------------------------------------------


def test_deleting_a_record_asks_for_a_summary_and_keeps_it(reviewer_client):
    party = OrganizationFactory(name="Short-lived Party")
    page = reviewer_client.get(admin_url(Organization, "delete", party.pk))
    assert 'name="summary"' in page.content.decode()

    refused = reviewer_client.post(admin_url(Organization, "delete", party.pk), {"post": "yes"})
    assert refused.status_code == 200
    assert "Say in a few words" in refused.content.decode()
    assert Organization.objects.filter(pk=party.pk).exists()

    too_long = {"post": "yes", "summary": "x" * 301}
    refused = reviewer_client.post(admin_url(Organization, "delete", party.pk), too_long)
    assert "300 characters or fewer" in refused.content.decode()
    assert Organization.objects.filter(pk=party.pk).exists()

    done = reviewer_client.post(
        admin_url(Organization, "delete", party.pk), {"post": "yes", "summary": SUMMARY}
    )
    assert done.status_code == 302
    assert deleted_versions(Organization)[0].history_change_reason == SUMMARY


def test_bulk_delete_asks_for_a_summary_on_its_confirmation_page(reviewer_client):
    first, second = OrganizationFactory(), OrganizationFactory()
    chosen = {"action": "delete_selected", "_selected_action": [first.pk, second.pk]}
    page = reviewer_client.post(changelist(), chosen)
    assert page.status_code == 200
    assert 'name="summary"' in page.content.decode()

    refused = reviewer_client.post(changelist(), {**chosen, "post": "yes"})
    assert refused.status_code == 200
    assert "Say in a few words" in refused.content.decode()
    assert Organization.objects.filter(pk__in=[first.pk, second.pk]).count() == 2

    reviewer_client.post(changelist(), {**chosen, "post": "yes", "summary": "Duplicates"})
    assert not Organization.objects.filter(pk__in=[first.pk, second.pk]).exists()
    reasons = {v.id: v.history_change_reason for v in deleted_versions(Organization)}
    assert reasons[first.pk] == reasons[second.pk] == "Duplicates"


def test_restoring_asks_for_a_summary_and_keeps_it(reviewer_client):
    party = OrganizationFactory(name="Comeback Party")
    pk = party.pk
    party._change_reason = "Deleted"
    party.delete()
    row = next(v for v in deleted_versions(Organization) if v.id == pk)
    page = admin_url(Organization, "deleted")

    refused = reviewer_client.post(page, {"history_id": row.history_id})
    assert refused.status_code == 200
    assert "Say in a few words" in refused.content.decode()
    assert not Organization.objects.filter(pk=pk).exists()

    done = reviewer_client.post(page, {"history_id": row.history_id, "summary": "Deleted in error"})
    assert done.status_code == 302
    assert reason(Organization.objects.get(pk=pk)) == "Deleted in error"


@pytest.mark.parametrize(
    ("action", "status_before", "status_after"),
    [
        ("send_for_review", Status.DRAFT, Status.REVIEW),
        ("publish", Status.REVIEW, Status.PUBLISHED),
        ("unpublish", Status.PUBLISHED, Status.REVIEW),
    ],
)
def test_status_actions_ask_for_a_summary_and_keep_it(
    reviewer_client, action, status_before, status_after
):
    party = OrganizationFactory(status=status_before)
    chosen = {"action": action, "_selected_action": [party.pk]}
    page = reviewer_client.post(changelist(), chosen)
    assert page.status_code == 200
    assert 'name="summary"' in page.content.decode()
    refused = reviewer_client.post(changelist(), {**chosen, "post": "yes"})
    assert "Say in a few words" in refused.content.decode()
    party.refresh_from_db()
    assert party.status == status_before

    reviewer_client.post(changelist(), {**chosen, "post": "yes", "summary": SUMMARY})
    party.refresh_from_db()
    assert party.status == status_after
    assert reason(party) == SUMMARY


def test_the_publish_page_asks_for_a_summary_and_keeps_the_ticks(reviewer_client):
    party = OrganizationFactory(status=Status.REVIEW)
    RoleFactory(organization=party, status=Status.DRAFT, person__status=Status.PUBLISHED)
    url = admin_url(Organization, "publish", party.pk)
    refused = reviewer_client.post(url, {"post": "yes"})  # nothing ticked, no summary
    html = refused.content.decode()
    assert "Say in a few words" in html
    assert 'name="publish_row"' in html and " checked" not in html
    reviewer_client.post(url, {"post": "yes", "summary": SUMMARY})
    party.refresh_from_db()
    assert party.status == Status.PUBLISHED
    assert reason(party) == SUMMARY


def test_the_review_queue_keeps_the_reviewers_note_as_the_reason(reviewer_client):
    """The queue asked for a note already (needed to reject): it is the change's reason."""
    party = OrganizationFactory(status=Status.REVIEW)
    key = f"record-{ContentType.objects.get_for_model(Organization).pk}-{party.pk}"
    decision = {"item": key, "version": party.version, "decision": "accept", "note": SUMMARY}
    reviewer_client.post(reverse("admin:review-queue"), decision)
    party.refresh_from_db()
    assert party.status == Status.PUBLISHED
    assert reason(party) == f"Published from the review queue: {SUMMARY}"


# -- watching ------------------------------------------------------------------------------------


def watch_button(client, record) -> str:
    html = client.get(admin_url(type(record), "change", record.pk)).content.decode()
    match = re.search(r'<button type="submit" name="watch" value="([01])"', html)
    assert match, "no watch button on the change form"
    return match.group(1)


def test_watch_and_unwatch_from_the_change_form(editor_client, editor):
    party = OrganizationFactory()
    assert watch_button(editor_client, party) == "1"  # Watch
    data = {
        "content_type": ContentType.objects.get_for_model(Organization).pk,
        "object_id": party.pk,
        "watch": "1",
        "next": admin_url(Organization, "change", party.pk),
    }
    response = editor_client.post(reverse("admin:watch"), data)
    assert response.status_code == 302
    assert response["Location"] == admin_url(Organization, "change", party.pk)
    assert Watch.objects.of(party).filter(user=editor).exists()
    assert watch_button(editor_client, party) == "0"  # Unwatch
    editor_client.post(reverse("admin:watch"), {**data, "watch": "0"})
    assert not Watch.objects.of(party).exists()


def test_watching_refuses_bad_input_without_a_500(editor_client):
    url = reverse("admin:watch")
    assert editor_client.get(url).status_code == 405
    assert editor_client.post(url, {"content_type": "x", "object_id": "1"}).status_code == 400
    assert editor_client.post(url, {"content_type": "999999", "object_id": "1"}).status_code == 400
    ct = ContentType.objects.get_for_model(Organization).pk
    missing = {"content_type": ct, "object_id": "99999999", "watch": "1"}
    assert editor_client.post(url, missing).status_code == 404
    offsite = {"content_type": ct, "object_id": OrganizationFactory().pk, "watch": "1"}
    response = editor_client.post(url, {**offsite, "next": "https://evil.example/"})
    assert response["Location"] == reverse("admin:watchlist")


def test_saving_a_record_watches_it(editor_client, editor):
    party = OrganizationFactory(status=Status.DRAFT)
    form = change_form_data(editor_client.get(admin_url(Organization, "change", party.pk)))
    form["name"] = "Renamed Party"
    form["edit_summary"] = "Its name as registered"
    assert editor_client.post(admin_url(Organization, "change", party.pk), form).status_code == 302
    assert Watch.objects.of(party).filter(user=editor).exists()


def watch(user, record):
    Watch.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    )


def test_a_colleagues_change_and_citation_show_on_the_watchlist_and_in_the_feed(
    editor_client, editor, colleague_client
):
    party = OrganizationFactory(name="Watched Party", status=Status.DRAFT)
    other = OrganizationFactory(name="Unwatched Party", status=Status.DRAFT)
    watch(editor, party)
    for record in (party, other):
        form = change_form_data(colleague_client.get(admin_url(Organization, "change", record.pk)))
        form["summary"] = "New summary text"
        form["edit_summary"] = f"Summary of {record.name} from the charter"
        response = colleague_client.post(admin_url(Organization, "change", record.pk), form)
        assert response.status_code == 302
    CitationFactory(content_object=party, pages="77")

    page = editor_client.get(reverse("admin:watchlist"))
    html = page.content.decode()
    assert "Summary of Watched Party from the charter" in html
    assert "Unwatched Party" not in html
    changes = page.context["page"].changes
    assert changes[0].model is Citation  # newest first: the citation, then the save
    assert changes[1].who == "colleague" and changes[1].fields

    made = editor_client.post(reverse("admin:watchlist"), {"feed": "new"})
    feed_url = made.context["feed_url"]
    assert feed_url.startswith("http://testserver/admin/watchlist/feed/")
    assert "no-store" in made["Cache-Control"]
    secret = feed_url.rstrip("/").rsplit("/", 1)[1]
    key = FeedKey.objects.get(user=editor)
    assert key.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in key.digest

    reader = Client()  # a feed reader: no session
    response = reader.get(feed_url)
    assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    found = entries(response)
    assert [e["title"].split(":")[0] for e in found[:2]] == [
        "Citation created",
        "Organization changed",
    ]
    assert found[1]["author"] == "colleague"
    assert "Summary of Watched Party from the charter" in found[1]["summary"]
    assert not any("Unwatched" in e["title"] for e in found)
    # The page shows the address once.
    assert secret not in editor_client.get(reverse("admin:watchlist")).content.decode()


def test_a_revoked_or_unknown_feed_is_a_404(editor_client, editor):
    feed_url = editor_client.post(reverse("admin:watchlist"), {"feed": "new"}).context["feed_url"]
    reader = Client()
    assert reader.get(feed_url).status_code == 200
    assert reader.post(feed_url).status_code == 405
    newer = editor_client.post(reverse("admin:watchlist"), {"feed": "new"}).context["feed_url"]
    assert reader.get(feed_url).status_code == 404  # a new address replaces the old
    editor_client.post(reverse("admin:watchlist"), {"feed": "revoke"})
    assert reader.get(newer).status_code == 404
    assert not FeedKey.objects.filter(user=editor).exists()
    assert reader.get("/admin/watchlist/feed/guessed/").status_code == 404


def test_the_feed_stops_when_its_owner_is_no_longer_staff(editor_client, editor):
    feed_url = editor_client.post(reverse("admin:watchlist"), {"feed": "new"}).context["feed_url"]
    editor.is_staff = False
    editor.save()
    assert Client().get(feed_url).status_code == 404


def test_the_watchlist_costs_a_fixed_number_of_queries(editor_client, editor):
    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(reverse("admin:watchlist")).status_code == 200
        return len(queries)

    watch(editor, OrganizationFactory())
    one = cost()
    for _ in range(8):
        record = OrganizationFactory()
        watch(editor, record)
        CitationFactory(content_object=record)
    assert cost() <= one + 2  # the same queries, whatever the number watched


# -- the public feed of each record ------------------------------------------------------------


def test_a_published_records_feed_lists_its_published_changes_only(client, editor):
    party = OrganizationFactory(name="Public Party", slug="public-party")
    party.summary = "A party of the 1990s."
    party._change_reason = "Summary from the decree"
    party.save()
    RoleFactory(organization=party, status=Status.DRAFT, title="Secret title")
    # An editor's change waits for a reviewer as a pending revision: nothing published.
    pending = Organization.objects.get(pk=party.pk)
    pending.name = "Pending Rename"
    assert propose(pending, editor, "A rename not yet reviewed") is not None
    # A reviewer takes it back to draft, works on it, and publishes it again.
    party.status = Status.DRAFT
    party.name = "Draft-only Rename"
    party._change_reason = "Working on it as a draft"
    party.save()
    party.name = "Public Party"
    party.status = Status.PUBLISHED
    party._change_reason = "Published again"
    party.save()

    page = client.get("/organizations/public-party/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/organizations/public-party/changes.atom"' in page
    found = entries(client.get("/organizations/public-party/changes.atom"))
    text = " ".join(f"{e['title']} {e['summary']}" for e in found)
    assert "Summary from the decree" in text and "Published again" in text
    for hidden in ("Secret title", "Pending Rename", "not yet reviewed", "Draft-only", "Working"):
        assert hidden not in text
    assert all(e["author"] == "kzpolitics editors" for e in found)
    other = OrganizationFactory(slug="another-party")
    other._change_reason = "Another party's change"
    other.save()
    assert (
        "Another party"
        not in client.get("/organizations/public-party/changes.atom").content.decode()
    )


def test_a_drafts_feed_is_the_same_404_as_an_unknown_slugs(client):
    OrganizationFactory(slug="draft-party", name="Quasar Draft", status=Status.DRAFT)
    draft = client.get("/organizations/draft-party/changes.atom")
    unknown = client.get("/organizations/no-such-party/changes.atom")
    assert draft.status_code == unknown.status_code == 404
    assert draft.content.replace(b"draft-party", b"X") == unknown.content.replace(
        b"no-such-party", b"X"
    )
    assert "Quasar" not in client.get("/organizations/draft-party/?preview=1").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/people/nursultan-nazarbaev/changes.atom",
        "/elections/majilis-2004/changes.atom",
        "/acts/law-on-political-parties-2002/changes.atom",
        "/sources/ponomarev-1991/changes.atom",
        "/events/december-1986-events-alma-ata/changes.atom",
        "/places/alma-ata/changes.atom",
        "/organizations/otan/changes.atom",
    ],
)
def test_every_public_record_kind_has_a_feed(client, url):
    entries(client.get(url))


# -- on PostgreSQL, in real transactions ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_restore_with_a_summary_in_real_transactions(reviewer):
    """Restore runs in its own transaction (with the row locks PostgreSQL takes): its summary
    is in every restored row's history."""
    client = Client()
    client.force_login(reviewer)
    party = OrganizationFactory(name="Restored In Earnest", slug="restored-in-earnest")
    RoleFactory(organization=party)
    pk = party.pk
    party._change_reason = "Deleted"
    party.delete()
    row = next(v for v in deleted_versions(Organization) if v.id == pk)
    response = client.post(
        admin_url(Organization, "deleted"),
        {"history_id": row.history_id, "summary": "Deleted by mistake"},
    )
    assert response.status_code == 302
    restored = Organization.objects.get(pk=pk)
    assert reason(restored) == "Deleted by mistake"
    assert reason(restored.roles.get()) == "Deleted by mistake"
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert connection.vendor == "postgresql"
