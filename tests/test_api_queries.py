"""Every list and detail endpoint runs a fixed number of queries, however many records it
returns and however many rows each record nests (names, roles, results, citations...).

The numbers are pinned so that a regression (a serializer field that queries per row, a
prefetch that goes missing) fails here with the queries it ran. Django's content-type cache is
filled first, as the first request of a server process fills it: later requests never
query it again.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from elections.models import Election, Result
from kzpolitics.core.coverage import cited_models
from kzpolitics.core.models import Citation, Event, Person, Source
from legislation.models import LegalAct, RegistrationDecision
from parties.models import Organization, Relation
from tests.factories import (
    CitationFactory,
    ElectionFactory,
    EventFactory,
    LegalActFactory,
    MembershipFigureFactory,
    OrganizationFactory,
    OrganizationNameFactory,
    PersonFactory,
    PersonNameFactory,
    PlaceFactory,
    ProvisionFactory,
    RegistrationDecisionFactory,
    RelationFactory,
    ResultFactory,
    RoleFactory,
    RoundFactory,
    SourceFactory,
    StanceFactory,
)

pytestmark = pytest.mark.django_db

# Queries per request: the page's count (or the figures kept with the data version, for a
# list unfiltered: RecordViewSet.figure), the records, one per prefetched relation (the
# records a row points to come joined), two for the citations of all of them (the
# citations, then the works they cite, each work once: attach_sources), and the data version
# (the response cache's key, which Last-Modified reuses). A detail runs the same less the
# count. A link to a record a row may be public without (a founding place, the body that
# adopted an act, an event's place) is prefetched among the public ones (published_prefetch),
# one query each, or joined with whether the public may see it (with_public_links), left
# empty when not: joined alone, it would show a draft's name.
CITED = 2
LIST_QUERIES = {
    # names, stances, membership figures, roles (with their people), relations both ways in
    # one (with the organizations at their ends): 5, the founding place joined; which of their
    # relations each gives (the first RELATIONS_SHOWN each way: their keys): 1; the evidence
    # that dates them (founding / ending bounds, parties.lifespans): 1
    "organizations": 1 + 1 + 5 + 1 + 1 + CITED + 1,
    "people": 1 + 1 + 2 + CITED + 1,  # names, roles (with their organizations)
    "elections": 1 + 1 + 2 + CITED + 1,  # rounds, results (with their party, person and round)
    "results": 1 + 1 + CITED + 1,  # election, party, person, round come joined
    "acts": 1 + 1 + 1 + CITED + 1,  # provisions; the body that adopted it comes joined
    "registrations": 1 + 1 + 0 + CITED + 1,  # the organization, act and deciding body: joined
    "events": 1 + 1 + 4 + CITED + 1,  # organizations, people, elections, acts; the place joined
    # how many citations the public may see name each source of the page, in two queries:
    # the citations, then their records among the public ones (Citation.public_rows). cited_by
    # is a count and the address of the citations that give them: a source may back
    # thousands of facts
    "sources": 1 + 1 + 2 + 1,
    "citations": 1 + 1 + 1 + 1,  # record type, source and via come joined; the records: 1
}
# The article's citations back records of every kind: one more query per further kind.
PER_KIND = {"citations"}
DETAIL_QUERIES = {endpoint: queries - 1 for endpoint, queries in LIST_QUERIES.items()}

SMALL, LARGE = 10, 200
ARTICLE_SAMPLE = 120  # every article record, but only the first 120 of its 1,015 citations


# Builders: ``count`` records of an endpoint's kind, each with the rows its serializer nests,
# every row cited (one citation straight, one via a second source). bulk_create keeps 200
# records fast; the factories' own ``create`` would make a source per citation. The records
# carry no dates: reading an EDTF value takes milliseconds, and dates cost no queries.


def bulk(factory, rows: list[dict]) -> list[Model]:
    model = factory._meta.model
    return model.objects.bulk_create([factory.build(**row) for row in rows])


def cite(records, sources) -> None:
    source, via = sources
    Citation.objects.bulk_create(
        [CitationFactory.build(content_object=record, source=source) for record in records]
        + [
            CitationFactory.build(content_object=record, source=source, via=via, footnote=1)
            for record in records
        ]
    )


def make_organizations(count, sources):
    place = PlaceFactory()
    orgs = bulk(OrganizationFactory, [{"founding_place": place}] * count)
    people = bulk(PersonFactory, [{}] * count)
    pairs = list(zip(orgs, orgs[1:] + orgs[:1], strict=True))  # each with its neighbour
    nested = [
        *bulk(OrganizationNameFactory, [{"organization": o} for o in orgs for _ in range(2)]),
        *bulk(StanceFactory, [{"organization": o} for o in orgs]),
        *bulk(MembershipFigureFactory, [{"organization": o} for o in orgs]),
        *bulk(
            RoleFactory,
            [{"organization": o, "person": p} for o, p in zip(orgs, people, strict=True)],
        ),
        *bulk(
            RelationFactory,
            [{"subject": a, "object": b, "kind": Relation.Kind.SPLIT_FROM} for a, b in pairs]
            + [{"subject": b, "object": a, "kind": Relation.Kind.FOUNDED_BY} for a, b in pairs],
        ),
    ]
    cite([*orgs, *people, *nested], sources)
    return orgs


def make_people(count, sources):
    people = bulk(PersonFactory, [{}] * count)
    party = OrganizationFactory()
    nested = [
        *bulk(PersonNameFactory, [{"person": p} for p in people for _ in range(2)]),
        *bulk(RoleFactory, [{"person": p, "organization": party} for p in people]),
        *bulk(
            RoleFactory, [{"person": p, "organization": None, "title": "minister"} for p in people]
        ),
    ]
    cite([*people, *nested], sources)
    return people


def make_elections(count, sources):
    elections = bulk(ElectionFactory, [{}] * count)
    party, candidate = OrganizationFactory(), PersonFactory()
    rounds = bulk(RoundFactory, [{"election": e, "number": n} for e in elections for n in (1, 2)])
    results = bulk(
        ResultFactory,
        [{"election": r.election, "round": r, "organization": party, "seats": 3} for r in rounds]
        + [{"election": e, "organization": None, "person": candidate} for e in elections],
    )
    cite([*elections, *rounds, *results], sources)
    return elections


def make_results(count, sources):
    election = ElectionFactory()
    first = RoundFactory(election=election, number=1)
    parties = bulk(OrganizationFactory, [{}] * (count // 2))
    candidates = bulk(PersonFactory, [{}] * (count - count // 2))
    results = bulk(
        ResultFactory,
        [{"election": election, "round": first, "organization": p, "seats": 1} for p in parties]
        + [{"election": election, "organization": None, "person": p} for p in candidates],
    )
    cite(results, sources)
    return results


def make_acts(count, sources):
    body = OrganizationFactory(kind=Organization.Kind.STATE_BODY)
    acts = bulk(LegalActFactory, [{"body": body}] * count)
    provisions = bulk(ProvisionFactory, [{"act": a, "position": n} for a in acts for n in (1, 2)])
    cite([*acts, *provisions], sources)
    return acts


def make_registrations(count, sources):
    act = LegalActFactory()
    ministry = OrganizationFactory(kind=Organization.Kind.STATE_BODY)
    parties = bulk(OrganizationFactory, [{}] * count)
    decisions = bulk(
        RegistrationDecisionFactory,
        [{"organization": p, "act": act, "body": ministry} for p in parties],
    )
    cite(decisions, sources)
    return decisions


def make_events(count, sources):
    place = PlaceFactory()
    events = bulk(EventFactory, [{"place": place}] * count)
    party, person = OrganizationFactory(), PersonFactory()
    election, act = ElectionFactory(), LegalActFactory()
    for through, column, value in (
        (Organization.events.through, "organization", party),
        (Election.events.through, "election", election),
        (LegalAct.events.through, "legalact", act),
        (Event.people.through, "person", person),
    ):
        through.objects.bulk_create([through(event=e, **{column: value}) for e in events])
    cite(events, sources)
    return events


def make_sources(count, sources):
    works = bulk(SourceFactory, [{"date": {}}] * count)
    party = OrganizationFactory()
    Citation.objects.bulk_create(
        [CitationFactory.build(content_object=party, source=w) for w in works]
        + [CitationFactory.build(content_object=party, source=w, via=sources[0]) for w in works]
    )
    return works


def make_citations(count, sources):
    parties = bulk(OrganizationFactory, [{}] * count)
    source, via = sources
    return Citation.objects.bulk_create(
        [
            CitationFactory.build(content_object=p, source=source, via=via, footnote=n)
            for n, p in enumerate(parties, start=1)
        ]
    )


ENDPOINTS = {
    "organizations": (make_organizations, Organization, "slug"),
    "people": (make_people, Person, "slug"),
    "elections": (make_elections, Election, "slug"),
    "results": (make_results, Result, "pk"),
    "acts": (make_acts, LegalAct, "slug"),
    "registrations": (make_registrations, RegistrationDecision, "pk"),
    "events": (make_events, Event, "slug"),
    "sources": (make_sources, Source, "slug"),
    "citations": (make_citations, Citation, "pk"),
}


@pytest.fixture
def sources():
    """Two sources every made citation shares: the work cited, and the one it is known via."""
    return SourceFactory(), SourceFactory()


@pytest.fixture(autouse=True)
def content_types_cached():
    ContentType.objects.get_for_models(*cited_models())


def get_counted(client, django_assert_max_num_queries, url, expected, **params):
    caches["pages"].clear()  # the work of a miss (the builders' bulk_create moves no version)
    with django_assert_max_num_queries(expected):  # a ceiling, whatever the number of records
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return response


def page_of(client, django_assert_max_num_queries, endpoint, page_size, **params):
    """A page of the newest records (the ones just made), counting its queries.

    A page of sources or citations that reaches the article's records (cited by records of
    every kind) may run one more query per kind of record, never one more per row."""
    url = f"/api/v1/{endpoint}/"
    params = {"page_size": page_size, "ordering": "-updated_at", **params}
    if endpoint in PER_KIND:
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        assert response.status_code == 200, response.content[:300]
        kinds = len(cited_models())
        assert LIST_QUERIES[endpoint] <= len(captured) <= LIST_QUERIES[endpoint] + kinds - 1
        return response
    expected = LIST_QUERIES[endpoint]
    return get_counted(client, django_assert_max_num_queries, url, expected, **params)


@pytest.mark.slow  # 200 records of every kind, built through the ORM
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_list_runs_the_same_queries_for_10_and_for_200_records(
    client, django_assert_max_num_queries, sources, endpoint
):
    make, _, _ = ENDPOINTS[endpoint]
    make(SMALL, sources)
    for page_size in (SMALL, LARGE):
        page = page_of(client, django_assert_max_num_queries, endpoint, page_size).json()
        assert len(page["results"]) == min(page_size, page["count"])
    make(LARGE - SMALL, sources)
    for page_size in (SMALL, LARGE):
        page = page_of(client, django_assert_max_num_queries, endpoint, page_size).json()
        assert len(page["results"]) == page_size


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_csv_download_runs_a_page_s_queries_per_chunk_of_records(
    client, sources, endpoint, monkeypatch
):
    """The CSV of a list is every row, streamed a chunk of records at a time: each chunk runs
    the queries of one JSON page (its records, one per prefetched relation, their citations),
    never one per row. 200 records in chunks of 50: four pages' queries and the keys'."""
    from kzpolitics.core.csv_format import StreamedCSVMixin

    monkeypatch.setattr(StreamedCSVMixin, "csv_chunk_size", 50)
    make, _, _ = ENDPOINTS[endpoint]
    make(LARGE, sources)
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/{endpoint}/", {"format": "csv"})
        body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200, body[:300]
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) >= LARGE
    chunks = -(-len(rows) // 50)
    per_chunk = LIST_QUERIES[endpoint] + (len(cited_models()) - 1 if endpoint in PER_KIND else 0)
    assert len(captured) <= 2 + chunks * per_chunk, "\n".join(q["sql"][:120] for q in captured)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_detail_runs_a_fixed_number_of_queries_however_many_records_there_are(
    client, django_assert_max_num_queries, sources, endpoint
):
    make, _, lookup = ENDPOINTS[endpoint]
    among_few = make(SMALL, sources)[0]
    among_many = make(LARGE - SMALL, sources)[-1]
    for record in (among_few, among_many):
        url = f"/api/v1/{endpoint}/{getattr(record, lookup)}/"
        response = get_counted(client, django_assert_max_num_queries, url, DETAIL_QUERIES[endpoint])
        assert response.json()["id"] == record.pk


@pytest.mark.slow  # a sweep: the detail of every record of the article
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_no_record_of_the_article_needs_more_queries_than_that(
    client, django_assert_max_num_queries, endpoint
):
    """Django skips the prefetch of rows nested in an empty relation (the citations of the
    names of an organization that has none), so a record with less nested needs fewer."""
    _, model, lookup = ENDPOINTS[endpoint]
    records = model.objects.order_by("pk")[:ARTICLE_SAMPLE]
    bound = DETAIL_QUERIES[endpoint]
    if endpoint in PER_KIND:
        bound += len(cited_models()) - 1
    for record in records:
        with django_assert_max_num_queries(bound):
            response = client.get(f"/api/v1/{endpoint}/{getattr(record, lookup)}/")
        assert response.json()["id"] == record.pk


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_a_read_builds_its_queryset_once(client, monkeypatch, method):
    """DRF's model permissions build the view's queryset to learn its model, even for a read
    that needs no permission: with the lifespans' annotations that was a quarter of a cold
    organization answer. A read builds it once, for the answer."""
    from parties.api import OrganizationViewSet

    built = []
    real = OrganizationViewSet.published_queryset
    monkeypatch.setattr(
        OrganizationViewSet, "published_queryset", lambda self: built.append(1) or real(self)
    )
    slug = Organization.objects.published().values_list("slug", flat=True).first()

    assert getattr(client, method)(f"/api/v1/organizations/{slug}/").status_code == 200
    assert len(built) <= 1
