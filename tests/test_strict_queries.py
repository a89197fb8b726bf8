"""Strict queries and one error shape (issue 14).

A researcher's typo must not pass for an answer: an unknown parameter, an unknown slug, a
reversed range or a malformed date is a 400 that names the parameter and says what is
allowed; and every error under /api/v1/ is RFC 9457 problem details, one shape, whatever
format was asked for. A draft's slug gets the very answer a slug nobody has gets.
"""

from __future__ import annotations

import datetime
import itertools
import re

import pytest

from elections.models import Election, Result
from kzpolitics.core.filters import (
    DATE_QUERY_PATTERN,
    DateQueryFilter,
    SlugFilter,
    parse_query_date,
    query_bounds,
)
from kzpolitics.core.models import Event, Person, Source, Status
from kzpolitics.core.problems import PROBLEM_MEDIA_TYPE, ProblemSerializer
from kzpolitics.site.api import router
from legislation.models import LegalAct
from parties.models import Organization

from .factories import (
    ElectionFactory,
    LegalActFactory,
    OrganizationFactory,
    PersonFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/"
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}
VIEWSETS = {prefix: viewset for prefix, viewset, _ in router.registry}


def problem_of(response, status: int) -> dict:
    """The response's problem details, checked for the one shape."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert PROBLEM_KEYS <= set(body) <= PROBLEM_KEYS | {"invalid-params"}
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["instance"] == response.wsgi_request.get_full_path()
    if "invalid-params" in body:
        assert status == 400
        assert body["invalid-params"]
        for item in body["invalid-params"]:
            assert set(item) == {"name", "reason"}
            assert isinstance(item["name"], str) and isinstance(item["reason"], str)
    return body


def reasons(response) -> dict[str, str]:
    """A 400's invalid-params, by name."""
    body = problem_of(response, 400)
    return {item["name"]: item["reason"] for item in body["invalid-params"]}


def slug_filters():
    for prefix, viewset in VIEWSETS.items():
        filterset = getattr(viewset, "filterset_class", None)
        for name, declared in (filterset.base_filters if filterset else {}).items():
            if isinstance(declared, SlugFilter):
                yield prefix, name


def date_filters():
    for prefix, viewset in VIEWSETS.items():
        filterset = getattr(viewset, "filterset_class", None)
        for name, declared in (filterset.base_filters if filterset else {}).items():
            if isinstance(declared, DateQueryFilter):
                yield prefix, name


def range_pairs():
    for prefix, name in date_filters():
        if name.endswith("_after"):
            yield prefix, name, name.removesuffix("_after") + "_before"


# Unknown and repeated parameters -------------------------------------------------------------


@pytest.mark.parametrize(
    "query, name",
    [("kindd=party", "kindd"), ("active-on=1995-01-01", "active-on"), ("pagesize=3", "pagesize")],
)
def test_an_unknown_parameter_is_a_400_naming_it_and_what_is_allowed(client, query, name):
    response = client.get(f"{API}organizations/?{query}")
    found = reasons(response)
    assert set(found) == {name}
    for allowed in ("kind", "founded_after", "search", "ordering", "page", "page_size", "format"):
        assert allowed in found[name]
    assert name in response.json()["detail"]


@pytest.mark.parametrize("prefix", VIEWSETS)
def test_every_list_and_record_refuses_an_unknown_parameter(client, prefix):
    assert set(reasons(client.get(f"{API}{prefix}/", {"no_such": "1"}))) == {"no_such"}
    record = client.get(f"{API}{prefix}/", {"page_size": 1}).json()["results"][0]
    detail = record["api_url"] if "api_url" in record else f"{API}{prefix}/{record['id']}/"
    # A record takes ?format= only: a list's parameters mean nothing there.
    assert client.get(detail, {"format": "json"}).status_code == 200
    found = reasons(client.get(detail, {"page": "2"}))
    assert set(found) == {"page"}
    assert "format" in found["page"]


def test_the_api_root_takes_format_only(client):
    assert client.get(API, {"format": "json"}).status_code == 200
    assert set(reasons(client.get(API, {"search": "otan"}))) == {"search"}


def test_a_parameter_given_twice_is_a_400(client):
    found = reasons(client.get(f"{API}organizations/?kind=party&kind=bloc"))
    assert set(found) == {"kind"}
    assert "2 times" in found["kind"]


def test_the_known_parameters_still_work_together(client):
    response = client.get(
        f"{API}organizations/",
        {"kind": "party", "search": "party", "ordering": "name", "page": 1, "page_size": 5},
    )
    assert response.status_code == 200
    assert all(record["kind"] == "party" for record in response.json()["results"])


def test_a_view_may_declare_extra_parameters(client, monkeypatch):
    viewset = VIEWSETS["organizations"]
    monkeypatch.setattr(viewset, "extra_query_params", ("zz_extra",))
    assert client.get(f"{API}organizations/", {"zz_extra": "x"}).status_code == 200
    assert client.get(f"{API}organizations/otan/", {"zz_extra": "x"}).status_code == 200


# Slugs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, name, kind",
    [
        ("events/?participant=nazarbaev", "participant", "organization or person"),
        ("results/?election=majilis-1998", "election", "election"),
    ],
)
def test_an_unknown_slug_is_a_400_saying_no_published_record_has_it(client, path, name, kind):
    found = reasons(client.get(API + path))
    slug = path.rsplit("=", 1)[1]
    assert found == {name: f"No published {kind} has the slug “{slug}”."}


@pytest.mark.parametrize("prefix, name", list(slug_filters()))
def test_every_slug_filter_refuses_a_slug_nobody_has(client, prefix, name):
    found = reasons(client.get(f"{API}{prefix}/", {name: "zz-nobody-has-this"}))
    assert set(found) == {name}
    assert "zz-nobody-has-this" in found[name]


def test_every_slug_filter_is_tested():
    assert set(slug_filters()) >= {
        ("events", "participant"),
        ("results", "election"),
        ("results", "organization"),
        ("results", "person"),
        ("elections", "party"),
        ("citations", "source"),
        ("citations", "via"),
        ("organizations", "member_of"),
        ("organizations", "leader"),
        ("people", "organization"),
        ("registrations", "organization"),
        ("registrations", "act"),
    }


DRAFTS = {
    Organization: OrganizationFactory,
    Person: PersonFactory,
    Election: ElectionFactory,
    LegalAct: LegalActFactory,
    Source: SourceFactory,
}


@pytest.mark.parametrize("prefix, name", list(slug_filters()))
def test_a_drafts_slug_gets_the_answer_of_a_slug_nobody_has(client, prefix, name):
    declared = VIEWSETS[prefix].filterset_class.base_filters[name]
    for model in declared.models:
        DRAFTS[model](slug="zz-draft-record", status=Status.DRAFT)
    draft = client.get(f"{API}{prefix}/", {name: "zz-draft-record"})
    nobody = client.get(f"{API}{prefix}/", {name: "zz-nobody-record"})
    assert draft.status_code == nobody.status_code == 400
    assert draft.headers.items() == nobody.headers.items() or (
        {k: v for k, v in draft.headers.items() if k not in ("ETag", "Content-Length")}
        == {k: v for k, v in nobody.headers.items() if k not in ("ETag", "Content-Length")}
    )
    assert draft.content.replace(b"zz-draft-record", b"zz-nobody-record") == nobody.content


def test_a_published_slug_filters_as_before(client):
    election = Election.objects.published().filter(results__isnull=False).first()
    response = client.get(f"{API}results/", {"election": election.slug, "page_size": 500})
    assert response.status_code == 200
    expected = Result.objects.published().filter(election=election).count()
    assert response.json()["count"] == expected > 0


# Ranges ------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix, start, end", list(range_pairs()))
def test_a_reversed_range_is_a_400_naming_both_ends(client, prefix, start, end):
    found = reasons(client.get(f"{API}{prefix}/", {start: "1995-03", end: "1990"}))
    assert set(found) == {start, end}
    assert start in found[end] and end in found[start]


def test_a_range_within_one_period_is_not_reversed(client):
    # 1990 to 1990 is the whole year: date_after's earliest day, date_before's latest.
    response = client.get(f"{API}events/", {"date_after": "1990", "date_before": "1990"})
    assert response.status_code == 200


def test_the_range_pairs_are_found():
    assert ("events", "date_after", "date_before") in set(range_pairs())
    assert ("organizations", "founded_after", "founded_before") in set(range_pairs())


# Dates -------------------------------------------------------------------------------------


def all_events(client, **params) -> set[str]:
    response = client.get(f"{API}events/", {"page_size": 500, **params})
    assert response.status_code == 200, response.content[:300]
    assert response.json()["next"] is None
    return {record["slug"] for record in response.json()["results"]}


@pytest.mark.parametrize(
    "after, first_day",
    [
        ("1990", datetime.date(1990, 1, 1)),
        ("1990-05", datetime.date(1990, 5, 1)),
        ("1990-05-31", datetime.date(1990, 5, 31)),
        ("1994-21", datetime.date(1994, 3, 1)),
        ("1991-40", datetime.date(1991, 1, 1)),
        ("1994-10/1995-03", datetime.date(1994, 10, 1)),
    ],
)
def test_date_after_takes_the_values_first_day(client, after, first_day):
    expected = set(
        Event.objects.published().filter(date_latest__gte=first_day).values_list("slug", flat=True)
    )
    assert expected
    assert all_events(client, date_after=after) == expected


@pytest.mark.parametrize(
    "before, last_day",
    [
        ("1990", datetime.date(1990, 12, 31)),
        ("1990-05", datetime.date(1990, 5, 31)),
        ("1996-02-29", datetime.date(1996, 2, 29)),
        ("1994-21", datetime.date(1994, 5, 31)),
        ("1990/1991", datetime.date(1991, 12, 31)),
    ],
)
def test_date_before_takes_the_values_last_day(client, before, last_day):
    expected = set(
        Event.objects.published().filter(date_earliest__lte=last_day).values_list("slug", flat=True)
    )
    assert expected
    assert all_events(client, date_before=before) == expected


def test_date_before_a_year_includes_the_whole_year(client):
    december = Event.objects.published().filter(
        date_earliest__gte=datetime.date(1990, 12, 1), date_earliest__lte="1990-12-31"
    )
    late_1990 = set(december.values_list("slug", flat=True))
    assert late_1990 <= all_events(client, date_before="1990")


@pytest.mark.parametrize("prefix, name", list(date_filters()))
@pytest.mark.parametrize("value", ["1990-13", "yesterday", "2001-02-30", "1990-5", " 1990"])
def test_a_malformed_date_is_a_400_giving_the_accepted_forms(client, prefix, name, value):
    found = reasons(client.get(f"{API}{prefix}/", {name: value}))
    assert set(found) == {name}
    for example in ("1990", "1990-05", "1990-05-31", "1994-21", "1994-10/1995-03"):
        assert example in found[name]


def test_query_bounds_names_the_parameter():
    assert query_bounds("1990", "active_on") == (
        datetime.date(1990, 1, 1),
        datetime.date(1990, 12, 31),
    )
    from rest_framework.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        query_bounds("1990-13", "active_on")
    assert set(raised.value.detail) == {"active_on"}


def strings_to_try(year: int):
    yield str(year)
    yield from (f"{year}-{month:02d}" for month in range(0, 50))
    yield from (f"{year}-{m:02d}-{d:02d}" for m in range(1, 14) for d in range(0, 33))


def is_calendar_value(value: str) -> bool:
    year, *rest = (int(part) for part in value.split("-"))
    if not rest:
        return True
    if len(rest) == 1:
        return 1 <= rest[0] <= 12 or 21 <= rest[0] <= 41
    try:
        datetime.date(year, *rest)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("year", [1000, 1600, 1900, 1991, 1996, 2000, 2100, 2999])
def test_the_date_pattern_matches_exactly_what_is_accepted(year):
    """The schema declares DATE_QUERY_PATTERN: a value generated from it must be accepted,
    and one outside it refused."""
    for value in strings_to_try(year):
        matches = re.fullmatch(DATE_QUERY_PATTERN, value) is not None
        try:
            parse_query_date(value)
            accepted = True
        except ValueError:
            accepted = False
        assert matches == accepted == is_calendar_value(value), value


@pytest.mark.parametrize(
    "value", ["0999", "3000", "1990-05-31T00:00", "199X", "1992-06~", "1990/..", "١٩٩٠", "1990\n"]
)
def test_values_outside_the_pattern_are_refused(value):
    assert re.fullmatch(DATE_QUERY_PATTERN, value) is None
    with pytest.raises(ValueError):
        parse_query_date(value)


def test_spans_of_any_two_forms_are_read_end_by_end():
    forms = ["1990", "1990-05", "1990-05-31", "1990-21", "1990-41"]
    for first, last in itertools.product(forms, ["1991", "1991-02", "1991-02-28", "1991-33"]):
        value = f"{first}/{last}"
        assert re.fullmatch(DATE_QUERY_PATTERN, value)
        assert parse_query_date(value).earliest == parse_query_date(first).earliest
        assert parse_query_date(value).latest == parse_query_date(last).latest
    # The one kind of value the pattern matches and the API refuses: a span ending before it
    # begins.
    assert re.fullmatch(DATE_QUERY_PATTERN, "1995/1990")
    with pytest.raises(ValueError, match="ends"):
        parse_query_date("1995/1990")


# One shape for every error -------------------------------------------------------------------


def test_every_kind_of_error_has_the_one_shape(client):
    problem_of(client.get(f"{API}organizations/no-such-party/"), 404)
    problem_of(client.get(f"{API}no-such-list/"), 404)
    problem_of(client.get(f"{API}organizations/", {"page": 999}), 404)
    problem_of(client.generic("TRACE", f"{API}organizations/"), 405)
    problem_of(client.get(f"{API}organizations/", HTTP_ACCEPT="application/xml"), 406)
    problem_of(client.post(f"{API}organizations/", {}, content_type="application/json"), 403)
    assert set(reasons(client.get(f"{API}organizations/", {"format": "xml"}))) == {"format"}
    assert set(reasons(client.get(f"{API}organizations/", {"page_size": 0}))) == {"page_size"}
    assert set(reasons(client.get(f"{API}organizations/", {"ordering": "nope"}))) == {"ordering"}
    assert set(reasons(client.get(f"{API}organizations/", {"search": "x" * 201}))) == {"search"}
    assert set(reasons(client.get(f"{API}organizations/?search=a%00b"))) == {"search"}


def test_an_error_keeps_the_messages_of_before(client):
    found = reasons(client.get(f"{API}organizations/", {"page_size": 0}))
    assert found["page_size"] == "“0” is not a whole number from 1 to 500."
    body = problem_of(client.get(f"{API}organizations/", {"page": 999}), 404)
    assert body["detail"].startswith("Page 999 is past the end")


@pytest.mark.parametrize(
    "query, status",
    [("kindd=party", 400), ("ordering=nope", 400), ("kind=nope", 400), ("member_of=zz-no", 400)],
)
def test_an_error_to_a_csv_request_is_problem_json(client, query, status):
    body = problem_of(client.get(f"{API}organizations/?format=csv&{query}"), status)
    assert body["instance"].startswith(f"{API}organizations/?format=csv")


def test_a_missing_record_under_csv_is_problem_json(client):
    problem_of(client.get(f"{API}organizations/no-such-party/", {"format": "csv"}), 404)


def test_the_body_matches_the_serializer_the_schema_documents(client):
    body = client.get(f"{API}organizations/?kindd=party").json()
    serializer = ProblemSerializer(data=body)
    assert serializer.is_valid(), serializer.errors
    assert set(ProblemSerializer().fields) == PROBLEM_KEYS | {"invalid-params"}


# Writes ------------------------------------------------------------------------------------


def test_a_writes_invalid_fields_are_named_by_their_path(editor_client):
    response = editor_client.post(
        f"{API}organizations/",
        {"slug": "zz-new", "kind": "no-such-kind", "founded": {"edtf": "1990-13"}},
        content_type="application/json",
    )
    found = reasons(response)
    assert "kind" in found and "name" in found
    assert any(name.startswith("founded") for name in found)
    assert "field" in response.json()["detail"]


def test_a_malformed_body_is_a_problem(editor_client):
    response = editor_client.post(
        f"{API}organizations/", "{not json", content_type="application/json"
    )
    body = problem_of(response, 400)
    assert "JSON" in body["detail"]


def test_a_stale_version_is_a_409_problem_with_its_explanation(client, reviewer):
    reviewer_client = client
    reviewer_client.force_login(reviewer)  # an editor's write to a published record waits
    party = OrganizationFactory(name="Strict Shared")
    url = f"{API}organizations/{party.slug}/"
    version = reviewer_client.get(url).json()["version"]
    first = reviewer_client.patch(
        url, {"summary": "One.", "version": version}, content_type="application/json"
    )
    assert first.status_code == 200
    stale = reviewer_client.patch(
        url, {"summary": "Two.", "version": version}, content_type="application/json"
    )
    body = problem_of(stale, 409)
    assert f"version {version + 1}" in body["detail"]


def test_what_django_refuses_before_the_api_reads_it_is_a_problem_too(editor_client, settings):
    client = editor_client  # an anonymous write is refused before its body is read
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    client.raise_request_exception = False
    body = problem_of(
        client.post(f"{API}organizations/", "x" * 200, content_type="application/json"), 413
    )
    assert "100 bytes" in body["detail"]
    many = "&".join(f"p{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    problem_of(client.get(f"{API}organizations/?{many}"), 400)
    # Elsewhere, the site's own page.
    page = client.get(f"/search/?{many}")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


def test_a_server_error_under_the_api_is_a_problem(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(VIEWSETS["organizations"], "list", broken)
    client.raise_request_exception = False
    body = problem_of(client.get(f"{API}organizations/"), 500)
    assert "a bug" not in body["detail"]


# -- methods and numbers the schema says: found by schemathesis's checks -----------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "organizations/otan/"),
        ("post", "citations/1/"),
        ("put", "organizations/"),
        ("patch", "events/"),
        ("delete", "people/"),
    ],
)
def test_a_method_an_address_does_not_take_is_a_405_even_unsigned(client, method, path):
    """Not a 403 asking for credentials: no one may POST to a record's address (the article's
    data are loaded: otan and citation 1 exist)."""
    response = getattr(client, method)(f"{API}{path}")
    problem = problem_of(response, 405)
    assert method.upper() in problem["detail"]
    assert method.upper() not in response["Allow"].split(", ")


@pytest.mark.parametrize("value", ["0.5", "1e3", "0", "2147483648", "x"])
def test_a_footnote_is_a_whole_number_from_1(client, value):
    response = client.get(f"{API}citations/", {"footnote": value})
    assert list(reasons(problem_of(response, 400) and response)) == ["footnote"]


def test_the_exports_empty_format_is_no_format_as_the_schema_says(client):
    schema = client.get(f"{API}schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/export/"]["get"]["parameters"]
    assert [p.get("allowEmptyValue") for p in parameters if p["name"] == "format"] == [True]
