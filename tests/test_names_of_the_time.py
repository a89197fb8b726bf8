"""Names of the time: a place or an organization named on a date shows the name it bore
then, linked to its page; nicknames are labelled so; a place's names are in date order."""

import datetime
import re

import pytest

from kzpolitics.core.dates import UncertainDateValue, bounds
from kzpolitics.core.models import Place, PlaceName, Status
from legislation.models import RegistrationDecision
from parties.models import Organization, OrganizationName

from .factories import (
    EventFactory,
    OrganizationFactory,
    OrganizationNameFactory,
    PlaceFactory,
    PlaceNameFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date


def when(edtf: str) -> UncertainDateValue:
    return UncertainDateValue("", edtf, *bounds(edtf))


def dated(edtf: str) -> dict:
    return {"text": "", "edtf": edtf}


@pytest.fixture
def city():
    """Tselinograd until 1992, Akmola until May 1998, then Astana (an undated variant too)."""
    place = PlaceFactory(name="Astana")
    PlaceNameFactory(place=place, name="Tselinograd", end=dated("1992"))
    PlaceNameFactory(place=place, name="Akmola", start=dated("1992"), end=dated("1998-05"))
    PlaceNameFactory(
        place=place, name="Astana", kind=PlaceName.Kind.OFFICIAL, start=dated("1998-05")
    )
    PlaceNameFactory(place=place, name="Aqmola", kind=PlaceName.Kind.VARIANT)
    return place


def test_a_day_inside_a_names_period_gets_that_name(city):
    assert city.name_on(DAY(1988, 12, 17)) == "Tselinograd"
    assert city.name_on(DAY(1993, 3, 27)) == "Akmola"
    assert city.name_on(DAY(2004, 9, 19)) == "Astana"


def test_across_a_rename_the_name_follows_the_day(city):
    assert city.name_on(DAY(1991, 12, 31)) == "Tselinograd"
    assert city.name_on(DAY(1993, 1, 1)) == "Akmola"
    assert city.name_on(DAY(1998, 6, 1)) == "Astana"


def test_an_uncertain_date_prefers_the_name_in_use_over_its_whole_span(city):
    assert city.name_on(when("1995")) == "Akmola"  # in use all year
    assert city.name_on(when("1990/1991")) == "Tselinograd"
    # May 1998 straddles the rename: of the names it may have borne, the newer one.
    assert city.name_on(when("1998-05")) == "Astana"


def test_no_date_or_no_dated_name_gives_the_current_name(city):
    assert city.name_on(None) == "Astana"
    assert city.name_on(UncertainDateValue()) == "Astana"
    undated = PlaceFactory(name="Karaganda")
    PlaceNameFactory(place=undated, name="Qaraghandy", kind=PlaceName.Kind.VARIANT)
    assert undated.name_on(DAY(1990, 1, 1)) == "Karaganda"
    assert PlaceFactory(name="Nowhere").name_on(DAY(1990, 1, 1)) == "Nowhere"


def test_variants_nicknames_and_unpublished_names_are_never_the_name_of_the_time():
    party = OrganizationFactory(name="Otan")
    OrganizationNameFactory(
        organization=party,
        name="party of bureaucrats",
        kind=OrganizationName.Kind.NICKNAME,
        start=dated("1999"),
    )
    OrganizationNameFactory(
        organization=party,
        name="Draft name",
        kind=OrganizationName.Kind.OFFICIAL,
        start=dated("1999"),
        status=Status.DRAFT,
    )
    assert party.name_on(DAY(2000, 1, 1)) == "Otan"


def test_the_articles_organizations_are_named_as_the_article_names_them_then():
    alash = Organization.objects.get(slug="republican-party-of-kazakhstan")
    assert alash.name_on(when("1991-09")) == "Republican Party of Kazakhstan"
    assert alash.name_on(when("2000")) == "National Party of Kazakhstan Alash"
    assert alash.name_on(when("2002/2003")) == "Alash Party"
    compatriot = Organization.objects.get(slug="russian-party-of-kazakhstan")
    assert compatriot.name_on(when("2002-04")) == "Russian Party of Kazakhstan"
    assert compatriot.name_on(when("2002/2003")) == "Compatriot"
    astana = Place.objects.get(slug="astana")
    assert astana.name_on(when("1988-12")) == "Tselinograd"
    assert astana.name_on(DAY(1993, 3, 27)) == "Akmola"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_lads_page_says_it_was_founded_in_akmola_now_astana_linked_to_the_city(client):
    html = client.get("/organizations/lad/").content.decode()
    assert re.search(r'<a href="/places/astana/">Akmola</a> \(now Astana\)', html)


def test_the_2002_law_names_the_refused_parties_as_they_were_called_then(client):
    html = client.get("/acts/law-on-political-parties-2002/").content.decode()
    decision = RegistrationDecision.objects.get(
        organization__slug="republican-party-of-kazakhstan",
        act__slug="law-on-political-parties-2002",
    )
    link = f'<a href="/organizations/republican-party-of-kazakhstan/#registration-{decision.pk}">'
    assert f"{link}Alash Party</a>" in html
    assert ">Compatriot</a>" in html
    table = html.split('id="registrations"', 1)[1].split("</table>", 1)[0]
    assert "Republican Party of Kazakhstan" not in text_of(table)


def test_an_events_place_is_named_as_it_was_then(client):
    city = PlaceFactory(name="Astana")
    PlaceNameFactory(place=city, name="Akmola", start=dated("1992"), end=dated("1998-05"))
    happening = EventFactory(place=city, date={"text": "In 1995", "edtf": "1995"})
    html = client.get(happening.get_absolute_url()).content.decode()
    assert f'<a href="{city.get_absolute_url()}">Akmola</a> (now Astana)' in html


def test_nicknames_are_labelled_as_nicknames(client):
    text = text_of(client.get("/organizations/otan/").content.decode())
    assert "party of bureaucrats (nickname)" in text
    assert "party of nomenklatura (nickname)" in text
    assert "bureaucrats (variant spelling)" not in text


def test_a_places_names_are_listed_in_date_order(client):
    text = text_of(client.get("/places/astana/").content.decode())
    names = text.split(" Names ", 1)[1]
    assert names.index("Tselinograd") < names.index("Akmola") < names.index("Astana (official")
