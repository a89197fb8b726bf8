"""The places index, /places/: every published place by kind, with the names it bore; never a
draft place, a draft name or a draft citation."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.urls import reverse

from kzpolitics.core.models import Citation, Place, PlaceName, Status

from .factories import PlaceFactory, PlaceNameFactory, SourceFactory
from .page_kinds import sitemap_addresses

pytestmark = pytest.mark.django_db


def get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_places_index_lists_every_published_place_by_kind_linked(client):
    assert reverse("kzpolitics:place-list") == "/places/"
    html = get(client, "/places/")
    assert "<h1>Places</h1>" in html
    for place in Place.objects.published():
        assert f'<a href="{place.get_absolute_url()}">{place.name}</a>' in html.replace(
            "&#x27;", "'"
        ), place
    # Groups in the order of the kinds, each a heading the page's contents link to.
    headings = re.findall(r'<h2 id="kind-([a-z-]+)">', html)
    kinds = [kind.replace("_", "-") for kind in Place.Kind.values]
    assert headings == [kind for kind in kinds if kind in headings]
    assert all(f'href="#kind-{kind}"' in html for kind in headings)
    cities = html.split('<h2 id="kind-city">')[1].split("</section>")[0]
    assert "/places/alma-ata/" in cities


def test_a_place_shows_its_names_of_other_times(client):
    place = PlaceFactory(name="Astana Test", kind=Place.Kind.CITY)
    PlaceNameFactory(place=place, name="Tselinograd Test", start={"text": "1961", "edtf": "1961"})
    PlaceNameFactory(place=place, name="Astana Test", kind=PlaceName.Kind.OFFICIAL)
    html = get(client, "/places/")
    item = html.split(f'<a href="{place.get_absolute_url()}">')[1].split("</li>")[0]
    assert "Tselinograd Test" in item
    assert "1961" in item
    assert item.count("Astana Test") == 1  # the name it is listed under is not repeated


def test_a_draft_place_name_or_citation_never_shows(client):
    hidden = PlaceFactory(name="Secret Draft Town", status=Status.DRAFT)
    PlaceNameFactory(place=hidden, name="Secret Draft Former Name")
    shown = PlaceFactory(name="Public Town")
    PlaceNameFactory(place=shown, name="Secret Draft Name Of Public Town", status=Status.DRAFT)
    name = PlaceNameFactory(place=shown, name="Public Former Name")
    Citation.objects.create(
        content_type=ContentType.objects.get_for_model(name),
        object_id=name.pk,
        source=SourceFactory(title="Secret Draft Source"),
        quote="a secret draft quote",
        status=Status.DRAFT,
    )
    html = get(client, "/places/")
    assert "Public Town" in html and "Public Former Name" in html
    assert "Secret" not in html
    assert hidden.slug not in html


def test_the_place_pages_breadcrumb_links_to_the_index(client):
    html = get(client, "/places/alma-ata/")
    assert '<p class="meta"><a href="/places/">Places</a> › ' in html


def test_the_sitemap_lists_the_index_and_each_published_place(client):
    hidden = PlaceFactory(status=Status.DRAFT)
    listed = sitemap_addresses(lambda path: get(client, path))
    assert "/places/" in listed
    assert "/places/alma-ata/" in listed
    assert hidden.get_absolute_url() not in listed


def test_the_index_asks_the_same_queries_for_few_places_as_for_many(
    client, django_assert_max_num_queries
):
    get(client, "/places/")
    caches["pages"].clear()
    with django_assert_max_num_queries(8) as few:
        get(client, "/places/")
    for _ in range(15):
        PlaceNameFactory(place=PlaceFactory())
    caches["pages"].clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        get(client, "/places/")
