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

from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer

from kzpolitics.core.rest import CSVRenderer
from kzpolitics.site.schema_links import READ_METHODS, WRITE_METHODS, add_links

PAGE_HELP = "Page number, from 1. A page past the end is a 404 that says how many pages there are."
PAGE_SIZE_HELP = "Records per page, from 1 to {maximum} (default {default})."
FORMAT_HELP = (
    "Response format: json (the default) or csv, one row per record with nested objects "
    "flattened to dotted columns and lists joined with “ | ” (the same as Accept: text/csv). "
    "An unknown format is a 400."
)
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

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error, explained.",
    "properties": {"detail": {"type": "string", "description": "What went wrong."}},
    "required": ["detail"],
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
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Bad input: each key names a bad query parameter or field (non_field_errors: the "
        "input as a whole), and its value says what is wrong with it."
    ),
    "additionalProperties": {
        "description": "A message, a list of messages, or, for a nested field, the same again.",
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {}},
            {"type": "object"},
        ],
    },
}
ERRORS = {
    "400": ("ValidationError", "Bad input: a parameter or field is invalid, as the body says."),
    "401": ("Error", "The credentials sent (a session or token) are wrong or have expired."),
    "403": ("Error", "Not allowed: writing needs a signed-in editor with the permission."),
    "404": ("Error", "Not found: no such record, or a page past the end of the list."),
    "409": (
        "Error",
        "Conflict: the record was saved by someone else since the version the request names, "
        "or it cannot be deleted while other records cite or depend on it (the body lists them).",
    ),
    "429": ("Error", "Too many requests: wait the number of seconds Retry-After gives."),
}
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
        "description": "Tag of this response; send it back in If-None-Match to get a 304.",
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
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("ValidationError", VALIDATION_ERROR_SCHEMA)
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
            if method in WRITE_METHODS:
                operation.setdefault("parameters", []).append(dict(EDIT_SUMMARY_PARAMETER))
            add_responses(operation, method, path, view)
    add_links(result)
    return result


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
    if parameter.get("description") and parameter["description"] not in STOCK_HELP:
        return
    name, where = parameter["name"], parameter["in"]
    if where == "path" and name == "slug" and view is not None:
        model = view.get_queryset().model._meta.verbose_name
        parameter["description"] = f"The {model}'s slug: its stable name in addresses."
    elif where != "query":
        return
    elif name == "format":
        parameter["description"] = FORMAT_HELP
    elif name == "page":
        parameter["description"] = PAGE_HELP
        parameter["schema"]["minimum"] = 1
    elif name == "page_size" and view is not None and view.pagination_class:
        paginator = view.pagination_class
        parameter["description"] = PAGE_SIZE_HELP.format(
            maximum=paginator.max_page_size, default=paginator.page_size
        )
        parameter["schema"].update(minimum=1, maximum=paginator.max_page_size)
    elif name == "search" and view is not None:
        fields = ", ".join(f.replace("__", ".") for f in getattr(view, "search_fields", ()))
        parameter["description"] = SEARCH_HELP.format(fields=fields)
    elif name == "ordering" and view is not None:
        fields = list(getattr(view, "ordering_fields", ()))
        # A list ordered by its QuerySet (ordering = None) is in date order, undated last.
        default = ", ".join(getattr(view, "ordering", None) or ()) or "date, undated last"
        parameter["description"] = ORDERING_HELP.format(
            fields=", ".join(fields), example=fields[0], default=default
        )
        one = "-?(" + "|".join(fields) + ")"
        parameter["schema"]["pattern"] = f"^{one}(,{one})*$"


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
    media_types = error_media_types(view)
    wanted = ["400", "401", "429"]
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
        component, description = ERRORS[status]
        schema = {"$ref": f"#/components/schemas/{component}"}
        response = responses.setdefault(
            status,
            {
                "description": description,
                "content": {media_type: {"schema": schema} for media_type in media_types},
            },
        )
        if status == "429":
            response.setdefault("headers", deepcopy(RETRY_AFTER))
    if method == "get":
        responses.setdefault("304", deepcopy(NOT_MODIFIED))
        ok = responses.get("200")
        if ok is not None:
            ok.setdefault("headers", deepcopy(CACHE_HEADERS))
    operation["responses"] = dict(sorted(responses.items()))


def error_media_types(view) -> list[str]:
    """Errors come as JSON, or as CSV when CSV was asked for; never as a zip."""
    renderers = getattr(view, "renderer_classes", None) or ()
    textual = [r.media_type for r in renderers if issubclass(r, (JSONRenderer, CSVRenderer))]
    return list(dict.fromkeys(["application/json", *textual]))
