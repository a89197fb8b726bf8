"""Querysets built once in a process and copied for each request.

A record's page or API record reads through a queryset of many parts: the rows the public may
see, each kind of related row with its own condition, whether each kind is present at all, the
evidence for its dates. Building one (Django resolving every filter, join and annotation) cost
2.1 ms a request for an organization's page at 100x, 1.6 ms for its API record, 0.2 to 1.2 ms
for the other kinds', before any query ran. Such a queryset depends only on what its key names
(the view, whether the public reads, the action or the page of each list asked for), so it is
built once for each key and copied (``all()``) for each use: what Django's views and DRF's
viewsets do with a ``queryset`` declared on the class. A copy shares the original's parts,
and only copies are read, never the original, which so holds no rows: each read, each filter
and each prefetch works on copies of its own. One thing a use does write on a shared part:
Django's prefetch sets the routing hint (the first record it prefetches for) on a
``Prefetch``'s queryset before copying it; each use sets its own before its copy is made, so
the hint an earlier request left is never the one a read is routed by.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from django.db.models import QuerySet

BUILT_MOST = 512  # kept querysets; the page numbers in a key are the visitor's, so bounded

_built: dict[Hashable, QuerySet] = {}


def built_once(key: Hashable, build: Callable[[], QuerySet]) -> QuerySet:
    """A copy of ``build()``'s queryset, built the first time ``key`` is asked for in this
    process. ``key`` must name everything ``build`` depends on."""
    queryset = _built.get(key)
    if queryset is None:
        queryset = build()
        if len(_built) >= BUILT_MOST:
            _built.clear()
        _built[key] = queryset
    return queryset.all()


def forget_built() -> None:
    """Build every queryset afresh from now on (a test that changes what one is built from)."""
    _built.clear()
