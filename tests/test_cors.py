"""Web clients: a page on another site (a notebook on Observable, a web reconciler) reads the
API's public answers (CORS, never with credentials, never for writes or the admin), and the
API's root lists every address it has."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, get_resolver, reverse

pytestmark = pytest.mark.django_db

ORIGIN = "https://observablehq.com"
EXPOSED = {"link", "etag", "last-modified", "content-disposition", "retry-after"}


def header_set(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",") if part.strip()}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/",
        "/api/v1/organizations/?kind=party",
        "/api/v1/people/nursultan-nazarbaev/",
        "/api/v1/results/?format=csv",
        "/api/v1/reconcile/",
        "/api/v1/no-such-list/",  # an error is readable too: the script learns what went wrong
    ],
)
def test_a_public_read_from_another_site_is_allowed(client, url):
    for attempt in ("first", "from the cache"):
        response = client.get(url, HTTP_ORIGIN=ORIGIN)
        assert response["Access-Control-Allow-Origin"] == "*", attempt
        assert "Access-Control-Allow-Credentials" not in response
        assert header_set(response["Access-Control-Expose-Headers"]) >= EXPOSED
        assert "origin" in header_set(response["Vary"])
    head = client.head(url, HTTP_ORIGIN=ORIGIN)
    assert head["Access-Control-Allow-Origin"] == "*"


def test_the_cache_serves_the_same_answer_with_and_without_an_origin(client):
    plain = client.get("/api/v1/organizations/")
    cross = client.get("/api/v1/organizations/", HTTP_ORIGIN=ORIGIN)
    assert cross["X-Cache"] == "hit"
    assert cross.content == plain.content
    assert "Access-Control-Allow-Origin" not in plain


def test_a_reconciliation_batch_from_a_browser(client):
    response = client.post(
        "/api/v1/reconcile/",
        "queries=%7B%22q0%22%3A%7B%22query%22%3A%22Otan%22%7D%7D",
        content_type="application/x-www-form-urlencoded",
        HTTP_ORIGIN=ORIGIN,
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


def preflight(client, url: str, method: str, headers: str = ""):
    extra = {"HTTP_ACCESS_CONTROL_REQUEST_HEADERS": headers} if headers else {}
    return client.options(
        url, HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD=method, **extra
    )


def test_a_preflight_allows_reads_and_the_reconciliation_post(client):
    response = preflight(client, "/api/v1/organizations/", "GET", "if-none-match")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    methods = header_set(response["Access-Control-Allow-Methods"])
    assert methods == {"get", "head", "options", "post"}
    assert "if-none-match" in header_set(response["Access-Control-Allow-Headers"])
    assert int(response["Access-Control-Max-Age"]) > 0
    reconcile = preflight(client, "/api/v1/reconcile/", "POST", "content-type")
    assert "post" in header_set(reconcile["Access-Control-Allow-Methods"])


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_preflight_allows_no_write(client, method):
    """A browser asks first before a write from another site, and is told no: the method is
    not allowed, nor the Authorization header a token would travel in, nor credentials."""
    response = preflight(client, "/api/v1/organizations/otan/", method, "authorization")
    assert method.lower() not in header_set(response["Access-Control-Allow-Methods"])
    allowed_headers = header_set(response["Access-Control-Allow-Headers"])
    assert "authorization" not in allowed_headers
    assert "x-csrftoken" not in allowed_headers
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("url", ["/admin/", "/admin/login/", "/", "/organizations/otan/"])
def test_no_cors_outside_the_api(client, url):
    response = client.get(url, HTTP_ORIGIN=ORIGIN)
    assert "Access-Control-Allow-Origin" not in response
    options = preflight(client, url, "GET")
    assert "Access-Control-Allow-Origin" not in options
    assert "Access-Control-Allow-Methods" not in options


# -- the API's root -----------------------------------------------------------------------------


def api_routes_without_arguments() -> set[str]:
    """The names of the API's addresses that take no argument (not the catch-all 404)."""
    api = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "api")
    names = set()
    for pattern in api.url_patterns:
        named = isinstance(pattern, URLPattern) and pattern.name not in (None, "not-found")
        if named and not pattern.pattern.converters and "(" not in str(pattern.pattern):
            names.add(pattern.name)
    return names


def test_the_root_lists_every_address_and_each_answers(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    root = response.json()
    for key in ("organizations", "people", "export", "schema", "docs", "reconcile"):
        assert root[key].startswith("http://testserver/api/v1/"), key
    listed = {value.removeprefix("http://testserver") for value in root.values()}
    # Every address but the root itself and the reconciliation service's parts (its
    # manifest names them).
    expected = {
        reverse(f"api:{name}")
        for name in api_routes_without_arguments() - {"api-root"}
        if not name.startswith("reconcile-")
    }
    assert expected <= listed, expected - listed
    for url in root.values():
        followed = client.get(url)
        assert followed.status_code == 200, url
