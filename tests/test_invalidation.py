"""Differential: after each public change, every cached answer equals the answer made afresh.

The site is crawled through its response cache (every record's page from the sitemap, API
details, lists, searches, feeds), then one public change after another is made and committed;
after each, the same crawl through the cache is made, and every answer it took from the cache
(a hit) is compared with the answer made afresh (the cache turned off); a miss was made afresh
already. Any difference is a stale answer the purge missed. The misses are counted too: a
change must not empty the cache of answers that do not show it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import caches

from elections.models import Election
from kzpolitics.core.models import Citation, Event, Person, Place, Source, Status
from parties.models import Organization, OrganizationName, Relation

from .page_kinds import sitemap_addresses

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # some thousands of answers

LISTS = (
    "/",
    "/organizations/",
    "/organizations/?kind=party",
    "/people/",
    "/elections/",
    "/acts/",
    "/sources/",
    "/places/",
    "/timeline/",
    "/search/?q=Otan",
    "/search/?q=Nazarbayev",
    "/search/?q=Alma",
    "/sitemap.xml",
    "/sitemap-organizations.xml",
    "/sitemap-people.xml",
    "/changes.atom",
    "/api/v1/organizations/?kind=party",
    "/api/v1/organizations/?page_size=10&page=2",
    "/api/v1/people/?search=Kazhegeldin",
    "/api/v1/events/?ordering=-date_earliest",
    "/api/v1/citations/?page_size=20",
    "/api/v1/results/",
    "/api/v1/sources/",
)
API_DETAILS = ("organizations", "people", "elections", "acts", "events", "places", "sources")
# Every organization's API record, not one in five: each names, in the evidence its dates rest
# on, records it read as values (an election, another organization).
EVERY_ONE = ("organizations",)


def addresses(client) -> list[str]:
    found = set(sitemap_addresses(lambda path: client.get(path).content.decode()))
    for prefix in API_DETAILS:
        listed = client.get(f"/api/v1/{prefix}/?page_size=500").json()["results"]
        sampled = listed if prefix in EVERY_ONE else listed[::5]
        found |= {f"/api/v1/{prefix}/{item['slug']}/" for item in sampled}
    return sorted(found) + list(LISTS)


def crawl(client, paths) -> dict[str, tuple[str | None, int, bytes]]:
    """Each address's answer: how the cache answered, the status (a deleted record's page is
    a 404), the body."""
    answers = {}
    for path in paths:
        response = client.get(path)
        answers[path] = (response.get("X-Cache"), response.status_code, response.content)
    return answers


def edit_a_summary():
    otan = Organization.objects.get(slug="otan")
    otan.summary = "A summary changed for the invalidation test."
    otan.save()


def rename_a_person():
    person = Person.objects.published().get(slug="nursultan-nazarbaev")
    person.name = "Nursultan Nazarbaev (renamed)"
    person.save()


def add_a_name():
    otan = Organization.objects.get(slug="otan")
    OrganizationName.objects.create(
        organization=otan, name="Otan Second Name", status=Status.PUBLISHED
    )


def retitle_a_source():
    source = Source.objects.published().get(slug="ponomarev-1991")
    source.title = "A title changed for the invalidation test"
    source.save()


def publish_a_party_with_a_relation():
    party = Organization.objects.create(
        slug="a-party-published-in-the-test", kind="party", name="Test Unity Party"
    )
    Relation.objects.create(
        subject=party,
        object=Organization.objects.get(slug="otan"),
        kind=Relation.Kind.MERGED_INTO,
        status=Status.PUBLISHED,
    )
    party.status = Status.PUBLISHED
    party.save()


def requote_a_citation():
    citation = Citation.objects.published().filter(quote__gt="").order_by("pk").first()
    citation.quote = "A quote changed for the invalidation test."
    citation.save()


def cite_a_relation():
    """A citation added to a row that hangs on a record (a relation of Otan's): the pages that
    show the row's footnotes are those of its two ends, which never loaded the new citation."""
    relation = Relation.objects.published().filter(subject__slug="otan").order_by("pk").first()
    Citation.objects.create(
        content_object=relation,
        source=Source.objects.published().get(slug="ponomarev-1991"),
        quote="A quote added for the invalidation test.",
        status=Status.PUBLISHED,
    )


def delete_an_event():
    Event.objects.published().get(slug="december-1986-events-alma-ata").delete()


def unlink_an_event():
    otan = Organization.objects.get(slug="otan")
    event = otan.events.order_by("pk").first()
    otan.events.remove(event)


def rename_an_election():
    """Named, in their API records, by the organizations whose dates its results bound."""
    election = Election.objects.published().get(slug="majilis-1995")
    election.name = "Majilis election renamed for the invalidation test"
    election.save()


def rename_a_place():
    place = Place.objects.published().get(slug="alma-ata")
    place.name = "Alma Ata (renamed)"
    place.save()


CHANGES: tuple[Callable[[], None], ...] = (
    edit_a_summary,
    rename_a_person,
    add_a_name,
    retitle_a_source,
    publish_a_party_with_a_relation,
    requote_a_citation,
    cite_a_relation,
    unlink_an_event,
    rename_a_place,
    rename_an_election,
    delete_an_event,
)


def test_every_cached_answer_equals_a_fresh_one_after_each_public_change(
    client, settings, django_capture_on_commit_callbacks
):
    caches["pages"].clear()
    paths = addresses(client)
    assert {status for _, status, _ in crawl(client, paths).values()} == {200}
    report = []
    for change in CHANGES:
        with django_capture_on_commit_callbacks(execute=True):
            change()
        cached = crawl(client, paths)
        # Only an answer the cache kept can be stale: a miss was just made from the data.
        kept = [path for path in paths if cached[path][0] == "hit"]
        settings.PAGE_CACHE_ENABLED = False
        fresh = crawl(client, kept)
        settings.PAGE_CACHE_ENABLED = True

        stale = [path for path in kept if cached[path][1:] != fresh[path][1:]]
        assert stale == [], f"{change.__name__} left stale answers: {stale[:10]}"
        misses = [path for path in paths if cached[path][0] == "miss"]
        report.append((change.__name__, len(misses), len(paths)))
        # The cache is not emptied: most answers show nothing of one record.
        assert len(misses) < len(paths) / 2, (change.__name__, len(misses), len(paths))
    print(
        "\n".join(
            f"{name}: {misses} of {total} answers made again" for name, misses, total in report
        )
    )


def test_a_drafts_changes_leave_every_cached_answer_in_place(
    client, django_capture_on_commit_callbacks
):
    caches["pages"].clear()
    paths = addresses(client)
    crawl(client, paths)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        draft = Organization.objects.create(slug="a-test-draft", kind="party", name="Otan Draft")
        Relation.objects.create(
            subject=draft,
            object=Organization.objects.get(slug="otan"),
            kind=Relation.Kind.MERGED_INTO,
            status=Status.PUBLISHED,
        )
        OrganizationName.objects.create(organization=draft, name="Draft Name")
        draft.summary = "Saved again as a draft."
        draft.save()
        draft.delete()

    assert callbacks == []
    after = crawl(client, paths)
    assert {state for state, _, _ in after.values()} == {"hit"}
