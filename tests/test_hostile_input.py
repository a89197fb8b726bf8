"""Hostile input (issue 6): nothing anyone can send answers 5xx, and none of it changes the data.

Every list of the API (each parameter its OpenAPI schema declares), every public page (each
parameter it reads), every admin changelist (search ``q``, each list filter, ordering ``o``,
page ``p``, ``_to_field``; the record ticked for each of its actions), the editors' reports and
the admin's autocomplete, and every admin add form (each field of the record, each autocomplete
of it and its inline rows; the citations row on one form) are sent the same payloads: SQL
fragments, a string of 10,001 characters, a lone surrogate (invalid UTF-8), NUL and other
control characters, a right-to-left override, negative, huge and not-a-number numbers,
impossible dates. Each parameter is also given twice (a NUL, then SQL), and every address is
sent parameters no one declared. Requests go through ``Client(raise_request_exception=False)``,
so a crash is seen as the status the site would send.

What each answers (the specification):

- A NUL anywhere in a query string (a parameter's name or value), at any address: a 400 that
  names the parameter, as JSON under /api/ and as the site's HTML page elsewhere
  (kzpolitics.site.middleware). In a form body, the form says so beside the field.
- An API list: 200 (a value that matches nothing; a parameter the list does not know, which it
  ignores), or a 400 whose JSON names the parameter, or a 404 for a page past the end.
- An API detail or a record's page at an address that names no record: 404 (an API key ending
  in “.something” is read as a format suffix: a 400 naming ``format``).
- A public page with a filter form (organizations, acts, timeline): 200, showing every error
  the form finds (and the records the valid rest selects). A page number no page has: 404.
  Other pages ignore what they do not read, or say what is wrong (search): 200.
- An admin changelist: 200, or Django's 302 to ``?e=1`` (back to the unfiltered list) when a
  filter value cannot be looked up; a ``_to_field`` the admin does not allow: 400. An action
  given a record ticked that is no record: 302 back to the list (or, for a deletion, its
  confirmation page with nothing to delete). The editors' reports and the autocomplete's
  search: 200; an autocomplete asked for a model or field it does not serve: 403.
- An admin add form of a record, posted on purpose without its status, so that nothing may be
  saved whatever the payload (in any field, or in every autocomplete of the record and its
  inline rows): 200, the form shown again with its errors. An account's add form: 200 with
  errors, or 302 when the payload is a valid value (a group named “0”).
- More than Django's DATA_UPLOAD_MAX_NUMBER_FIELDS parameters, anywhere: 400.
- After each group of requests, every model of kzpolitics, parties, elections and legislation
  holds the rows and values it held before (hashed in key order), and each history table as
  many rows.

To keep the run short (about 6,000 requests):

- a request that does not test paging narrows what the page shows (one record a page in the
  API, a search that matches nothing in a changelist, a year with nothing in the timeline): how
  a parameter is read does not depend on how many rows are then rendered;
- what Django's admin parses the same way on every changelist (its own list filters, ``o``,
  ``p``, ``_to_field``, the record ticked for an action), and the third-party admins
  (accounts, tokens, sign-in attempts), get one payload of each kind that can take a
  different path there (``CORE``); ``HOSTILE_INPUT=full`` sends them every payload too.

Nothing is left out of the sweeps and no 5xx is tolerated. The terminal summary ends with
the figures: payloads, requests, statuses by class, 5xx seen.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteMixin
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from drf_spectacular.generators import SchemaGenerator

from kzpolitics.core.admin_filters import CheckedDateFieldListFilter
from kzpolitics.core.models import Person, Status, content_apps
from kzpolitics.site.api import router
from kzpolitics.site.views.timeline import TimelineForm
from legislation.filters import LegalActFilter
from parties.filters import OrganizationFilter

from .checkers import ARTEFACTS

# A sweep: run once, on PostgreSQL (tests/conftest.py deselects it on SQLite unless asked).
pytestmark = [pytest.mark.django_db, pytest.mark.sweep]

CONTENT_APPS = tuple(config.label for config in content_apps())
VENDOR = connection.vendor  # from the settings: no query is run at import
FORM = "application/x-www-form-urlencoded"
NOTHING = "q=no-record-is-called-this"  # a search that empties a changelist

# -- the payloads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    """A hostile value as it travels in a query string or a form body: percent-encoded."""

    name: str
    encoded: str


def text(name: str, value: str) -> Payload:
    return Payload(name, quote(value, safe=""))


def raw(name: str, encoded: str) -> Payload:
    """Bytes that no Python string encodes to (a lone surrogate, invalid UTF-8), as sent."""
    return Payload(name, encoded)


PAYLOADS = (
    text("sql-or", "' OR 1=1 --"),
    text("sql-drop", "1; DROP TABLE parties_organization"),
    text("long", "A" * 10_001),
    raw("lone-surrogate", "%ED%A0%80"),  # Django reads it, as any invalid UTF-8, as U+FFFD
    text("nul", "a\x00b"),
    text("controls", "\x1b[2J\x1b[31m\r\nSet-Cookie: x=1\x07\x7f"),
    text("rtl-override", "\u202eexe.txt"),
    text("like-wildcards", "%_\\"),
    text("negative", "-1"),
    text("zero", "0"),
    text("huge", str(10**30)),
    text("float-overflow", "1e309"),
    text("nan", "NaN"),
    text("superscript-digit", "²"),
    text("feb-30", "1991-02-30"),
    text("zero-date", "0000-00-00"),
    text("five-digit-year", "99999-01-01"),
    text("yesterday", "yesterday"),
    text("time-before-year-1-in-utc", "0001-01-01T00:00:00+05:00"),
    text("empty", ""),
    text("double-minus", "--name"),
)
PAYLOAD = {payload.name: payload for payload in PAYLOADS}
# For what Django's admin parses the same way on every changelist (its own list filters,
# ordering ``o``, page ``p``, ``_to_field``) and for the third-party admins, one payload of each
# kind that can reach a different path there: a string where a number or a choice is expected,
# a NUL (which PostgreSQL refuses), numbers out of range either way, a digit int() refuses, a
# time with no UTC value. HOSTILE_INPUT=full sends them every payload (a run about half as
# long again, for CI at night or after a change to the admin).
FULL_RUN = os.environ.get("HOSTILE_INPUT", "").lower() == "full"
CORE_NAMES = ("sql-or", "nul", "negative", "huge", "superscript-digit", "time-before-year-1-in-utc")
CORE = PAYLOADS if FULL_RUN else tuple(PAYLOAD[name] for name in CORE_NAMES)


@dataclass(frozen=True)
class Query:
    """One hostile query string: a parameter given a payload, or a shape of its own."""

    param: str
    payload: str  # the payload's name, or the shape's
    string: str


def queries(param: str, payloads: tuple[Payload, ...] = PAYLOADS) -> Iterator[Query]:
    """The parameter given every payload, then given twice (a NUL first, SQL last)."""
    name = quote(param)
    for payload in payloads:
        yield Query(param, payload.name, f"{name}={payload.encoded}")
    nul, sql = PAYLOAD["nul"].encoded, PAYLOAD["sql-or"].encoded
    yield Query(param, "repeated", f"{name}={nul}&{name}={sql}")


TOO_MANY = "unknown-1001-parameters"
UNKNOWN = (
    Query("", "unknown", "no_such_parameter=1"),
    Query(
        "",
        "unknown-hostile-names",
        "&".join(
            f"{name}=1"
            for name in (PAYLOAD["sql-or"].encoded, "a%00b", "%ED%A0%80", "page%5Bsize%5D")
        ),
    ),
    # One more than Django's DATA_UPLOAD_MAX_NUMBER_FIELDS.
    Query("", TOO_MANY, "&".join(f"p{i}={i}" for i in range(1001))),
)


def sweep(params: list[str]) -> list[Query]:
    return [query for param in params for query in queries(param)] + list(UNKNOWN)


def narrowed(query: Query, narrowing: dict[str, str]) -> str:
    """The query string, plus the parameters that narrow the page (unless one is under test)."""
    extra = [fragment for param, fragment in narrowing.items() if param != query.param]
    return "&".join([query.string, *extra])


# -- bookkeeping: every request counted, a 5xx rolled back, the data compared --------------------

TALLY: Counter[str] = Counter()


def send(client: Client, url: str, body: str | None = None, *, keep: bool = True):
    """GET ``url`` (or POST it a form body) inside a savepoint.

    A 5xx is rolled back, so that an aborted PostgreSQL transaction does not fail the requests
    after it; so is a request with ``keep=False`` (a form that may legitimately save).
    """
    savepoint = transaction.savepoint()
    response = client.get(url) if body is None else client.post(url, body, content_type=FORM)
    if response.status_code >= 500 or not keep:
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    TALLY["requests"] += 1
    TALLY[f"{response.status_code // 100}xx"] += 1
    return response


def content_tables() -> dict[str, object]:
    """Every row of every content model, hashed in primary-key order; history rows counted."""
    state: dict[str, object] = {}
    for label in CONTENT_APPS:
        for model in apps.get_app_config(label).get_models():
            rows = model._base_manager.order_by("pk")
            if model.__name__.startswith("Historical"):
                state[model._meta.label] = rows.count()
                continue
            values = list(rows.values_list())
            digest = hashlib.sha256(repr(values).encode("utf-8", "backslashreplace")).hexdigest()
            state[model._meta.label] = (len(values), digest)
    return state


@pytest.fixture(scope="module")
def baseline(django_db_setup, django_db_blocker):
    """The content tables as every test starts with them (each test's writes are rolled back)."""
    with django_db_blocker.unblock():
        return content_tables()


@contextmanager
def the_data_unchanged(baseline: dict[str, object]):
    yield
    after = content_tables()
    changed = sorted(label for label in baseline if baseline[label] != after.get(label))
    assert not changed, f"the requests changed the content tables: {changed}"


def where(url: str, response, tried: Query | Payload) -> str:
    """A problem's line: status, address (cut), and which payload or shape was sent."""
    shown = url if len(url) <= 150 else url[:140] + f"…({len(url)} chars)"
    label = tried.payload if isinstance(tried, Query) else tried.name
    return f"{response.status_code} {shown} [{label}]"


def carries_nul(query: Query) -> bool:
    return "%00" in query.string


def refuses_nul(response, query: Query) -> bool:
    """A NUL anywhere in a query string is refused before any view reads it: a 400 that names
    the parameter, in the API's problem details under /api/ and on the site's HTML page
    elsewhere."""
    if response.status_code != 400 or not carries_nul(query):
        return False
    if response["Content-Type"] == "application/problem+json":
        return not query.param or query.param in names_in_json(response)
    html = response.content.decode()
    named = not query.param or f"“{escape(query.param)}”" in html
    return response["Content-Type"].startswith("text/html") and "null character" in html and named


def names_in_json(response) -> set[str]:
    """The parameters or fields an API 400 names: its problem details' invalid-params, each by
    its path (founded.edtf) and by the field it starts with (founded)."""
    if response["Content-Type"] != "application/problem+json":
        return set()
    names = {item["name"] for item in response.json().get("invalid-params", [])}
    return names | {name.split(".")[0] for name in names}


def assert_no_problems(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} request(s) answered wrongly:\n" + "\n".join(
        problems[:40]
    )


@pytest.fixture(scope="module", autouse=True)
def figures():
    """After the sweeps, how many payloads and requests were tried, in
    build/test-artefacts/hostile-input-<database>.txt, which the run's terminal summary shows
    (tests/conftest.py): the figures reach it from a parallel worker too."""
    yield
    if not TALLY["requests"]:
        return
    statuses = ", ".join(f"{key} {TALLY[key]}" for key in ("2xx", "3xx", "4xx", "5xx"))
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / f"hostile-input-{VENDOR}.txt").write_text(
        f"hostile input ({VENDOR}): {len(PAYLOADS)} payloads per parameter ({len(CORE)} for "
        f"Django's own admin parameters), plus a repeated-parameter shape and {len(UNKNOWN)} "
        f"unknown-parameter shapes per address; {TALLY['parameters']} parameters and fields "
        f"swept; {TALLY['requests']} requests: {statuses}; 5xx seen: {TALLY['5xx']}.\n"
    )


# -- clients -------------------------------------------------------------------------------------


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


@pytest.fixture
def as_editor(editor):
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    return client


@pytest.fixture
def as_superuser(django_user_model):
    user = django_user_model.objects.create_superuser("hostile-root", password="not a secret 1")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# -- the API -------------------------------------------------------------------------------------


def api_parameters() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Every list in the OpenAPI schema, with the query parameters it declares, and those of
    them it requires."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    lists = {"/api/v1/": ["format"]}  # the API root, which links to every list
    required: dict[str, list[str]] = {}
    for path, operations in schema["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        parameters = [p for p in operations["get"].get("parameters", []) if p["in"] == "query"]
        lists[path] = [p["name"] for p in parameters]
        required[path] = [p["name"] for p in parameters if p.get("required")]
    return lists, required


API_LISTS, API_REQUIRED = api_parameters()
# A value for each parameter some address requires (entity suggest's prefix), sent beside
# the one under test so that the answer is about that one.
REQUIRED_VALUES = {"prefix": "Otan"}
API_DETAILS = [f"/api/v1/{prefix}/" for prefix, _, _ in router.registry]


def api_problem(response, query: Query) -> str | None:
    status = response.status_code
    if status == 200:
        return None
    if status == 400 and not query.param:
        return None  # a NUL in a name, a thousand parameters: refused, however worded
    if status == 400 and query.param in names_in_json(response):
        return None
    if status == 404 and query.param == "page":
        return None
    return "expected 200, a 400 naming the parameter, or a 404 past the last page"


@pytest.mark.parametrize("path", API_LISTS)
def test_an_api_list_answers_every_payload_in_every_parameter_with_200_or_a_clear_4xx(
    anonymous, baseline, path
):
    params = API_LISTS[path]
    narrowing = {"page_size": "page_size=1"} if "page_size" in params else {}
    required = API_REQUIRED.get(path, [])
    narrowing.update({name: f"{name}={REQUIRED_VALUES[name]}" for name in required})
    TALLY["parameters"] += len(params)
    problems = []
    with the_data_unchanged(baseline):
        for query in sweep(params):
            url = f"{path}?{narrowed(query, narrowing)}"
            response = send(anonymous, url)
            problem = api_problem(response, query)
            if problem:
                problems.append(f"{where(url, response, query)}: {problem}")
    assert_no_problems(problems)


def test_the_sweep_covers_every_list_the_schema_declares_with_its_common_parameters():
    assert len(API_LISTS) >= 11
    for path, params in API_LISTS.items():
        if "/export/" in path or "/reconcile/" in path or path == "/api/v1/":
            continue  # the downloads, the reconciliation service and the root: not record lists
        if path.endswith(".csv"):  # a list's whole CSV: no paging, its format in its address
            assert {"search", "ordering"} <= set(params), path
            assert path.removesuffix(".csv") + "/" in API_LISTS, path
            continue
        assert {"search", "ordering", "page", "page_size", "format"} <= set(params), path
    assert "/api/v1/organizations/" in API_LISTS
    assert {"kind", "active_on", "leader"} <= set(API_LISTS["/api/v1/organizations/"])


# What a JSON body can carry that a query string cannot: other types, and keys of related
# records (written as their slug or id) that no column could hold.
JSON_VALUES = {
    "sql-or": "' OR 1=1 --",
    "long": "A" * 10_001,
    "nul": "a\x00b",
    "controls": "\x1b[2J\r\nSet-Cookie: x=1\x07\x7f",
    "negative": -1,
    "huge": 10**30,
    "float": 1e308,
    "true": True,
    "list": ["a\x00b"],
    "object": {"slug": "a\x00b", "id": 10**30},
    "null": None,
    "impossible-date": {"text": "30 February 1991", "edtf": "1991-02-30"},
}


def writable_fields(serializer) -> list[str]:
    return [name for name, field in serializer.fields.items() if not field.read_only]


def a_valid_body(client, prefix: str, fields: list[str]) -> dict:
    """A record the endpoint would accept: an existing one as the API shows it (related
    records nested, which it takes back), under a new slug."""
    shown = client.get(f"/api/v1/{prefix}/", {"page_size": 1}).json()["results"][0]
    body = {name: shown[name] for name in fields if name in shown}
    if "record_type" in fields:  # a citation names its record apart, as written
        body.update(record_type=shown["record"]["type"], record_id=shown["record"]["id"])
    if "slug" in body:
        body["slug"] = "a-record-the-hostile-suite-posts"
    return body


def post_rolled_back(client, url: str, body: dict):
    savepoint = transaction.savepoint()
    response = client.post(url, json.dumps(body), content_type="application/json")
    transaction.savepoint_rollback(savepoint)
    TALLY["requests"] += 1
    TALLY[f"{response.status_code // 100}xx"] += 1
    return response


@pytest.mark.parametrize("prefix", [prefix for prefix, _, _ in router.registry])
def test_an_api_write_given_a_hostile_value_in_any_field_is_saved_or_a_400_naming_it(
    as_superuser, baseline, prefix
):
    """A valid record, POSTed with one writable field changed to each value: saved (a value
    the field may hold; rolled back here) or a 400 whose JSON names that field; never a 5xx."""
    viewset = next(v for p, v, _ in router.registry if p == prefix)
    fields = writable_fields(viewset.serializer_class(context={"request": None}))
    TALLY["parameters"] += len(fields)
    url = f"/api/v1/{prefix}/"
    body = a_valid_body(as_superuser, prefix, fields)
    accepted = post_rolled_back(as_superuser, url, body)
    assert accepted.status_code == 201, accepted.content[:500]
    problems = []
    with the_data_unchanged(baseline):
        for field in fields:
            for name, value in JSON_VALUES.items():
                response = post_rolled_back(as_superuser, url, {**body, field: value})
                if response.status_code == 201:
                    continue
                if response.status_code != 400:
                    problems.append(f"{response.status_code} POST {url} {field}=[{name}]")
                elif not names_in_json(response) & {field, "non_field_errors"}:
                    # non_field_errors: a rule of the record's across fields (a result needs
                    # a party or a candidate; a share of the vote from 0 to 100)
                    named = sorted(names_in_json(response))
                    problems.append(f"400 POST {url} {field}=[{name}] names {named}")
    assert_no_problems(problems)


@pytest.mark.parametrize("path", API_DETAILS)
def test_an_api_detail_at_a_hostile_key_is_a_404(anonymous, baseline, path):
    problems = []
    with the_data_unchanged(baseline):
        for payload in PAYLOADS:
            url = f"{path}{payload.encoded}/"
            response = send(anonymous, url)
            # DRF reads “…exe.txt/” as key “…exe” in format “txt”: a 400 naming the format.
            suffix = response.status_code == 400 and "format" in names_in_json(response)
            if response.status_code != 404 and not suffix:
                problems.append(f"{where(url, response, payload)}: expected 404")
    assert_no_problems(problems)


# -- public pages --------------------------------------------------------------------------------

# Each page and the parameters it reads (anything else it is sent is an unknown parameter).
PAGES = {
    "/": ["preview"],
    "/organizations/": [*OrganizationFilter.base_filters, "decade", "sort", "page"],
    "/people/": ["page"],
    "/elections/": [],
    "/acts/": [*LegalActFilter.base_filters],
    "/timeline/": [*TimelineForm().fields],
    "/sources/": ["page"],
    "/search/": ["q"],
    "/sitemap.xml": [],
    "/sitemap-organizations.xml": ["p"],
    "/changes.atom": [],
    "/healthz": [],
}
# A page with filters in a form shows the errors the form finds in what it was sent.
PAGE_FORMS = {
    "/organizations/": lambda data: OrganizationFilter(data).form,
    "/acts/": lambda data: LegalActFilter(data).form,
    "/timeline/": TimelineForm,
}
# A filter that leaves one or two records keeps each request cheap (the timeline renders
# everything dated, the organizations page fifty at a time).
PAGE_NARROWING = {
    "/timeline/": {"from": "from=2100", "kind": "kind=dissolution"},
    "/organizations/": {"kind": "kind=trade_union"},
}
PAGE_NUMBERS = {"page", "p"}


def page_problem(path: str, response, query: Query) -> str | None:
    status = response.status_code
    if (status == 400 and query.payload == TOO_MANY) or refuses_nul(response, query):
        return None
    if status == 404 and query.param in PAGE_NUMBERS:
        return None
    if status != 200:
        return "expected 200 (a 404 for a page number no page has, a 400 for a NUL)"
    form_for = PAGE_FORMS.get(path)
    if form_for is None:
        return None
    form = form_for(response.wsgi_request.GET)
    if form.is_valid():
        return None
    html = response.content.decode()
    missing = [e for errors in form.errors.values() for e in errors if escape(e) not in html]
    if missing:
        return f"the page does not show the form's error(s): {[m[:80] for m in missing]}"
    return None


@pytest.mark.parametrize("path", PAGES)
def test_a_page_answers_every_payload_in_every_parameter_with_200_showing_any_error(
    anonymous, baseline, path
):
    TALLY["parameters"] += len(PAGES[path])
    problems = []
    with the_data_unchanged(baseline):
        for query in sweep(PAGES[path]):
            url = f"{path}?{narrowed(query, PAGE_NARROWING.get(path, {}))}"
            response = send(anonymous, url)
            problem = page_problem(path, response, query)
            if problem:
                problems.append(f"{where(url, response, query)}: {problem}")
    assert_no_problems(problems)


RECORD_PAGES = [
    "/organizations/",
    "/people/",
    "/elections/",
    "/acts/",
    "/sources/",
    "/events/",
    "/places/",
]


@pytest.mark.parametrize("prefix", RECORD_PAGES)
def test_a_record_page_at_a_hostile_address_is_a_404(anonymous, baseline, prefix):
    problems = []
    with the_data_unchanged(baseline):
        for payload in PAYLOADS:
            url = f"{prefix}{payload.encoded}/"
            response = send(anonymous, url)
            if response.status_code != 404:
                problems.append(f"{where(url, response, payload)}: expected 404")
    assert_no_problems(problems)


# -- admin changelists ---------------------------------------------------------------------------

# The models the admin registers, found through its public is_registered().
ADMINS = [m for m in apps.get_models() if admin.site.is_registered(m)]
CONTENT_ADMINS = [m for m in ADMINS if m._meta.app_label in CONTENT_APPS]
OTHER_ADMINS = [m for m in ADMINS if m._meta.app_label not in CONTENT_APPS]


def admin_url(model, view: str) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


def ours(spec) -> bool:
    """Whether a list filter is the project's own code (not one of Django's)."""
    return type(spec).__module__.split(".")[0] in CONTENT_APPS


def changelist_queries(client, url: str, *, content: bool) -> list[Query]:
    """Search, ordering, page, every parameter of every list filter, ``_to_field``.

    Every payload goes to the search and to the project's own list filters; what Django's
    admin parses the same way on every changelist (its list filters, ordering, paging,
    ``_to_field``), and every parameter of a third-party admin, gets one payload of each kind.
    """
    response = client.get(url)
    assert response.status_code == 200, url
    full, core = (["q"] if content else []), ["o", "p", "_to_field"] + ([] if content else ["q"])
    for spec in response.context["cl"].filter_specs:
        (full if content and ours(spec) else core).extend(spec.expected_parameters())
    TALLY["parameters"] += len(full) + len(core)
    return [
        *(query for param in full for query in queries(param)),
        *(query for param in core for query in queries(param, payloads_for(param))),
        *UNKNOWN,
    ]


def payloads_for(param: str) -> tuple[Payload, ...]:
    """Django reads a list filter's ``…__isnull`` value as yes or no (``prepare_lookup_value``
    compares it with "", "false" and "0"): SQL and a NUL show that is all it does."""
    if param.endswith("__isnull") and not FULL_RUN:
        return (PAYLOAD["sql-or"], PAYLOAD["nul"])
    return CORE


def changelist_problem(response, query: Query) -> str | None:
    status = response.status_code
    if status == 200:
        return None
    if status == 302 and response["Location"].endswith("?e=1"):
        return None  # Django's answer to a lookup it cannot make: back to the unfiltered list
    if status == 400 and (query.param == "_to_field" or query.payload == TOO_MANY):
        return None
    if refuses_nul(response, query):
        return None
    return "expected 200, a 302 to ?e=1, or a 400 for a _to_field not allowed or a NUL"


def sweep_changelist(client, model, *, content: bool) -> list[str]:
    url = admin_url(model, "changelist")
    problems = []
    for query in changelist_queries(client, url, content=content):
        # Rows play no part in how a parameter is read: a search that matches nothing keeps
        # each request cheap, except for the search itself and paging, which needs rows.
        extra = "" if query.param in ("q", "p") else f"&{NOTHING}"
        full = f"{url}?{query.string}{extra}"
        response = send(client, full)
        problem = changelist_problem(response, query)
        if problem:
            problems.append(f"{where(full, response, query)}: {problem}")
    return problems


@pytest.mark.parametrize("model", CONTENT_ADMINS, ids=lambda m: m._meta.label)
def test_an_admin_changelist_answers_every_payload_in_search_filters_ordering_and_page(
    as_editor, baseline, model
):
    with the_data_unchanged(baseline):
        problems = sweep_changelist(as_editor, model, content=True)
    assert_no_problems(problems)


@pytest.mark.parametrize("model", OTHER_ADMINS, ids=lambda m: m._meta.label)
def test_the_account_and_sign_in_changelists_answer_hostile_input_too(
    as_superuser, baseline, model
):
    with the_data_unchanged(baseline):
        problems = sweep_changelist(as_superuser, model, content=False)
    assert_no_problems(problems)


def action_names(client, url: str) -> list[str]:
    response = client.get(f"{url}?{NOTHING}")
    form = response.context.get("action_form")
    return [name for name, _ in form.fields["action"].choices if name] if form else []


@pytest.mark.parametrize("model", ADMINS, ids=lambda m: m._meta.label)
def test_a_changelists_actions_given_hostile_records_ticked_change_nothing(
    request, baseline, model
):
    """Each action of the list (delete, send for review, …), posted as Django's action form
    posts it, with each payload as the record ticked: back to the list (302), or the
    confirmation page of a deletion that has nothing to delete (200)."""
    content = model._meta.app_label in CONTENT_APPS
    client = request.getfixturevalue("as_editor" if content else "as_superuser")
    url = admin_url(model, "changelist")
    actions = action_names(client, url)
    TALLY["parameters"] += bool(actions)
    problems = []
    with the_data_unchanged(baseline):
        for action in actions:
            for payload in CORE:
                body = f"action={action}&index=0&{ACTION_CHECKBOX_NAME}={payload.encoded}"
                response = send(client, url, body)
                back = response.status_code == 302 and response["Location"] == url
                if not back and response.status_code != 200:
                    problems.append(f"{where(url, response, payload)} {action}: expected 302/200")
    assert_no_problems(problems)


# The editors' reports, with filters that leave nothing to list (no change by a user 10**9,
# no deletion in the article's data).
ADMIN_REPORTS = {
    "/admin/recent-changes/": (
        ["model", "user", "kind", "before", "after"],
        {"user": "user=1000000000", "kind": "kind=deleted"},
    ),
    "/admin/uncited/": ([], {}),
}


@pytest.mark.parametrize("path", ADMIN_REPORTS)
def test_the_editors_reports_answer_every_payload_with_200(as_editor, baseline, path):
    params, narrowing = ADMIN_REPORTS[path]
    TALLY["parameters"] += len(params)
    problems = []
    with the_data_unchanged(baseline):
        for query in sweep(params):
            url = f"{path}?{narrowed(query, narrowing)}"
            response = send(as_editor, url)
            refused = response.status_code == 400 and query.payload == TOO_MANY
            if response.status_code != 200 and not refused and not refuses_nul(response, query):
                problems.append(f"{where(url, response, query)}: expected 200 (400 for a NUL)")
    assert_no_problems(problems)


def autocompletes() -> list[str]:
    """One autocomplete address for every kind of record the admin's forms complete."""
    found = {}
    for model in ADMINS:
        model_admin = admin.site.get_model_admin(model)
        for name in model_admin.autocomplete_fields:
            target = model._meta.get_field(name).related_model
            found.setdefault(
                target,
                f"app_label={model._meta.app_label}&model_name={model._meta.model_name}"
                f"&field_name={name}",
            )
    return list(found.values())


def test_the_admins_autocomplete_answers_every_search_with_200_and_a_bad_field_with_403(
    as_editor, baseline
):
    problems = []
    with the_data_unchanged(baseline):
        for address in autocompletes():
            TALLY["parameters"] += 1
            for query in queries("term"):
                url = f"/admin/autocomplete/?{address}&{query.string}"
                response = send(as_editor, url)
                if response.status_code != 200 and not refuses_nul(response, query):
                    problems.append(f"{where(url, response, query)}: expected 200 (400: NUL)")
        first = autocompletes()[0]
        for name in ("app_label", "model_name", "field_name"):
            TALLY["parameters"] += 1
            for query in queries(name):
                # The hostile value comes last, and is the one Django reads.
                url = f"/admin/autocomplete/?{first}&{query.string}"
                response = send(as_editor, url)
                if response.status_code != 403 and not refuses_nul(response, query):
                    problems.append(f"{where(url, response, query)}: expected 403 (400: NUL)")
    assert_no_problems(problems)


# -- admin add forms -----------------------------------------------------------------------------


@dataclass
class AddForm:
    """An add form's fields as posted (the record's own, and the first row of each inline),
    apart from its autocompletes, and the management forms of its inlines."""

    fields: list[str]
    autocompletes: list[str]
    rows: list[str]
    row_autocompletes: list[str]
    prefixes: list[str]

    def body(self, payload: Payload, fields: list[str]) -> str:
        """The payload in ``fields``; an inline whose row is among them has that one row."""
        pairs = []
        for prefix in self.prefixes:
            rows = int(any(name.startswith(f"{prefix}-0-") for name in fields))
            pairs += [
                f"{prefix}-TOTAL_FORMS={rows}",
                f"{prefix}-INITIAL_FORMS=0",
                f"{prefix}-MIN_NUM_FORMS=0",
                f"{prefix}-MAX_NUM_FORMS=1000",
            ]
        pairs += [f"{quote(name)}={payload.encoded}" for name in fields]
        return "&".join(pairs)


def is_autocomplete(field) -> bool:
    return isinstance(getattr(field.widget, "widget", field.widget), AutocompleteMixin)


ADD_FORMS: dict[str, AddForm] = {}  # what an add form holds does not change during a run


def add_form(client, url: str) -> AddForm:
    if url not in ADD_FORMS:
        ADD_FORMS[url] = read_add_form(client, url)
    return ADD_FORMS[url]


def read_add_form(client, url: str) -> AddForm:
    response = client.get(url)
    assert response.status_code == 200, url
    own = response.context["adminform"].form.fields
    form = AddForm(
        fields=[name for name, field in own.items() if not is_autocomplete(field)],
        autocompletes=[name for name, field in own.items() if is_autocomplete(field)],
        rows=[],
        row_autocompletes=[],
        prefixes=[],
    )
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        form.prefixes.append(formset.prefix)
        for name, field in formset.empty_form.fields.items():
            posted = f"{formset.prefix}-0-{name}"
            (form.row_autocompletes if is_autocomplete(field) else form.rows).append(posted)
    return form


@pytest.mark.parametrize("model", CONTENT_ADMINS, ids=lambda m: m._meta.label)
def test_an_admin_add_form_given_a_payload_in_every_field_shows_errors_and_saves_nothing(
    as_editor, baseline, model
):
    """Each payload in every field of the record (its inline rows are other models' add
    forms, swept there; the citations row is swept below)."""
    url = admin_url(model, "add")
    form = add_form(as_editor, url)
    # Posted without its status, the record cannot be saved whatever the other fields hold.
    assert "status" in form.fields
    fields = [name for name in form.fields if name != "status"]
    TALLY["parameters"] += len(fields)
    problems = []
    with the_data_unchanged(baseline):
        for payload in PAYLOADS:
            response = send(as_editor, url, form.body(payload, fields))
            if response.status_code != 200 or b"errornote" not in response.content:
                problems.append(f"{where(url, response, payload)}: expected 200 with errors")
    assert_no_problems(problems)


def test_the_citations_row_of_an_add_form_given_a_payload_in_every_field_shows_errors(
    as_editor, baseline
):
    """The one citations inline every record's form has, swept on the lightest form."""
    url = admin_url(Person, "add")
    form = add_form(as_editor, url)
    row = [name for name in form.rows if "citation" in name and not name.endswith("-status")]
    assert row, "every record's add form has a citations row"
    TALLY["parameters"] += len(row)
    problems = []
    with the_data_unchanged(baseline):
        for payload in PAYLOADS:
            response = send(as_editor, url, form.body(payload, row))
            if response.status_code != 200 or b"errornote" not in response.content:
                problems.append(f"{where(url, response, payload)}: expected 200 with errors")
    assert_no_problems(problems)


def autocompleting(model) -> bool:
    """Whether the model's add form has an autocomplete, of its own or in an inline."""
    model_admin = admin.site.get_model_admin(model)
    inlines = model_admin.get_inlines(None, None)
    return bool(model_admin.autocomplete_fields or any(i.autocomplete_fields for i in inlines))


@pytest.mark.parametrize(
    "model", [m for m in CONTENT_ADMINS if autocompleting(m)], ids=lambda m: m._meta.label
)
def test_an_admin_add_form_given_no_key_in_its_autocompletes_shows_errors(
    as_editor, baseline, model
):
    """Each key-like payload (no number, a NUL, out of range either way, a digit int()
    refuses) in every autocomplete of the record and of its inline rows: the form is shown
    again, each widget labelling nothing it cannot look up."""
    url = admin_url(model, "add")
    form = add_form(as_editor, url)
    fields = form.autocompletes + form.row_autocompletes
    TALLY["parameters"] += len(fields)
    problems = []
    with the_data_unchanged(baseline):
        for payload in CORE:
            response = send(as_editor, url, form.body(payload, fields))
            if response.status_code != 200 or b"errornote" not in response.content:
                problems.append(f"{where(url, response, payload)}: expected 200 with errors")
    assert_no_problems(problems)


@pytest.mark.parametrize(
    "model",
    # The axes admins add nothing; API tokens are made on the editor's token page
    # (kzpolitics.site.api_tokens, its own tests), never through an add form.
    [m for m in OTHER_ADMINS if m._meta.app_label not in ("axes", "knox")],
    ids=lambda m: m._meta.label,
)
def test_the_account_add_forms_given_a_payload_in_every_field_answer_200_or_save_it(
    as_superuser, model
):
    """An account form may take a payload as a valid value (a group named “0”): that save is
    rolled back at once; what counts is that nothing crashes."""
    url = admin_url(model, "add")
    form = add_form(as_superuser, url)
    fields = form.fields + form.autocompletes
    TALLY["parameters"] += len(fields)
    problems = []
    for payload in CORE:
        response = send(as_superuser, url, form.body(payload, fields), keep=False)
        if response.status_code not in (200, 302):
            problems.append(f"{where(url, response, payload)}: expected 200 or 302")
    assert_no_problems(problems)


# -- what the fixes refuse, and what they still let through --------------------------------------


@pytest.mark.parametrize(
    ("url", "client_name", "parameter"),
    [
        ("/search/?q=Otan%00", "anonymous", "q"),
        ("/timeline/?from=1990&kind=party%00", "anonymous", "kind"),
        ("/admin/parties/organization/?status__exact=draft%00", "as_editor", "status__exact"),
        ("/admin/autocomplete/?term=a%00&app_label=kzpolitics", "as_editor", "term"),
        ("/api/v1/organizations/?kind=party&search=a%00b", "anonymous", "search"),
    ],
)
def test_a_nul_in_a_query_string_is_a_400_that_names_the_parameter(
    request, url, client_name, parameter
):
    response = request.getfixturevalue(client_name).get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["invalid-params"] == [
            {"name": parameter, "reason": "Null characters (%00) are not allowed."}
        ]
        assert response.json()["instance"] == url
    else:
        assert response["Content-Type"].startswith("text/html")
        html = response.content.decode()
        assert f"The parameter “{parameter}” in this address holds a null character" in html


def test_the_same_addresses_without_the_nul_answer_as_usual(anonymous, as_editor):
    assert anonymous.get("/search/?q=Otan").status_code == 200
    assert as_editor.get("/admin/parties/organization/?status__exact=draft").status_code == 200
    assert anonymous.get("/api/v1/organizations/?search=Otan").status_code == 200


def changelist(client, url: str):
    response = client.get(url)
    return response, (response.context["cl"] if response.status_code == 200 else None)


def test_the_decade_filter_lists_the_decade_and_refuses_what_is_no_year(as_editor):
    url = "/admin/parties/organization/"
    response, cl = changelist(as_editor, f"{url}?founded_decade=1990")
    assert response.status_code == 200
    years = {org.founded_earliest.year for org in cl.queryset}
    assert years and all(1990 <= year <= 1999 for year in years)
    assert cl.result_count < changelist(as_editor, url)[1].result_count
    # The 0s (years 1 to 9) are a decade too, empty here; the 9990s are the last.
    for decade in ("0", "9990"):
        response, cl = changelist(as_editor, f"{url}?founded_decade={decade}")
        assert response.status_code == 200 and cl.result_count == 0, decade
    for value in ("²", "9991", "10000", str(10**30), "-1", "199O"):
        response = as_editor.get(url, {"founded_decade": value})
        assert response.status_code == 302, value
        assert response["Location"] == f"{url}?e=1"


def test_a_date_list_filter_refuses_a_time_with_no_utc_value_and_still_filters(as_superuser):
    url = "/admin/knox/authtoken/"
    response, cl = changelist(as_superuser, url)
    assert any(isinstance(spec, CheckedDateFieldListFilter) for spec in cl.filter_specs)
    for bound in ("created__gte", "created__lt"):
        for value in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00", "1991-02-30"):
            response = as_superuser.get(url, {bound: value})
            assert response.status_code == 302, (bound, value)
            assert response["Location"] == f"{url}?e=1"
    response, cl = changelist(
        as_superuser,
        f"{url}?created__gte=2000-01-01%2000:00%2B00:00&created__lt=2000-01-02%2000:00%2B05:00",
    )
    assert response.status_code == 200 and cl.result_count == 0


def test_the_group_form_refuses_a_permission_no_key_column_holds_and_saves_a_real_one(
    as_superuser,
):
    from django.contrib.auth.models import Group, Permission

    url = "/admin/auth/group/add/"
    for key in (str(10**30), str(-(10**30)), "²", "' OR 1=1 --"):
        response = as_superuser.post(url, {"name": "hostile group", "permissions": [key]})
        assert response.status_code == 200, key
        assert response.context["adminform"].form.errors["permissions"], key
    assert not Group.objects.filter(name="hostile group").exists()
    permission = Permission.objects.get(codename="view_organization")
    response = as_superuser.post(url, {"name": "hostile group", "permissions": [permission.pk]})
    assert response.status_code == 302
    assert list(Group.objects.get(name="hostile group").permissions.all()) == [permission]


def test_an_autocomplete_shown_again_labels_the_real_key_and_drops_the_others(as_editor):
    """An event's people (many-to-many) and place (a foreign key): a real key posted with
    hostile ones is shown again selected, with its label; the others are left out."""
    person = Person.objects.order_by("pk").first()
    hostile = [str(10**30), "' OR 1=1 --", "²"]
    response = as_editor.post(
        admin_url(apps.get_model("kzpolitics", "Event"), "add"),
        {"people": [*hostile, str(person.pk)], "place": str(10**30)},
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert {"people", "place"} <= set(form.errors)
    html = response.content.decode()
    people = html.split('<select name="people"')[1].split("</select>")[0]
    assert people.count("<option") == 1
    assert f'<option value="{person.pk}" selected>{escape(str(person))}</option>' in people
    place = html.split('<select name="place"')[1].split("</select>")[0]
    assert "selected" not in place


def test_an_action_on_records_really_ticked_runs_and_on_others_says_nothing_changed(as_editor):
    from parties.models import Organization

    url = "/admin/parties/organization/"
    # A draft: an editor may delete one (a published record only a reviewer may).
    organization = Organization.objects.order_by("pk").first()
    Organization.objects.filter(pk=organization.pk).update(status=Status.DRAFT)
    ticked = {"action": "delete_selected", "index": "0"}
    response = as_editor.post(url, {**ticked, ACTION_CHECKBOX_NAME: [organization.pk]})
    assert response.status_code == 200  # Django's “Are you sure?” page, naming the record
    assert escape(str(organization)) in response.content.decode()
    response = as_editor.post(
        url, {**ticked, ACTION_CHECKBOX_NAME: [organization.pk, str(10**30)]}, follow=True
    )
    assert response.redirect_chain == [(url, 302)]
    assert "nothing was changed" in response.content.decode()
    assert Organization.objects.filter(pk=organization.pk).exists()


def test_the_sign_in_attempts_clean_up_action_removes_the_expired_ones(as_superuser):
    """django-axes's own action, which answered 500 whatever was ticked (see SignInAttemptAdmin)."""
    import datetime

    from axes.models import AccessAttempt
    from django.utils import timezone

    def attempt(username, hours_ago):
        made = AccessAttempt.objects.create(
            username=username,
            ip_address="192.0.2.1",
            user_agent="test",
            http_accept="*/*",
            path_info="/admin/login/",
            get_data="",
            post_data="",
            failures_since_start=1,
        )
        when = timezone.now() - datetime.timedelta(hours=hours_ago)  # the field is auto_now_add
        AccessAttempt.objects.filter(pk=made.pk).update(attempt_time=when)
        return made

    expired, current = attempt("expired", 3), attempt("current", 0)
    url = "/admin/axes/accessattempt/"
    body = {"action": "cleanup_expired_attempts", "index": "0", ACTION_CHECKBOX_NAME: [current.pk]}
    response = as_superuser.post(url, body, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Cleaned up 1 expired access attempts." in response.content.decode()
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["current"]
    assert not AccessAttempt.objects.filter(pk=expired.pk).exists()
