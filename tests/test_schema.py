"""The OpenAPI 3 schema at /api/v1/schema/: valid, complete, and true to what the API does;
and its browsable docs, served from the site itself."""

import json
import re
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

SCHEMA = "/api/v1/schema/"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@pytest.fixture
def schema(client):
    response = client.get(SCHEMA)
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def list_paths(schema):
    """Paths of the paged lists: those whose GET takes ?page=."""
    return sorted(
        path
        for path, method, operation in operations(schema)
        if method == "get" and "page" in {p["name"] for p in operation.get("parameters", [])}
    )


def parameter(operation, name):
    return next(p for p in operation["parameters"] if p["name"] == name)


def undescribed_properties(schema, where):
    """Every property, at any depth, that has no description, named by its path."""
    if not isinstance(schema, dict):
        return
    for name, prop in schema.get("properties", {}).items():
        if not str(prop.get("description", "")).strip():
            yield f"{where}.{name}"
        yield from undescribed_properties(prop, f"{where}.{name}")
    if isinstance(schema.get("items"), dict):
        yield from undescribed_properties(schema["items"], f"{where}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from undescribed_properties(schema["additionalProperties"], f"{where}{{}}")
    for combined in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(combined, []):
            yield from undescribed_properties(part, where)


@pytest.mark.parametrize("query", ["", "?format=json"])
def test_the_schema_is_valid_openapi_3_as_yaml_and_as_json(client, query):
    response = client.get(SCHEMA + query)
    assert response.status_code == 200
    document = json.loads(response.content) if query else yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    validate(document)


def test_the_json_and_yaml_schemas_say_the_same(client, schema):
    assert json.loads(client.get(SCHEMA + "?format=json").content) == schema


def test_every_parameter_has_a_description(schema):
    offenders = [
        f"{method.upper()} {path} {p['in']}:{p['name']}"
        for path, method, operation in operations(schema)
        for p in operation.get("parameters", [])
        if not str(p.get("description", "")).strip()
    ]
    assert not offenders, f"{len(offenders)} parameter(s) without a description:\n" + "\n".join(
        offenders
    )


def test_every_property_of_every_component_schema_has_a_description(schema):
    offenders = [
        offender
        for name, component in schema["components"]["schemas"].items()
        for offender in undescribed_properties(component, name)
    ]
    assert not offenders, f"{len(offenders)} propert(ies) without a description:\n" + "\n".join(
        offenders
    )


def test_every_response_has_a_description(schema):
    offenders = [
        f"{method.upper()} {path} {status}"
        for path, method, operation in operations(schema)
        for status, response in operation["responses"].items()
        if not str(response.get("description", "")).strip()
    ]
    assert not offenders, "responses without a description:\n" + "\n".join(offenders)


def test_every_list_documents_search_ordering_paging_and_formats(schema):
    lists = list_paths(schema)
    assert len(lists) >= 9
    for path in lists:
        names = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert {"search", "ordering", "page", "page_size", "format"} <= names, path
        assert "updated_since" in names, f"{path} cannot be filtered by updated_since"


def test_the_documented_orderings_are_the_ones_the_api_accepts(client, schema):
    for path in list_paths(schema):
        pattern = parameter(schema["paths"][path]["get"], "ordering")["schema"]["pattern"]
        fields = re.match(r"\^-\?\(([^)]*)\)", pattern).group(1).split("|")
        for field in fields:
            for term in (field, f"-{field}"):
                assert re.fullmatch(pattern, term)
                response = client.get(path, {"ordering": term})
                assert response.status_code == 200, (path, term, response.content[:200])
        assert not re.fullmatch(pattern, "no_such_field")
        assert client.get(path, {"ordering": "no_such_field"}).status_code == 400


def test_the_documented_page_size_bounds_are_the_ones_the_api_applies(client, schema):
    for path in list_paths(schema):
        bounds = parameter(schema["paths"][path]["get"], "page_size")["schema"]
        assert client.get(path, {"page_size": bounds["maximum"]}).status_code == 200
        assert client.get(path, {"page_size": bounds["maximum"] + 1}).status_code == 400
        assert client.get(path, {"page_size": bounds["minimum"] - 1}).status_code == 400


def test_the_documented_formats_are_the_ones_the_api_serves(client, schema):
    for path in list_paths(schema):
        operation = schema["paths"][path]["get"]
        for name in parameter(operation, "format")["schema"]["enum"]:
            response = client.get(path, {"format": name})
            assert response.status_code == 200
            assert (
                response["Content-Type"].split(";")[0] in operation["responses"]["200"]["content"]
            )


def test_the_errors_the_api_answers_are_documented(client, schema):
    """Bad input, a page past the end and an unknown record each get an answer the schema
    lists, in a content type it lists."""
    for path in list_paths(schema):
        responses = schema["paths"][path]["get"]["responses"]
        for query in ({"page": "0"}, {"page": "100000"}, {"page_size": "x"}, {"format": "xml"}):
            response = client.get(path, query)
            status = str(response.status_code)
            assert status in responses, (path, query, status)
            media_type = response["Content-Type"].split(";")[0]
            assert media_type in responses[status]["content"], (path, query, media_type)
    for path, method, operation in operations(schema):
        if method == "get" and "{" in path:
            missing = re.sub(r"\{[^}]+\}", "999999999", path)
            response = client.get(missing)
            assert response.status_code == 404, (missing, response.status_code)
            assert "404" in operation["responses"], path
            assert (
                response["Content-Type"].split(";")[0] in operation["responses"]["404"]["content"]
            )


@pytest.mark.parametrize(
    "address",
    ["/api/v1/results/1.5e-3/", "/api/v1/organizations/.exe/", "/api/v1/no-such-list/"],
)
def test_an_address_the_api_does_not_have_is_a_404_in_the_apis_own_format(client, address):
    """A client that builds a wrong address gets the JSON error the schema documents, not the
    site's HTML page (schemathesis found these: ids that are not integers, slugs with a dot)."""
    response = client.get(address)
    assert response.status_code == 404
    assert response["Content-Type"].split(";")[0] == "application/json"
    assert response.json()["detail"]


def test_anonymous_writes_are_documented_as_refused(schema):
    for path, method, operation in operations(schema):
        if method in ("post", "put", "patch", "delete"):
            assert {"401", "403"} <= set(operation["responses"]), f"{method.upper()} {path}"


def test_throttling_is_documented_with_retry_after(schema):
    for path, method, operation in operations(schema):
        throttled = operation["responses"].get("429")
        assert throttled, f"{method.upper()} {path} does not document 429"
        assert "Retry-After" in throttled.get("headers", {})


# -- The browsable docs ---------------------------------------------------------------------

ASSET = re.compile(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""")
ABSOLUTE = re.compile(r"""https?://[^\s"'<>)]+""")


@pytest.mark.parametrize("page", ["/api/v1/docs/"])
def test_the_docs_load_and_point_at_the_schema(client, page):
    response = client.get(page)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    # The set-up script is a file of its own (no inline script: the CSP forbids it).
    html = response.content.decode()
    assert "<script>" not in html
    script = re.search(r'<script src="(/api/v1/docs/\?script=)"></script>', html).group(1)
    setup = client.get(script)
    assert setup.status_code == 200
    assert SCHEMA in setup.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("page", ["/api/v1/docs/"])
def test_the_docs_load_nothing_from_another_host(client, page):
    html = client.get(page).content.decode()
    urls = ABSOLUTE.findall(html) + ASSET.findall(html)
    foreign = sorted({url for url in urls if urlsplit(url).hostname not in {None, "testserver"}})
    assert not foreign, f"{page} refers to other hosts: {foreign}"


@pytest.mark.parametrize("page", ["/api/v1/docs/"])
def test_the_docs_assets_are_the_sites_own_static_files(client, page):
    html = client.get(page).content.decode()
    assets = ASSET.findall(html)
    scripts = [a for a in assets if a.endswith(".js")]
    assert scripts, f"{page} loads no script"
    for asset in assets:
        if asset == f"{page}?script=":
            continue  # the docs' own set-up script, served by the same view (see above)
        assert asset.startswith(f"/{settings.STATIC_URL.strip('/')}/"), asset
        relative = asset.removeprefix(f"/{settings.STATIC_URL.strip('/')}/")
        assert finders.find(relative), f"{page}: {asset} is not among the static files"
