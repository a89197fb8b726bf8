"""Recent changes: editors see every save and deletion in the admin; researchers follow the
published ones in an Atom feed, which never shows a draft."""

import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from kzpolitics.core.changes import SYSTEM, Position, recent_changes, tracked_links, tracked_models
from kzpolitics.core.models import Event, Person, Status
from parties.models import Organization
from tests import factories
from tests.factories import (
    EventFactory,
    OrganizationFactory,
    OrganizationNameFactory,
    PersonFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
RECENT_CHANGES = reverse("admin:recent-changes")
FEED = reverse("changes-feed")
# A page costs a fixed number of queries however long the history: per historical model one for
# its newest rows; for each model on the page one for the versions before and one for the
# records now, and one per many-to-many field its history keeps (the links of those versions);
# one per kind of record that the citations on the page cite. The admin adds its session, user,
# permissions (2), list of editors and content types. Which of the records a page names the
# public may see (``published()``: the page's own records, those their labels name and those
# their links reach) is one query per kind of record.
MODELS = len(tracked_models())
LINK_FIELDS = sum(len(tracked_links(model)) for model in tracked_models())
PAGE_MAX_QUERIES = 4 * MODELS + (MODELS - 1) + LINK_FIELDS
ADMIN_MAX_QUERIES = PAGE_MAX_QUERIES + 6
FEED_MAX_QUERIES = PAGE_MAX_QUERIES + 1


def edit(obj, reason, user=None, **fields):
    """Save a record as an editor would: some fields changed, with an edit summary (reason)."""
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._change_reason = reason
    if user is not None:
        obj._history_user = user
    obj.save()
    return obj


def changes_page(client, **params):
    response = client.get(RECENT_CHANGES, params)
    assert response.status_code == 200
    return response.context["page"]


def feed_entries(client) -> list[dict]:
    """The feed's entries, each as a dict of what a reader shows (title, link, summary...)."""
    root = atom(client)
    entries = []
    for entry in root.iter(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        entries.append(
            {
                "title": entry.findtext(f"{ATOM}title"),
                "link": None if link is None else link.get("href"),
                "id": entry.findtext(f"{ATOM}id"),
                "updated": entry.findtext(f"{ATOM}updated"),
                "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
                "summary": entry.findtext(f"{ATOM}summary"),
                "content": entry.findtext(f"{ATOM}content"),
            }
        )
    return entries


def atom(client) -> ET.Element:
    response = client.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entry_titled(entries, title) -> dict:
    matching = [e for e in entries if e["title"] == title]
    assert matching, f"no entry “{title}” in {[e['title'] for e in entries[:10]]}"
    return matching[0]


# The editors' page


def test_lists_a_change_just_made_with_its_summary_editor_and_fields(editor_client, editor):
    party = OrganizationFactory(name="Party of Careful Editors")
    edit(party, "Summary from Ponomarev, p. 14", editor, name="Party of Careful Editors (PCE)")
    edit(party, "Added its aims", editor, aims="Democracy", summary="A small party.")

    newest = changes_page(editor_client).changes[0]

    assert newest.label == "Party of Careful Editors (PCE)"
    assert newest.kind == "changed"
    assert newest.who == "editor"
    assert newest.summary == "Added its aims"
    assert newest.fields == ["aims", "summary"]
    html = editor_client.get(RECENT_CHANGES).content.decode()
    assert "Added its aims" in html
    assert "aims, summary" in html


def test_lists_changes_newest_first_across_kinds_of_record(editor_client):
    person = PersonFactory()
    party = OrganizationFactory()
    event = EventFactory()
    edit(person, "first")
    edit(party, "second")
    edit(event, "third")

    changes = changes_page(editor_client).changes

    assert [c.summary for c in changes[:3]] == ["third", "second", "first"]
    assert [c.model for c in changes[:3]] == [Event, Organization, Person]
    assert all(a.position > b.position for a, b in zip(changes, changes[1:], strict=False))


def test_tells_a_date_change_by_the_dates_name_not_its_columns(editor_client):
    party = OrganizationFactory()
    edit(party, "Dated", founded={"text": "Late in May 1990", "edtf": "1990-05"})

    assert changes_page(editor_client).changes[0].fields == ["founded"]


def test_links_each_change_to_its_records_history_or_to_the_deleted_records(editor_client):
    kept = edit(OrganizationFactory(name="Kept Party"), "kept")
    gone = OrganizationFactory(name="Gone Party")
    gone_pk = gone.pk
    gone.delete()

    html = editor_client.get(RECENT_CHANGES).content.decode()

    assert reverse("admin:parties_organization_history", args=[kept.pk]) in html
    assert reverse("admin:parties_organization_history", args=[gone_pk]) not in html
    deleted_list = reverse("admin:parties_organization_deleted")
    assert f'<a href="{deleted_list}">Gone Party</a> (deleted)' in html


def test_filters_by_kind_of_record(editor_client):
    edit(PersonFactory(), "a person")
    edit(OrganizationFactory(), "a party")

    changes = changes_page(editor_client, model="kzpolitics.person").changes

    assert changes[0].summary == "a person"
    assert {c.model for c in changes} == {Person}


def test_filters_by_editor_or_by_the_system(editor_client, editor):
    edit(PersonFactory(), "by the editor", editor)
    edit(PersonFactory(), "by a script")

    by_editor = changes_page(editor_client, user=editor.pk).changes
    by_system = changes_page(editor_client, user=SYSTEM).changes

    assert [c.summary for c in by_editor] == ["by the editor"]
    assert by_system[0].summary == "by a script"
    assert {c.who for c in by_system} == {SYSTEM}


def test_filters_by_kind_of_change(editor_client):
    doomed = OrganizationFactory(name="Short-lived Party")
    doomed.delete()

    deleted = changes_page(editor_client, kind="deleted").changes
    created = changes_page(editor_client, kind="created").changes

    assert "Short-lived Party" in [c.label for c in deleted[:2]]  # its citation goes with it
    assert {c.kind for c in deleted} == {"deleted"}
    assert {c.kind for c in created} == {"created"}


def test_ignores_filters_it_does_not_know(editor_client):
    page = changes_page(editor_client, model="auth.user", user="nobody", kind="renamed")
    assert len(page.changes) == 50


def test_pages_go_older_and_back_newer_without_gaps_or_overlaps(editor_client):
    first = changes_page(editor_client)
    second = changes_page(editor_client, before=str(first.older))
    back = changes_page(editor_client, after=str(second.newer))

    assert len(first.changes) == len(second.changes) == 50
    assert first.changes[-1].position > second.changes[0].position
    assert [c.position for c in back.changes] == [c.position for c in first.changes]
    assert first.newer is None
    html = editor_client.get(RECENT_CHANGES, {"before": str(first.older)}).content.decode()
    assert "Newest" in html and "Newer" in html and "Older" in html


def test_paging_visits_every_change_once_even_where_changes_share_a_time():
    people = [edit(PersonFactory(), f"person {i}") for i in range(3)]
    parties = [edit(OrganizationFactory(), f"party {i}") for i in range(3)]
    same_time = timezone.now()
    for record in (*people, *parties):
        record.history.filter(history_type="~").update(history_date=same_time)
    kinds = [Person, Organization]
    newest = recent_changes(models=kinds, limit=6).changes
    assert {c.summary for c in newest} == {
        f"{k} {i}" for k in ("person", "party") for i in range(3)
    }

    going_older = [recent_changes(models=kinds, limit=1)]
    while len(going_older) < 6:
        going_older.append(recent_changes(models=kinds, limit=1, before=going_older[-1].older))
    going_newer = [recent_changes(models=kinds, limit=1, after=newest[-1].position)]
    while len(going_newer) < 5:
        going_newer.append(recent_changes(models=kinds, limit=1, after=going_newer[-1].newer))

    assert [p.changes[0] for p in going_older] == newest
    assert [p.changes[0] for p in reversed(going_newer)] == newest[:5]
    assert going_newer[-1].newer is None


def test_keeps_its_filters_when_paging(editor_client):
    html = editor_client.get(RECENT_CHANGES, {"model": "kzpolitics.citation"}).content.decode()
    assert "?model=kzpolitics.citation&amp;before=" in html


def test_a_position_survives_a_page_link_and_nonsense_is_ignored():
    page = recent_changes(limit=1)
    position = page.changes[0].position
    assert Position.parse(str(position)) == position
    too_far = "9" * 40
    for nonsense in ("", "abc", "1-2", f"{too_far}-parties.organization-1", f"1-x-{too_far}", None):
        assert Position.parse(nonsense) is None


def test_staff_see_only_changes_to_what_they_may_view(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_person"))
    client.force_login(viewer)
    edit(OrganizationFactory(), "a party")
    edit(PersonFactory(), "a person")

    response = client.get(RECENT_CHANGES)

    assert {c.model for c in response.context["page"].changes} == {Person}
    assert [label for label, _ in response.context["model_choices"]] == ["kzpolitics.person"]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(RECENT_CHANGES)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_signed_in_visitors_who_are_not_staff_are_sent_to_the_login_page(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader"))
    response = client.get(RECENT_CHANGES)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_the_admin_home_links_to_recent_changes(editor_client):
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert RECENT_CHANGES in html


# The public feed


def test_the_feed_is_atom_with_absolute_ids_and_links(client):
    root = atom(client)

    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") == "http://testserver/changes.atom"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/changes.atom"
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://testserver/"
    assert root.findtext(f"{ATOM}updated")
    entries = feed_entries(client)
    assert len(entries) == 50
    for entry in entries:
        assert entry["id"].startswith("http://testserver/changes.atom#change-")
        assert entry["link"] is None or entry["link"].startswith("http://testserver/")
        assert entry["updated"] and entry["author"] == "kzpolitics editors"
    assert len({e["id"] for e in entries}) == len(entries)


def test_the_feed_lists_a_published_change_with_its_summary_and_link(client, editor):
    party = OrganizationFactory(name="Republican Party (Otan)")
    edit(party, "Name as the 1999 congress adopted it", editor, name="Republican Party Otan")

    newest = feed_entries(client)[0]

    assert newest["title"] == "Organization changed: Republican Party Otan"
    assert newest["link"] == f"http://testserver{party.get_absolute_url()}"
    assert "Name as the 1999 congress adopted it" in newest["summary"]
    assert "Fields changed: name." in newest["summary"]


def test_the_feed_names_no_editor(client, django_user_model):
    zhanna = django_user_model.objects.create_user("zhanna.k", is_staff=True)
    edit(PersonFactory(), "Spelling as in the decree", zhanna)

    content = client.get(FEED).content.decode()

    assert "Spelling as in the decree" in content
    assert "zhanna" not in content


def test_the_feed_never_shows_a_draft(client):
    PersonFactory(status=Status.DRAFT, name="Qwertyuiop Draftsman")
    withdrawn = OrganizationFactory(name="Once Public Party")
    edit(withdrawn, "Zxcvb secret reason", status=Status.DRAFT, name="Zxcvb Renamed In Draft")

    content = client.get(FEED).content.decode()

    assert "Qwertyuiop" not in content
    assert "Zxcvb" not in content
    assert "Once Public Party" in content  # its published creation stays, without the draft


def test_the_feed_tells_a_first_publication_without_the_drafts_before_it(client):
    person = PersonFactory(status=Status.DRAFT, name="Working Title Asdfgh")
    edit(person, "Draft note Asdfgh", description="Unchecked")
    edit(person, "Reviewed and published", status=Status.PUBLISHED, name="Final Name Person")

    entries = feed_entries(client)
    content = client.get(FEED).content.decode()

    entry = entry_titled(entries, "Person published: Final Name Person")
    assert "Reviewed and published" in entry["summary"]
    assert "Fields changed" not in entry["summary"]
    assert "Asdfgh" not in content


def test_the_feed_tells_a_republished_change_against_the_last_published_version(client):
    party = OrganizationFactory(name="Party of Second Thoughts")
    edit(party, "Withdrawn for review", status=Status.DRAFT, aims="Unchecked aims")
    edit(party, "Back after review", status=Status.PUBLISHED, summary="Checked.", aims="")

    newest = feed_entries(client)[0]

    assert newest["title"] == "Organization changed: Party of Second Thoughts"
    assert "Fields changed: summary." in newest["summary"]


def test_the_feed_hides_rows_of_a_draft_record(client):
    secret = OrganizationFactory(status=Status.DRAFT, name="Hjkl Secret Party")
    OrganizationNameFactory(organization=secret, name="Hjkl Secret Name", status=Status.PUBLISHED)

    assert "Hjkl" not in client.get(FEED).content.decode()


def test_the_feed_lists_no_row_of_a_draft_it_requires(client):
    """A role in a draft organization is not public (``Role.objects.published()``), so
    neither is its change: the feed names neither the draft nor the role."""
    role = RoleFactory(organization=OrganizationFactory(status=Status.DRAFT, name="Vbnm Party"))

    content = client.get(FEED).content.decode()

    assert "Vbnm" not in content
    assert f"role #{role.pk}" not in content


def test_the_feed_lists_a_deletion_without_a_link(client):
    party = OrganizationFactory(name="Dissolved Records Party")
    party._change_reason = "Duplicate of another record"
    party.delete()

    entry = entry_titled(feed_entries(client), "Organization deleted: Dissolved Records Party")

    assert entry["link"] is None
    assert "Duplicate of another record" in entry["summary"]
    assert entry["content"] == entry["summary"]


def test_public_pages_point_to_the_feed(client):
    html = client.get(reverse("kzpolitics:home")).content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        f'title="kzpolitics: recent changes" href="{FEED}">'
    ) in html


# Queries do not grow with the history


EVERY_KIND = [
    factories.SourceFactory,
    factories.CitationFactory,
    factories.PlaceFactory,
    factories.PlaceNameFactory,
    factories.PersonFactory,
    factories.PersonNameFactory,
    factories.EventFactory,
    factories.OrganizationFactory,
    factories.OrganizationNameFactory,
    factories.StanceFactory,
    factories.MembershipFigureFactory,
    factories.RoleFactory,
    factories.RelationFactory,
    factories.ElectionFactory,
    factories.RoundFactory,
    factories.ResultFactory,
    factories.LegalActFactory,
    factories.ProvisionFactory,
    factories.PeriodFactory,
    factories.RegistrationDecisionFactory,
]


def test_every_kind_of_record_is_tried_for_queries():
    assert {make._meta.model for make in EVERY_KIND} == set(tracked_models())


def make_changes(n: int) -> None:
    """A record of every kind and a draft, then n saves spread over them: with enough saves
    every kind of record is on the first page, each with a version before it to diff. Records
    with many-to-many links in their history have them changed too, every other save."""
    records = [make() for make in EVERY_KIND] + [PersonFactory(status=Status.DRAFT)]
    event, person = EventFactory(), PersonFactory()
    for i in range(n):
        record = edit(records[i % len(records)], f"Change {i}")
        for link in tracked_links(type(record)):
            linked = person if link.related_model is Person else event
            getattr(record, link.name).set([linked] if i % 2 else [])


@pytest.mark.parametrize("extra", [10, 200])
def test_the_changes_page_runs_a_bounded_number_of_queries(
    editor_client, extra, django_assert_max_num_queries
):
    make_changes(extra)
    with django_assert_max_num_queries(ADMIN_MAX_QUERIES):
        response = editor_client.get(RECENT_CHANGES)
    assert len(response.context["page"].changes) == 50


@pytest.mark.parametrize("extra", [10, 200])
def test_the_feed_runs_a_bounded_number_of_queries(client, extra, django_assert_max_num_queries):
    make_changes(extra)
    with django_assert_max_num_queries(FEED_MAX_QUERIES):
        response = client.get(FEED)
    assert response.status_code == 200
