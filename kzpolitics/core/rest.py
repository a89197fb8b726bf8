"""The pieces every API endpoint shares: paging, ordering, formats, search, permissions.

Researchers write code against this API, so bad input is a 400 that names the parameter,
never a silent default and never a 500.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import InvalidPage
from django.db.models import Q
from rest_framework import filters
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination

from kzpolitics.core.models import Status, public_condition, required_links
from kzpolitics.core.search import RANK, search

MAX_PAGE_SIZE = 500


class Pagination(PageNumberPagination):
    """Page-number paging: ``?page=``, and ``?page_size=`` from 1 to 500 (default 50). A view
    that knows how many rows a request's list holds without counting them says so with
    ``known_count(request)`` (an int, or None to have them counted)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not is_number(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {"page_size": f"“{raw[:40]}” is not a whole number from 1 to {self.max_page_size}."}
            )
        return int(raw)

    def get_page_number(self, request) -> int:
        """``?page=``, 1 if not given; anything but a page number is a 400."""
        raw = request.query_params.get(self.page_query_param) or "1"
        if not is_number(raw) or int(raw) < 1:
            raise ValidationError({"page": f"“{raw[:40]}” is not a page number (1, 2, ...)."})
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        number = self.get_page_number(request)
        paginator = self.django_paginator_class(queryset, page_size)
        known = getattr(view, "known_count", None)
        counted = known(request) if known else None
        if counted is not None:
            paginator.count = counted  # the view knows how many there are: no COUNT query
        try:
            self.page = paginator.page(number)
        except InvalidPage as exc:
            asked = request.query_params.get(self.page_query_param)
            raise NotFound(
                f"Page {asked} is past the end: there are {paginator.num_pages} page(s) "
                f"of {page_size}."
            ) from exc
        return list(self.page)


def is_number(raw: str) -> bool:
    """ASCII digits only: “²” and “٣” pass str.isdigit() but not int()."""
    return raw.isascii() and raw.isdigit() and len(raw) < 10


class StrictOrderingFilter(filters.OrderingFilter):
    """``?ordering=name,-founded``; an unknown field is a 400 listing the known ones."""

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw is None:
            default = self.get_default_ordering(view)
            if NameSearchFilter.searching(request, view):  # the best matches first
                return [RANK, *(default or queryset.query.order_by)]
            return default
        terms = [term.strip() for term in raw.split(",") if term.strip()]
        valid = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
        # One leading "-" reverses; lstrip("-") let "--name" through to order_by(): a 500.
        unknown = [term for term in terms if term.removeprefix("-") not in valid]
        if unknown or not terms:
            raise ValidationError(
                {
                    "ordering": f"Unknown ordering “{', '.join(unknown)[:80]}”; use one of: "
                    f"{', '.join(sorted(valid))} (prefix - to reverse)."
                }
            )
        return terms

    def filter_queryset(self, request, queryset, view):
        queryset = super().filter_queryset(request, queryset, view)
        # Ties broken by id, so paging gives the same sequence as one long page everywhere.
        ordering = queryset.query.order_by
        if ordering and not any(term.lstrip("-") in ("pk", "id") for term in map(str, ordering)):
            queryset = queryset.order_by(*ordering, "pk")
        return queryset


class NameSearchFilter(filters.SearchFilter):
    """``?search=``: every word must match one of the view's search fields (any name variant),
    through the site's one search service (``kzpolitics.core.search``): spellings,
    transliterations, Cyrillic and a letter's typo forgiven in names and titles; the records
    ranked (exact name, then prefix, then the rest), which ``StrictOrderingFilter`` keeps
    unless ``?ordering=`` is given.
    """

    @classmethod
    def searching(cls, request, view) -> bool:
        """Whether the request searches the view's records (they are then ranked)."""
        return bool(getattr(view, "search_fields", ()) and cls().get_search_terms(request))

    def filter_queryset(self, request, queryset, view):
        terms = self.get_search_terms(request)
        fields = getattr(view, "search_fields", ())
        if not terms or not fields:
            return queryset
        if len(" ".join(terms)) > 200:
            raise ValidationError({"search": "At most 200 characters."})
        # Ordered by the StrictOrderingFilter, which comes next: by rank, or as asked.
        return search(queryset, terms, fields, rank=False)


def public_along(model, lookup: str) -> Q:
    """The condition that every related row ``lookup`` passes through (the ``names`` of
    ``names__name__icontains``, the ``place`` and its ``names`` of
    ``place__names__name__icontains``) is one the public may see: published, with every
    record it requires published too. Given in the same ``filter()`` as the lookup, it holds
    of the very row that matched. The link back to the row it was reached from (a name's
    organization) is not tested again: that row is tested at its own step (or, for the
    records searched, by the queryset they are searched in)."""
    condition = Q()
    path: list[str] = []
    back = None  # the field of the related model that leads back to the previous step
    for name in lookup.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            break  # a lookup or transform (icontains, trigram_word_similar): the end
        if not field.is_relation:
            break
        back = field.remote_field if field.one_to_many else None
        path.append(name)
        model = field.related_model
        prefix = "__".join(path) + "__"
        condition &= Q(**{f"{prefix}status": Status.PUBLISHED})
        for link, nullable in required_links(model):
            if back is not None and link == back:
                continue
            linked = public_condition(link.related_model, f"{prefix}{link.name}__")
            if nullable:
                linked |= Q(**{f"{prefix}{link.name}__isnull": True})
            condition &= linked
    return condition


SHOWN_PARAMETER_LENGTH = 80


def check_query_params(request, allowed, what: str, multi_valued=()) -> None:
    """Refuse, with a 400 naming each, a query parameter the endpoint does not take (a typo
    such as ``kindd`` would otherwise be ignored and answer with every record) and a
    parameter given twice that takes one value (``?kind=party&kind=bloc``: which one?)."""
    takes = ", ".join(sorted(allowed)) or "none"
    errors: dict[str, list[str]] = {}
    for name, values in request.query_params.lists():
        shown = name[:SHOWN_PARAMETER_LENGTH]
        if name not in allowed:
            errors[shown] = [f"Unknown parameter. {what} takes: {takes}."]
        elif len(values) > 1 and name not in multi_valued:
            errors[shown] = [f"Given {len(values)} times; give it once."]
    if errors:
        raise ValidationError(errors)


class StrictContentNegotiation(DefaultContentNegotiation):
    """``?format=`` must name a known format: an unknown one is a 400, not a 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        known = [r.format for r in renderers]
        if wanted and wanted not in known:
            raise ValidationError(
                {"format": f"Unknown format “{wanted[:40]}”; use one of: {', '.join(known)}."}
            )
        return super().select_renderer(request, renderers, format_suffix)
