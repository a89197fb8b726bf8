"""The research API, endpoint by endpoint and filter by filter, as researchers use it.

The test database holds the founding article's data; expectations come from that data (read
through the ORM or from the API's own unfiltered lists), never from pasted responses.
"""

from __future__ import annotations

import csv
import datetime
import importlib
import io
import json
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken

from elections.models import Election, Result
from kzpolitics.core import dates
from kzpolitics.core.cells import safe_cell
from kzpolitics.core.models import (
    Citation,
    Event,
    Period,
    Person,
    PersonName,
    Place,
    Source,
    Status,
)
from kzpolitics.core.rest import MAX_PAGE_SIZE, Pagination
from kzpolitics.core.search import key_of, search
from kzpolitics.site.api import router
from legislation.models import LegalAct, RegistrationDecision
from parties.models import Organization
from tests.plans import plan_at_scale

pytestmark = pytest.mark.django_db

API = "/api/v1/"

# endpoint: (model, the key its detail route takes)
ENDPOINTS = {
    "organizations": (Organization, "slug"),
    "people": (Person, "slug"),
    "elections": (Election, "slug"),
    "results": (Result, "pk"),
    "acts": (LegalAct, "slug"),
    "registrations": (RegistrationDecision, "pk"),
    "events": (Event, "slug"),
    "sources": (Source, "slug"),
    "citations": (Citation, "pk"),
    "places": (Place, "slug"),
    "periods": (Period, "slug"),
}
# Records that carry their own citations (sources are what citations point at; citations are
# the citations).
CITED = [e for e in ENDPOINTS if e not in ("sources", "citations")]
CITATION_KEYS = {"source", "field", "locator", "quote", "via"}
DATE_KEYS = {"text", "edtf", "earliest", "latest"}


def get(client, path, **params):
    return client.get(path if path.startswith("/") else API + path, params)


def named(response) -> dict[str, str]:
    """What a 400 names: its problem details' invalid-params, by parameter or field path
    (``founded.edtf`` under ``founded`` too), each with its reason."""
    assert response["Content-Type"] == "application/problem+json"
    found: dict[str, str] = {}
    for item in response.json().get("invalid-params", []):
        found.setdefault(item["name"], item["reason"])
        found.setdefault(item["name"].split(".")[0], item["reason"])
    return found


def listing(client, endpoint, **params):
    """Every record the list gives for these parameters, following ``next`` to the end."""
    response = get(client, f"{endpoint}/", page_size=MAX_PAGE_SIZE, **params)
    assert response.status_code == 200, response.content[:300]
    records = response.json()["results"]
    while response.json()["next"]:
        response = client.get(response.json()["next"])
        records.extend(response.json()["results"])
    return records


def ids(records) -> set[int]:
    return {record["id"] for record in records}


def slugs(records) -> set[str]:
    return {record["slug"] for record in records}


def detail_path(endpoint, record) -> str:
    _, lookup = ENDPOINTS[endpoint]
    return f"{API}{endpoint}/{getattr(record, lookup)}/"


def csv_rows(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    csv.field_size_limit(1 << 24)  # read what was sent; whether cells fit is a test of its own
    return list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8"))))


# Endpoints ---------------------------------------------------------------------------------


@pytest.mark.slow  # a sweep: every page of every list
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_list_gives_every_record(client, endpoint):
    model, _ = ENDPOINTS[endpoint]
    records = listing(client, endpoint)
    assert len(records) == model.objects.count() > 0
    assert ids(records) == set(model.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_detail_by_its_key_gives_the_record_as_the_list_does(client, endpoint):
    model, _ = ENDPOINTS[endpoint]
    in_list = {record["id"]: record for record in listing(client, endpoint)}
    for record in model.objects.order_by("pk")[:10]:
        response = client.get(detail_path(endpoint, record))
        assert response.status_code == 200
        assert response.json() == in_list[record.pk]


@pytest.mark.parametrize(
    "endpoint, key",
    [(e, "no-such-record" if k == "slug" else "999999") for e, (_, k) in ENDPOINTS.items()],
)
def test_an_unknown_record_is_a_404(client, endpoint, key):
    response = get(client, f"{endpoint}/{key}/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_detail_routes_take_the_slug(client):
    otan = Organization.objects.get(slug="otan")
    body = get(client, "organizations/otan/").json()
    assert (body["id"], body["slug"], body["name"]) == (otan.pk, "otan", otan.name)
    assert get(client, f"organizations/{otan.pk}/").status_code == 404


# What every record carries -----------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_record_carries_its_id_slug_and_api_url(client, endpoint):
    model, lookup = ENDPOINTS[endpoint]
    has_slug = any(field.name == "slug" for field in model._meta.fields)
    key_of = dict(model.objects.values_list("pk", lookup))
    for record in listing(client, endpoint):
        assert isinstance(record["id"], int)
        assert ("slug" in record) == has_slug
        path = urlsplit(record.get("api_url") or "").path
        assert path == f"{API}{endpoint}/{key_of[record['id']]}/"
        assert record["api_url"].startswith("http")  # absolute, to follow as it is


@pytest.mark.parametrize("endpoint", CITED)
def test_every_record_carries_its_citations_with_source_field_locator_quote_and_via(
    client, endpoint
):
    model, _ = ENDPOINTS[endpoint]
    stored = defaultdict(set)
    for object_id, citation_id in Citation.objects.filter(
        content_type=ContentType.objects.get_for_model(model)
    ).values_list("object_id", "pk"):
        stored[object_id].add(citation_id)
    for record in listing(client, endpoint):
        assert ids(record["citations"]) == stored[record["id"]]
        assert record["citations"], "every record is cited"
        for citation in record["citations"]:
            assert set(citation) >= CITATION_KEYS
            assert citation["source"]["slug"] and citation["source"]["api_url"]
            assert citation["locator"]


def test_a_citation_via_another_work_names_both(client):
    cited = (
        Citation.objects.exclude(via=None)
        .filter(content_type=ContentType.objects.get_for_model(Person))
        .select_related("source", "via")
        .first()
    )
    person = Person.objects.get(pk=cited.object_id)
    citation = next(
        c for c in get(client, f"people/{person.slug}/").json()["citations"] if c["id"] == cited.pk
    )
    assert citation["source"]["slug"] == cited.source.slug
    assert citation["via"]["slug"] == cited.via.slug
    assert urlsplit(citation["via"]["api_url"]).path == f"{API}sources/{cited.via.slug}/"
    assert cited.via.short_reference in citation["locator"]


def test_a_source_counts_what_cites_it_and_links_to_those_citations(client):
    article = Source.objects.get(slug="babak-kazakhstan-multiparty-system")
    cited_by = get(client, f"sources/{article.slug}/").json()["cited_by"]
    assert cited_by["count"] == article.citations.count() > 100
    url = urlsplit(cited_by["url"])
    assert (url.path, url.query) == (f"{API}citations/", f"source={article.slug}")
    listed = client.get(f"{cited_by['url']}&page_size={MAX_PAGE_SIZE}").json()
    assert listed["count"] == cited_by["count"]
    assert {c["source"]["slug"] for c in listed["results"]} == {article.slug}


def test_a_list_of_sources_counts_each_ones_citations(client):
    sources = get(client, "sources/", page_size=MAX_PAGE_SIZE).json()["results"]
    counts = {s.slug: s.citations.count() for s in Source.objects.all()}
    assert {s["slug"]: s["cited_by"]["count"] for s in sources} == counts
    assert all(s["cited_by"]["url"].endswith(f"?source={s['slug']}") for s in sources)


def test_the_citations_of_a_source_name_each_record_by_slug_and_api_url(client):
    """Records are related records like any other: not a type and a bare integer id."""
    cited_by = get(client, "sources/ponomarev-1991/").json()["cited_by"]
    citations = client.get(cited_by["url"]).json()["results"]
    assert len(citations) == cited_by["count"] > 0
    for item in citations:
        record = item.get("record")
        assert isinstance(record, dict), item
        assert record.get("api_url")


def test_citations_filter_by_the_work_they_go_through(client):
    article = Source.objects.get(slug="babak-kazakhstan-multiparty-system")
    found = get(client, "citations/", via=article.slug, page_size=MAX_PAGE_SIZE).json()
    assert found["count"] == Citation.objects.filter(via=article).count() > 0
    assert {c["via"]["slug"] for c in found["results"]} == {article.slug}


# Related records are small nested objects: the keys that name one, and what each must carry.
RELATED = {
    "organization",
    "person",
    "election",
    "act",
    "body",
    "to",
    "organizations",
    "people",
    "elections",
    "acts",
    "source",
    "via",
    "record",
}
# Places are related records too (a source's ``place`` is text: where it was published).
PLACES = {"place", "founding_place"}


SLUGGED = {
    f"{m._meta.app_label}.{m._meta.model_name}"
    for m, _ in ENDPOINTS.values()
    if any(f.name == "slug" for f in m._meta.fields)
}


def related_values(value, keys):
    """Every (key, related record) pair anywhere in a response."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name in keys:
                for related in item if isinstance(item, list) else [item]:
                    yield name, related
            yield from related_values(item, keys)
    elif isinstance(value, list):
        for item in value:
            yield from related_values(item, keys)


# A source nests no record: what cites it is a count and the address of those citations.
@pytest.mark.parametrize("endpoint", [endpoint for endpoint in ENDPOINTS if endpoint != "sources"])
def test_related_records_are_nested_objects_with_slug_and_api_url_never_bare_keys(client, endpoint):
    found = 0
    keys = RELATED | PLACES
    for key, related in related_values(listing(client, endpoint), keys):
        if related is None:
            continue
        found += 1
        assert isinstance(related, dict), f"{endpoint}: {key} is {related!r}"
        assert related.get("api_url"), f"{endpoint}: {key} has no api_url"
        if key == "record" and related["api_url"] and not related.get("slug"):
            # A cited row without a name of its own (a name, a role) links to its record.
            assert related["type"] not in SLUGGED, f"{endpoint}: {key} has no slug"
            continue
        assert related.get("slug"), f"{endpoint}: {key} has no slug"
    assert found


# Uncertain dates ---------------------------------------------------------------------------


def date_values(value):
    if isinstance(value, dict):
        if "edtf" in value:
            yield value
        else:
            for item in value.values():
                yield from date_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from date_values(item)


def test_an_uncertain_date_comes_back_as_wording_edtf_earliest_and_latest(client):
    congress = Organization.objects.get(slug="peoples-congress-of-kazakhstan")
    founded = get(client, "organizations/peoples-congress-of-kazakhstan/").json()["founded"]
    assert founded == {
        "text": congress.founded_text,
        "edtf": congress.founded_edtf,
        "earliest": congress.founded_earliest.isoformat(),
        "latest": congress.founded_latest.isoformat(),
    }
    # "In October 1991": the wording kept, the month as EDTF, its first and last day.
    assert founded["text"] == "In October 1991"
    assert (founded["edtf"], founded["earliest"], founded["latest"]) == (
        "1991-10",
        "1991-10-01",
        "1991-10-31",
    )


# Results, citations and periods (whole years) carry no uncertain date.
@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e not in ("results", "citations", "periods")]
)
def test_every_date_in_every_response_has_the_four_parts(client, endpoint):
    dates = list(date_values(listing(client, endpoint)))
    assert dates
    for date in dates:
        assert set(date) == DATE_KEYS
        if date["earliest"] and date["latest"]:
            assert date["earliest"] <= date["latest"]
        if date["earliest"]:
            datetime.date.fromisoformat(date["earliest"])


# Search ------------------------------------------------------------------------------------


def test_search_finds_a_person_by_a_variant_spelling(client):
    found = slugs(listing(client, "people", search="Nazarbayev"))
    assert "nursultan-nazarbaev" in found
    assert "Nazarbayev" not in Person.objects.get(slug="nursultan-nazarbaev").name


def test_search_needs_every_word_to_match_some_name(client):
    assert "nursultan-nazarbaev" in slugs(listing(client, "people", search="Nursultan Nazarbayev"))
    assert listing(client, "people", search="Nursultan Kazhegeldin") == []


def test_search_finds_what_happened_in_alma_ata_under_its_later_name(client):
    alma_ata = Place.objects.get(names__name="Almaty")
    assert alma_ata.name == "Alma Ata"
    there = set(Event.objects.filter(place=alma_ata).values_list("slug", flat=True))
    assert "december-1986-events-alma-ata" in there
    assert there <= slugs(listing(client, "events", search="Almaty"))


def test_search_finds_no_record_by_a_name_the_public_may_not_see(client, committed):
    person = Person.objects.get(slug="nursultan-nazarbaev")
    variant = PersonName.objects.create(person=person, name="Qwzxvariant", status=Status.DRAFT)
    assert listing(client, "people", search="Qwzxvariant") == []
    with committed():
        variant.status = Status.PUBLISHED
        variant.save()
    assert slugs(listing(client, "people", search="Qwzxvariant")) == {person.slug}


def search_migrations():
    """The searched columns the ``*_trigram_search`` migrations index, by model."""
    for app in ("kzpolitics", "parties", "elections", "legislation"):
        (name,) = (
            path.stem
            for path in (Path(__file__).parent.parent / app / "migrations").glob("*.py")
            if path.stem.endswith("_trigram_search")
        )
        module = importlib.import_module(f"{app}.migrations.{name}")
        for model_name, field, fuzzy in module.SEARCHED:
            yield apps.get_model(app, model_name), field, fuzzy


@pytest.mark.postgres
@pytest.mark.parametrize(("model", "field", "fuzzy"), list(search_migrations()))
def test_each_searched_column_is_matched_through_its_trigram_index(model, field, fuzzy):
    """On PostgreSQL, the query ``search`` writes for a column is one its indexes answer: a
    name or title through its search key's index (``*_search_keys``, which retired the
    column's own), any other column through the index of its upper-cased text. The test
    data are few, so the planner is told to walk no table or index whole when it need not
    (as it would, cheaply, here): what it can then do with the column's condition is what it
    does with thousands of rows. SQLite has no trigram index: there the migrations make
    none, and the search still finds the column's values."""
    table, column = model._meta.db_table, model._meta.get_field(field).column
    key = key_of(model, field)
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            indexes = connection.introspection.get_constraints(cursor, table)
        assert not [name for name in indexes if name.endswith("_trgm")]
        value = model._base_manager.exclude(**{field: ""}).values_list(field, flat=True).first()
        if value:
            found = search(model._base_manager.all(), value[:6], (field,), public=False)
            assert found.filter(**{field: value}).exists()
        return
    found = search(model._base_manager.all(), "Nazarbayev", (field,), public=False)
    sql, params = found.order_by().values("pk").query.sql_with_params()
    plan = plan_at_scale(model, sql, params)
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, table)
    if key is None:
        assert f"Bitmap Index Scan on {table}_{column}_upper_trgm" in plan, plan
    else:
        assert f"Bitmap Index Scan on {table}_{key.column}_trgm" in plan, plan
        assert f"{table}_{column}_upper_trgm" not in indexes
        assert f"{table}_{column}_trgm" not in indexes


def test_search_matches_each_field_on_its_own_never_a_condition_across_a_join():
    """An OR of a record's name and its variant names (a join) can use no index: each field
    is matched in a query of its own table and the ids they find are joined."""
    found = search(Person.objects.all(), "Nazarbayev", ("name", "names__name"), rank=False)
    sql = str(found.order_by().values("pk").query)
    assert sql.count("UNION") == 1
    assert "LEFT OUTER JOIN" not in sql
    assert "DISTINCT" not in sql


def test_search_finds_an_organization_by_a_former_name_and_a_translation(client):
    assert "republican-party-of-kazakhstan" in slugs(
        listing(client, "organizations", search="National Party of Kazakhstan Alash")
    )
    assert "otan" in slugs(listing(client, "organizations", search="Homeland"))


@pytest.mark.parametrize(
    "endpoint, term, expected",
    [
        ("elections", "presidential", lambda r: r["kind"] == "presidential"),
        ("results", "Otan", lambda r: (r["organization"] or {}).get("slug") == "otan"),
        ("acts", "50,000", lambda r: r["slug"] == "law-on-political-parties-2002"),
        ("registrations", "Otan", lambda r: r["organization"]["slug"] == "otan"),
        ("sources", "Ponomarev", lambda r: r["slug"] == "ponomarev-1991"),
        ("citations", "Green Front", lambda r: "Green Front" in r["quote"]),
    ],
)
def test_every_list_can_be_searched(client, endpoint, term, expected):
    found = listing(client, endpoint, search=term)
    wanted = [record for record in listing(client, endpoint) if expected(record)]
    assert wanted
    assert ids(wanted) <= ids(found)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_search_matching_nothing_is_an_empty_page(client, endpoint):
    body = get(client, f"{endpoint}/", search="qqzzxxnothing").json()
    assert (body["count"], body["results"]) == (0, [])


# Filters -----------------------------------------------------------------------------------


def after(date_name, day):
    """The contract of *_after: the date may fall on or after the day (its latest day does)."""
    return lambda r: bool(r[date_name]["latest"]) and r[date_name]["latest"] >= day


def before(date_name, day):
    return lambda r: bool(r[date_name]["earliest"]) and r[date_name]["earliest"] <= day


def active_on(day):
    """Possibly existed on the day (parties.lifespans): something dates it, its founding's
    earliest day (if known) is on or before the day, its ending's latest (if known) on or
    after it."""

    def existed(r):
        founding, ending = r["founding"], r["ending"]
        bounds = (founding["earliest"], founding["latest"], ending["earliest"], ending["latest"])
        return (
            any(bounds)
            and (founding["earliest"] is None or founding["earliest"] <= day)
            and (ending["latest"] is None or ending["latest"] >= day)
        )

    return existed


def slug_of(key):
    return lambda r: (r[key] or {}).get("slug")


FILTERS = [
    ("organizations", {"kind": "bloc"}, lambda r: r["kind"] == "bloc"),
    ("organizations", {"kind": "party"}, lambda r: r["kind"] == "party"),
    (
        "organizations",
        {"stance": "opposition"},
        lambda r: "opposition" in {s["stance"] for s in r["stances"]},
    ),
    ("organizations", {"founded_after": "1999-01-01"}, after("founded", "1999-01-01")),
    ("organizations", {"founded_before": "1990-06-30"}, before("founded", "1990-06-30")),
    ("organizations", {"active_on": "1992-01-01"}, active_on("1992-01-01")),
    ("organizations", {"active_on": "1990-05-15"}, active_on("1990-05-15")),
    (
        "organizations",
        {"member_of": "popular-front-of-kazakhstan"},
        lambda r: any(
            x["kind"] == "member_of" and x["to"]["slug"] == "popular-front-of-kazakhstan"
            for x in r["relations"]
        ),
    ),
    (
        "organizations",
        {"leader": "nursultan-nazarbaev"},
        lambda r: any(
            x["person"]["slug"] == "nursultan-nazarbaev"
            and x["kind"] in ("leader", "chair", "co_chair")
            for x in r["roles"]
        ),
    ),
    (
        "people",
        {"organization": "otan"},
        lambda r: "otan" in {(x["organization"] or {}).get("slug") for x in r["roles"]},
    ),
    ("elections", {"kind": "majilis"}, lambda r: r["kind"] == "majilis"),
    ("elections", {"date_after": "1999-06-01"}, after("date", "1999-06-01")),
    ("elections", {"date_before": "1999-06-01"}, before("date", "1999-06-01")),
    (
        "elections",
        {"party": "otan"},
        lambda r: "otan" in {(x["organization"] or {}).get("slug") for x in r["results"]},
    ),
    ("results", {"election": "majilis-2004"}, lambda r: r["election"]["slug"] == "majilis-2004"),
    ("results", {"organization": "otan"}, lambda r: slug_of("organization")(r) == "otan"),
    (
        "results",
        {"person": "nursultan-nazarbaev"},
        lambda r: slug_of("person")(r) == "nursultan-nazarbaev",
    ),
    ("results", {"tier": "party_list"}, lambda r: r["tier"] == "party_list"),
    ("results", {"tier": "single_member"}, lambda r: r["tier"] == "single_member"),
    ("acts", {"jurisdiction": "ussr"}, lambda r: r["jurisdiction"] == "ussr"),
    ("acts", {"jurisdiction": "kazakh_ssr"}, lambda r: r["jurisdiction"] == "kazakh_ssr"),
    ("acts", {"kind": "law"}, lambda r: r["kind"] == "law"),
    ("acts", {"adopted_after": "1996-01-01"}, after("adopted", "1996-01-01")),
    ("acts", {"adopted_before": "1991-12-31"}, before("adopted", "1991-12-31")),
    ("registrations", {"decision": "denied"}, lambda r: r["decision"] == "denied"),
    (
        "registrations",
        {"organization": "russian-party-of-kazakhstan"},
        lambda r: r["organization"]["slug"] == "russian-party-of-kazakhstan",
    ),
    (
        "registrations",
        {"act": "law-on-political-parties-2002"},
        lambda r: slug_of("act")(r) == "law-on-political-parties-2002",
    ),
    ("registrations", {"date_after": "2004-01-01"}, after("date", "2004-01-01")),
    ("registrations", {"date_before": "2002-12-31"}, before("date", "2002-12-31")),
    ("events", {"kind": "congress"}, lambda r: r["kind"] == "congress"),
    ("events", {"date_after": "1999-01-01"}, after("date", "1999-01-01")),
    ("events", {"date_before": "1989-12-31"}, before("date", "1989-12-31")),
    (
        "events",
        {"date_after": "1990-01-01", "date_before": "1990-12-31"},
        lambda r: after("date", "1990-01-01")(r) and before("date", "1990-12-31")(r),
    ),
    (
        "events",
        {"participant": "nursultan-nazarbaev"},
        lambda r: "nursultan-nazarbaev" in slugs(r["people"]),
    ),
    ("events", {"participant": "otan"}, lambda r: "otan" in slugs(r["organizations"])),
    ("sources", {"kind": "web_page"}, lambda r: r["kind"] == "web_page"),
    ("sources", {"kind": "book"}, lambda r: r["kind"] == "book"),
    ("citations", {"field": "founded"}, lambda r: r["field"] == "founded"),
    ("citations", {"footnote": "1"}, lambda r: r["footnote"] == 1),
    ("citations", {"source": "ponomarev-1991"}, lambda r: r["source"]["slug"] == "ponomarev-1991"),
]


@pytest.mark.parametrize(
    "endpoint, params, keeps",
    FILTERS,
    ids=[f"{e}?{'&'.join(f'{k}={v}' for k, v in p.items())}" for e, p, _ in FILTERS],
)
def test_a_filter_keeps_exactly_the_records_it_describes(client, endpoint, params, keeps):
    everything = listing(client, endpoint)
    wanted = ids(r for r in everything if keeps(r))
    assert 0 < len(wanted) < len(everything), "the article's data must make the filter matter"
    assert ids(listing(client, endpoint, **params)) == wanted


def test_active_on_the_first_day_of_1992_includes_the_peoples_congress_not_otan(client):
    active = slugs(listing(client, "organizations", active_on="1992-01-01"))
    assert "peoples-congress-of-kazakhstan" in active
    assert "otan" not in active  # founded in 1999


def test_member_of_the_popular_front_lists_its_members(client):
    members = slugs(listing(client, "organizations", member_of="popular-front-of-kazakhstan"))
    assert {"peoples-congress-of-kazakhstan", "azat"} <= members
    assert "popular-front-of-kazakhstan" not in members


def test_nazarbaev_led_otan(client):
    assert "otan" in slugs(listing(client, "organizations", leader="nursultan-nazarbaev"))


def test_filters_combine_with_search(client):
    found = listing(client, "organizations", kind="party", search="Otan")
    assert "otan" in slugs(found)
    assert {r["kind"] for r in found} == {"party"}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_updated_since_lists_only_what_changed_since(client, endpoint):
    model, _ = ENDPOINTS[endpoint]
    long_ago = timezone.now() - datetime.timedelta(days=30)
    model.objects.update(updated_at=long_ago)
    changed = model.objects.order_by("pk").last()
    changed.save()
    since = (long_ago + datetime.timedelta(days=1)).isoformat()
    assert ids(listing(client, endpoint, updated_since=since)) == {changed.pk}
    assert len(listing(client, endpoint, updated_since=long_ago.isoformat())) == (
        model.objects.count()
    )


@pytest.mark.parametrize("offset", ["+22:37", "-23:22", "+15:59", "Z"])
def test_updated_since_takes_any_iso_offset_as_the_same_moment_in_utc(client, offset):
    """ISO 8601 allows offsets PostgreSQL refuses (beyond ±15:59): the moment is the same."""
    model = Organization
    long_ago = timezone.now() - datetime.timedelta(days=30)
    model.objects.update(updated_at=long_ago)
    changed = model.objects.order_by("pk").last()
    changed.save()
    moment = (long_ago + datetime.timedelta(days=1)).astimezone(datetime.UTC)
    hours, minutes = (0, 0) if offset == "Z" else map(int, offset[1:].split(":"))
    sign = -1 if offset.startswith("-") else 1
    zone = datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))
    since = moment.astimezone(zone).replace(tzinfo=None).isoformat() + offset
    assert ids(listing(client, "organizations", updated_since=since)) == {changed.pk}


DATE_FILTERS = [
    ("organizations", "founded_after"),
    ("organizations", "founded_before"),
    ("organizations", "active_on"),
    ("elections", "date_after"),
    ("elections", "date_before"),
    ("acts", "adopted_after"),
    ("acts", "adopted_before"),
    ("registrations", "date_after"),
    ("registrations", "date_before"),
    ("events", "date_after"),
    ("events", "date_before"),
    *((endpoint, "updated_since") for endpoint in ENDPOINTS),
]


@pytest.mark.parametrize("endpoint, name", DATE_FILTERS)
@pytest.mark.parametrize("value", ["1992-13-01", "yesterday", "1992-02-30"])
def test_an_invalid_date_in_a_filter_is_a_400_naming_the_filter(client, endpoint, name, value):
    response = get(client, f"{endpoint}/", **{name: value})
    assert response.status_code == 400
    assert name in named(response)


@pytest.mark.parametrize(
    "endpoint, name",
    [
        ("organizations", "kind"),
        ("organizations", "stance"),
        ("elections", "kind"),
        ("results", "tier"),
        ("acts", "jurisdiction"),
        ("acts", "kind"),
        ("registrations", "decision"),
        ("events", "kind"),
        ("sources", "kind"),
    ],
)
def test_an_unknown_choice_in_a_filter_is_a_400_naming_the_filter(client, endpoint, name):
    response = get(client, f"{endpoint}/", **{name: "no-such-choice"})
    assert response.status_code == 400
    assert name in named(response)


@pytest.mark.parametrize(
    "endpoint, name",
    [
        ("organizations", "member_of"),
        ("organizations", "leader"),
        ("results", "election"),
        ("registrations", "organization"),
        ("events", "participant"),
    ],
)
def test_an_unknown_slug_in_a_filter_is_a_400_naming_it(client, endpoint, name):
    response = get(client, f"{endpoint}/", **{name: "no-such-slug"})
    assert response.status_code == 400
    assert "“no-such-slug”" in named(response)[name]


# Ordering ----------------------------------------------------------------------------------


def ordering_cases():
    for prefix, viewset, _ in router.registry:
        for field in viewset.ordering_fields:
            for term in (field, f"-{field}"):
                yield prefix, term


@pytest.mark.parametrize("endpoint, term", list(ordering_cases()))
def test_ordering_sorts_by_each_declared_field_both_ways(client, endpoint, term):
    model, _ = ENDPOINTS[endpoint]
    field = term.lstrip("-")
    value_of = dict(model.objects.values_list("pk", field))
    expected = list(model.objects.order_by(term).values_list(field, flat=True))
    got = [value_of[record["id"]] for record in listing(client, endpoint, ordering=term)]
    assert got == expected


def test_ordering_takes_several_fields(client):
    got = [(r["kind"], r["name"]) for r in listing(client, "organizations", ordering="kind,-name")]
    expected = list(Organization.objects.order_by("kind", "-name").values_list("kind", "name"))
    assert got == expected


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("ordering", ["no_such_field", "-password", "name,nonsense", "citations"])
def test_an_unknown_ordering_is_a_400_naming_ordering(client, endpoint, ordering):
    viewset = next(v for prefix, v, _ in router.registry if prefix == endpoint)
    response = get(client, f"{endpoint}/", ordering=ordering)
    assert response.status_code == 400
    assert "ordering" in named(response)
    assert viewset.ordering_fields[0] in named(response)["ordering"]  # says what is allowed


def test_the_timeline_lists_undated_events_last_on_every_database(client):
    """The default order is chronological; an event the sources leave undated cannot come
    first on one database and last on another (SQLite sorts NULL first, PostgreSQL last)."""
    assert Event.objects.filter(date_earliest=None).exists()
    got = [record["slug"] for record in listing(client, "events")]
    # By the day each date begins (“by 1996” by its last day), then ends: as the timeline.
    expected = list(
        Event.objects.order_by(
            dates.first_day("date"), dates.last_day("date"), "title"
        ).values_list("slug", flat=True)
    )
    assert expected.index("nazarbaev-on-the-anti-nuclear-movement") < expected.index(
        "zhakianov-sent-to-prison"
    )
    assert got == expected


# Pagination --------------------------------------------------------------------------------


def test_a_list_gives_count_next_and_previous_and_a_default_page_size(client):
    total = Citation.objects.count()
    assert total > 2 * Pagination.page_size
    first = get(client, "citations/").json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == total
    assert len(first["results"]) == Pagination.page_size
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert "page=2" in first["next"]
    assert second["previous"]
    assert ids(second["results"]).isdisjoint(ids(first["results"]))
    last_page = -(-total // Pagination.page_size)
    last = get(client, "citations/", page=last_page).json()
    assert last["next"] is None
    assert len(last["results"]) == total - (last_page - 1) * Pagination.page_size


def test_page_size_may_go_up_to_the_maximum(client):
    assert Citation.objects.count() > MAX_PAGE_SIZE
    assert len(get(client, "citations/", page_size=MAX_PAGE_SIZE).json()["results"]) == (
        MAX_PAGE_SIZE
    )
    assert len(get(client, "citations/", page_size=7).json()["results"]) == 7
    assert len(get(client, "citations/", page_size=1).json()["results"]) == 1


@pytest.mark.parametrize(
    "page_size", [str(MAX_PAGE_SIZE + 1), "0", "-1", "abc", "1.5", "10e2", "²"]
)
def test_a_page_size_out_of_range_or_not_a_number_is_a_400_naming_page_size(client, page_size):
    client.raise_request_exception = False
    response = get(client, "organizations/", page_size=page_size)
    assert response.status_code == 400
    assert "page_size" in named(response)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "²", "last"])
def test_a_page_that_is_not_a_page_number_is_a_400_naming_page(client, page):
    client.raise_request_exception = False
    response = get(client, "organizations/", page=page)
    assert response.status_code == 400
    assert "page" in named(response)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_page_past_the_end_is_a_404_with_a_message(client, endpoint):
    model, _ = ENDPOINTS[endpoint]
    past = model.objects.count() // Pagination.page_size + 2
    response = get(client, f"{endpoint}/", page=past)
    assert response.status_code == 404
    assert str(past) in response.json()["detail"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_paging_through_a_list_visits_every_record_once(client, endpoint):
    model, _ = ENDPOINTS[endpoint]
    count = min(model.objects.count(), 120)
    seen = []
    for page in range(1, -(-count // 6) + 1):
        response = get(client, f"{endpoint}/", page=page, page_size=6)
        seen.extend(record["id"] for record in response.json()["results"])
    seen = seen[:count]
    full = get(client, f"{endpoint}/", page_size=count).json()["results"]
    assert seen == [record["id"] for record in full]
    assert len(set(seen)) == len(seen)


# Formats -----------------------------------------------------------------------------------

# The column that carries each endpoint's citations in CSV.
CITATIONS_COLUMN = dict.fromkeys(CITED, "citations") | {
    "sources": "cited_by.url",
    "citations": "locator",
}
SPREADSHEET_CELL = 32_767  # the most characters a spreadsheet cell holds (Excel, LibreOffice)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("how", ["format", "accept"])
def test_every_list_downloads_as_csv_one_row_per_record_with_citations(client, endpoint, how):
    params = {"page_size": MAX_PAGE_SIZE}
    headers = {}
    if how == "format":
        params["format"] = "csv"
    else:
        headers["HTTP_ACCEPT"] = "text/csv"
    response = client.get(f"{API}{endpoint}/", params, **headers)
    assert response.status_code == 200
    rows = csv_rows(response)
    records, page = [], 1
    while True:  # every page of the JSON list: the CSV has every record, not one page
        answer = get(client, f"{endpoint}/", page_size=MAX_PAGE_SIZE, page=page).json()
        records += answer["results"]
        if not answer["next"]:
            break
        page += 1
    assert [int(row["id"]) for row in rows] == [record["id"] for record in records]
    column = CITATIONS_COLUMN[endpoint]
    assert column in rows[0]
    for row, record in zip(rows, records, strict=True):
        if column == "citations":  # a JSON array of flat citations
            cited = [item["locator"] for item in json.loads(row[column])]
            assert cited == [citation["locator"] for citation in record["citations"]]
        elif column == "locator":
            assert row[column] == safe_cell(record["locator"])


def test_csv_flattens_uncertain_dates_and_nested_records_into_columns(client):
    rows = csv_rows(get(client, "organizations/", format="csv", page_size=MAX_PAGE_SIZE))
    congress = next(row for row in rows if row["slug"] == "peoples-congress-of-kazakhstan")
    assert congress["founded.text"] == "In October 1991"
    assert congress["founded.edtf"] == "1991-10"
    assert (congress["founded.earliest"], congress["founded.latest"]) == (
        "1991-10-01",
        "1991-10-31",
    )
    results = csv_rows(get(client, "results/", format="csv", election="majilis-2004"))
    assert {row["organization.slug"] for row in results} == {"otan"}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_csv_columns_are_the_same_whatever_records_a_page_holds(client, endpoint):
    """A spreadsheet or pandas reads pages (and filtered downloads) alike: a related record
    that is missing leaves its columns empty instead of changing them."""
    full = csv_rows(get(client, f"{endpoint}/", format="csv", page_size=MAX_PAGE_SIZE))
    columns = list(full[0])
    for page in range(1, min(len(full), 25) + 1):
        one = get(client, f"{endpoint}/", format="csv", page_size=1, page=page)
        header = next(csv.reader(io.StringIO(one.getvalue().decode("utf-8"))))
        assert header == columns, f"page {page}"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_csv_cell_fits_in_a_spreadsheet_cell(client, endpoint):
    rows = csv_rows(get(client, f"{endpoint}/", format="csv", page_size=MAX_PAGE_SIZE))
    longest = max(rows, key=lambda row: max(len(cell) for cell in row.values()))
    column = max(longest, key=lambda name: len(longest[name]))
    assert len(longest[column]) <= SPREADSHEET_CELL, f"{column} of record {longest['id']}"


def test_a_detail_downloads_as_csv_too(client):
    rows = csv_rows(get(client, "organizations/otan/", format="csv"))
    assert [row["slug"] for row in rows] == ["otan"]


@pytest.mark.parametrize("path", ["organizations/", "organizations/otan/", "citations/"])
@pytest.mark.parametrize("fmt", ["xml", "yaml", "api"])
def test_an_unknown_format_is_a_400_naming_format(client, path, fmt):
    response = get(client, path, format=fmt)
    assert response.status_code == 400
    assert "format" in named(response)


def test_json_is_the_default_and_may_be_asked_for(client):
    assert get(client, "organizations/")["Content-Type"] == "application/json"
    assert get(client, "organizations/", format="json")["Content-Type"] == "application/json"


# Other bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["search", "leader", "member_of", "participant"])
def test_a_null_character_in_a_parameter_is_a_400_naming_it(client, name):
    endpoint = "events" if name == "participant" else "organizations"
    response = get(client, f"{endpoint}/", **{name: "a\x00b"})
    assert response.status_code == 400
    assert name in named(response)


def test_an_overlong_search_is_a_400_naming_search(client):
    response = get(client, "organizations/", search="x" * 300)
    assert response.status_code == 400
    assert "search" in named(response)


# Writes ------------------------------------------------------------------------------------

NEW_ORGANIZATION = {
    "slug": "test-party-of-the-api",
    "name": "Test Party of the API",
    "kind": "party",
    "founded": {"text": "the spring of 1994", "edtf": "1994-21"},
    "founding_place": "alma-ata",
}


def write(client, method, path, data=None, **headers):
    send = getattr(client, method)
    return send(API + path, data or {}, content_type="application/json", **headers)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_writes_are_refused_and_change_nothing(client, endpoint):
    model, _ = ENDPOINTS[endpoint]
    record = model.objects.order_by("pk").first()
    before = (model.objects.count(), record.updated_at)
    path = detail_path(endpoint, record).removeprefix(API)
    for method, target in (
        ("post", f"{endpoint}/"),
        ("put", path),
        ("patch", path),
        ("delete", path),
    ):
        response = write(client, method, target, {"public_note": "vandalism", "slug": "vandal"})
        assert response.status_code in (401, 403), (method, response.status_code)
    record.refresh_from_db()
    assert (model.objects.count(), record.updated_at) == before


def test_an_editor_signed_in_creates_updates_and_deletes_an_organization(editor_client):
    created = write(editor_client, "post", "organizations/", NEW_ORGANIZATION)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["founded"] == {
        "text": "the spring of 1994",
        "edtf": "1994-21",
        "earliest": "1994-03-01",
        "latest": "1994-05-31",
    }
    party = Organization.objects.get(slug=NEW_ORGANIZATION["slug"])
    assert party.founding_place.slug == "alma-ata"
    assert party.founded_earliest == datetime.date(1994, 3, 1)

    path = f"organizations/{party.slug}/"
    updated = write(editor_client, "patch", path, {"name": "Renamed Test Party"})
    assert updated.status_code == 200
    party.refresh_from_db()
    assert party.name == "Renamed Test Party"

    assert write(editor_client, "delete", path).status_code == 204
    assert not Organization.objects.filter(slug=party.slug).exists()


def test_an_editor_writes_with_a_token(client, editor):
    _, key = AuthToken.objects.create(user=editor)
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    created = write(client, "post", "organizations/", NEW_ORGANIZATION, **auth)
    assert created.status_code == 201
    path = f"organizations/{NEW_ORGANIZATION['slug']}/"
    assert write(client, "patch", path, {"public_note": "checked"}, **auth).status_code == 200
    assert Organization.objects.get(slug=NEW_ORGANIZATION["slug"]).public_note == "checked"
    assert write(client, "delete", path, **auth).status_code == 204
    assert not Organization.objects.filter(slug=NEW_ORGANIZATION["slug"]).exists()


def test_a_wrong_token_is_refused(client):
    response = write(
        client, "post", "organizations/", NEW_ORGANIZATION, HTTP_AUTHORIZATION="Token nonsense"
    )
    assert response.status_code in (401, 403)
    assert not Organization.objects.filter(slug=NEW_ORGANIZATION["slug"]).exists()


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("reader", password="correct horse battery")


def test_a_signed_in_user_without_permissions_gets_403(client, reader):
    client.force_login(reader)
    assert write(client, "post", "organizations/", NEW_ORGANIZATION).status_code == 403
    assert write(client, "patch", "organizations/otan/", {"public_note": "x"}).status_code == 403
    assert write(client, "delete", "organizations/otan/").status_code == 403
    assert Organization.objects.get(slug="otan").public_note != "x"
    assert get(client, "organizations/otan/").status_code == 200


def test_a_token_gives_only_its_users_permissions(client, reader):
    auth = {"HTTP_AUTHORIZATION": f"Token {AuthToken.objects.create(user=reader)[1]}"}
    assert write(client, "post", "organizations/", NEW_ORGANIZATION, **auth).status_code == 403
    reader.user_permissions.add(Permission.objects.get(codename="add_organization"))
    assert write(client, "post", "organizations/", NEW_ORGANIZATION, **auth).status_code == 201
    assert (
        write(client, "delete", f"organizations/{NEW_ORGANIZATION['slug']}/", **auth).status_code
        == 403
    )


@pytest.mark.parametrize(
    "founded",
    [
        {"text": "at some point", "edtf": "nonsense"},
        {"text": "1990", "edtf": "1990-13"},
        "1990",
        ["1990"],
    ],
)
def test_writing_an_uncertain_date_that_is_not_one_is_a_400_naming_it(editor_client, founded):
    response = write(
        editor_client, "post", "organizations/", {**NEW_ORGANIZATION, "founded": founded}
    )
    assert response.status_code == 400
    assert "founded" in named(response)
    assert not Organization.objects.filter(slug=NEW_ORGANIZATION["slug"]).exists()


def test_a_date_written_as_wording_only_is_read_as_the_admin_reads_it(editor_client):
    """The admin fills the EDTF value from the wording (or refuses it); the API must not
    store a date that no filter or ordering can use."""
    response = write(
        editor_client,
        "post",
        "organizations/",
        {**NEW_ORGANIZATION, "founded": {"text": "Late in May 1990"}},
    )
    assert response.status_code in (201, 400)
    if response.status_code == 201:
        assert response.json()["founded"]["edtf"] == "1990-05"
        assert response.json()["founded"]["earliest"] == "1990-05-01"


def test_an_editor_cites_a_record_through_the_citations_endpoint(editor_client):
    otan = Organization.objects.get(slug="otan")
    response = write(
        editor_client,
        "post",
        "citations/",
        {
            "record_type": "parties.organization",
            "record_id": otan.pk,
            "field": "founded",
            "source": "diachenko-2000",
            "pages": "12",
        },
    )
    assert response.status_code == 201, response.json()
    citation = Citation.objects.get(pk=response.json()["id"])
    assert citation.content_object == otan
    assert (citation.field, citation.source.slug, citation.pages) == (
        "founded",
        "diachenko-2000",
        "12",
    )
    # An editor's new citation is a draft: the public API shows it once a reviewer publishes it.
    assert citation.status == "draft"
    shown = get(editor_client, "organizations/otan/").json()["citations"]
    assert citation.pk not in ids(shown)
    citation.status = "published"
    citation.save()
    shown = get(editor_client, "organizations/otan/").json()["citations"]
    assert citation.pk in ids(shown)


@pytest.mark.parametrize(
    "change, bad",
    [
        ({"record_id": 999999}, "record_id"),
        ({"record_id": "abc"}, "record_id"),
        ({"record_type": "parties.nosuchmodel"}, "record_type"),
        ({"field": "not_a_cited_field"}, "field"),
        ({"source": "no-such-source"}, "source"),
        ({"via": "diachenko-2000"}, "via"),
    ],
)
def test_a_citation_of_a_record_that_cannot_be_is_a_400_naming_the_problem(
    editor_client, change, bad
):
    before = Citation.objects.count()
    otan = Organization.objects.get(slug="otan")
    data = {
        "record_type": "parties.organization",
        "record_id": otan.pk,
        "source": "diachenko-2000",
        **change,
    }
    response = write(editor_client, "post", "citations/", data)
    assert response.status_code == 400
    assert bad in named(response)
    assert Citation.objects.count() == before


@pytest.mark.parametrize("record_id", [0, 999999])
def test_a_citation_cannot_be_moved_to_a_record_that_does_not_exist(editor_client, record_id):
    citation = Citation.objects.order_by("pk").first()
    response = write(editor_client, "patch", f"citations/{citation.pk}/", {"record_id": record_id})
    assert response.status_code == 400
    assert "record_id" in named(response)
    assert str(record_id) in named(response)["record_id"]
    assert "None" not in named(response)["record_id"]  # names the record type
    citation.refresh_from_db()
    assert citation.content_object is not None


@pytest.mark.parametrize(
    "endpoint, data, missing",
    [
        ("results", {"tier": "total", "seats": 3}, "election"),
        ("registrations", {"decision": "registered"}, "organization"),
    ],
)
def test_a_record_written_without_the_record_it_belongs_to_is_a_400_naming_it(
    editor_client, endpoint, data, missing
):
    editor_client.raise_request_exception = False
    model, _ = ENDPOINTS[endpoint]
    before = model.objects.count()
    response = write(editor_client, "post", f"{endpoint}/", data)
    assert response.status_code == 400, response.status_code
    assert missing in named(response)
    assert model.objects.count() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_write_that_cannot_be_accepted_is_a_400_never_a_500(editor_client, endpoint):
    editor_client.raise_request_exception = False
    model, _ = ENDPOINTS[endpoint]
    before = model.objects.count()
    response = write(editor_client, "post", f"{endpoint}/", {"public_note": "incomplete"})
    assert response.status_code == 400, response.status_code
    assert model.objects.count() == before


def test_a_work_cited_again_in_one_answer_is_shown_alike_each_time(client):
    """A source's brief form is made once an answer and copied where it is cited again: each
    citation shows the work as its own record says, and each is a dict of its own."""
    body = client.get(f"{API}organizations/?page_size=500").json()
    cited = [
        citation["source"]
        for organization in body["results"]
        for citation in organization["citations"]
    ]
    works = {ref["id"]: ref for ref in cited}
    assert len(cited) > len(works) > 1  # some works are cited more than once here
    for ref in cited:
        assert ref == works[ref["id"]]
        source = Source.objects.get(pk=ref["id"])
        assert (ref["slug"], ref["title"]) == (source.slug, source.title)
        assert ref["short_reference"] == source.short_reference
        assert ref["api_url"] == f"http://testserver{API}sources/{source.slug}/"
    caches["pages"].clear()  # made now, as a DRF response (its data, not cached bytes)
    response = client.get(f"{API}organizations/?page_size=500")
    refs = [c["source"] for o in response.data["results"] for c in o["citations"]]
    again = [ref for ref in refs if ref["id"] == refs[0]["id"]]
    assert len(again) > 1 and again[0] is not again[1]
