"""A hub organization's page shows a page of its relations, of its events, of its roles and
of its election results, with plain links to the others (parties.record_pages): its cost is
bounded however many there are."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.db.models.signals import post_init
from django.utils.text import slugify

from kzpolitics.core.models import Source, Status
from parties import record_pages
from parties.models import Relation, Role
from tests.factories import (
    ElectionFactory,
    EventFactory,
    OrganizationFactory,
    PersonFactory,
    RelationFactory,
    ResultFactory,
    RoleFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

SIZE = 3


@pytest.fixture
def hub(monkeypatch):
    monkeypatch.setattr(record_pages, "RECORD_PAGE", SIZE)
    caches["pages"].clear()
    hub = OrganizationFactory(name="Hub Party")
    for i in range(4):  # 4 came after it (split from it), 3 before (it split from them)
        RelationFactory(subject=OrganizationFactory(name=f"After {i}"), object=hub)
    for i in range(3):
        RelationFactory(subject=hub, object=OrganizationFactory(name=f"Before {i}"))
    RelationFactory(subject=OrganizationFactory(name="Draft link"), object=hub, status=Status.DRAFT)
    for i in range(5):
        EventFactory(
            title=f"Event {i}", date={"text": f"199{i}", "edtf": f"199{i}"}
        ).organizations.add(hub)
    EventFactory(title="Draft event", status=Status.DRAFT).organizations.add(hub)
    # 3 leaders and 2 other roles, named so that the alphabet and "leaders first" disagree.
    for name, kind, title in [
        ("Ainur Member", Role.Kind.MEMBER, "member of the council"),
        ("Bolat Chair", Role.Kind.CHAIR, "chairman"),
        ("Dana Founder", Role.Kind.FOUNDER, "founder"),
        ("Erlan Leader", Role.Kind.LEADER, "leader"),
        ("Gulnar Co-chair", Role.Kind.CO_CHAIR, "co-chairman"),
    ]:
        RoleFactory(organization=hub, person=PersonFactory(name=name), kind=kind, title=title)
    RoleFactory(
        organization=hub,
        person=PersonFactory(name="Zhanna Draft"),
        kind=Role.Kind.LEADER,
        status=Status.DRAFT,
    )
    # 4 results, in five elections (undated: by name), and one in a draft election.
    for i, seats in enumerate((3, 5, 2, 7)):
        ResultFactory(organization=hub, election=ElectionFactory(name=f"Poll {i}"), seats=seats)
    ResultFactory(
        organization=hub, election=ElectionFactory(name="Poll draft", status=Status.DRAFT)
    )
    return hub


def between(html: str, start: str, end: str) -> str:
    """The part of ``html`` after the first ``start``, up to the next ``end``."""
    return html.split(start, 1)[1].split(end, 1)[0]


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def lineage_names(html: str) -> list[str]:
    listed = between(html, '<ul class="lineage-list">', "</ul>")
    return re.findall(r">((?:After|Before) \d)</a>", listed)


def test_a_hub_shows_a_page_of_its_links_in_lineage_order_and_links_the_next(client, hub):
    url = hub.get_absolute_url()
    first = get(client, url)
    # Predecessors first (by name, all undated), then successors: pages follow that order.
    assert lineage_names(first) == ["Before 0", "Before 1", "Before 2"]
    assert "Links 1 to 3 of 7." in first
    assert f'href="{url}?relations=2#lineage" rel="next"' in first
    second = get(client, f"{url}?relations=2")
    assert lineage_names(second) == ["After 0", "After 1", "After 2"]
    assert f'href="{url}#lineage" rel="prev"' in second
    last = get(client, f"{url}?relations=3")
    assert lineage_names(last) == ["After 3"]
    assert "Draft link" not in first + second + last
    assert 'rel="next"' not in between(last, 'id="lineage"', "</nav>")


def test_a_hub_pages_its_events_by_date_keeping_the_page_of_links(client, hub):
    url = hub.get_absolute_url()
    first = get(client, f"{url}?relations=2")
    assert "Events 1 to 3 of 5." in first
    assert re.findall(r">(Event \d)</a>", first) == ["Event 0", "Event 1", "Event 2"]
    assert f'href="{url}?relations=2&amp;events=2#events" rel="next"' in first
    second = get(client, f"{url}?relations=2&events=2")
    assert re.findall(r">(Event \d)</a>", second) == ["Event 3", "Event 4"]
    assert "Draft event" not in first + second


# A link to a person's page, naming them (the hub's people are "Given Surname").
PERSON_LINK = re.compile(r'/">([A-Z][a-z]+ [A-Z][a-z-]+)</a>')


def role_names(html: str) -> list[str]:
    return PERSON_LINK.findall(between(html, 'id="roles"', "</ul>"))


def test_a_hub_pages_its_roles_leaders_first_and_counts_its_leaders(client, hub):
    url = hub.get_absolute_url()
    first = get(client, f"{url}?events=2")
    assert "Leaders and other roles" in first and "Other roles" not in first
    assert role_names(first) == ["Bolat Chair", "Erlan Leader", "Gulnar Co-chair"]
    assert "Roles 1 to 3 of 5, leaders first." in first
    assert f'href="{url}?events=2&amp;roles=2#roles" rel="next"' in first
    # The infobox names no leader: it counts them (the draft's role not among them).
    infobox = between(first, 'class="infobox"', "</aside>")
    assert '3 leaders: see <a href="#roles">Leaders and other roles</a>' in infobox
    assert "Bolat Chair" not in infobox
    second = get(client, f"{url}?events=2&roles=2")
    assert role_names(second) == ["Ainur Member", "Dana Founder"]
    assert f'href="{url}?events=2#roles" rel="prev"' in second
    assert "Zhanna Draft" not in first + second


def test_an_organization_with_a_page_of_roles_or_fewer_lists_its_leaders_in_its_infobox(
    client, hub, monkeypatch
):
    monkeypatch.setattr(record_pages, "RECORD_PAGE", 5)
    html = get(client, hub.get_absolute_url())
    infobox = between(html, 'class="infobox"', "</aside>")
    assert PERSON_LINK.findall(infobox) == [
        "Bolat Chair",
        "Erlan Leader",
        "Gulnar Co-chair",
    ]
    assert role_names(html) == ["Ainur Member", "Dana Founder"]
    assert "Other roles" in html and "Pages of roles" not in html
    assert "Zhanna Draft" not in html


def result_elections(html: str) -> list[str]:
    table = between(html, 'id="results"', "</table>")
    return re.findall(r">(Poll \w+)</a>", table)


def test_a_hub_pages_its_election_results_keeping_the_other_pages(client, hub):
    url = hub.get_absolute_url()
    first = get(client, f"{url}?roles=2")
    assert result_elections(first) == ["Poll 0", "Poll 1", "Poll 2"]
    assert "Results 1 to 3 of 4." in first
    assert f'href="{url}?roles=2&amp;results=2#results" rel="next"' in first
    second = get(client, f"{url}?roles=2&results=2")
    assert result_elections(second) == ["Poll 3"]
    assert f'href="{url}?roles=2#results" rel="prev"' in second
    assert role_names(second) == ["Ainur Member", "Dana Founder"]  # its page of roles kept
    assert "Poll draft" not in first + second


def test_a_hubs_references_are_those_of_the_rows_its_page_shows(client, hub):
    """A row on another page adds no footnote to this one's references, nor is its citation
    read (a hub's 70 roles once had all their citations read for a page of 40), and each row
    shown keeps its own."""
    for role in Role.objects.filter(organization=hub):
        role.citations.update(source=SourceFactory(slug=f"roll-{slugify(role.person.name)}"))
    for result in hub.results.all():
        result.citations.update(source=SourceFactory(slug=f"count-{slugify(result.election)}"))

    def cited(html: str) -> set[str]:
        return set(re.findall(r'href="/sources/(?:roll|count)-([a-z0-9-]+)/"', html))

    read = []  # the works whose rows were read, cited or not

    def reading(sender, instance, **kwargs):
        read.append(instance.slug)

    post_init.connect(reading, sender=Source)
    try:
        first = get(client, hub.get_absolute_url())
    finally:
        post_init.disconnect(reading, sender=Source)
    shown = {"bolat-chair", "erlan-leader", "gulnar-co-chair", "poll-0", "poll-1", "poll-2"}
    assert cited(first) == shown
    assert {slug.split("-", 1)[1] for slug in read if slug.startswith(("roll-", "count-"))} == shown
    later = get(client, f"{hub.get_absolute_url()}?roles=2&results=2")
    assert cited(later) == {"ainur-member", "dana-founder", "poll-3"}


@pytest.mark.parametrize("asked, shown", [("x", 1), ("0", 1), ("-2", 1), ("99", 3)])
def test_a_page_number_that_is_no_page_shows_the_first_or_the_last(client, hub, asked, shown):
    html = get(client, f"{hub.get_absolute_url()}?relations={asked}")
    assert f"Page {shown} of 3" in html


@pytest.mark.parametrize("name, pages", [("events", 2), ("roles", 2), ("results", 2)])
@pytest.mark.parametrize("asked", ["x", "0", "-2", "99", "1e3", "２"])
def test_a_page_of_events_roles_or_results_that_is_no_page_reads_as_one(
    client, hub, name, pages, asked
):
    html = get(client, f"{hub.get_absolute_url()}?{name}={asked}")
    nav = between(html, f'aria-label="Pages of {name}"', "</nav>")
    # Python reads a full-width "２" as 2 (any script's digits); "1e3" is no whole number.
    shown = pages if asked in ("99", "２") else 1
    assert f"Page {shown} of {pages}" in nav


def test_an_ordinary_organization_shows_no_pages(client, hub):
    other = Relation.objects.get(object__name="Before 0").object
    html = get(client, other.get_absolute_url())
    assert 'class="pagination"' not in html and "Links 1 to" not in html


def test_a_page_of_links_costs_the_same_queries_as_the_first(
    client, hub, django_assert_max_num_queries
):
    url = hub.get_absolute_url()
    get(client, url)  # the content types, as any running server has them
    caches["pages"].clear()
    with django_assert_max_num_queries(16) as first:
        get(client, url)
    caches["pages"].clear()
    with django_assert_max_num_queries(len(first.captured_queries)):
        get(client, f"{url}?relations=2&events=2&roles=2&results=2")


# -- the API: a record gives the first of a hub's relations, and pages them all -------------


@pytest.fixture
def shown_in_api(monkeypatch):
    from parties import api

    monkeypatch.setattr(api, "RELATIONS_SHOWN", SIZE)
    monkeypatch.setattr(api, "ROLES_SHOWN", SIZE)
    caches["pages"].clear()


def api_names(rows: list, end: str) -> list[str]:
    return [row[end]["name"] for row in rows]


def test_an_api_record_gives_the_first_of_a_hubs_relations_and_where_all_are(
    client, hub, shown_in_api
):
    record = client.get(f"/api/v1/organizations/{hub.slug}/").json()
    assert api_names(record["related_from"], "organization") == ["After 0", "After 1", "After 2"]
    assert record["related_from_count"] == 4  # the draft link is not counted
    assert api_names(record["relations"], "to") == ["Before 0", "Before 1", "Before 2"]
    assert record["relations_count"] == 3

    pages, url = [], record["related_from_url"]
    while url:
        page = client.get(url, {"page_size": 2} if "page_size" not in url else None).json()
        assert page["count"] == 4
        pages.append(api_names(page["results"], "organization"))
        url = page["next"]
    assert pages == [["After 0", "After 1"], ["After 2", "After 3"]]
    listed = client.get(record["relations_url"]).json()
    assert api_names(listed["results"], "to") == ["Before 0", "Before 1", "Before 2"]
    assert [row["citations"] != [] for row in listed["results"]] == [True] * 3


def test_an_ordinary_api_record_gives_every_relation(client, hub, shown_in_api):
    other = OrganizationFactory(name="Small Party")
    RelationFactory(subject=other, object=hub)
    record = client.get(f"/api/v1/organizations/{other.slug}/").json()
    assert api_names(record["relations"], "to") == ["Hub Party"]
    assert record["relations_count"] == 1 and record["related_from_count"] == 0


def test_an_api_record_gives_the_first_of_a_hubs_roles_and_where_all_are(client, hub, shown_in_api):
    record = client.get(f"/api/v1/organizations/{hub.slug}/").json()
    everyone = ["Ainur Member", "Bolat Chair", "Dana Founder", "Erlan Leader", "Gulnar Co-chair"]
    assert [role["person"]["name"] for role in record["roles"]] == everyone[:SIZE]
    assert all(role["citations"] for role in record["roles"])  # each kept with its footnotes
    assert record["roles_count"] == 5  # the draft's role is not counted
    pages, url = [], record["roles_url"]
    while url:
        page = client.get(url, {"page_size": 2} if "page_size" not in url else None).json()
        assert page["count"] == 5
        pages.append([role["person"]["name"] for role in page["results"]])
        assert all(role["citations"] for role in page["results"])
        url = page["next"]
    assert pages == [everyone[:2], everyone[2:4], everyone[4:]]
    # In a list, each organization keeps its own first few, and counts its own.
    other = OrganizationFactory(name="Small Party")
    RoleFactory(organization=other, person=PersonFactory(name="Kairat Only"))
    listed = client.get("/api/v1/organizations/", {"search": "Party"}).json()["results"]
    by_name = {row["name"]: row for row in listed}
    assert [r["person"]["name"] for r in by_name["Hub Party"]["roles"]] == everyone[:SIZE]
    assert [r["person"]["name"] for r in by_name["Small Party"]["roles"]] == ["Kairat Only"]
    assert (by_name["Hub Party"]["roles_count"], by_name["Small Party"]["roles_count"]) == (5, 1)


def test_no_one_pages_the_roles_of_a_draft(client, hub):
    draft = OrganizationFactory(name="Draft Party", status=Status.DRAFT)
    RoleFactory(organization=draft)
    assert client.get(f"/api/v1/organizations/{draft.slug}/roles/").status_code == 404
    response = client.get(f"/api/v1/organizations/{hub.slug}/roles/?kind=party")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?page=2", 200),
        ("?page=3", 404),
        ("?page=x", 400),
        ("?page=1&page_size=0", 400),
        ("?kind=party", 400),
        ("?search=After", 400),
        ("?format=csv", 400),
    ],
)
def test_a_page_of_relations_takes_only_paging(client, hub, query, status):
    # Two a page: the hub's four incoming relations make two pages.
    response = client.get(f"/api/v1/organizations/{hub.slug}/related-from/{query}&page_size=2")
    assert response.status_code == status, response.content
    if status != 200:
        assert response["Content-Type"].startswith("application/problem+json")


def test_no_one_pages_the_relations_of_a_draft(client, hub):
    draft = OrganizationFactory(name="Draft Party", status=Status.DRAFT)
    RelationFactory(subject=draft, object=hub)
    for way in ("relations", "related-from"):
        assert client.get(f"/api/v1/organizations/{draft.slug}/{way}/").status_code == 404
        assert client.get(f"/api/v1/organizations/no-such-party/{way}/").status_code == 404


def test_a_page_of_relations_is_purged_with_its_organizations_page(client, hub):
    response = client.get(f"/api/v1/organizations/{hub.slug}/related-from/")
    keys = response["Surrogate-Key"].split()
    assert f"organization-{hub.pk}-page" in keys
    assert not any(key.startswith("list-") for key in keys)  # not purged by every change


def test_a_hubs_api_record_costs_what_an_ordinary_one_does(
    client, hub, shown_in_api, django_assert_max_num_queries
):
    # One row of each kind the hub has many of (a record with none of a kind skips its
    # query: kzpolitics.core.models.citations.CitedQuerySet.prefetch_present).
    other = OrganizationFactory(name="Small Party")
    RelationFactory(subject=other, object=hub)
    RelationFactory(subject=OrganizationFactory(name="Smaller Party"), object=other)
    EventFactory(title="Its event", date={"text": "1991", "edtf": "1991"}).organizations.add(other)
    RoleFactory(organization=other, person=PersonFactory(name="Its Leader"), kind=Role.Kind.LEADER)
    client.get(f"/api/v1/organizations/{other.slug}/")
    caches["pages"].clear()
    with django_assert_max_num_queries(16) as ordinary:
        client.get(f"/api/v1/organizations/{other.slug}/")
    caches["pages"].clear()
    with django_assert_max_num_queries(len(ordinary.captured_queries)):
        client.get(f"/api/v1/organizations/{hub.slug}/")
