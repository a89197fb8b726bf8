"""The W3C Reconciliation Service API (version 0.2, which OpenRefine 3.x speaks) for
organizations and people: a spreadsheet's names, in any spelling or in Cyrillic, matched to
this data's identifiers.

- ``GET /api/v1/reconcile/``: the service manifest.
- ``GET /api/v1/reconcile/?queries={...}`` or a form-encoded ``POST`` of ``queries``: a batch
  of queries, each answered with its candidates, best first.
- ``GET /api/v1/reconcile/suggest/entity/?prefix=...``: entity suggest (auto-completion).
- ``GET /api/v1/reconcile/preview/?id=...``: a small HTML card of a record, for OpenRefine's
  preview frame.
- ``GET /api/v1/reconcile/view/?id=...``: a redirect to the record's public page.

An identifier is the record's address under the API and the site, without its slashes:
``organizations/<slug>`` or ``people/<slug>`` (``/api/v1/organizations/<slug>/`` is its API
record, ``/organizations/<slug>/`` its page). Matching is the site's one search service
(``kzpolitics.core.search``): any name variant the public may see, transliteration and
Cyrillic; only published records and published names take part, so a draft changes no answer.
Everything here reads; a POST changes nothing, which is why it needs no CSRF token.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from csp.decorators import csp_replace
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.text import Truncator
from django.views.decorators.clickjacking import xframe_options_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, renderers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from kzpolitics.core.date_phrases import date_phrase
from kzpolitics.core.models import Person, PersonName, published_prefetch
from kzpolitics.core.rest import check_query_params
from kzpolitics.core.search import RANK, matched_name
from parties.models import Organization, OrganizationName

MAX_QUERIES = 50  # per batch: OpenRefine sends 10 at a time by default
MAX_QUERY_LENGTH = 200  # characters of one query's text, as ?search= allows
MAX_BATCH_CHARACTERS = 100_000  # the JSON of a whole batch
# A text with something to match, and no NUL (which PostgreSQL refuses).
TEXT_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"
MAX_KEY_LENGTH = 100  # a query's key ("q0"), echoed back in the answer
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
SUGGEST_PAGE = 10
MAX_CURSOR = 1000
# A candidate's score (0-100) from how its best name matched (``search``'s rank): the exact
# name, a name it begins with, a word of it, a word it begins, anything else (inside a word,
# one letter wrong).
SCORES = (100, 80, 60, 40, 20)
MISMATCH_FACTOR = 0.5  # a property the candidate's own data contradicts halves its score
QUERY_KEYS = ("query", "type", "limit", "properties", "type_strict")
TYPE_STRICT = ("any", "should", "all")
DESCRIPTION_LENGTH = 160

ORGANIZATION, PERSON = "organization", "person"
KINDS = {kind.value: kind.label for kind in Organization.Kind}
TYPES = {ORGANIZATION: "Organization", PERSON: "Person", **KINDS}
PREFIXES = {Organization: "organizations", Person: "people"}
MODELS = {prefix: model for model, prefix in PREFIXES.items()}
# Properties a query may give to refine its candidates: organizations' founding and
# dissolution, matched by year.
PROPERTIES = {
    "founded": "Founded (a year or a date)",
    "dissolved": "Dissolved (a year or a date)",
}
YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
IDENTIFIER = re.compile(r"^(organizations|people)/([-a-zA-Z0-9_]+)$")


def type_of(record) -> list[dict]:
    """The types a candidate belongs to: organization and its kind, or person."""
    if isinstance(record, Person):
        return [{"id": PERSON, "name": TYPES[PERSON]}]
    return [
        {"id": ORGANIZATION, "name": TYPES[ORGANIZATION]},
        {"id": record.kind, "name": KINDS.get(record.kind, record.kind)},
    ]


def identifier(record) -> str:
    return f"{PREFIXES[type(record)]}/{record.slug}"


def describe(record, query: str = "") -> str:
    """A line that tells namesakes apart: the kind and dates of an organization, the
    beginning of a person's description; and the other name that matched, if not its own."""
    if isinstance(record, Organization):
        parts = [KINDS.get(record.kind, record.kind)]
        for lead, value in (("founded", record.founded), ("dissolved", record.dissolved)):
            found = date_phrase(value)
            if found is not None:
                parts.append(f"{lead} {found.text}")
        text = ", ".join(parts)
    else:
        text = Truncator(record.description).chars(DESCRIPTION_LENGTH) if record.description else ""
    other = matched_name(record, query) if query else ""
    if other:
        text = f"{text} (matched “{other}”)" if text else f"Matched “{other}”"
    return text


# -- reading a batch -------------------------------------------------------------------------


@dataclass
class Query:
    """One query of a batch, checked."""

    text: str
    types: list[str] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    properties: list[tuple[str, list]] = field(default_factory=list)
    type_strict: str = "any"

    def wants_people(self) -> bool:
        if not self.types:
            return True
        if self.type_strict == "all":
            return set(self.types) == {PERSON}
        return PERSON in self.types

    def organization_kinds(self) -> list[str] | None:
        """The kinds of organization wanted: None for every kind, [] for none."""
        if not self.types:
            return None
        kinds = [t for t in self.types if t in KINDS]
        if self.type_strict == "all":
            if PERSON in self.types or len(kinds) > 1:
                return []
            return kinds or None
        if ORGANIZATION in self.types:
            return None
        return kinds


def bad(parameter: str, message: str) -> ValidationError:
    return ValidationError({parameter: [message]})


def read_batch(raw) -> dict[str, Query]:
    """The ``queries`` parameter: a JSON object of queries by key, each checked; a 400 naming
    what is wrong otherwise."""
    example = '{"q0": {"query": "Nazarbaev", "type": "person"}}'
    if raw is None or not raw.strip():
        raise bad("queries", f"Send a batch of queries as JSON, e.g. queries={example}.")
    if len(raw) > MAX_BATCH_CHARACTERS:
        raise bad("queries", f"A batch may be at most {MAX_BATCH_CHARACTERS} characters long.")
    try:
        batch = json.loads(raw)
    except (ValueError, RecursionError) as error:
        where = f" ({error.msg} at character {error.pos})" if hasattr(error, "msg") else ""
        raise bad("queries", f"Not valid JSON{where}; send an object such as {example}.") from None
    if not isinstance(batch, dict) or not batch:
        raise bad("queries", f"Send a JSON object of queries by key, such as {example}.")
    if len(batch) > MAX_QUERIES:
        raise bad(
            "queries",
            f"{len(batch)} queries in one batch; send at most {MAX_QUERIES} at a time.",
        )
    return {key: read_query(key, value) for key, value in batch.items()}


def read_query(key: str, value) -> Query:
    if len(key) > MAX_KEY_LENGTH:
        raise bad("queries", f"A query's key may be at most {MAX_KEY_LENGTH} characters long.")
    where = f"queries[{key}]"
    if not isinstance(value, dict):
        raise bad(where, 'Each query is an object, such as {"query": "Nazarbaev"}.')
    unknown = sorted(set(value) - set(QUERY_KEYS))
    if unknown:
        raise bad(where, f"Unknown key “{unknown[0][:40]}”; a query has: {', '.join(QUERY_KEYS)}.")
    # Properties alone name no record here: the text is what is matched.
    if "query" not in value:
        raise bad(where, "A query needs its text: query.")
    query = Query(text=read_text(f"{where}.query", value["query"]))
    query.types = read_types(f"{where}.type", value.get("type"))
    query.limit = read_limit(f"{where}.limit", value.get("limit", DEFAULT_LIMIT))
    query.properties = read_properties(f"{where}.properties", value.get("properties"))
    strict = value.get("type_strict", "any")
    if strict not in TYPE_STRICT:
        raise bad(f"{where}.type_strict", f"type_strict is one of: {', '.join(TYPE_STRICT)}.")
    query.type_strict = strict
    return query


def read_text(where: str, value) -> str:
    """A query's text, its runs of spaces made one; a 400 for a text too long, or holding a
    NUL (which no name holds, and PostgreSQL refuses)."""
    if not isinstance(value, str):
        raise bad(where, "The text is a string.")
    if len(value) > MAX_QUERY_LENGTH:
        raise bad(
            where, f"The text is {len(value)} characters long; use at most {MAX_QUERY_LENGTH}."
        )
    if "\x00" in value:
        raise bad(where, "The text holds a NUL character.")
    return " ".join(value.split())


def read_types(where: str, value) -> list[str]:
    if value is None:
        return []
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise bad(where, "A type is a string, or a list of them.")
    for name in values:
        if name not in TYPES:
            raise bad(where, f"Unknown type “{name[:40]}”; the types are: {', '.join(TYPES)}.")
    return list(dict.fromkeys(values))


def read_limit(where: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise bad(where, f"The limit is a whole number from 1 to {MAX_LIMIT}.")
    return value


def read_properties(where: str, value) -> list[tuple[str, list]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad(where, 'Properties are a list of {"pid": ..., "v": ...} objects.')
    found = []
    for item in value:
        if not isinstance(item, dict) or "pid" not in item or "v" not in item:
            raise bad(where, 'Each property is an object with a pid and a v: {"pid": "founded", '
                      '"v": "1999"}.')  # fmt: skip
        pid = item["pid"]
        if pid not in PROPERTIES:
            known = ", ".join(PROPERTIES)
            raise bad(where, f"Unknown property “{str(pid)[:40]}”; the properties are: {known}.")
        values = item["v"] if isinstance(item["v"], list) else [item["v"]]
        found.append((pid, values))
    return found


# -- answering -------------------------------------------------------------------------------


def year_of(value) -> int | None:
    """The year a property's value names (1999, "1999", "1999-03-01", "March 1999", or an
    entity object with a name), or None: a value that names none does not count."""
    if isinstance(value, dict):
        value = value.get("name", "")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if 1000 <= value <= 2999 else None
    if isinstance(value, str):
        found = YEAR.search(value)
        return int(found[1]) if found else None
    return None


def contradicts(record, properties: list[tuple[str, list]]) -> bool:
    """Whether the record's own dates rule out every year a property gives."""
    if not isinstance(record, Organization):
        return False
    for pid, values in properties:
        years = [y for y in map(year_of, values) if y is not None]
        earliest = getattr(record, f"{pid}_earliest")
        latest = getattr(record, f"{pid}_latest")
        if not years or earliest is None or latest is None:
            continue
        if not any(earliest.year <= year <= latest.year for year in years):
            return True
    return False


def candidates(query: Query) -> list:
    """The records the query's text finds, of the types it asks for, best first: ``limit``
    and one more, which tells whether a name the last one bears exactly is borne by another
    (one query of the database for each kind of record)."""
    if not query.text:
        return []
    wanted = query.limit + 1
    found = []
    kinds = query.organization_kinds()
    if kinds != []:
        organizations = Organization.objects.published()
        if kinds is not None:
            organizations = organizations.filter(kind__in=kinds)
        found += list(organizations.matching(query.text)[:wanted])
    if query.wants_people():
        people = Person.objects.published()
        found += list(people.matching(query.text)[:wanted])
    # Organizations before people where they match equally well (stable), as the search page.
    return sorted(found, key=lambda record: getattr(record, RANK))[:wanted]


def attach_names(records) -> None:
    """The names the public may see of every candidate, in one query per kind of record."""
    for model, names in ((Organization, OrganizationName), (Person, PersonName)):
        of_kind = [r for r in records if isinstance(r, model)]
        if of_kind:
            prefetch_related_objects(of_kind, published_prefetch("names", names))


def results(query: Query, records: list) -> list[dict]:
    """The candidates' answers, at most ``limit``, best first (``records``: ``candidates``)."""
    exact = [r for r in records if getattr(r, RANK) == 0]
    answers = []
    for record in records[: query.limit]:
        rank = getattr(record, RANK)
        score = SCORES[min(rank, len(SCORES) - 1)]
        contradicted = contradicts(record, query.properties)
        if contradicted:
            score = round(score * MISMATCH_FACTOR)
        answers.append(
            {
                "id": identifier(record),
                "name": record.name,
                "type": type_of(record),
                "score": score,
                # Certain only when one record bears exactly that name and nothing contradicts it.
                "match": rank == 0 and len(exact) == 1 and not contradicted,
                "description": describe(record, query.text),
            }
        )
    return sorted(answers, key=lambda answer: -answer["score"])


def reconcile(batch: dict[str, Query]) -> dict:
    """The answer to a batch: each key's candidates."""
    found = {key: candidates(query) for key, query in batch.items()}
    attach_names([record for records in found.values() for record in records])
    return {key: {"result": results(batch[key], found[key])} for key in batch}


def manifest(request) -> dict:
    """The service manifest: what the service is and where its parts are."""
    base = request.build_absolute_uri(reverse("api:reconcile"))
    default_types = [{"id": ORGANIZATION, "name": TYPES[ORGANIZATION]}]
    default_types.append({"id": PERSON, "name": TYPES[PERSON]})
    default_types += [
        {"id": kind, "name": label, "broader": [{"id": ORGANIZATION, "name": TYPES[ORGANIZATION]}]}
        for kind, label in KINDS.items()
    ]
    return {
        "versions": ["0.2"],
        "name": "kzpolitics: Kazakhstan's parties, organizations and people, 1986-2005",
        "identifierSpace": request.build_absolute_uri("/"),
        "schemaSpace": request.build_absolute_uri(reverse("api:schema")),
        "documentation": request.build_absolute_uri(reverse("api:docs")),
        "defaultTypes": default_types,
        "view": {"url": request.build_absolute_uri(reverse("api:reconcile-view")) + "?id={{id}}"},
        "preview": {
            "url": request.build_absolute_uri(reverse("api:reconcile-preview")) + "?id={{id}}",
            "width": 400,
            "height": 200,
        },
        "suggest": {
            "entity": {"service_url": base.rstrip("/"), "service_path": "/suggest/entity/"}
        },
    }


def one_parameter(request, name: str) -> str | None:
    """A query parameter's value (``check_query_params`` refused it given twice)."""
    return request.query_params.get(name)


def record_of(raw: str | None):
    """The published record an identifier names; a 400 for what is no identifier, a 404 for
    an identifier no public record bears (a draft's among them)."""
    found = IDENTIFIER.match(raw or "")
    if found is None:
        raise bad("id", "An identifier is organizations/<slug> or people/<slug>.")
    model = MODELS[found[1]]
    record = model.objects.published().filter(slug=found[2]).first()
    if record is None:
        raise NotFound(f"No public record has the identifier {raw}.")
    return record


class ReconciliationView(APIView):
    """Shared ground: public data only (no session, no token), JSON answers and errors."""

    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    renderer_classes = (renderers.JSONRenderer,)

    def perform_content_negotiation(self, request, force=False):
        # Whatever the client accepts (a browser's preview frame asks for HTML), errors come
        # as the API's JSON.
        return super().perform_content_negotiation(request, force=True)


TYPE_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
    "required": ["id", "name"],
}
SERVICE_SCHEMA = {
    "type": "object",
    "properties": {"service_url": {"type": "string"}, "service_path": {"type": "string"}},
    "required": ["service_url", "service_path"],
}
TEMPLATE_SCHEMA = {"type": "string", "description": "An address with {{id}} for the identifier."}
MANIFEST_SCHEMA = {
    "type": "object",
    "properties": {
        "versions": {"type": "array", "items": {"type": "string"}},
        "name": {"type": "string"},
        "identifierSpace": {"type": "string"},
        "schemaSpace": {"type": "string"},
        "documentation": {"type": "string"},
        "defaultTypes": {"type": "array", "items": TYPE_SCHEMA},
        "view": {
            "type": "object",
            "properties": {"url": TEMPLATE_SCHEMA},
            "required": ["url"],
        },
        "preview": {
            "type": "object",
            "properties": {
                "url": TEMPLATE_SCHEMA,
                "width": {"type": "integer"},
                "height": {"type": "integer"},
            },
            "required": ["url", "width", "height"],
        },
        "suggest": {"type": "object", "properties": {"entity": SERVICE_SCHEMA}},
    },
    "required": ["versions", "name", "identifierSpace", "schemaSpace"],
}
RESULTS_SCHEMA = {
    "type": "object",
    "description": "Each query's key, with its candidates.",
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
                        "type": {"type": "array", "items": TYPE_SCHEMA},
                        "score": {"type": "number", "minimum": 0, "maximum": 100},
                        "match": {"type": "boolean"},
                        "description": {"type": "string"},
                    },
                    "required": ["id", "name", "type", "score", "match", "description"],
                },
            }
        },
        "required": ["result"],
    },
}
SUGGEST_SCHEMA = {
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
                    "notable": {"type": "array", "items": TYPE_SCHEMA},
                },
                "required": ["id", "name", "description", "notable"],
            },
        }
    },
    "required": ["result"],
}
MANIFEST_HELP = (
    "What the service is and where its parts are, for OpenRefine (Reconcile › Add standard "
    "service: this address). Batches of queries come by POST (below) or, as the API's "
    "specification also allows, by GET with the same queries parameter."
)
BATCH_HELP = (
    "A batch of reconciliation queries, as JSON: an object whose keys are the client's "
    '(q0, q1, ...) and whose values are queries: {"query": text to match (at most '
    f'{MAX_QUERY_LENGTH} characters), "type": a type id or a list of them (organization, '
    'person, or an organization\'s kind: party, movement, ...), "type_strict": any, should '
    f'or all, "limit": 1 to {MAX_LIMIT} candidates (default {DEFAULT_LIMIT}), "properties": '
    '[{"pid": "founded" or "dissolved", "v": a year or a date}]}. At most '
    f"{MAX_QUERIES} queries a batch."
)
ANSWER_HELP = (
    'For each query\'s key, {"result": [...]}: its candidates best first, each with id '
    "(organizations/<slug> or people/<slug>), name, type, score (0-100: the exact name 100, "
    "a name it begins 80, a word of it 60, a word it begins 40, anything else 20; halved "
    "when a property "
    "contradicts the record), match (true only for the one record bearing exactly that name) "
    "and description."
)


class ReconcileView(ReconciliationView):
    """The reconciliation endpoint: the manifest, or the answers to a batch of queries."""

    parser_classes = (FormParser, MultiPartParser)
    http_method_names = ("get", "post", "head", "options")

    @extend_schema(
        operation_id="reconcile",
        summary="The reconciliation service's manifest (W3C Reconciliation API 0.2)",
        description=MANIFEST_HELP,
        responses={200: OpenApiResponse(MANIFEST_SCHEMA, description="The service manifest.")},
    )
    def get(self, request, *args, **kwargs):
        check_query_params(request, {"queries", "format"}, "The reconciliation endpoint")
        raw = one_parameter(request, "queries")
        if raw is None:
            return Response(manifest(request))
        return Response(reconcile(read_batch(raw)))

    @extend_schema(
        operation_id="reconcile_batch",
        summary="Reconcile a batch of names, sent as a form (as OpenRefine sends it)",
        description=ANSWER_HELP,
        request={
            "application/x-www-form-urlencoded": {
                "type": "object",
                "properties": {"queries": {"type": "string", "description": BATCH_HELP}},
                "required": ["queries"],
            }
        },
        responses={200: OpenApiResponse(RESULTS_SCHEMA, description="Each query's candidates.")},
    )
    def post(self, request, *args, **kwargs):
        check_query_params(request, {"format"}, "A POST to the reconciliation endpoint")
        values = request.data.getlist("queries") if hasattr(request.data, "getlist") else []
        if len(values) > 1:
            raise bad("queries", "Give it once.")
        return Response(reconcile(read_batch(values[0] if values else None)))


SUGGEST_HELP = (
    "Entity suggest (Reconciliation Service API 0.2): organizations and people whose names "
    'begin with, or contain, the prefix, best first, ten at a time: {"result": [{"id", '
    '"name", "description", "notable": types}]}.'
)


class SuggestEntityView(ReconciliationView):
    """Entity suggest: auto-completion of organizations and people by any of their names."""

    http_method_names = ("get", "head", "options")

    @extend_schema(
        operation_id="reconcile_suggest_entity",
        summary="Suggest organizations and people as a name is typed",
        description=SUGGEST_HELP,
        parameters=[
            OpenApiParameter(
                "prefix",
                {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_QUERY_LENGTH,
                    "pattern": TEXT_PATTERN,
                },
                required=True,
                description=f"What was typed (at most {MAX_QUERY_LENGTH} characters).",
            ),
            OpenApiParameter(
                "type", str, enum=list(TYPES), description="Only records of this type."
            ),
            OpenApiParameter(
                "cursor",
                {"type": "integer", "minimum": 0, "maximum": MAX_CURSOR},
                description=f"How many suggestions to skip, from 0 to {MAX_CURSOR}.",
            ),
        ],
        responses={200: OpenApiResponse(SUGGEST_SCHEMA, description="Suggestions, best first.")},
    )
    def get(self, request, *args, **kwargs):
        check_query_params(request, {"prefix", "type", "cursor", "format"}, "Entity suggest")
        prefix = read_text("prefix", one_parameter(request, "prefix") or "")
        if not prefix:
            raise bad("prefix", "Give the text typed so far.")
        kind = one_parameter(request, "type")
        types = read_types("type", kind) if kind is not None else []
        cursor = one_parameter(request, "cursor")
        cursor = "0" if cursor is None else cursor
        if not (cursor.isascii() and cursor.isdigit()) or int(cursor) > MAX_CURSOR:
            raise bad("cursor", f"A whole number from 0 to {MAX_CURSOR}.")
        start = int(cursor)
        query = Query(text=prefix, types=types, limit=start + SUGGEST_PAGE)
        records = candidates(query)[start : start + SUGGEST_PAGE]
        attach_names(records)
        return Response(
            {
                "result": [
                    {
                        "id": identifier(record),
                        "name": record.name,
                        "description": describe(record, prefix),
                        "notable": type_of(record),
                    }
                    for record in records
                ]
            }
        )


# OpenRefine shows the card in a frame of its own page: this one response may be framed by
# any site (it is public, read-only and has no form), which the site's policy forbids others.
@method_decorator(csp_replace({"frame-ancestors": ["*"]}), name="dispatch")
@method_decorator(xframe_options_exempt, name="dispatch")
class PreviewView(ReconciliationView):
    """A small HTML card of a record, for OpenRefine's preview frame."""

    http_method_names = ("get", "head", "options")

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        check_query_params(request, {"id"}, "This address")
        record = record_of(one_parameter(request, "id"))
        attach_names([record])
        names = sorted({n.name for n in record.names.all()} - {record.name})
        response = render(
            request,
            "reconcile/preview.html",
            {
                "record": record,
                "identifier": identifier(record),
                "types": type_of(record),
                "description": describe(record),
                "names": names,
                "page": request.build_absolute_uri(record.get_absolute_url()),
            },
        )
        # Not from the response cache: a cached copy would lose the frame permission above,
        # which is added on the way out of the view.
        response["Cache-Control"] = "no-cache"
        return response


class ViewView(ReconciliationView):
    """The manifest's view: an identifier's public page."""

    http_method_names = ("get", "head", "options")

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        check_query_params(request, {"id"}, "This address")
        record = record_of(one_parameter(request, "id"))
        return redirect(record.get_absolute_url())
