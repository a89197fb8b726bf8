"""A record's page and API record skip the query of each kind of row the record has none of
(``CitedQuerySet.prefetch_present``, ``with_presence``): the answers are the same as when
every query runs (every organization, event, place and person of the article), an
organization with few kinds of row runs fewer queries, and a row the public may not see still
counts as a row (its query runs, and shows nothing)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kzpolitics.core.models import Event, Person, Place, Status
from kzpolitics.core.models.citations import CitedQuerySet, present_flag
from kzpolitics.core.reuse import forget_built
from parties.models import Organization, Stance

from . import page_kinds
from .factories import EventFactory, OrganizationFactory
from .page_kinds import answers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uncached(settings):
    """Every answer made afresh: the response cache would give the first one back."""
    settings.PAGE_CACHE_ENABLED = False


def every_query(monkeypatch) -> None:
    """The code as it was: each prefetch queried for every record, no presence asked."""
    monkeypatch.setattr(
        CitedQuerySet,
        "prefetch_present",
        lambda self, *lookups, ask=True: self.prefetch_related(*lookups),
    )
    monkeypatch.setattr(CitedQuerySet, "with_presence", lambda self, *names, ask=True: self.all())
    forget_built()  # the views' querysets, built with the presence asked (kzpolitics.core.reuse)


def record_paths() -> list[str]:
    """Every published organization's, event's, place's and person's page and API record."""
    kinds = (
        (Organization, "organizations", "organizations"),
        (Event, "events", "events"),
        (Place, "places", "places"),
        (Person, "people", "people"),
    )
    paths = page_kinds.record_paths(kinds, more_than=10)
    return paths + [
        "/api/v1/events/?page_size=500",
        "/api/v1/organizations/?page_size=500",
        "/organizations/otan/?relations=2&events=2",
        "/organizations/otan/?relations=99",
    ]


def test_every_record_page_and_api_record_is_the_same_as_with_every_query(client, monkeypatch):
    paths = record_paths()
    skipping = answers(client, paths)
    every_query(monkeypatch)
    assert answers(client, paths) == skipping


@pytest.mark.parametrize(
    ("page", "fewer"),
    [("/organizations/{}/", 8), ("/api/v1/organizations/{}/", 5)],
    ids=["page", "api-record"],
)
def test_an_organization_with_few_kinds_of_row_runs_fewer_queries(client, monkeypatch, page, fewer):
    """A party with one name and nothing else: its page reads no stances, figures, roles,
    results, decisions, acts, relations or events; its API record no stances, figures,
    roles, relations, and no evidence of its dates."""
    party = OrganizationFactory(slug="a-lone-party", name="A Lone Party")
    path = page.format(party.slug)
    client.get(path)
    with CaptureQueriesContext(connection) as skipping:
        assert client.get(path).status_code == 200
    every_query(monkeypatch)
    with CaptureQueriesContext(connection) as every:
        assert client.get(path).status_code == 200
    assert len(every) - len(skipping) >= fewer, [q["sql"][:80] for q in skipping]


def test_a_row_the_public_may_not_see_counts_as_present_and_stays_hidden(client):
    party = OrganizationFactory(slug="a-party-with-a-draft-stance", name="A Party")
    Stance.objects.create(
        organization=party,
        stance=Stance.Kind.choices[0][0],
        wording="A draft stance nobody may read",
        status=Status.DRAFT,
    )
    event = EventFactory(slug="a-draft-event", title="A draft event", status=Status.DRAFT)
    party.events.add(event)
    fetched = (
        Organization.objects.published()
        .with_presence("stances", "events", "results")
        .get(pk=party.pk)
    )
    assert getattr(fetched, present_flag("stances")) is True
    assert getattr(fetched, present_flag("events")) is True
    assert getattr(fetched, present_flag("results")) is False
    page = client.get(party.get_absolute_url()).content.decode()
    api = client.get(f"/api/v1/organizations/{party.slug}/").json()
    assert "draft stance" not in page and "A draft event" not in page
    assert api["stances"] == []


def test_a_record_with_none_of_a_kind_is_kept_with_an_empty_list_and_no_query(
    django_assert_num_queries,
):
    party = OrganizationFactory(slug="a-party-with-no-stance", name="A Party")
    rows = Organization.objects.published().filter(pk=party.pk).prefetch_present("stances")
    with django_assert_num_queries(1):
        (fetched,) = rows
        assert list(fetched.stances.all()) == []


def test_presence_is_asked_only_of_relations_that_hang_rows_on_the_record():
    with pytest.raises(ValueError, match="founding_place"):
        Organization.objects.with_presence("founding_place")
