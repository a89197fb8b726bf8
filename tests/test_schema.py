"""The OpenAPI 3 schema at /api/v1/schema/: valid, complete, and true to what the API does;
and its browsable docs, served from the site itself."""

import json
import re
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

SCHEMA = "/api/v1/schema/"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


# libyaml's parser where PyYAML has it: the pure-Python one takes most of a second on a schema
# of 650 kB.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    """The YAML schema as the API serves it, read once for the module: it is made from the
    code alone, and no test changes it."""
    with django_db_blocker.unblock():
        response = Client().get(SCHEMA)
    assert response.status_code == 200
    return yaml.load(response.content, Loader=YAML_LOADER)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def list_paths(schema):
    """Paths of the paged lists: those whose GET takes ?page=, but the pages of what hangs on
    one record (``/organizations/{slug}/relations/``)."""
    return sorted(
        path
        for path, method, operation in operations(schema)
        if method == "get"
        and "page" in {p["name"] for p in operation.get("parameters", [])}
        and "{" not in path
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
    document = (
        json.loads(response.content) if query else yaml.load(response.content, Loader=YAML_LOADER)
    )
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


@pytest.mark.slow  # a sweep: every documented ordering of every list
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
    """A client that builds a wrong address gets the problem+json error the schema documents,
    not the site's HTML page (schemathesis found these: ids that are not integers, slugs with a
    dot)."""
    response = client.get(address)
    assert response.status_code == 404
    assert response["Content-Type"].split(";")[0] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["status"] == 404 and problem["detail"] and problem["title"]


def test_reads_need_no_credentials_and_writes_do(schema):
    """A read answers anyone alike: no security requirement (a generated client then calls it
    with a plain client); a write names the schemes that may sign it."""
    for path, method, operation in operations(schema):
        if method in ("get", "head"):
            assert operation.get("security") == [], f"{method.upper()} {path}"
        elif method in ("post", "put", "patch", "delete") and "reconcile" not in path:
            assert operation.get("security"), f"{method.upper()} {path}"


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


# -- Links: how one answer leads to the next (schemathesis's stateful phase follows them) ----


def links(schema):
    """(source path, method, status, name, link) for every link in the schema."""
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            for name, link in response.get("links", {}).items():
                yield path, method, status, name, link


def by_operation_id(schema):
    return {op["operationId"]: (path, method, op) for path, method, op in operations(schema)}


def pointer(expression):
    """The JSON Pointer of a ``$response.body#/...`` runtime expression, as a list of keys."""
    assert expression.startswith("$response.body#/"), expression
    return expression.removeprefix("$response.body#/").split("/")


def resolve_ref(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in node and "properties" not in node:
            parts = [resolve_ref(schema, part) for part in node[combined]]
            node = next((part for part in parts if "properties" in part), parts[0])
    return node


def schema_at(schema, node, keys):
    """The response schema a pointer leads to in ``node``, or None if it leads nowhere."""
    for key in keys:
        node = resolve_ref(schema, node)
        if key.isdigit():
            if node.get("type") != "array":
                return None
            node = node["items"]
        elif key in node.get("properties", {}):
            node = node["properties"][key]
        else:
            return None
    return resolve_ref(schema, node)


def value_at(body, keys):
    for key in keys:
        if body is None:
            return None
        body = body[int(key)] if key.isdigit() else body.get(key)
    return body


def test_every_link_points_at_a_real_operation_and_parameter_from_a_real_field(schema):
    operations_by_id = by_operation_id(schema)
    found = list(links(schema))
    assert len(found) >= 30
    for path, method, status, name, link in found:
        where = f"{method.upper()} {path} {status} link {name}"
        assert link["operationId"] in operations_by_id, f"{where}: no such operation"
        assert link["description"], where
        _, _, target = operations_by_id[link["operationId"]]
        declared = {(p["in"], p["name"]) for p in target.get("parameters", [])}
        response = operation_of(schema, path, method)["responses"][status]
        body = response["content"]["application/json"]["schema"]
        for parameter, expression in link["parameters"].items():
            location, parameter_name = parameter.split(".")
            assert (location, parameter_name) in declared, f"{where}: {parameter}"
            field = schema_at(schema, body, pointer(expression))
            assert field is not None, f"{where}: {expression} is not in the response"
            assert field.get("type") in ("string", "integer"), f"{where}: {expression}"


def operation_of(schema, path, method):
    return schema["paths"][path][method]


def test_every_list_links_its_first_record_to_the_records_detail(schema):
    for path in list_paths(schema):
        detail = next((p for p in schema["paths"] if re.fullmatch(rf"{path}\{{\w+\}}/", p)), None)
        assert detail, path
        key = detail.removeprefix(path).strip("{}/")
        link = schema["paths"][path]["get"]["responses"]["200"]["links"]["first"]
        assert link["operationId"] == schema["paths"][detail]["get"]["operationId"]
        assert link["parameters"] == {f"path.{key}": f"$response.body#/results/0/{key}"}


@pytest.mark.parametrize(
    ("detail", "name", "target", "parameter"),
    [
        ("/api/v1/organizations/{slug}/", "results", "/api/v1/results/", "query.organization"),
        ("/api/v1/organizations/{slug}/", "people", "/api/v1/people/", "query.organization"),
        ("/api/v1/elections/{slug}/", "results", "/api/v1/results/", "query.election"),
        ("/api/v1/people/{slug}/", "organizations_led", "/api/v1/organizations/", "query.leader"),
        ("/api/v1/acts/{slug}/", "registrations", "/api/v1/registrations/", "query.act"),
        ("/api/v1/sources/{slug}/", "citations", "/api/v1/citations/", "query.source"),
        ("/api/v1/citations/{id}/", "source", "/api/v1/sources/{slug}/", "path.slug"),
    ],
)
def test_a_record_links_to_what_concerns_it(schema, detail, name, target, parameter):
    link = schema["paths"][detail]["get"]["responses"]["200"]["links"][name]
    assert link["operationId"] == schema["paths"][target]["get"]["operationId"]
    assert list(link["parameters"]) == [parameter]


@pytest.mark.slow  # a crawl along every OpenAPI link
def test_following_every_link_from_the_first_records_of_each_list_finds_records(client, schema):
    """On the article's data: from each list's first twenty records (reached by its "first"
    link's key), every link whose value a record has (not null) answers 200, and each link
    leads to a record, or to a list that is not empty, from at least one of them."""
    operations_by_id = by_operation_id(schema)
    led_somewhere = {}
    for path in list_paths(schema):
        first = schema["paths"][path]["get"]["responses"]["200"]["links"]["first"]
        detail_path, _, detail = operations_by_id[first["operationId"]]
        outgoing = detail["responses"]["200"].get("links", {})
        if not outgoing:
            continue
        (parameter,) = first["parameters"]
        key = parameter.removeprefix("path.")
        for item in client.get(path, {"page_size": 20}).json()["results"]:
            record = client.get(detail_path.replace(f"{{{key}}}", str(item[key]))).json()
            for name, link in outgoing.items():
                target_path, _, _ = operations_by_id[link["operationId"]]
                answer = follow(client, target_path, link, record)
                led_somewhere.setdefault((detail_path, name), False)
                if answer is None:
                    continue  # the record has no such value (no founding place known)
                assert answer.status_code == 200, (record["api_url"], name, answer.status_code)
                found = "{" in target_path or answer.json()["count"] >= 1
                led_somewhere[detail_path, name] |= found
    assert len(led_somewhere) >= 15
    nowhere = sorted(link for link, found in led_somewhere.items() if not found)
    assert not nowhere, f"links that led to nothing from any of the first records: {nowhere}"


def follow(client, target_path, link, body):
    """GET the link's target with its parameters taken from ``body``; None if one is null."""
    query, url = {}, target_path
    for parameter, expression in link["parameters"].items():
        value = value_at(body, pointer(expression))
        if value is None:
            return None
        location, name = parameter.split(".")
        if location == "path":
            url = url.replace(f"{{{name}}}", str(value))
        else:
            query[name] = value
    return client.get(url, query)
