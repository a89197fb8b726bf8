"""HTTP behaviour of the API: conditional GET, throttling, forgiving search."""

import pytest
from django.core.cache import cache
from rest_framework.throttling import AnonRateThrottle

from kzpolitics.core.models import DataVersion, Person, Status
from parties.models import Organization

pytestmark = pytest.mark.django_db

LIST = "/api/v1/organizations/"


def test_lists_carry_an_etag_and_the_time_of_the_last_change(client):
    response = client.get(LIST)
    assert response.status_code == 200
    assert response["ETag"]
    assert response["Last-Modified"]


def test_an_unchanged_list_answers_304_to_its_etag(client):
    first = client.get(LIST)
    again = client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_an_unchanged_list_answers_304_to_its_last_modified(client):
    first = client.get(LIST)
    again = client.get(LIST, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


def test_an_edit_makes_the_old_etag_and_date_stale(client, committed):
    DataVersion.objects.filter(pk=1).update(changed_at="2000-01-01T00:00:00Z")
    first = client.get(LIST)
    party = Organization.objects.order_by("name").first()
    with committed():
        party.name = "Renamed for the test"
        party.save()
    assert client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    assert client.get(LIST, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200


def test_deleting_a_record_moves_the_data_version_on():
    before = DataVersion.current()
    # A published one: a draft's coming and going changes nothing the public sees.
    Person.objects.create(slug="short-lived", name="Short Lived", status=Status.PUBLISHED).delete()
    assert DataVersion.current() > before


@pytest.fixture
def low_anonymous_rate(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/minute", raising=False)
    cache.clear()
    yield
    cache.clear()


def test_anonymous_requests_are_throttled_with_retry_after(client, low_anonymous_rate):
    # Four different pages: each one is work for the database, not an answer from the cache.
    statuses = [client.get(LIST, {"page_size": n}).status_code for n in range(1, 5)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(LIST, {"page_size": 5})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["detail"].lower()


def test_a_page_served_from_the_response_cache_is_not_counted_against_the_rate(
    client, low_anonymous_rate
):
    """A hit costs what the cheapest response does; the rate guards the database's work."""
    responses = [client.get(LIST) for _ in range(5)]
    assert [r.status_code for r in responses] == [200] * 5
    assert [r["X-Cache"] for r in responses] == ["miss"] + ["hit"] * 4
    assert client.get(LIST, {"page_size": 2}).status_code == 200
    assert client.get(LIST, {"page_size": 3}).status_code == 200
    assert client.get(LIST, {"page_size": 4}).status_code == 429


def test_search_forgives_a_misspelling_on_every_database(client):
    Person.objects.create(
        slug="test-kozhakhmetov", name="Testname Kozhakhmetov", status=Status.PUBLISHED
    )
    names = [
        p["name"]
        for p in client.get("/api/v1/people/", {"search": "Kozhakmetov"}).json()["results"]
    ]
    # One letter away (k for kh) on either database: the search service's typo check is the
    # same on both (kzpolitics.core.search); PostgreSQL answers it from a trigram index.
    assert "Testname Kozhakhmetov" in names
    exact = client.get("/api/v1/people/", {"search": "Kozhakhmetov"}).json()["results"]
    assert [p["name"] for p in exact] == ["Testname Kozhakhmetov"]
