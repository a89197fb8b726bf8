"""No side channels: what an editor does with drafts changes nothing a visitor can observe.

The data version (``DataVersion``) is what ``Last-Modified``, the response cache's keys and
the export's version come from; the Atom feed lists published changes. A draft's save, its
deletion (with the rows that go with it), a citation nobody may see and a link to a draft leave
all of them, and the pages' ETags, as they were; a published change moves them. HEAD answers
carry the ETag and Last-Modified of the GET of the same address.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.urls import reverse

from kzpolitics.core.models import Citation, DataVersion, Event, Person, Source, Status
from parties.models import Organization, OrganizationName, Role

pytestmark = pytest.mark.django_db

PAGES = (
    "/",
    "/organizations/",
    "/people/",
    "/timeline/",
    "/api/v1/organizations/",
    "/api/v1/people/",
    "/api/v1/citations/",
    # A published record's feed of its changes (kzpolitics.site.feeds.RecordChangesFeed).
    "/organizations/otan/changes.atom",
)
FEED = "/changes.atom"


def observed(client) -> dict:
    """What a visitor can see: the data version, each page's status, ETag, Last-Modified and
    body, and the feed; rendered afresh (no cached copy hides a change)."""
    caches["pages"].clear()
    seen = {"version": DataVersion.current()}
    # The feed of the person the tests give a role in a draft organization: no public change
    # of theirs.
    person = Person.objects.published().first()
    for url in (*PAGES, FEED, f"{person.get_absolute_url()}changes.atom"):
        response = client.get(url)
        seen[url] = (
            response.status_code,
            response.get("ETag"),
            response.get("Last-Modified"),
            response.content,
        )
    return seen


def published_source() -> Source:
    return Source.objects.published().first()


def cite(record, source: Source, status=Status.PUBLISHED) -> Citation:
    return Citation.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        source=source,
        pages="1",
        status=status,
    )


def draft_organization(**fields) -> Organization:
    fields = {"slug": "a-draft-party", "name": "Secret Draft Party", "kind": "party", **fields}
    return Organization.objects.create(status=Status.DRAFT, **fields)


def test_a_draft_save_changes_nothing_a_visitor_sees(client):
    before = observed(client)
    draft = draft_organization()
    cite(draft, published_source())
    draft.name = "Secret Draft Party, renamed"
    draft._change_reason = "An editor's draft"
    draft.save()
    draft.status = Status.REVIEW
    draft.save()
    assert observed(client) == before


def test_deleting_a_draft_and_what_goes_with_it_changes_nothing(client):
    draft = draft_organization()
    cite(draft, published_source())
    name = OrganizationName.objects.create(
        organization=draft, name="Draft Name", status=Status.PUBLISHED
    )
    cite(name, published_source())
    person = Person.objects.published().first()
    Role.objects.create(
        person=person, organization=draft, title="chairman", kind="chair", status=Status.PUBLISHED
    )
    event = Event.objects.published().first()
    event.organizations.add(draft)
    before = observed(client)
    draft.delete()
    assert not OrganizationName.objects.filter(pk=name.pk).exists()
    assert observed(client) == before


def test_citations_the_public_may_not_see_change_nothing(client):
    record = Organization.objects.published().first()
    draft_source = Source.objects.create(
        slug="a-draft-source", title="A Draft Work", kind="book", status=Status.DRAFT
    )
    before = observed(client)
    of_draft_source = cite(record, draft_source)
    draft_citation = cite(record, published_source(), status=Status.DRAFT)
    draft_citation.pages = "2"
    draft_citation.save()
    of_draft_source.delete()
    draft_citation.delete()
    draft_source.delete()
    assert observed(client) == before


def test_a_link_between_a_published_and_a_draft_record_changes_nothing(client):
    event = Event.objects.published().first()
    draft_person = Person.objects.create(slug="a-draft-person", name="Draft Person")
    before = observed(client)
    event.people.add(draft_person)
    draft_person.events.remove(event)
    draft_person.events.add(event)
    draft_person.events.clear()
    event.people.add(draft_person)
    event.people.set([*event.people.all()])  # the same links: nothing changes
    assert observed(client) == before


def test_deleting_a_draft_linked_to_a_published_record_changes_nothing(client):
    event = Event.objects.published().first()
    draft_person = Person.objects.create(slug="a-draft-person", name="Draft Person")
    event.people.add(draft_person)
    versions, version = event.history.count(), Event.objects.get(pk=event.pk).version
    before = observed(client)
    draft_person.delete()
    assert observed(client) == before
    # The event's history still says it lost the link, in a version of its own; the event
    # itself is not saved (its version, which the API shows, stays).
    assert event.history.count() == versions + 1
    assert Event.objects.get(pk=event.pk).version == version


def test_a_published_change_moves_the_version_etags_and_feed(client):
    before = observed(client)
    record = Organization.objects.published().get(slug=before_slug())
    record.name = record.name + " (renamed)"
    record._change_reason = "A reviewer's correction"
    record.save()
    after = observed(client)
    assert after["version"] > before["version"]
    assert after["/organizations/"][1] != before["/organizations/"][1]
    assert after["/api/v1/organizations/"][2] != before["/api/v1/organizations/"][2]
    assert after[FEED][3] != before[FEED][3]
    assert b"A reviewer" in after[FEED][3] and b"A reviewer" not in before[FEED][3]


def before_slug() -> str:
    return Organization.objects.published().order_by("pk").values_list("slug", flat=True)[0]


def test_publishing_and_unpublishing_a_draft_moves_the_version():
    draft = draft_organization()
    version = DataVersion.current()
    draft.status = Status.PUBLISHED
    draft.save()
    published_at = DataVersion.current()
    assert published_at > version
    draft.status = Status.REVIEW
    draft.save()
    assert DataVersion.current() > published_at


def test_a_link_between_published_records_moves_the_version():
    event = Event.objects.published().first()
    person = Person.objects.published().exclude(events=event).first()
    version = DataVersion.current()
    event.people.add(person)
    added = DataVersion.current()
    assert added > version
    event.people.remove(person)
    assert DataVersion.current() > added


def test_deleting_a_published_record_moves_the_version():
    record = Organization.objects.create(
        slug="short-lived", name="Short-lived Party", kind="party", status=Status.PUBLISHED
    )
    version = DataVersion.current()
    record.delete()
    assert DataVersion.current() > version


@pytest.mark.parametrize(
    "url",
    (
        "/",
        "/organizations/",
        "/api/v1/organizations/",
        "/api/v1/organizations/otan/?format=csv",  # a list's CSV is streamed: no ETag
        FEED,
        "/sitemap.xml",
        "/sitemap-organizations.xml",
    ),
)
def test_head_carries_the_etag_and_last_modified_of_get(client, url):
    head = client.head(url)  # first: a HEAD that misses the cache
    get = client.get(url)
    caches["pages"].clear()
    fresh_get = client.get(url)
    fresh_head = client.head(url)
    assert head.status_code == get.status_code == 200
    assert head["ETag"] == get["ETag"] == fresh_get["ETag"] == fresh_head["ETag"]
    assert head.get("Last-Modified") == get.get("Last-Modified") == fresh_head.get("Last-Modified")
    assert head.content == b""


def test_head_with_the_etag_gets_a_304(client):
    etag = client.get("/organizations/")["ETag"]
    assert client.head("/organizations/", headers={"if-none-match": etag}).status_code == 304


def test_the_feed_names_no_draft_in_a_published_records_change(client):
    event = Event.objects.published().first()
    draft_person = Person.objects.create(slug="draft-linked", name="Hidden Draft Person")
    event.people.add(draft_person)
    event._change_reason = "A published change"
    event.summary = event.summary + " More."
    event.save()
    body = client.get(FEED).content.decode()
    assert "Hidden Draft Person" not in body
    assert "draft-linked" not in body


def test_the_feed_lists_no_change_to_a_hidden_result(client):
    """A published result of a draft party is not public, nor its changes."""
    from elections.models import Election, Result

    election = Election.objects.published().first()
    draft = draft_organization()
    before = client.get(FEED).content
    result = Result.objects.create(
        election=election, organization=draft, tier="party_list", status=Status.PUBLISHED
    )
    result.seats = 3
    result.save()
    caches["pages"].clear()
    assert client.get(FEED).content == before
    assert reverse("changes-feed") == FEED
