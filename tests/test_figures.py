"""The home page's figures (kzpolitics.site.figures): counted once after each public change
commits, shown from then in one query, and never shown once a later change made them stale."""

import pytest
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from elections.models import Election
from kzpolitics.core.models import Citation, DataVersion, Event, Person, Source
from kzpolitics.site import figures
from legislation.models import LegalAct
from parties.models import Organization

from .factories import OrganizationFactory
from .page_kinds import home_figures

pytestmark = pytest.mark.django_db


def kept() -> DataVersion:
    return DataVersion.objects.get(pk=1)


def test_a_public_change_has_the_figures_counted_once_it_commits(client, committed):
    with committed():
        OrganizationFactory(name="Figures Party")
    version = kept()
    assert version.figures_at == version.changed_at
    assert version.figures == figures.count()
    assert version.figures["organizations"] == Organization.objects.published().count()
    assert home_figures(client) == version.figures
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    # The article, the periods, their citations and the works they cite, the figures: none
    # of them counted.
    assert len(queries) <= 5, [q["sql"][:80] for q in queries]
    assert not [q for q in queries if "COUNT(" in q["sql"]]


def test_figures_of_an_older_version_are_never_shown(client, committed):
    with committed():
        OrganizationFactory()
    DataVersion.objects.filter(pk=1).update(figures={**figures.count(), "organizations": 999999})
    assert home_figures(client)["organizations"] == 999999  # what the page shows: the kept ones
    OrganizationFactory()  # a change whose count has not run yet (not committed)
    assert home_figures(client)["organizations"] == Organization.objects.published().count()


def test_figures_counted_while_the_data_changed_are_not_kept(monkeypatch):
    before = kept()
    real = figures.count

    def count_while_a_change_commits(public=True, using=None):
        counts = real(public, using)
        DataVersion.touch()
        return counts

    monkeypatch.setattr(figures, "count", count_while_a_change_commits)
    figures.refresh()
    after = kept()
    assert after.changed_at != before.changed_at
    assert (after.figures_at, after.figures) == (before.figures_at, before.figures)


def test_a_count_that_fails_still_purges_and_leaves_the_page_counting(
    client, committed, monkeypatch, caplog
):
    assert "After Failure" not in client.get("/organizations/").content.decode()  # cached
    real = figures.count

    def failing_on_the_primary(public=True, using=None):
        if using:
            raise DatabaseError("the primary went away")
        return real(public, using)

    monkeypatch.setattr(figures, "count", failing_on_the_primary)
    with committed():
        OrganizationFactory(name="After Failure")
    assert "could not be counted" in caplog.text
    assert "After Failure" in client.get("/organizations/").content.decode()
    assert kept().figures_at != kept().changed_at
    assert home_figures(client)["organizations"] == Organization.objects.published().count()


# A real commit, as the site makes it on PostgreSQL: no test transaction around it.
@pytest.mark.django_db(transaction=True)
def test_a_committed_save_leaves_the_figures_of_its_version(client):
    OrganizationFactory(name="Committed Party")
    version = kept()
    assert version.figures_at == version.changed_at
    assert version.figures == figures.count()
    assert home_figures(client)["organizations"] == Organization.objects.published().count()


def count_queries(client, url: str) -> tuple[dict, list[str]]:
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url).json()
    return answer, [q["sql"] for q in queries if "COUNT(" in q["sql"]]


def test_the_list_of_every_citation_takes_its_count_from_the_kept_figures(client, committed):
    with committed():
        OrganizationFactory()
    public = Citation.objects.published().count()
    for url in ("/api/v1/citations/", "/api/v1/citations/?page=2&page_size=7&ordering=-id"):
        answer, counted = count_queries(client, url)
        assert answer["count"] == public and not counted, url
    # A filter or a search changes how many: those are counted.
    for url in ("/api/v1/citations/?search=Ponomarev", "/api/v1/citations/?field=founded"):
        answer, counted = count_queries(client, url)
        assert counted and answer["count"] < public, url
    # What the list says is what is kept, while it is the current version's, and no longer.
    DataVersion.objects.filter(pk=1).update(figures={**figures.count(), "citations": 12})
    assert count_queries(client, "/api/v1/citations/")[0]["count"] == 12
    assert client.get("/api/v1/citations/?page=4&page_size=5").status_code == 404  # 12 in all
    OrganizationFactory()  # its citation, not yet committed: the kept figures are stale
    answer, counted = count_queries(client, "/api/v1/citations/")
    assert answer["count"] == Citation.objects.published().count() == public + 1 and counted


# Each API list of a kind the figures count, and that kind (its count: published()).
FIGURE_LISTS = {
    "/api/v1/organizations/": Organization,
    "/api/v1/people/": Person,
    "/api/v1/events/": Event,
    "/api/v1/elections/": Election,
    "/api/v1/acts/": LegalAct,
    "/api/v1/sources/": Source,
    "/api/v1/citations/": Citation,
}


@pytest.mark.parametrize("url", FIGURE_LISTS)
def test_every_list_of_a_counted_kind_takes_its_count_from_the_kept_figures(client, committed, url):
    with committed():
        OrganizationFactory()
    public = FIGURE_LISTS[url].objects.published().count()
    answer, counted = count_queries(client, f"{url}?page_size=1&ordering=-updated_at")
    # (A list of sources counts the citations of each of its sources: not how many it holds.)
    assert answer["count"] == public and not [sql for sql in counted if '"__count"' in sql]
    # A search is counted, and what is kept is never said once stale.
    assert count_queries(client, f"{url}?search=zzzz")[1]
    OrganizationFactory()  # not committed: the kept figures are of an earlier version
    assert count_queries(client, url)[1]
