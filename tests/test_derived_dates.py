"""Time that knows what it does not know (issue 14): founding and ending bounds derived from
published evidence where an organization's own date is empty, and ``active_on`` matches
marked certain or possible (``parties.lifespans``)."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kzpolitics.core.models import Status
from parties import lifespans
from parties.models import Organization, Relation
from tests.factories import (
    ElectionFactory,
    EventFactory,
    OrganizationFactory,
    RegistrationDecisionFactory,
    RelationFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/organizations/"
D = datetime.date


def listing(client, **params) -> dict[str, dict]:
    """The list's records for these parameters, by slug (the article has 100: one page)."""
    response = client.get(API, {"page_size": 500, **params})
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["next"] is None
    return {record["slug"]: record for record in body["results"]}


def record(client, slug: str) -> dict:
    response = client.get(f"{API}{slug}/")
    assert response.status_code == 200
    return response.json()


def fresh(client, **params) -> dict[str, dict]:
    """``listing`` with no response kept from before (a draft moves no data version)."""
    caches["pages"].clear()
    return listing(client, **params)


def dated(edtf: str) -> dict:
    return {"text": edtf, "edtf": edtf}


# -- the article's data ------------------------------------------------------------------------


def test_the_communist_party_possibly_existed_on_1_january_1995(client):
    parties = listing(client, kind="party", active_on="1995-01-01")
    communists = parties["communist-party-of-kazakhstan"]
    assert communists["certainty"] == lifespans.POSSIBLE
    # Split from the Soviet-era party after August 1991 (open), a member of the Popular
    # Front in February 1998: founded between, so perhaps not yet on 1 January 1995.
    assert communists["founding"]["earliest"] == "1991-08-01"
    assert communists["founding"]["latest"] == "1998-02-28"


def test_the_socialist_party_is_listed_certain_because_it_founded_respublika_in_april_1994(
    client,
):
    """The Socialist Party also split after August 1991, but it initiated Respublika in April
    1994 and joined the Popular Front in February 1998: it certainly existed in between."""
    socialists = listing(client, kind="party", active_on="1995-01-01")["socialist-party"]
    assert socialists["certainty"] == lifespans.CERTAIN
    founding = socialists["founding"]
    assert (founding["earliest"], founding["latest"]) == ("1991-08-01", "1994-04-30")
    assert {
        (e["kind"], e["organization"]["slug"], e["date"]["edtf"]) for e in founding["evidence"]
    } == {
        ("split_from", "communist-party-of-kazakhstan-soviet-era", "1991-08/.."),
        ("founded_by", "respublika", "1994-04"),
    }
    # Without the evidence of April 1994 it is only possible, as the Communist Party is.
    Relation.objects.filter(subject__slug="respublika", object__slug="socialist-party").update(
        status=Status.DRAFT
    )
    assert fresh(client, active_on="1995-01-01")["socialist-party"]["certainty"] == "possible"


def test_certainty_narrows_active_on(client):
    every = listing(client, kind="party", active_on="1995-01-01")
    certain = listing(client, kind="party", active_on="1995-01-01", certainty="certain")
    possible = listing(client, kind="party", active_on="1995-01-01", certainty="possible")
    assert "communist-party-of-kazakhstan" in possible
    assert "communist-party-of-kazakhstan" not in certain
    assert "socialist-party" in certain
    assert set(certain).isdisjoint(possible)
    assert set(certain) | set(possible) == set(every)
    assert {r["certainty"] for r in certain.values()} == {"certain"}
    assert {r["certainty"] for r in possible.values()} == {"possible"}


def test_parties_founded_late_1994_early_1995_are_possible_on_1_january_1995(client):
    late = set(
        Organization.objects.published()
        .filter(founded_edtf="1994-10/1995-03")
        .values_list("slug", flat=True)
    )
    assert len(late) >= 2
    active = listing(client, active_on="1995-01-01")
    assert {active[slug]["certainty"] for slug in late} == {"possible"}
    # By the spring of 1995 they were founded; whether they still existed, later evidence says.
    assert late <= set(listing(client, active_on="1995-04-01"))


def test_a_party_with_a_cited_founding_and_later_mentions_is_certain_between_them(client):
    # The People's Congress: founded in October 1991, in the Popular Front in February 1998.
    congress = "peoples-congress-of-kazakhstan"
    assert listing(client, active_on="1995-01-01")[congress]["certainty"] == "certain"
    assert listing(client, active_on="1991-10-15")[congress]["certainty"] == "possible"
    assert congress not in listing(client, active_on="1991-09-30")
    founding = record(client, congress)["founding"]
    assert founding == {
        "earliest": "1991-10-01",
        "latest": "1991-10-31",
        "derived": False,
        "evidence": [],
    }


def test_an_organization_nothing_dates_matches_no_day(client):
    undated = Organization.objects.published().get(slug="cpsu")
    assert not (undated.founded_edtf or undated.dissolved_edtf)
    body = record(client, "cpsu")
    assert body["founding"]["earliest"] is body["founding"]["latest"] is None
    assert "cpsu" not in listing(client, active_on="1990")


def test_the_database_and_the_listed_evidence_agree_on_every_bound():
    """The bounds the queryset computes (``with_time_bounds``, which filters use) are the ones
    the evidence rows give, read one by one (``Evidence.bound``) as pages and the API read them
    (``bounds_from``), for every organization, its own date winning where it has one."""
    organizations = list(Organization.objects.published().with_time_bounds())
    evidence = lifespans.evidence_of(Organization, [o.pk for o in organizations])
    derived = 0
    for organization in organizations:
        read = lifespans.bounds_from(organization, evidence[organization.pk])
        annotated = {name: getattr(organization, name) for name in lifespans.BOUNDS}
        assert read == annotated, organization.slug
        derived += sum(
            read[f"{side}_earliest"] is not None or read[f"{side}_latest"] is not None
            for side, own in (("founding", "founded"), ("ending", "dissolved"))
            if not getattr(organization, f"{own}_edtf")
        )
    assert derived > 20


def test_the_api_reads_the_bounds_the_database_gives(client):
    """The API's ``founding`` / ``ending`` (read from the evidence) are the annotations'."""
    listed = listing(client)
    for organization in Organization.objects.published().with_time_bounds():
        shown = listed[organization.slug]
        for side in ("founding", "ending"):
            for end in ("earliest", "latest"):
                value = getattr(organization, f"{side}_{end}")
                assert shown[side][end] == (value.isoformat() if value else None), (
                    organization.slug,
                    side,
                    end,
                )


# -- the rules, on records made for them -------------------------------------------------------


def test_founding_existence_and_ending_evidence(client):
    """A party that split from another in 1990, won seats in 1994, merged into a third in
    (some day of) 1997: certain from the end of 1990 to the first day of 1997, possible in
    1990 and in 1997 after its first day."""
    party, parent, successor = (OrganizationFactory(slug=f"test-{n}") for n in ("x", "p", "s"))
    RelationFactory(subject=party, object=parent, kind="split_from", date=dated("1990"))
    ResultFactory(organization=party, election=ElectionFactory(date=dated("1994-12-09")))
    RelationFactory(subject=party, object=successor, kind="merged_into", date=dated("1997"))
    founding, ending = record(client, "test-x")["founding"], record(client, "test-x")["ending"]
    assert (founding["earliest"], founding["latest"], founding["derived"]) == (
        "1990-01-01",
        "1990-12-31",
        True,
    )
    assert (ending["earliest"], ending["latest"]) == ("1997-01-01", "1997-12-31")
    assert [e["shows"] for e in ending["evidence"]] == ["ending"]
    assert listing(client, active_on="1990-06-01")["test-x"]["certainty"] == "possible"
    assert listing(client, active_on="1995-06-01")["test-x"]["certainty"] == "certain"
    assert listing(client, active_on="1997-01-01")["test-x"]["certainty"] == "certain"
    assert listing(client, active_on="1997-06-01")["test-x"]["certainty"] == "possible"
    assert "test-x" not in listing(client, active_on="1998-01-01")
    # The other ends existed then: the parent by 1990, the successor in 1997 and after it.
    parent_body = record(client, "test-p")
    assert parent_body["founding"]["latest"] == "1990-12-31"
    assert parent_body["ending"]["earliest"] == "1990-01-01"
    assert listing(client, active_on="2001")["test-s"]["certainty"] == "possible"


def test_an_event_is_a_mention_that_does_not_date_the_founding(client):
    party = OrganizationFactory(slug="test-mentioned", founded=dated("1990-05"))
    party.events.add(EventFactory(date=dated("1988")), EventFactory(date=dated("1996-03")))
    body = record(client, "test-mentioned")
    assert body["founding"]["derived"] is False
    assert body["ending"]["earliest"] == "1996-03-01"
    assert [e["type"] for e in body["ending"]["evidence"]] == ["event"]
    assert listing(client, active_on="1993")["test-mentioned"]["certainty"] == "certain"
    assert listing(client, active_on="1997")["test-mentioned"]["certainty"] == "possible"
    unfounded = OrganizationFactory(slug="test-only-events")
    unfounded.events.add(EventFactory(date=dated("1991-08")))
    founding = record(client, "test-only-events")["founding"]
    assert founding["earliest"] is founding["latest"] is None
    assert listing(client, active_on="1985")["test-only-events"]["certainty"] == "possible"


def test_a_liquidation_ends_a_registered_party(client):
    party = OrganizationFactory(slug="test-liquidated")
    RegistrationDecisionFactory(organization=party, date=dated("1992-03"))
    RegistrationDecisionFactory(organization=party, decision="liquidated", date=dated("2003"))
    ending = record(client, "test-liquidated")["ending"]
    assert (ending["earliest"], ending["latest"]) == ("2003-01-01", "2003-12-31")
    assert listing(client, active_on="1999")["test-liquidated"]["certainty"] == "certain"
    assert "test-liquidated" not in listing(client, active_on="2004")


def test_the_own_date_wins_over_evidence(client):
    party = OrganizationFactory(slug="test-own", founded=dated("1993"))
    RelationFactory(subject=party, kind="split_from", date=dated("1991"))
    founding = record(client, "test-own")["founding"]
    assert (founding["earliest"], founding["latest"], founding["derived"]) == (
        "1993-01-01",
        "1993-12-31",
        False,
    )


def test_a_period_matches_what_existed_on_some_day_of_it(client):
    OrganizationFactory(slug="test-short", founded=dated("1995-07-01"), dissolved=dated("1995-08"))
    assert listing(client, active_on="1995")["test-short"]["certainty"] == "certain"
    assert listing(client, active_on="1994-10/1995-07")["test-short"]["certainty"] == "certain"
    assert "test-short" not in listing(client, active_on="1995-21")  # spring: not yet founded
    assert "test-short" not in listing(client, active_on="1996")


# -- drafts change nothing ---------------------------------------------------------------------


def test_draft_evidence_changes_no_bound_and_no_match(client):
    slug = "communist-party-of-kazakhstan"
    before = (record(client, slug), fresh(client, active_on="1995-01-01")[slug])
    communists = Organization.objects.get(slug=slug)
    # Each would make it certain on 1 January 1995 were it public.
    RelationFactory(
        subject=OrganizationFactory(),
        object=communists,
        kind="founded_by",
        date=dated("1993"),
        status=Status.DRAFT,
    )
    RelationFactory(
        subject=OrganizationFactory(status=Status.DRAFT),
        object=communists,
        kind="founded_by",
        date=dated("1993"),
    )
    communists.events.add(EventFactory(date=dated("1993"), status=Status.DRAFT))
    ResultFactory(
        organization=communists, election=ElectionFactory(date=dated("1994"), status=Status.DRAFT)
    )
    RegistrationDecisionFactory(organization=communists, date=dated("1993"), status=Status.DRAFT)
    caches["pages"].clear()
    after = (record(client, slug), fresh(client, active_on="1995-01-01")[slug])
    assert after == before
    assert before[1]["certainty"] == "possible"


# -- the API -----------------------------------------------------------------------------------


def test_derived_bounds_are_marked_derived_with_their_evidence(client):
    founding = record(client, "communist-party-of-kazakhstan")["founding"]
    assert founding["derived"] is True
    split = founding["evidence"][0]
    assert {
        "shows": "founding",
        "type": "relation",
        "kind": "split_from",
        "role": "subject",
        "end": None,
        "event": None,
        "election": None,
        "api_url": None,
    }.items() <= split.items()
    assert split["date"] == {
        "text": "After the aborted coup of August 1991 in Moscow",
        "edtf": "1991-08/..",
        "earliest": "1991-08-01",
        "latest": None,
    }
    assert split["organization"]["slug"] == "communist-party-of-kazakhstan-soviet-era"
    assert split["organization"]["api_url"].endswith(
        "/api/v1/organizations/communist-party-of-kazakhstan-soviet-era/"
    )
    body = record(client, "otan")
    assert body["founding"]["derived"] is False
    assert (body["founding"]["earliest"], body["founding"]["latest"]) == (
        body["founded"]["earliest"],
        body["founded"]["latest"],
    )
    assert body["certainty"] is None  # no active_on


def test_the_list_with_active_on_runs_a_fixed_number_of_queries(client):
    def queries(size: int) -> int:
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as run:
            response = client.get(API, {"active_on": "1995", "page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(size, response.json()["count"])
        return len(run.captured_queries)

    queries(1)  # the content types, as a server's first request fills them
    # Pages the article's data fill with rows of every prefetched kind (a page with no
    # founding place skips that query).
    assert queries(20) == queries(60)


def test_the_list_with_active_on_stays_within_its_query_budget(
    client, django_assert_max_num_queries
):
    client.get(API, {"page_size": 1})  # the content types, as a server's first request
    caches["pages"].clear()
    # The organizations list's (count, records, 6 prefetches, which relations each gives,
    # citations, data version) and the evidence of the page's organizations: 12.
    with django_assert_max_num_queries(12):
        client.get(API, {"active_on": "1995-01-01", "certainty": "possible", "page_size": 100})


@pytest.mark.parametrize(
    "params, named",
    [
        ({"active_on": "1995-13-01"}, "active_on"),
        ({"active_on": "yesterday"}, "active_on"),
        ({"active_on": "1995-02-29"}, "active_on"),
        ({"active_on": "1996/1995"}, "active_on"),
        ({"certainty": "certain"}, "certainty"),
        ({"active_on": "1995", "certainty": "sure"}, "certainty"),
    ],
)
def test_a_malformed_query_is_a_400_naming_the_parameter(client, params, named):
    response = client.get(API, params)
    assert response.status_code == 400
    assert named in response.content.decode()


def test_the_organization_list_page_says_possibly(client):
    html = client.get("/organizations/", {"kind": "party", "active_on": "1995-01-01"})
    text = html.content.decode()
    assert html.status_code == 200
    communists = text.index('href="/organizations/communist-party-of-kazakhstan/"')
    assert "(possibly)" in text[communists : communists + 600]
    congress = text.index('href="/organizations/peoples-congress-of-kazakhstan/"')
    assert "(possibly)" not in text[congress : text.index("</th>", congress)]
