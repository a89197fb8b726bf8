"""One page of a hub organization's relations, events, roles and election results.

An organization that hundreds of others split from, joined or are linked to, and that
hundreds of events concern, would otherwise make a page of a megabyte, rendered (names of
the time, footnotes) row by row on every visit. Its page shows ``RECORD_PAGE`` of each, in
the order the page lists them, with links to the next ones (``?relations=2#lineage``,
``?events=2#events``, ``?roles=2#roles``, ``?results=2#results``): each page of it costs
what an ordinary organization's page does. No organization of the article has more than
seven of any of them, so its pages show all of theirs at once.

Each page is one query (its rows, with how many there are in all, counted in the same
query by a window function, or for events by a subquery: ``count_of``), run once the
organization is fetched and before the citations of everything the page shows are
(``CitedQuerySet.after_fetch``), so that its rows' citations, and only theirs, come in the
page's one query for citations. (Roles, a few score at most, are all read, then cut:
``attach_role_page``.)
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, Q, Subquery, Value, When, Window

from kzpolitics.core.models import Event, keep_prefetched, prefetch_queryset, present

from .lineage import AFTER, BEFORE
from .models import (
    Organization,
    Relation,
    attach_roles,
    leaders_and_others,
    may_have_relations,
)

# Relations, events, roles and election results a page of an organization shows. A hub's
# page costs in proportion: at 40 of each (results not paged) the 100x hub's page was 204 KB
# and 78 ms in one process, against 26 ms for the article's largest organization; at 15,
# 105 KB and 49 ms (at 12, 93 KB and 47 ms).
RECORD_PAGE = 15
TOTAL = "page_total"


def page_number(text) -> int:
    """The page asked for: a whole number from 1; anything else is the first page."""
    try:
        number = int(text)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def count_of(rows) -> Subquery:
    """How many rows the queryset ``rows`` holds, as a subquery of another query: it names
    none of the outer query's columns, so the database runs it once for the whole query."""
    counted = rows.order_by().annotate(one=Value(1)).values("one")  # a constant: no GROUP BY
    return Subquery(counted.annotate(n=Count("*")).values("n"), output_field=IntegerField())


def page_of(rows, number: int, size: int | None = None, counted_apart: bool = False) -> Page:
    """Page ``number`` of the (ordered) queryset ``rows``, ``size`` rows a page (by default
    ``RECORD_PAGE``), in one query; past the last page, the last (a second query, only
    then).

    How many rows there are comes from a window count (``COUNT(*) OVER ()``), or with
    ``counted_apart`` from a subquery (``count_of``). PostgreSQL costs a ``LIMIT`` above a
    window count as if the scan could stop early: where an index gives the rows' order
    (events: the timeline's), it walked that whole index to find a hub's rows (the 100x hub's
    303 events among 4,040: 6.0 ms; counted apart, 1.8 ms). A subquery costs some 0.1 ms
    more to plan (0.3 ms for relations, whose order no index gives), so only events take it."""
    size = size or RECORD_PAGE
    total = count_of(rows) if counted_apart else Window(Count("pk"))
    counted = rows.annotate(**{TOTAL: total})
    found = list(counted[(number - 1) * size : number * size])
    if not found and number > 1:
        last = max(1, -(-rows.count() // size))
        if last < number:
            return page_of(rows, last, size, counted_apart)
        return empty_page(size)
    return _page(found, number, size, getattr(found[0], TOTAL) if found else 0)


def empty_page(size: int | None = None) -> Page:
    """The page ``page_of`` gives of no rows, whatever page was asked for, without a query."""
    return _page([], 1, size or RECORD_PAGE, 0)


def _page(found: list, number: int, size: int, total: int) -> Page:
    paginator = Paginator([], size)
    paginator.count = total  # counted with the rows: no query of its own
    return Page(found, number, paginator)


def lineage_order(pk: int) -> dict:
    """What orders an organization's relations as its page lists them
    (``parties.lineage``): what came before it, what came after it, the other links; each
    by date, undated last, then by the other organization's name."""
    group = Case(
        When(Q(subject_id=pk, kind__in=AFTER) | Q(object_id=pk, kind__in=BEFORE), then=Value(0)),
        When(Q(subject_id=pk, kind__in=BEFORE) | Q(object_id=pk, kind__in=AFTER), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    other = Case(When(subject_id=pk, then=F("object__name")), default=F("subject__name"))
    return {"lineage_group": group, "other_name": other}


def attach_relation_page(organizations: list, number: int = 1, public: bool = True) -> None:
    """Keep page ``number`` of each organization's relations, both ways, with the
    organizations at their ends, as its prefetched ``relations_from`` and ``relations_to``
    (``attach_relations``'s place for one organization's page), and the page as its
    ``relation_page``. With ``public``, only relations the public may see."""
    for organization in organizations:
        pk = organization.pk
        if not may_have_relations(organization):
            keep_prefetched(organization, "relations_from", [])
            keep_prefetched(organization, "relations_to", [])
            organization.relation_page = empty_page()
            continue
        rows = (
            Relation.objects.visible(public)
            .filter(Q(subject_id=pk) | Q(object_id=pk))
            .select_related("subject", "object")
            .without_timestamps("subject", "object")
            .annotate(**lineage_order(pk))
            .order_by("lineage_group", F("date_earliest").asc(nulls_last=True), "other_name", "id")
        )
        page = page_of(rows, number)
        keep_prefetched(organization, "relations_from", [r for r in page if r.subject_id == pk])
        keep_prefetched(organization, "relations_to", [r for r in page if r.object_id == pk])
        organization.relation_page = page


def attach_event_page(organizations: list, number: int = 1, public: bool = True) -> None:
    """Keep page ``number`` of each organization's events, in date order, as its prefetched
    ``events``, and the page as its ``event_page``."""
    for organization in organizations:
        if not present(organization, "events"):
            keep_prefetched(organization, "events", [])
            organization.event_page = empty_page()
            continue
        rows = Event.objects.visible(public).filter(organizations=organization)
        rows = rows.chronological().without_timestamps()
        page = page_of(rows, number, counted_apart=True)
        keep_prefetched(organization, "events", list(page))
        organization.event_page = page


def attach_role_page(organizations: list, number: int = 1, public: bool = True) -> None:
    """Keep page ``number`` of each organization's roles, leaders first (each group in the
    roles' own order), as its prefetched ``roles``, the page as its ``role_page`` and how
    many leaders it has in all as its ``leader_count``.

    Every role is read (``attach_roles``: even a hub has a few score, and cutting a page in
    the query cost every organization's page more than reading them all), but only the
    page's are kept, so only their citations are fetched (the 100x hub's 70 roles had their
    89 citations read for a page that shows 15)."""
    attach_roles(organizations, public=public)
    for organization in organizations:
        leaders, others = leaders_and_others(organization.roles.all())
        page = Paginator(leaders + others, RECORD_PAGE).get_page(number)
        keep_prefetched(organization, "roles", list(page))
        organization.role_page = page
        organization.leader_count = len(leaders)


def attach_result_page(organizations: list, number: int = 1, public: bool = True) -> None:
    """Keep page ``number`` of each organization's election results, in the results' own
    order (by election, then tier and seats), each with its election, as its prefetched
    ``results``, and the page as its ``result_page``. Results belong to the elections app,
    which builds on this one: they are reached by the relation's name."""
    results = Organization._meta.get_field("results").related_model
    for organization in organizations:
        if not present(organization, "results"):
            keep_prefetched(organization, "results", [])
            organization.result_page = empty_page()
            continue
        rows = prefetch_queryset(
            "results", results, results.objects.select_related("election"), public=public
        ).filter(organization=organization)
        page = page_of(rows, number)
        keep_prefetched(organization, "results", list(page))
        organization.result_page = page
