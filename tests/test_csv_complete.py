"""A list's CSV is the whole list: every row its filters select, streamed, in the JSON list's
order, its list-valued cells JSON arrays that name the records they link to (issue 14)."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from django.http import StreamingHttpResponse

from kzpolitics.core.csv_format import SPREADSHEET_CELL, TOTAL_HEADER, json_array

pytestmark = pytest.mark.django_db

API = "/api/v1/"
LISTS = (
    "organizations",
    "people",
    "elections",
    "results",
    "acts",
    "registrations",
    "events",
    "places",
    "periods",
    "sources",
    "citations",
)


def body(response) -> str:
    return response.getvalue().decode("utf-8")


def csv_of(client, endpoint, **params):
    response = client.get(f"{API}{endpoint}/", {"format": "csv", **params})
    assert response.status_code == 200, body(response)[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return response


def rows_of(response) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 24)
    return list(csv.DictReader(io.StringIO(body(response))))


def json_ids(client, endpoint, **params) -> list[int]:
    """Every record's id, page by page, in the JSON list's order."""
    ids, page = [], 1
    while True:
        answer = client.get(f"{API}{endpoint}/", {"page": page, "page_size": 500, **params}).json()
        ids += [record["id"] for record in answer["results"]]
        if not answer["next"]:
            return ids
        page += 1


@pytest.mark.parametrize("endpoint", LISTS)
def test_every_lists_csv_has_every_row_streamed_in_the_json_order(client, endpoint):
    response = csv_of(client, endpoint, page_size=2, page=1)
    assert isinstance(response, StreamingHttpResponse)  # written as read, not built whole
    assert not response.has_header("ETag") and response.has_header("Last-Modified")
    rows = rows_of(response)
    expected = json_ids(client, endpoint)
    assert len(expected) > 2  # more than the page asked for: paging does not apply
    assert [int(row["id"]) for row in rows] == expected
    assert int(response[TOTAL_HEADER]) == len(rows)


def test_the_csv_has_more_than_one_default_page(client):
    # The article's 100 organizations and its 1,000-odd citations: two pages and more.
    for endpoint, more_than in (("organizations", 50), ("citations", 500)):
        rows = rows_of(csv_of(client, endpoint))
        assert len(rows) > more_than
        assert len(rows) == client.get(f"{API}{endpoint}/").json()["count"]


def test_the_csv_suffix_is_the_same_csv(client):
    by_format = body(csv_of(client, "organizations", kind="party"))
    by_suffix = client.get(f"{API}organizations.csv", {"kind": "party"})
    assert by_suffix.status_code == 200
    assert body(by_suffix) == by_format


def test_a_filter_a_search_and_an_ordering_narrow_and_order_the_csv(client):
    every = rows_of(csv_of(client, "organizations"))
    parties = rows_of(csv_of(client, "organizations", kind="party", ordering="-name"))
    assert 0 < len(parties) < len(every)
    assert {row["kind"] for row in parties} == {"party"}
    assert [int(row["id"]) for row in parties] == json_ids(
        client, "organizations", kind="party", ordering="-name"
    )
    found = rows_of(csv_of(client, "people", search="Nazarbayev"))
    assert found[0]["slug"] == "nursultan-nazarbaev"


def test_a_malformed_page_is_still_a_400_with_csv(client):
    for params in ({"page_size": "0"}, {"page_size": "501"}, {"page": "x"}):
        response = client.get(f"{API}organizations/", {"format": "csv", **params})
        assert response.status_code == 400, params


def test_a_head_of_the_csv_counts_the_rows_without_sending_them(client):
    response = client.head(f"{API}organizations/", {"format": "csv"})
    assert response.status_code == 200
    assert int(response[TOTAL_HEADER]) == client.get(f"{API}organizations/").json()["count"]
    assert response.getvalue() == b""


def test_list_valued_cells_are_json_arrays_of_flat_objects(client):
    rows = rows_of(csv_of(client, "organizations"))
    otan = next(row for row in rows if row["slug"] == "otan")
    for column in ("names", "stances", "membership_figures", "roles", "relations", "citations"):
        items = json.loads(otan[column])
        assert isinstance(items, list), column
        for item in items:
            assert all(not isinstance(value, dict | list) for value in item.values()), column
    roles = json.loads(otan["roles"])
    assert {"person.slug": "nursultan-nazarbaev", "person.name": "Nursultan Nazarbaev"}.items() <= (
        roles[0].items()
    )
    relation = json.loads(otan["relations"])[0]
    assert relation["to.slug"] and relation["to.name"]
    citation = json.loads(otan["citations"])[0]
    assert citation["source.slug"] and citation["locator"]


def test_every_item_that_links_to_a_record_names_it(client):
    results = rows_of(csv_of(client, "elections"))
    for row in results:
        for result in json.loads(row["results"]):
            named = result["organization.slug"] or result["person.slug"]
            assert named and (result["organization.name"] or result["person.name"])
    people = rows_of(csv_of(client, "people"))
    nazarbaev = next(row for row in people if row["slug"] == "nursultan-nazarbaev")
    assert any(role["organization.name"] for role in json.loads(nazarbaev["roles"]))
    events = rows_of(csv_of(client, "events"))
    linked = [json.loads(row["organizations"]) for row in events if row["organizations"] != "[]"]
    assert linked and all(item["slug"] and item["name"] for items in linked for item in items)


def test_an_array_too_long_for_a_cell_keeps_whole_items_and_says_how_many_it_left_out():
    items = [{"locator": "x" * 1000, "n": n} for n in range(100)]
    cell = json_array(items)
    assert len(cell) <= SPREADSHEET_CELL
    parsed = json.loads(cell)
    assert parsed[-1]["omitted"] == 100 - (len(parsed) - 1)
    assert parsed[:-1] == items[: len(parsed) - 1]


@pytest.mark.parametrize("endpoint", LISTS)
def test_pandas_reads_every_lists_csv(client, endpoint):
    text = body(csv_of(client, endpoint))  # a stream: read once
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert len(frame) == client.get(f"{API}{endpoint}/").json()["count"]
    assert list(frame.columns) == next(csv.reader(io.StringIO(text)))


# -- A .csv address is read-only: its Allow header says so, and a write is a 405 -------------

CSV_ALLOW = "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("endpoint", LISTS)
def test_a_csv_address_allows_only_reads(client, endpoint):
    options = client.options(f"{API}{endpoint}.csv")
    assert options.status_code == 200
    assert options["Allow"] == CSV_ALLOW
    for method in ("post", "put", "patch", "delete"):
        refused = getattr(client, method)(
            f"{API}{endpoint}.csv", {}, content_type="application/json"
        )
        assert refused.status_code == 405, (method, body(refused)[:300])
        assert refused["Content-Type"] == "application/problem+json"
        assert refused["Allow"] == CSV_ALLOW
        assert refused.json()["status"] == 405 and method.upper() in refused.json()["detail"]
    assert client.head(f"{API}{endpoint}.csv").status_code == 200
    # The list's own address still takes writes: only the suffix is read-only.
    assert "POST" in client.options(f"{API}{endpoint}/")["Allow"].split(", ")


def test_a_write_to_a_csv_address_is_a_405_even_for_an_editor(editor_client):
    from parties.models import Organization

    before = Organization.objects.count()
    created = editor_client.post(
        f"{API}organizations.csv",
        {"name": "Suffix Party", "kind": "party"},
        content_type="application/json",
        HTTP_X_EDIT_SUMMARY="A test's write",
    )
    assert created.status_code == 405
    assert created["Allow"] == CSV_ALLOW
    assert Organization.objects.count() == before
    record = editor_client.options(f"{API}organizations/otan.csv")
    assert record.status_code == 200 and record["Allow"] == CSV_ALLOW
    assert editor_client.delete(f"{API}organizations/otan.csv").status_code == 405
    assert Organization.objects.filter(slug="otan").exists()
