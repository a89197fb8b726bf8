"""The reconciliation endpoint (W3C Reconciliation Service API 0.2, as OpenRefine 3.x speaks
it): a spreadsheet's names, in any spelling or in Cyrillic, matched to organizations and
people on the article's data, public records and names only."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlencode

import jsonschema
import pytest
from django.core.cache import caches
from django.test import Client

from kzpolitics.core.models import Person, Status
from kzpolitics.site.reconcile import MAX_QUERIES, MAX_QUERY_LENGTH
from parties.models import Organization

from .factories import OrganizationNameFactory, PersonFactory, PersonNameFactory

pytestmark = pytest.mark.django_db

ENDPOINT = "/api/v1/reconcile/"
NAZARBAEV = "people/nursultan-nazarbaev"
PROBLEM = "application/problem+json"

# The parts of the specification's JSON schemas (reconciliation-api/specs, 0.2/schemas) that a
# client relies on, written out here: the manifest, and a batch of results.
TYPE_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
    "required": ["id", "name"],
}
SERVICE_SCHEMA = {
    "type": "object",
    "properties": {"service_url": {"type": "string"}, "service_path": {"type": "string"}},
}
MANIFEST_SCHEMA = {
    "type": "object",
    "properties": {
        "versions": {"type": "array", "items": {"type": "string"}, "contains": {"enum": ["0.2"]}},
        "name": {"type": "string"},
        "identifierSpace": {"type": "string"},
        "schemaSpace": {"type": "string"},
        "documentation": {"type": "string"},
        "view": {
            "type": "object",
            "properties": {"url": {"type": "string", "pattern": r".*\{\{id\}\}.*"}},
            "required": ["url"],
        },
        "defaultTypes": {"type": "array", "items": TYPE_SCHEMA, "uniqueItems": True},
        "suggest": {
            "type": "object",
            "properties": {"entity": SERVICE_SCHEMA, "property": SERVICE_SCHEMA},
        },
        "preview": {
            "type": "object",
            "properties": {
                "url": {"type": "string", "pattern": r".*\{\{id\}\}.*"},
                "width": {"type": "integer"},
                "height": {"type": "integer"},
            },
            "required": ["url", "width", "height"],
        },
    },
    "required": ["versions", "name", "identifierSpace", "schemaSpace"],
}
RESULT_BATCH_SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "properties": {
            "result": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "description": {"type": "string"},
                        "score": {"type": "number"},
                        "match": {"type": "boolean"},
                        "type": {"type": "array", "items": TYPE_SCHEMA},
                    },
                    "required": ["id", "name", "score"],
                },
            }
        },
        "required": ["result"],
    },
}


def get_batch(client, batch: dict):
    return client.get(ENDPOINT, {"queries": json.dumps(batch)})


def post_batch(client, batch: dict):
    return client.post(
        ENDPOINT,
        urlencode({"queries": json.dumps(batch)}),
        content_type="application/x-www-form-urlencoded",
    )


def answer(client, batch: dict, method=post_batch) -> dict:
    response = method(client, batch)
    assert response.status_code == 200, response.content
    body = response.json()
    jsonschema.validate(body, RESULT_BATCH_SCHEMA)
    assert list(body) == list(batch)
    return body


def candidates(client, text: str, **query) -> list[dict]:
    return answer(client, {"q0": {"query": text, **query}})["q0"]["result"]


def test_the_manifest_describes_the_service(client):
    response = client.get(ENDPOINT)
    assert response.status_code == 200
    manifest = response.json()
    jsonschema.validate(manifest, MANIFEST_SCHEMA)
    types = {t["id"] for t in manifest["defaultTypes"]}
    assert {"organization", "person", "party", "movement"} <= types
    # Every address it names answers.
    assert client.get(manifest["view"]["url"].replace("{{id}}", NAZARBAEV)).status_code == 302
    preview = client.get(manifest["preview"]["url"].replace("{{id}}", NAZARBAEV))
    assert preview.status_code == 200
    suggest = manifest["suggest"]["entity"]
    found = client.get(suggest["service_url"] + suggest["service_path"], {"prefix": "Naz"})
    assert found.status_code == 200
    assert client.get(manifest["documentation"]).status_code == 200
    assert "extend" not in manifest, "data extension is not implemented, so not advertised"


@pytest.mark.parametrize("text", ["Назарбаев", "Nazarbayev", "Nazarbaev", "nursultan nazarbayev"])
def test_nazarbaev_in_any_spelling_is_the_first_candidate(client, text):
    found = candidates(client, text)
    first = found[0]
    assert first["id"] == NAZARBAEV
    assert first["name"] == "Nursultan Nazarbaev"
    assert first["type"] == [{"id": "person", "name": "Person"}]
    assert first["score"] == 100
    assert first["match"] is True, "one record bears exactly that name"
    assert all(other["score"] < 100 for other in found[1:])


def test_a_cyrillic_party_name_finds_the_party(client):
    first = candidates(client, "Отан", type="party")[0]
    assert first["id"] == "organizations/otan"
    assert {"id": "party", "name": "Political party"} in first["type"]
    assert first["match"] is True
    assert "matched “" in first["description"], "says which of its names matched"


def test_the_exact_name_beats_a_longer_name_it_begins(client):
    found = candidates(client, "Democratic Party of Kazakhstan")
    ids = [c["id"] for c in found]
    assert ids[0] == "organizations/democratic-party-of-kazakhstan"
    assert found[0]["score"] == 100 and found[0]["match"] is True
    prefix = ids.index("organizations/democratic-party-of-kazakhstan-ak-zhol")
    assert found[prefix]["score"] == 80 and found[prefix]["match"] is False
    scores = [c["score"] for c in found]
    assert scores == sorted(scores, reverse=True)


def test_an_ambiguous_exact_name_is_no_certain_match(client):
    first = candidates(client, "Nazarbaev")[0]
    assert first["match"] is True
    twin = PersonFactory(slug="another-nazarbaev", name="Nazarbaev")
    caches["pages"].clear()
    found = candidates(client, "Nazarbaev")
    exact = [c for c in found if c["score"] == 100]
    assert {c["id"] for c in exact} == {NAZARBAEV, f"people/{twin.slug}"}
    assert not any(c["match"] for c in exact), "two records bear that name: OpenRefine asks"
    (only,) = candidates(client, "Nazarbaev", limit=1)
    assert only["match"] is False, "the other one is still there, past the limit"


def test_types_narrow_the_candidates(client):
    assert {c["id"] for c in candidates(client, "Nazarbaev", type="organization")} & {
        NAZARBAEV
    } == set()
    people = candidates(client, "Otan", type="person")
    assert all(c["type"] == [{"id": "person", "name": "Person"}] for c in people)
    parties = candidates(client, "Democratic", type="party", limit=50)
    assert parties and all({"id": "party", "name": "Political party"} in c["type"] for c in parties)
    movements = candidates(client, "Democratic", type=["movement", "party"], limit=50)
    kinds = {c["type"][1]["id"] for c in movements}
    assert kinds == {"movement", "party"}
    both = candidates(client, "Democratic", type=["organization", "party"], type_strict="all")
    assert both and all(c["type"][1]["id"] == "party" for c in both)
    assert candidates(client, "Otan", type=["person", "party"], type_strict="all") == []


def test_the_limit_caps_the_candidates(client):
    assert len(candidates(client, "Party", limit=3)) == 3
    assert len(candidates(client, "Party")) == 10


def test_founding_year_properties_weigh_the_candidates(client):
    right = candidates(client, "Otan", type="party", properties=[{"pid": "founded", "v": 1999}])
    assert right[0]["id"] == "organizations/otan" and right[0]["score"] == 100
    assert right[0]["match"] is True
    wrong = candidates(
        client, "Otan", type="party", properties=[{"pid": "founded", "v": "March 1990"}]
    )
    otan = next(c for c in wrong if c["id"] == "organizations/otan")
    assert otan["score"] == 50 and otan["match"] is False
    unreadable = candidates(
        client, "Otan", type="party", properties=[{"pid": "founded", "v": "unknown"}]
    )
    assert unreadable == right, "a value that names no year does not count"


def test_a_batch_by_get_and_by_form_post(client):
    batch = {
        "q0": {"query": "Nazarbayev"},
        "q1": {"query": "Democratic Party of Kazakhstan", "type": "organization"},
        "q2": {"query": "Назарбаев", "type": "person", "limit": 3},
        "q3": {"query": "no such name anywhere"},
    }
    by_get = answer(client, batch, method=get_batch)
    by_post = answer(client, batch, method=post_batch)
    assert by_get == by_post
    assert by_get["q0"]["result"][0]["id"] == NAZARBAEV
    assert by_get["q1"]["result"][0]["id"] == "organizations/democratic-party-of-kazakhstan"
    assert len(by_get["q2"]["result"]) <= 3
    assert by_get["q3"]["result"] == []


def test_a_post_needs_no_csrf_token_and_reads_as_the_public(editor):
    """OpenRefine posts anonymously; an editor's session changes nothing either (no draft)."""
    anonymous = Client(enforce_csrf_checks=True)
    PersonNameFactory(person=Person.objects.get(slug="nursultan-nazarbaev"), name="Quasarbaev",
                      status=Status.DRAFT)  # fmt: skip
    assert answer(anonymous, {"q0": {"query": "Quasarbaev"}})["q0"]["result"] == []
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(editor)
    assert answer(signed_in, {"q0": {"query": "Quasarbaev"}})["q0"]["result"] == []


def test_drafts_change_no_answer(client):
    batch = {
        "q0": {"query": "Nazarbaev"},
        "q1": {"query": "Otan"},
        "q2": {"query": "Kvazar"},
        "q3": {"query": "Nursultan"},
    }
    before_post = post_batch(client, batch).content
    before_get = get_batch(client, batch).content
    nazarbaev = Person.objects.get(slug="nursultan-nazarbaev")
    PersonNameFactory(person=nazarbaev, name="Kvazar Nazarbaev", status=Status.DRAFT)
    PersonFactory(slug="nursultan-draft", name="Nursultan Nazarbaev", status=Status.DRAFT)
    otan = Organization.objects.get(slug="otan")
    OrganizationNameFactory(organization=otan, name="Kvazar Otan", status=Status.DRAFT)
    caches["pages"].clear()  # the data version did not move: a cached answer would prove nothing
    assert post_batch(client, batch).content == before_post
    assert get_batch(client, batch).content == before_get
    assert json.loads(before_post)["q2"]["result"] == []


def test_queries_per_batch_are_bounded(client, django_assert_max_num_queries):
    batch = {f"q{n}": {"query": name} for n, name in enumerate(["Nazarbaev", "Otan", "Azat"] * 4)}
    # Two searches a query (organizations, people), then the names of all candidates at once,
    # and the data version.
    with django_assert_max_num_queries(2 * len(batch) + 4):
        response = post_batch(client, batch)
    assert response.status_code == 200


def bad_request(response, *words: str) -> dict:
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    text = json.dumps(body, ensure_ascii=False)
    for word in words:
        assert word in text, (word, text)
    return body


@pytest.mark.parametrize(
    ("queries", "words"),
    [
        ("{not json", ["JSON"]),
        ("[1, 2]", ["object"]),
        ("{}", ["object"]),
        ("[" * 100_000 + "]" * 100_000, ["characters"]),
        ("[" * 40_000 + "]" * 40_000, ["JSON"]),  # too deep for Python's parser
        ('{"q0": "Nazarbaev"}', ["object"]),
        ('{"q0": {"query": 12}}', ["string"]),
        (json.dumps({"q0": {"query": "Ota\x00n"}}), ["NUL"]),  # PostgreSQL refuses a NUL
        ('{"q0": {"type": "person"}}', ["query"]),
        (json.dumps({"q0": {"query": "x" * (MAX_QUERY_LENGTH + 1)}}), [str(MAX_QUERY_LENGTH)]),
        ('{"q0": {"query": "Otan", "type": "planet"}}', ["planet", "person"]),
        ('{"q0": {"query": "Otan", "type": [1]}}', ["type"]),
        ('{"q0": {"query": "Otan", "limit": 0}}', ["limit"]),
        ('{"q0": {"query": "Otan", "limit": "ten"}}', ["limit"]),
        ('{"q0": {"query": "Otan", "type_strict": "some"}}', ["any, should"]),
        ('{"q0": {"query": "Otan", "colour": "red"}}', ["colour"]),
        ('{"q0": {"query": "Otan", "properties": [{"pid": "mass", "v": 1}]}}', ["founded"]),
        ('{"q0": {"query": "Otan", "properties": "founded"}}', ["pid"]),
        (
            json.dumps({f"q{n}": {"query": "Otan"} for n in range(MAX_QUERIES + 1)}),
            [f"at most {MAX_QUERIES}"],
        ),
    ],
)
def test_bad_input_is_a_400_problem(client, queries, words):
    bad_request(post_batch_raw(client, queries), *words)
    if len(queries) < 4000:
        bad_request(client.get(ENDPOINT, {"queries": queries}), *words)


def post_batch_raw(client, queries: str):
    return client.post(
        ENDPOINT, urlencode({"queries": queries}), content_type="application/x-www-form-urlencoded"
    )


def test_other_bad_requests(client):
    bad_request(client.get(ENDPOINT, {"query": "Otan"}), "query", "queries")
    bad_request(client.post(ENDPOINT, {}), "queries")
    twice = client.get(f"{ENDPOINT}?queries=%7B%7D&queries=%7B%7D")
    bad_request(twice, "once")
    as_json = client.post(ENDPOINT, {"queries": {}}, content_type="application/json")
    assert as_json.status_code == 415
    assert as_json["Content-Type"].startswith(PROBLEM)
    assert client.put(ENDPOINT).status_code == 405


class Tags(HTMLParser):
    """Checks that every element opened is closed, in order; keeps the links."""

    VOID = {"meta", "link", "br", "img", "input", "hr"}

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.links: list[str] = []
        self.balanced = True

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs)["href"])
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.balanced = False


def test_the_preview_is_a_small_page_linking_the_record(client):
    response = client.get("/api/v1/reconcile/preview/", {"id": NAZARBAEV})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert html.startswith("<!DOCTYPE html>")
    tags = Tags()
    tags.feed(html)
    assert tags.balanced and not tags.open
    assert "http://testserver/people/nursultan-nazarbaev/" in tags.links
    assert "Nazarbayev" in html, "its other names"
    assert "://" not in html.replace("http://testserver/", ""), "no asset from another host"
    # OpenRefine shows it in a frame of its own page.
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert client.get("/api/v1/reconcile/preview/", {"id": NAZARBAEV}).status_code == 200


def test_preview_and_view_of_what_the_public_may_not_see(client):
    draft = PersonFactory(slug="quasar-draft", name="Quasar Draft", status=Status.DRAFT)
    for address in ("/api/v1/reconcile/preview/", "/api/v1/reconcile/view/"):
        hidden = client.get(address, {"id": f"people/{draft.slug}"})
        missing = client.get(address, {"id": "people/no-such-person"})
        assert hidden.status_code == missing.status_code == 404
        assert hidden["Content-Type"].startswith(PROBLEM)
        assert hidden.json()["detail"].replace(draft.slug, "") == missing.json()["detail"].replace(
            "no-such-person", ""
        )
        bad_request(client.get(address, {"id": "nursultan-nazarbaev"}), "organizations/<slug>")


def test_the_view_leads_to_the_public_page(client):
    response = client.get("/api/v1/reconcile/view/", {"id": "organizations/otan"})
    assert response.status_code == 302
    assert response["Location"] == "/organizations/otan/"


def test_entity_suggest(client):
    response = client.get("/api/v1/reconcile/suggest/entity/", {"prefix": "Nazarb"})
    assert response.status_code == 200
    result = response.json()["result"]
    assert result[0]["id"] == NAZARBAEV
    assert result[0]["notable"] == [{"id": "person", "name": "Person"}]
    first_page = client.get("/api/v1/reconcile/suggest/entity/", {"prefix": "Party"}).json()
    second_page = client.get(
        "/api/v1/reconcile/suggest/entity/", {"prefix": "Party", "cursor": 10}
    ).json()
    assert len(first_page["result"]) == 10
    assert not {r["id"] for r in first_page["result"]} & {r["id"] for r in second_page["result"]}
    parties = client.get(
        "/api/v1/reconcile/suggest/entity/", {"prefix": "Nazarb", "type": "party"}
    ).json()
    assert NAZARBAEV not in {r["id"] for r in parties["result"]}
    bad_request(client.get("/api/v1/reconcile/suggest/entity/"), "prefix")
    bad_request(
        client.get("/api/v1/reconcile/suggest/entity/", {"prefix": "a", "cursor": "-1"}), "cursor"
    )
    bad_request(
        client.get("/api/v1/reconcile/suggest/entity/", {"prefix": "a", "type": "x"}), "type"
    )


def test_the_schema_documents_the_endpoint(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = json.loads(schema.content)["paths"]
    operation = paths["/api/v1/reconcile/"]
    manifest = operation["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.validate(client.get(ENDPOINT).json(), manifest)
    form = operation["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert form["schema"]["required"] == ["queries"]
    batch = operation["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.validate(answer(client, {"q0": {"query": "Otan"}}), batch)
    suggest = paths["/api/v1/reconcile/suggest/entity/"]["get"]
    assert {p["name"] for p in suggest["parameters"]} == {"prefix", "type", "cursor"}
