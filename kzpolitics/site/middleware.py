"""Refusing a null character in a request's query string, before any view reads it.

No page, filter or search of the site has a use for NUL (U+0000, ``%00``), and PostgreSQL
refuses it in any text it is sent (a ``DataError``, which would be a 500): in a search, in a
list filter of the admin, in the admin's autocomplete. SQLite takes it and finds nothing. So
one mechanism refuses it everywhere, whatever the database, with a 400 that names the
parameter: the API's problem details under /api/ (``invalid-params`` naming it, as for any
other bad parameter: kzpolitics.core.problems), the site's HTML page elsewhere.

Form bodies are left to the forms: Django's and DRF's text fields refuse a NUL themselves
(``ProhibitNullCharactersValidator``) and show the error beside the field, which tells an
editor more than a 400 page would.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from kzpolitics.core.problems import invalid_detail, problem_response

NUL = "\x00"
SHOWN_NAME_LENGTH = 80


def parameter_with_nul(query: QueryDict) -> str | None:
    """The first parameter whose name or any value holds a NUL."""
    for name, values in query.lists():
        if NUL in name or any(NUL in value for value in values):
            return name
    return None


class NullCharacterMiddleware:
    """A 400 for a query string with a NUL in a parameter's name or value."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = parameter_with_nul(request.GET)
        if name is None:
            return self.get_response(request)
        return refusal(request, name)


def refusal(request: HttpRequest, name: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        # Named by the parameter, as the API's other 400s are (a NUL in the name left out).
        invalid = [
            {
                "name": name.replace(NUL, "")[:SHOWN_NAME_LENGTH],
                "reason": "Null characters (%00) are not allowed.",
            }
        ]
        return problem_response(request, 400, invalid_detail(invalid, "query parameter"), invalid)
    shown = name.replace(NUL, "%00")
    if len(shown) > SHOWN_NAME_LENGTH:
        shown = shown[:SHOWN_NAME_LENGTH] + "…"
    problem = (
        f"The parameter “{shown}” in this address holds a null character (%00), which no "
        "page, filter or search can use. Remove it and try again."
    )
    return render(request, "400.html", {"title": "Bad request", "problem": problem}, status=400)
