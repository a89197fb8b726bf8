"""Many-to-many links in history: an organization's, election's or act's events and an event's
people are part of each version. The History page tells links added and removed, a revert puts
a version's links back, a restored record comes back linked as it was, one admin save is one
version, and links changed from the other side are in the history of the record they belong
to."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from elections.models import Election
from kzpolitics.core.changes import links_of_versions, recent_changes
from kzpolitics.core.models import Event
from legislation.models import LegalAct
from parties.models import Organization

from .factories import (
    ElectionFactory,
    EventFactory,
    LegalActFactory,
    OrganizationFactory,
    PersonFactory,
)
from .test_editorial import admin_url, change_form_data

pytestmark = pytest.mark.django_db


def links_of(version, name="events") -> set[int]:
    """The ids a version's history kept for one many-to-many field."""
    return set(
        links_of_versions(type(version.instance), [version.history_id])[version.history_id][name]
    )


def latest(record):
    return type(record).history.filter(id=record.pk).order_by("-history_date", "-history_id")[0]


def edit_in_admin(client, record, **changes):
    """Open the record's change form, change what is given, and save it."""
    url = admin_url(type(record), "change", record.pk)
    data = change_form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


@pytest.fixture
def editor(editor):
    """Here the editor also reviews: an editor's change to a published record waits as a
    pending revision (tests/test_revisions.py), and this file is about links in history."""
    editor.groups.add(Group.objects.get(name="Reviewers"))
    return editor


@pytest.fixture
def party():
    return OrganizationFactory(name="Party of the Links")


@pytest.fixture
def events():
    return [
        EventFactory(title="December 1986 events", date=None),
        EventFactory(title="Founding congress", date=None),
        EventFactory(title="Registration refused", date=None),
    ]


# -- one save, one version ---------------------------------------------------------------------


def test_an_admin_save_of_fields_and_events_is_one_version_with_its_summary_and_editor(
    editor_client, editor, party, events
):
    first, second, third = events
    party.events.set([first, second])
    before = party.history.count()
    response = edit_in_admin(
        editor_client,
        party,
        name="Party of the Renamed Links",
        events=[str(second.pk), str(third.pk)],
        edit_summary="Events as the article gives them",
    )
    assert response.status_code == 302
    assert party.history.count() == before + 1
    version = latest(party)
    assert version.history_type == "~"
    assert version.history_change_reason == "Events as the article gives them"
    assert version.history_user == editor
    assert version.name == "Party of the Renamed Links"
    assert links_of(version) == {second.pk, third.pk}
    assert set(party.events.values_list("pk", flat=True)) == {second.pk, third.pk}


def test_a_record_added_in_the_admin_with_events_is_one_version(editor_client, events):
    data = change_form_data(editor_client.get(admin_url(Organization, "add")))
    data.update(
        slug="added-with-events",
        name="Added With Events",
        kind="party",
        events=[str(events[0].pk)],
    )
    assert editor_client.post(admin_url(Organization, "add"), data).status_code == 302
    party = Organization.objects.get(slug="added-with-events")
    [version] = party.history.all()
    assert version.history_type == "+"
    assert links_of(version) == {events[0].pk}


def test_an_admin_save_that_leaves_the_events_alone_keeps_them_in_the_version(
    editor_client, party, events
):
    party.events.set(events[:2])
    edit_in_admin(editor_client, party, summary="A new summary.", edit_summary="Summary")
    assert links_of(latest(party)) == {events[0].pk, events[1].pk}


# -- the History page's diff ---------------------------------------------------------------------


def test_the_history_page_tells_the_events_added_and_removed_by_name(editor_client, party, events):
    first, second, third = events
    party.events.set([second])
    edit_in_admin(
        editor_client,
        party,
        events=[str(first.pk), str(third.pk)],
        edit_summary="Linked the events",
    )
    html = editor_client.get(admin_url(Organization, "history", party.pk)).content.decode()
    assert re.search(
        r"<strong>Events:</strong></th>\s*<td colspan=\"2\">added “December 1986 events”, "
        r"“Registration refused”; removed “Founding congress”</td>",
        html,
    )
    assert "m2m_history_id" not in html and "{" not in re.sub(r"<[^>]*>", "", html)


def test_the_history_page_names_an_event_deleted_since(editor_client, party, events):
    first = events[0]
    party.events.set([first])
    party.events.set([])
    first.delete()
    html = editor_client.get(admin_url(Organization, "history", party.pk)).content.decode()
    assert "removed “December 1986 events (deleted)”" in html


def test_the_history_page_reads_the_links_of_a_page_of_versions_in_a_few_queries(
    editor_client, party, events, django_assert_max_num_queries
):
    for i in range(30):
        party.events.set(events[: i % 3 + 1])
    url = admin_url(Organization, "history", party.pk)
    editor_client.get(url)  # sessions, permissions and content types cached alike below
    with django_assert_max_num_queries(20):
        response = editor_client.get(url)
    assert response.content.decode().count("<strong>Events:</strong>") >= 30


def test_the_history_of_each_kind_of_record_with_links_shows_them(editor_client):
    person = PersonFactory(name="Nursultan of the Links")
    event = EventFactory(title="A congress")
    for record, name, linked in (
        (event, "people", person),
        (ElectionFactory(), "events", event),
        (LegalActFactory(), "events", event),
        (OrganizationFactory(), "events", event),
    ):
        getattr(record, name).add(linked)
        assert links_of(latest(record), name) == {linked.pk}
        page = editor_client.get(admin_url(type(record), "history", record.pk)).content.decode()
        assert f"added “{linked}”" in page, type(record)


# -- revert --------------------------------------------------------------------------------------


def test_reverting_to_a_version_puts_its_events_back_and_is_recorded(
    editor_client, editor, party, events
):
    first, second, third = events
    party.events.set([first])
    version = latest(party)
    edit_in_admin(
        editor_client, party, events=[str(second.pk), str(third.pk)], edit_summary="Relinked"
    )
    url = reverse("admin:parties_organization_simple_history", args=[party.pk, version.history_id])
    page = editor_client.get(url)
    data = change_form_data(page)
    assert data["events"] == [str(first.pk)]  # the version's links, not the record's
    before = party.history.count()
    assert editor_client.post(url, data).status_code == 302
    assert set(party.events.values_list("pk", flat=True)) == {first.pk}
    assert party.history.count() == before + 1
    reverted = latest(party)
    assert reverted.history_change_reason.startswith("Reverted to the version of")
    assert reverted.history_user == editor
    assert links_of(reverted) == {first.pk}


def test_a_revert_form_leaves_out_an_event_deleted_since(editor_client, party, events):
    first, second, _ = events
    party.events.set([first, second])
    version = latest(party)
    second.delete()
    url = reverse("admin:parties_organization_simple_history", args=[party.pk, version.history_id])
    assert change_form_data(editor_client.get(url))["events"] == [str(first.pk)]


# -- deletion and restoration --------------------------------------------------------------------


def test_a_deleted_organization_is_restored_with_its_events(editor_client, editor, party, events):
    first, second, third = events
    party.events.set([first, second])
    pk = party.pk
    editor_client.post(admin_url(Organization, "delete", pk), {"post": "yes", "summary": "Gone"})
    deletion = Organization.history.filter(id=pk).first()
    assert deletion.history_type == "-"
    assert links_of(deletion) == {first.pk, second.pk}  # as they were when it was deleted
    second.delete()  # gone meanwhile: it cannot be linked again

    deleted_page = admin_url(Organization, "deleted")
    assert (
        editor_client.post(
            deleted_page, {"history_id": deletion.history_id, "summary": "By mistake"}
        ).status_code
        == 302
    )
    party = Organization.objects.get(pk=pk)
    assert set(party.events.values_list("pk", flat=True)) == {first.pk}
    restored = latest(party)
    assert restored.history_change_reason == "By mistake"
    assert restored.history_user == editor
    assert links_of(restored) == {first.pk}
    assert party.history.filter(history_date__gt=deletion.history_date).count() == 1


def test_a_deleted_event_is_unlinked_in_its_organizations_history_and_linked_again_when_restored(
    editor_client, editor, party, events
):
    event = events[0]
    other = OrganizationFactory(name="Another Party")
    party.events.add(event)
    other.events.add(event)
    version = party.version
    editor_client.post(admin_url(Event, "delete", event.pk), {"post": "yes", "summary": "Gone"})
    unlinked = latest(party)
    assert unlinked.history_change_reason == "Event “December 1986 events” deleted"
    assert unlinked.history_user == editor
    assert links_of(unlinked) == set()
    party.refresh_from_db()
    assert party.version == version + 1  # a form opened before is refused, not let drop it

    deletion = Event.history.filter(id=event.pk).first()
    editor_client.post(
        admin_url(Event, "deleted"), {"history_id": deletion.history_id, "summary": "By mistake"}
    )
    for record in (party, other):
        assert list(record.events.values_list("pk", flat=True)) == [event.pk]
        relinked = latest(record)
        assert relinked.history_change_reason.startswith(
            "Event “December 1986 events” restored after its deletion"
        )
        assert links_of(relinked) == {event.pk}


def test_a_deleted_event_is_restored_with_its_people(editor_client):
    person = PersonFactory()
    event = EventFactory()
    event.people.add(person)
    editor_client.post(admin_url(Event, "delete", event.pk), {"post": "yes", "summary": "Gone"})
    deletion = Event.history.filter(id=event.pk).first()
    editor_client.post(
        admin_url(Event, "deleted"), {"history_id": deletion.history_id, "summary": "By mistake"}
    )
    assert list(Event.objects.get(pk=event.pk).people.all()) == [person]


# -- links changed from the other side ----------------------------------------------------------


def test_organizations_linked_on_an_events_page_get_a_version_with_its_summary(
    editor_client, editor, party
):
    event = EventFactory(title="Congress of the Links")
    url = admin_url(Event, "change", event.pk)
    page = editor_client.get(url)
    data = change_form_data(page)
    [inline] = [
        i
        for i in page.context["inline_admin_formsets"]
        if i.formset.model is Organization.events.through
    ]
    prefix = inline.formset.prefix
    data[f"{prefix}-TOTAL_FORMS"] = "1"
    data[f"{prefix}-0-organization"] = str(party.pk)
    data[f"{prefix}-0-event"] = str(event.pk)
    data["edit_summary"] = "The congress concerned the party"
    assert editor_client.post(url, data).status_code == 302
    version = latest(party)
    assert version.history_change_reason == "The congress concerned the party"
    assert version.history_user == editor
    assert links_of(version) == {event.pk}

    # Taking the row out again is in the party's history too.
    data = change_form_data(editor_client.get(url))
    data[f"{prefix}-0-DELETE"] = "on"
    data["edit_summary"] = "It did not, after all"
    assert editor_client.post(url, data).status_code == 302
    assert latest(party).history_change_reason == "It did not, after all"
    assert links_of(latest(party)) == set()


@pytest.mark.parametrize(
    "owner, name, related_name",
    [
        (Organization, "events", "organizations"),
        (Election, "events", "elections"),
        (LegalAct, "events", "acts"),
        (Event, "people", "events"),
    ],
)
def test_links_made_from_the_other_side_are_in_the_owners_history(owner, name, related_name):
    record = {
        Organization: OrganizationFactory,
        Election: ElectionFactory,
        LegalAct: LegalActFactory,
        Event: EventFactory,
    }[owner]()
    other = PersonFactory() if owner is Event else EventFactory()
    other._change_reason = "Linked from the other side"
    getattr(other, related_name).add(record)
    version = latest(record)
    assert version.history_change_reason == "Linked from the other side"
    assert links_of(version, name) == {other.pk}
    getattr(other, related_name).clear()
    assert links_of(latest(record), name) == set()


def test_the_articles_records_hold_their_links_in_their_latest_version():
    """The loader links events to organizations, elections and acts from the event's side."""
    for model, name in ((Organization, "events"), (Election, "events"), (LegalAct, "events")):
        linked = model.objects.filter(events__isnull=False).distinct()
        assert linked.exists(), model
        for record in linked:
            expected = set(getattr(record, name).values_list("pk", flat=True))
            assert links_of(latest(record), name) == expected, record


# -- no lost edits -------------------------------------------------------------------------------


def test_a_colleagues_event_change_refuses_a_stale_save_and_is_kept_by_the_next(
    editor, django_user_model, party, events
):
    first, second, _ = events
    party.events.set([first])
    colleague = django_user_model.objects.create_user("colleague", is_staff=True)
    colleague.groups.set(editor.groups.all())
    mine, theirs = Client(), Client()
    mine.force_login(editor)
    theirs.force_login(colleague)
    url = admin_url(Organization, "change", party.pk)
    my_form = change_form_data(mine.get(url))

    theirs_saved = edit_in_admin(
        theirs, party, events=[str(first.pk), str(second.pk)], edit_summary="Their event"
    )
    assert theirs_saved.status_code == 302
    my_form.update(summary="My summary.", edit_summary="My summary")
    refused = mine.post(url, my_form)
    assert refused.status_code == 200
    assert "events: added “Founding congress”" in refused.content.decode()
    assert mine.post(url, change_form_data(refused)).status_code == 302
    party.refresh_from_db()
    assert party.summary == "My summary."
    assert set(party.events.values_list("pk", flat=True)) == {first.pk, second.pk}


# -- recent changes and the feed ------------------------------------------------------------------


def test_recent_changes_and_the_feed_say_the_events_changed(editor_client, client, party, events):
    edit_in_admin(editor_client, party, events=[str(events[0].pk)], edit_summary="An event")
    [change] = recent_changes(models=[Organization], limit=1).changes
    assert change.fields == ["events"]
    assert change.summary == "An event"
    page = editor_client.get(reverse("admin:recent-changes")).content.decode()
    assert "An event" in page and "events" in page
    feed = client.get(reverse("changes-feed")).content.decode()
    assert "Fields changed: events." in feed
