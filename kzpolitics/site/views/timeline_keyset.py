"""Keyset pagination of the timeline: each page starts from the place of an entry (a
TimelineKey) and reads the order indexes from there, so the last page comes as quickly as the
first, however many records there are."""

from __future__ import annotations

import datetime
import re
from typing import NamedTuple

from django.db import connection
from django.db.models import Q, QuerySet, Value

from kzpolitics.core.dates import UNDATED, first_day, last_day
from kzpolitics.core.models import attach_citations
from kzpolitics.site.views.timeline_kinds import (
    TIMELINE_KINDS,
    TIMELINE_SOURCES,
    TimelineItem,
    TimelineSource,
)

TIMELINE_PAGE = 100  # entries on a page of the timeline


class TimelineKey(NamedTuple):
    """An entry's place in the timeline: the days its date sorts by (``dates.first_day`` and
    ``last_day``), its kind's place in TIMELINE_KINDS and its record's id. Written in links
    as ``1990-05-01.1990-05-31.founding.12``."""

    first: datetime.date
    last: datetime.date
    rank: int
    pk: int

    def __str__(self) -> str:
        kind = TIMELINE_KINDS[self.rank][0]
        return f"{self.first.isoformat()}.{self.last.isoformat()}.{kind}.{self.pk}"

    @classmethod
    def parse(cls, text: str) -> TimelineKey | None:
        found = re.fullmatch(r"(\d{4}-\d\d-\d\d)\.(\d{4}-\d\d-\d\d)\.([a-z]+)\.(\d{1,18})", text)
        ranks = {kind: rank for rank, (kind, _) in enumerate(TIMELINE_KINDS)}
        if not found or found[3] not in ranks:
            return None
        try:
            first, last = (datetime.date.fromisoformat(found[n]) for n in (1, 2))
        except ValueError:
            return None
        return cls(first, last, ranks[found[3]], int(found[4]))

    @property
    def year(self) -> int | None:
        return None if self.first == UNDATED else self.first.year


def beyond(key: TimelineKey, rank: int, backwards: bool = False, inclusive: bool = False) -> Q:
    """Entries of the kind at ``rank`` that come after ``key`` in the timeline (before it,
    ``backwards``; or are it, ``inclusive``). The leading condition on the first day alone is
    what lets the database start its walk of the order index there, not at the beginning."""
    op = "lt" if backwards else "gt"
    further = Q(**{f"timeline_first__{op}": key.first}) | Q(
        timeline_first=key.first, **{f"timeline_last__{op}": key.last}
    )
    same_days = Q(timeline_first=key.first, timeline_last=key.last)
    if rank == key.rank:
        further |= same_days & Q(**{f"pk__{op}{'e' if inclusive else ''}": key.pk})
    elif (rank > key.rank) != backwards:  # a kind listed after key's, on the same days
        further |= same_days
    return Q(**{f"timeline_first__{op}e": key.first}) & further


def placed(rows: QuerySet, source: TimelineSource, rank: int, start=None, end=None) -> QuerySet:
    """``rows`` of ``source`` with their place in the timeline (``timeline_first``,
    ``timeline_last``, ``timeline_rank``), those that may fall within the years ``start`` to
    ``end`` (an uncertain date counts if any day it can mean does)."""
    rows = rows.filter(source.where).annotate(
        timeline_first=first_day(source.date),
        timeline_last=last_day(source.date),
        timeline_rank=Value(rank),
    )
    if start:
        rows = rows.filter(
            timeline_last__gte=datetime.date(start, 1, 1), timeline_first__lt=UNDATED
        )
    if end:
        rows = rows.filter(timeline_first__lte=datetime.date(end, 12, 31))
    return rows


def timeline_keys(
    kinds: set[str],
    start: int | None = None,
    end: int | None = None,
    key: TimelineKey | None = None,
    backwards: bool = False,
    count: int = TIMELINE_PAGE,
    public: bool = True,
) -> list[TimelineKey]:
    """The places of up to ``count`` entries of the kinds asked for, in order from ``key`` on
    (or back from it), that may fall within the years ``start`` to ``end``: one query. With
    ``public``, of records the public may see only.

    Each kind's part reads at most ``count`` rows of its order index, from where ``key``
    is, however many records there are (on PostgreSQL; SQLite, which cannot limit the parts
    of a union, sorts them all, and holds little).
    """
    sign = "-" if backwards else ""
    order = (f"{sign}timeline_first", f"{sign}timeline_last", f"{sign}timeline_rank", f"{sign}pk")
    limit_parts = connection.features.supports_slicing_ordering_in_compound
    parts = []
    for rank, source in enumerate(TIMELINE_SOURCES):
        if source.kind not in kinds:
            continue
        rows = placed(source.records(public), source, rank, start, end)
        if key is not None:
            rows = rows.filter(beyond(key, rank, backwards))
        rows = rows.values_list("timeline_first", "timeline_last", "timeline_rank", "pk")
        parts.append(rows.order_by(*order)[:count] if limit_parts else rows.order_by())
    if not parts:
        return []
    if len(parts) == 1:
        found = parts[0] if limit_parts else parts[0].order_by(*order)[:count]
    else:
        found = parts[0].union(*parts[1:], all=True).order_by(*order)[:count]
    return [TimelineKey(*row) for row in found]


def timeline_entries(
    first: TimelineKey,
    last: TimelineKey,
    kinds: set[str],
    start=None,
    end=None,
    public: bool = True,
) -> list[TimelineItem]:
    """The entries from ``first`` to ``last`` (``timeline_keys``), in order, with their
    citations: one query per kind asked for (each reads its order index from ``first`` to
    ``last`` only), and one for the citations of them all. With ``public``, of records the
    public may see only (as ``timeline_keys`` found them)."""
    items = []
    for rank, source in enumerate(TIMELINE_SOURCES):
        if source.kind not in kinds:
            continue
        rows = placed(source.records(public), source, rank, start, end).filter(
            beyond(first, rank, inclusive=True) & beyond(last, rank, backwards=True, inclusive=True)
        )
        for record in rows:
            item = source.entry(record)
            item.key = TimelineKey(record.timeline_first, record.timeline_last, rank, record.pk)
            items.append(item)
    items.sort(key=lambda item: item.key)
    attach_citations([item.record for item in items], public=public)
    return items
