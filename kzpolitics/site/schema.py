"""What the OpenAPI schema says that no serializer or filter can: the query parameters every
list shares, the pages around a list, the errors every endpoint may answer, and how one
answer leads to the next (OpenAPI links).

drf-spectacular runs :func:`document_api` on the generated schema (a postprocessing hook,
named in ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``). It describes what the shared
machinery in :mod:`kzpolitics.core.rest` does, view by view (each list's own ordering fields and
search fields), so a client generated from the schema knows every parameter and every answer;
and it adds the links (:mod:`kzpolitics.site.schema_links`) a client, or schemathesis's
stateful phase, follows from a list to its records and from a record to what concerns it.
"""

from __future__ import annotations

from copy import deepcopy

from rest_framework import serializers
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.pagination import PageNumberPagination

from kzpolitics.core.csv_format import (
    CSV_FORMAT_HELP,
    LIST_CSV_HELP,
    TOTAL_HEADER,
    CSVRenderer,
    list_columns,
)
from kzpolitics.core.filters import DATE_QUERY_PATTERN, DateQueryFilter, SlugFilter
from kzpolitics.core.problems import PROBLEM_MEDIA_TYPE, ProblemSerializer
from kzpolitics.site.schema_links import READ_METHODS, WRITE_METHODS, add_links

PAGE_HELP = (
    "Page number, from 1. A page past the end is a 404 that says how many pages there are. "
    "Checked but not applied with format=csv, which gives every record."
)
PAGE_SIZE_HELP = (
    "Records per page, from 1 to {maximum} (default {default}). Checked but not applied with "
    "format=csv, which gives every record."
)
FORMAT_HELP = (
    "Response format: json (the default) or csv (the same as Accept: text/csv): on a list, "
    "every record the other parameters select, not a page. An unknown format is a 400. A "
    "generated client reads the JSON answer of this operation; for CSV it calls the list's "
    "own .csv operation (GET /api/v1/<list>.csv), whose answer is text."
)
SLUG_PATTERN = "^[-a-zA-Z0-9_]+$"
SLUG_HELP = " A slug no published record has is a 400 naming it."

SEARCH_HELP = (
    "Words to find (at most 200 characters in all). A record matches when every word is "
    "found in one of: {fields}. Names and titles match however they are spelt: in "
    "Cyrillic, with y or i, kh or h, zh or j, with or without apostrophes and hyphens, and "
    "with one letter wrong, missing or extra in a word of four letters or more. Without "
    "?ordering=, the best matches come first: the exact name, then names that begin with "
    "the words, then the rest."
)
ORDERING_HELP = (
    "Sort by one or more of {fields}, separated by commas; prefix a field with - to reverse "
    "it (e.g. -{example}). Default: {default}. An unknown field is a 400."
)
PAGINATION_HELP = {
    "count": "How many records match, on every page together.",
    "next": "The next page's address, or null on the last page.",
    "previous": "The previous page's address, or null on the first page.",
    "results": "The records on this page.",
}

PENDING_REVISION_SCHEMA = {
    "type": "object",
    "description": (
        "A change to a published record by an editor who may not publish: kept as a pending "
        "revision, which the public does not see until a reviewer accepts it. The record is "
        "unchanged until then."
    ),
    "properties": {
        "detail": {"type": "string", "description": "What happened, in words."},
        "revision": {"type": "integer", "description": "The pending revision's id."},
        "state": {"type": "string", "enum": ["pending"], "description": "The revision's state."},
        "base_version": {
            "type": "integer",
            "description": "The record's version the change was made from.",
        },
        "fields": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The fields the revision changes.",
        },
    },
    "required": ["detail", "revision", "state", "base_version", "fields"],
}
PENDING_REVISION_REF = "#/components/schemas/PendingRevision"
PROBLEM_REF = "#/components/schemas/Problem"
ERRORS = {
    "400": (
        "Bad input: an unknown or repeated query parameter, a malformed value, a slug no "
        "published record has, a reversed range, or an invalid field; invalid-params names "
        "each."
    ),
    "401": "The credentials sent (a session or token) are wrong or have expired.",
    "403": "Not allowed: writing needs a signed-in editor with the permission.",
    "404": "Not found: no such record, or a page past the end of the list.",
    "406": "Not acceptable: the Accept header names no format this operation gives.",
    "409": (
        "Conflict: the record was saved by someone else since the version the request names, "
        "or it cannot be deleted while other records cite or depend on it (the body lists them)."
    ),
    "429": "Too many requests: wait the number of seconds Retry-After gives.",
}
# Reads are public: an empty list of security requirements.
PUBLIC: list = []
EDIT_SUMMARY_PARAMETER = {
    "name": "X-Edit-Summary",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 300},
    "description": (
        "What you changed and why, kept with the record's history as the edit summary "
        "(as an editor writes one in the admin)."
    ),
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before asking again.",
        "schema": {"type": "integer"},
    }
}
NOT_MODIFIED = {
    "description": (
        "Not modified: nothing changed since the ETag (If-None-Match) or the time "
        "(If-Modified-Since) the request sent. No body."
    )
}
CACHE_HEADERS = {
    "ETag": {
        "description": (
            "Tag of this response; send it back in If-None-Match to get a 304. A list's CSV, "
            "streamed, has none (use Last-Modified)."
        ),
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": "When the data last changed; send it back in If-Modified-Since.",
        "schema": {"type": "string"},
    },
}


def document_api(result, generator, request, public):
    """drf-spectacular postprocessing hook: describe the shared parameters and answers."""
    views = views_by_operation(generator)
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = serializer_schema(ProblemSerializer())
    schemas.setdefault("PendingRevision", PENDING_REVISION_SCHEMA)
    for name, schema in schemas.items():
        if name.startswith("Paginated"):
            for field, description in PAGINATION_HELP.items():
                if field in schema.get("properties", {}):
                    schema["properties"][field].setdefault("description", description)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in READ_METHODS + WRITE_METHODS:
                continue
            view = views.get((path, method))
            for parameter in operation.get("parameters", []):
                describe_parameter(parameter, view)
                # The records' own endpoints and the export read an empty value as none.
                if hasattr(view, "published_queryset") or path.startswith(EXPORT_PATHS):
                    bound_query_parameter(parameter)
            if method in WRITE_METHODS:
                operation.setdefault("parameters", []).append(dict(EDIT_SUMMARY_PARAMETER))
            else:
                # Reads are public and answer the same signed in or not (an editor's read shows
                # what the public sees): no security requirement at all. drf-spectacular lists
                # the schemes, which made generated clients ask for an authenticated client.
                operation["security"] = list(PUBLIC)
            add_responses(operation, method, path, view)
            if method == "get" and is_list(path, view):
                describe_csv(operation, view)
    add_links(result)
    add_csv_operations(result)
    return result


def is_list(path: str, view) -> bool:
    return "{" not in path and bool(getattr(view, "pagination_class", None))


def serializer_schema(serializer) -> dict:
    """A plain serializer's fields as a JSON Schema object (for the error body, which no view
    returns as its serializer: drf-spectacular would not list it)."""
    properties, required = {}, []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.ListSerializer):
            schema = {"type": "array", "items": serializer_schema(field.child)}
        elif isinstance(field, serializers.IntegerField):
            schema = {"type": "integer"}
        else:
            schema = {"type": "string"}
        if field.help_text:
            schema["description"] = str(field.help_text)
        properties[name] = schema
        if field.required:
            required.append(name)
    described = {"type": "object", "properties": properties, "required": required}
    if serializer.__doc__:
        described["description"] = serializer.__doc__.strip()
    return described


def csv_description(view) -> str:
    """The CSV format, and what each list-valued column of the view's CSV holds."""
    try:
        lists = list_columns(view.get_serializer())
    except Exception:  # a view whose serializer needs what no request gives: the format only
        lists = {}
    columns = [
        f"- {column}: a JSON array of "
        + ("strings or numbers." if keys is None else f"objects with the keys {', '.join(keys)}.")
        for column, keys in lists.items()
    ]
    if not columns:
        return CSV_FORMAT_HELP
    return CSV_FORMAT_HELP + "\n\nList-valued columns:\n\n" + "\n".join(columns)


def describe_csv(operation: dict, view) -> None:
    """A list's 200: the JSON page, or (format=csv, Accept: text/csv) every record as CSV."""
    ok = operation.get("responses", {}).get("200")
    if ok is None:
        return
    ok["description"] = (
        "A page of records (JSON), or with format=csv or Accept: text/csv every record the "
        f"other parameters select (CSV). {LIST_CSV_HELP}"
    )
    ok.setdefault("content", {})[CSVRenderer.media_type] = {
        "schema": {"type": "string", "description": csv_description(view)}
    }
    ok.setdefault("headers", {})[TOTAL_HEADER] = {
        "description": "With CSV only: how many records (rows after the header) it holds.",
        "schema": {"type": "integer", "minimum": 0},
    }


# Parameters that do not apply to a whole CSV (accepted and checked, not used): left out of the
# .csv operations, whose format the address gives.
NOT_FOR_CSV = ("format", "page", "page_size")


def add_csv_operations(result: dict) -> None:
    """Each list's CSV as an operation of its own, at the list's address with .csv (DRF's
    format suffix: /api/v1/organizations.csv is /api/v1/organizations/?format=csv). One
    operation has one answer per status, and a generated client reads it one way: the list's
    own operation gives JSON a client parses, this one text it does not."""
    paths = result.get("paths", {})
    for path in list(paths):
        operation = paths[path].get("get")
        ok = (operation or {}).get("responses", {}).get("200", {})
        if CSVRenderer.media_type not in ok.get("content", {}) or "{" in path:
            continue
        csv_operation = deepcopy(operation)
        csv_operation["operationId"] = f"{operation['operationId']}_csv"
        csv_operation["summary"] = f"Every record of {path} as CSV"
        csv_operation["parameters"] = [
            parameter
            for parameter in csv_operation.get("parameters", [])
            if not (parameter["in"] == "query" and parameter["name"] in NOT_FOR_CSV)
        ]
        responses = csv_operation["responses"]
        csv_ok = responses["200"]
        csv_ok.pop("links", None)
        csv_ok["content"] = {CSVRenderer.media_type: csv_ok["content"][CSVRenderer.media_type]}
        csv_ok["description"] = LIST_CSV_HELP
        csv_ok["headers"].pop("ETag", None)
        responses.pop("404", None)  # no pages, so no page past the end
        paths[path.rstrip("/") + ".csv"] = {"get": csv_operation}


def views_by_operation(generator) -> dict:
    """(path as the schema writes it, method) -> the view instance that serves it."""
    views = {}
    for path, _regex, method, callback in generator.endpoints:
        view = generator.create_view(callback, method)
        views[generator.coerce_path(path, method, view), method.lower()] = view
    return views


# DRF's stock wording, which says nothing of this API's rules: replaced. A description a view
# gives itself (with extend_schema) is kept.
STOCK_HELP = {
    str(PageNumberPagination.page_query_description),
    str(PageNumberPagination.page_size_query_description),
    str(SearchFilter.search_description),
    str(OrderingFilter.ordering_description),
}


def describe_parameter(parameter: dict, view) -> None:
    found = filter_of(view, parameter["name"]) if parameter["in"] == "query" else None
    if found is not None:
        describe_filter(parameter, found)
    if parameter.get("description") and parameter["description"] not in STOCK_HELP:
        return
    name, where = parameter["name"], parameter["in"]
    if where == "path" and name == "slug" and view is not None:
        model = view.get_queryset().model._meta.verbose_name
        parameter["description"] = f"The {model}'s slug: its stable name in addresses."
    elif where != "query" or found is not None:
        return
    elif name == "format":
        parameter["description"] = FORMAT_HELP
    elif name == "page":
        parameter["description"] = PAGE_HELP
        parameter["schema"].update(minimum=1, maximum=PAGE_MAXIMUM)
    elif name == "page_size" and view is not None and view.pagination_class:
        paginator = view.pagination_class
        parameter["description"] = PAGE_SIZE_HELP.format(
            maximum=paginator.max_page_size, default=paginator.page_size
        )
        parameter["schema"].update(minimum=1, maximum=paginator.max_page_size)
    elif name == "search" and view is not None:
        fields = ", ".join(f.replace("__", ".") for f in getattr(view, "search_fields", ()))
        parameter["description"] = SEARCH_HELP.format(fields=fields)
        parameter["schema"]["maxLength"] = 200
    elif name == "ordering" and view is not None:
        fields = list(getattr(view, "ordering_fields", ()))
        # A list ordered by its QuerySet (ordering = None) is in date order, undated last.
        default = ", ".join(getattr(view, "ordering", None) or ()) or "date, undated last"
        parameter["description"] = ORDERING_HELP.format(
            fields=", ".join(fields), example=fields[0], default=default
        )
        one = "-?(" + "|".join(fields) + ")"
        parameter["schema"]["pattern"] = f"^{one}(,{one})*$"


EXPORT_PATHS = "/api/v1/export/"

# What the site refuses in any query parameter (a 400: kzpolitics.site.middleware).
NO_NUL_PATTERN = "^[^\\x00]*$"
PAGE_MAXIMUM = 999_999_999  # a page number has at most nine digits (kzpolitics.core.rest)


def bound_query_parameter(parameter: dict) -> None:
    """What the records' endpoints do with any query parameter, said in the schema: an empty
    value is no value (``?kind=``, as a form sends it), but for ``ordering``, which must name
    a field; and a free text holds no NUL character."""
    if parameter["in"] != "query":
        return
    schema = parameter.setdefault("schema", {"type": "string"})
    if parameter["name"] != "ordering" and not parameter.get("required"):
        parameter["allowEmptyValue"] = True
    if schema.get("type") == "string" and not {"pattern", "enum", "format"} & set(schema):
        schema["pattern"] = NO_NUL_PATTERN


def filter_of(view, name: str):
    """The django-filter filter behind a query parameter of the view, if one is."""
    filterset = getattr(view, "filterset_class", None)
    return filterset.base_filters.get(name) if filterset is not None else None


def describe_filter(parameter: dict, found) -> None:
    """What a filter's value must be, as strictly as the server checks it."""
    schema = parameter.setdefault("schema", {"type": "string"})
    if isinstance(found, DateQueryFilter):
        schema.clear()
        schema.update(type="string", pattern=DATE_QUERY_PATTERN)
    elif isinstance(found, SlugFilter):
        schema.update(type="string", pattern=SLUG_PATTERN, maxLength=200)
        if SLUG_HELP.strip() not in parameter.get("description", ""):
            parameter["description"] = parameter.get("description", "") + SLUG_HELP


SUCCESS_HELP = {
    ("get", "list"): "A page of records.",
    ("get", "detail"): "The record.",
    ("post", "list"): "Created: the new record.",
    ("put", "detail"): "Saved: the record as it now is.",
    ("patch", "detail"): "Saved: the record as it now is.",
    ("delete", "detail"): "Deleted.",
}


def add_responses(operation: dict, method: str, path: str, view) -> None:
    responses = operation.setdefault("responses", {})
    scope = "detail" if "{" in path else "list"
    for status, response in responses.items():
        if status.startswith("2") and not response.get("description"):
            response["description"] = SUCCESS_HELP.get((method, scope), "Done.")
    wanted = ["400", "401", "406", "429"]
    if method in WRITE_METHODS:
        wanted.append("403")
    if scope == "detail" or (method == "get" and getattr(view, "pagination_class", None)):
        wanted.append("404")
    if scope == "detail" and method in ("put", "patch", "delete"):
        wanted.append("409")
    if scope == "detail" and method in ("put", "patch"):
        responses.setdefault(
            "202",
            {
                "description": PENDING_REVISION_SCHEMA["description"],
                "content": {"application/json": {"schema": {"$ref": PENDING_REVISION_REF}}},
            },
        )
    for status in sorted(wanted):
        # Every error is a problem (kzpolitics.core.problems), whatever format was asked for.
        response = responses[status] = {
            "description": ERRORS[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
        }
        if status == "429":
            response["headers"] = deepcopy(RETRY_AFTER)
    if method == "get":
        responses.setdefault("304", deepcopy(NOT_MODIFIED))
        ok = responses.get("200")
        if ok is not None:
            ok.setdefault("headers", deepcopy(CACHE_HEADERS))
    operation["responses"] = dict(sorted(responses.items()))
