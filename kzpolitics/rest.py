"""The pieces every API endpoint shares: paging, ordering, formats, search, permissions.

Researchers write code against this API, so bad input is a 400 that names the parameter,
never a silent default and never a 500.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from django.core.paginator import InvalidPage
from django.db.models import Q
from rest_framework import filters, renderers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 500


class Pagination(PageNumberPagination):
    """Page-number paging: ``?page=``, and ``?page_size=`` from 1 to 500 (default 50)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {"page_size": f"“{raw[:40]}” is not a whole number from 1 to {self.max_page_size}."}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param) or "1"
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({"page": f"“{raw[:40]}” is not a page number (1, 2, ...)."})
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            self.page = paginator.page(int(raw))
        except InvalidPage as exc:
            raise NotFound(
                f"Page {raw} is past the end: there are {paginator.num_pages} page(s) "
                f"of {page_size}."
            ) from exc
        return list(self.page)


class StrictOrderingFilter(filters.OrderingFilter):
    """``?ordering=name,-founded``; an unknown field is a 400 listing the known ones."""

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw is None:
            return self.get_default_ordering(view)
        terms = [term.strip() for term in raw.split(",") if term.strip()]
        valid = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
        unknown = [term for term in terms if term.lstrip("-") not in valid]
        if unknown or not terms:
            raise ValidationError(
                {
                    "ordering": f"Unknown ordering “{', '.join(unknown)[:80]}”; use one of: "
                    f"{', '.join(sorted(valid))} (prefix - to reverse)."
                }
            )
        return terms


class NameSearchFilter(filters.SearchFilter):
    """``?search=``: every word must match one of the view's search fields (any name variant).

    On PostgreSQL a word also matches names spelled a little differently (trigram word
    similarity), so “Nazarbayev” finds “Nazarbaev” even without a recorded variant.
    """

    def filter_queryset(self, request, queryset, view):
        terms = self.get_search_terms(request)
        fields = getattr(view, "search_fields", ())
        if not terms or not fields:
            return queryset
        if len(" ".join(terms)) > 200:
            raise ValidationError({"search": "At most 200 characters."})
        fuzzy = getattr(view, "fuzzy_search_fields", ())
        postgres = queryset.db and _vendor(queryset) == "postgresql"
        for term in terms:
            match = Q()
            for field in fields:
                match |= Q(**{f"{field}__icontains": term})
            if postgres and len(term) >= 4:
                for field in fuzzy:
                    match |= Q(**{f"{field}__trigram_word_similar": term})
            queryset = queryset.filter(match)
        return queryset.distinct()


def _vendor(queryset) -> str:
    from django.db import connections

    return connections[queryset.db].vendor


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


class CSVRenderer(renderers.BaseRenderer):
    """One row per record, nested objects flattened to dotted columns.

    Lists become one cell: records by their name or slug, citations by their locator
    (“Ponomarev 1991, pp. 14-15, cited in Babak, fn. 1”), joined with “ | ”.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        flat = [flatten(row) for row in rows]
        columns: list[str] = []
        for row in flat:
            columns.extend(key for key in row if key not in columns)
        # A nested object that is null in some rows flattens to a bare column there: keep
        # only its dotted columns, so the header is the same whatever the rows hold.
        columns = [c for c in columns if not any(o.startswith(f"{c}.") for o in columns)]
        top = header_from_serializer(renderer_context)
        if not columns:
            columns = top
        elif top:
            # Columns in the serializer's field order, whatever row showed them first.
            rank = {name: index for index, name in enumerate(top)}
            columns.sort(key=lambda c: rank.get(c.split(".")[0], len(rank)))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(flat)
        return out.getvalue().encode(self.charset)


def header_from_serializer(renderer_context) -> list[str]:
    """The top-level field names, for a header when there are no rows to read them from."""
    view = (renderer_context or {}).get("view")
    if view is None or not hasattr(view, "get_serializer"):
        return []
    try:
        return list(view.get_serializer().fields)
    except Exception:  # an error response has no serializer to describe it
        return []


def flatten(value, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        flat: dict[str, object] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}{key}."))
        return flat
    key = prefix.rstrip(".")
    if isinstance(value, list):
        return {key: " | ".join(cell(item) for item in value)}
    if value is None:
        return {key: ""}
    if isinstance(value, Decimal):
        return {key: str(value)}
    return {key: value}


def cell(item) -> str:
    if isinstance(item, dict):
        for label in ("locator", "name", "title", "slug"):
            if item.get(label):
                return str(item[label])
        return json.dumps(item, ensure_ascii=False, default=str)
    return str(item)
