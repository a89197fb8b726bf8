"""``scripts/bench.py --probe``, with Django set up on the database measured (import it after
``django.setup()``): the addresses chosen from what it holds, their queries counted cold and
warm, the search page's query plans, and the crawl's addresses (every published record's page
and API detail, list pages with filters, pages and orderings) with the record to edit."""

from __future__ import annotations

import random
import re
import time
from urllib.parse import urlencode

from bench_figures import FRESH_PARAMETER, KINDS, Broken, crawl_order, printed_runs
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, resolve, reverse

from elections.models import Election, Result
from kzpolitics.core.models import Citation, Event, Period, Person, PersonName, Place, Source
from legislation.models import LegalAct, RegistrationDecision
from parties.models import Organization, Relation

EXPLAINED_QUERIES = 3  # the search page's slowest queries whose plan is shown
# The crawl: records with a page and an API detail (by slug), the API's lists, how deep into a
# list its pages go, and how many linked organizations' addresses join the edited one's.
CRAWLED_RECORDS = (Organization, Person, Election, LegalAct, Source, Event, Place)
API_LISTS = {
    "organization": Organization,
    "person": Person,
    "election": Election,
    "result": Result,
    "legalact": LegalAct,
    "registrationdecision": RegistrationDecision,
    "event": Event,
    "place": Place,
    "period": Period,
    "source": Source,
    "citation": Citation,
}
HTML_LISTS = {
    "parties:organization-list": Organization,
    "kzpolitics:person-list": Person,
    "elections:election-list": Election,
    "legislation:act-list": LegalAct,
    "kzpolitics:source-list": Source,
    "kzpolitics:place-list": Place,
}
DEEPEST_PAGE = 20
LINKED = 3
PER_KIND = 3000  # records of a kind in the plan: a 15 s crawl asks for a few thousand in all


def number_of(queryset, link: str):
    """How many rows of ``queryset`` point at the outer row through ``link``, as a subquery:
    three counts joined at once would multiply each other's rows."""
    counted = (
        queryset.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def citations_of(model):
    kind = ContentType.objects.get_for_model(model)
    return number_of(Citation.objects.published().filter(content_type=kind), "object_id")


def most(queryset, **weight):
    """The record of ``queryset`` with the greatest ``weight`` (the first by slug on a tie)."""
    (name,) = weight
    return queryset.annotate(**weight).order_by(f"-{name}", "slug").first()


def choose_endpoints() -> dict[str, str]:
    """Every endpoint's address, chosen among the published records, as the public sees them."""
    relations = Relation.objects.published()
    hub = most(
        Organization.objects.published(),
        weight=number_of(relations, "subject")
        + number_of(relations, "object")
        + citations_of(Organization),
    )
    election = most(
        Election.objects.published(), n=number_of(Result.objects.published(), "election")
    )
    source = most(Source.objects.published(), n=number_of(Citation.objects.published(), "source"))
    # The same search at every scale: the article's most-cited person (synthetic records'
    # slugs start with "syn-"), by a spelling the article does not use.
    variants = PersonName.objects.published().filter(kind=PersonName.Kind.VARIANT)
    person = most(
        Person.objects.published()
        .exclude(slug__startswith="syn-")
        .filter(pk__in=variants.values("person")),
        n=citations_of(Person),
    )
    records = {
        "an organization": hub,
        "an election": election,
        "a source": source,
        "a person with a variant spelling": person,
    }
    if missing := [what for what, record in records.items() if record is None]:
        raise Broken(f"the database holds no {', '.join(missing)} to measure")
    variant = variants.filter(person=person).order_by("name").first()
    search = reverse("kzpolitics:search") + "?" + urlencode({"q": variant.name})
    return {
        "floor": reverse("robots"),
        "home": reverse("kzpolitics:home"),
        "organization-list": reverse("parties:organization-list") + "?kind=party&sort=-founded",
        "organization-detail": hub.get_absolute_url(),
        "election-detail": election.get_absolute_url(),
        "timeline": reverse("kzpolitics:timeline"),
        "source-detail": reverse("kzpolitics:source-detail", args=[source.slug]),
        "search": search,
        "search-uncached": search,
        "api-organization-list": reverse("api:organization-list"),
        "api-organization-detail": reverse("api:organization-detail", args=[hub.slug]),
        "api-results-csv": reverse("api:result-list") + "?format=csv",
        "api-export": reverse("api:export"),
    }


def count_queries(paths: dict[str, str]) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    """Per address: its status, the queries of a cold request (every cache cleared) and of
    the same repeated, the cold one's time and the repeat's ``X-Cache``; the cold SQL by name.
    First, as in a server process that has answered before, Django's content-type cache is
    filled and the floor and home asked for."""
    client = Client()

    def get(path: str) -> tuple[object, CaptureQueriesContext]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            if response.streaming:
                b"".join(response.streaming_content)  # the export reads as it streams
        return response, queries

    ContentType.objects.get_for_models(*apps.get_models())
    for name in ("floor", "home"):
        if name in paths:
            client.get(paths[name])
    figures, captured = {}, {}
    for name, path in paths.items():
        for alias in settings.CACHES:
            caches[alias].clear()
        started = time.perf_counter()
        response, cold = get(path)
        seconds = time.perf_counter() - started
        fresh = f"&{FRESH_PARAMETER}=again" if KINDS[name] == "uncached" else ""
        again, warm = get(path + fresh)
        figures[name] = {
            "status": response.status_code,
            "queries_cold": len(cold),
            "queries_warm": len(warm),
            "cold_ms": seconds * 1000,
            "x_cache_warm": again.get("X-Cache", ""),
        }
        captured[name] = cold.captured_queries
    return figures, captured


def explain(queries: list[dict], limit: int = EXPLAINED_QUERIES) -> list[dict]:
    """EXPLAIN (ANALYZE, BUFFERS) of the ``limit`` slowest SELECTs of ``queries``, slowest
    first by the plan's own execution time: the captured times are rounded to the millisecond."""
    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            if not query["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            executed = re.search(r"^Execution Time: ([\d.]+) ms", plan, re.MULTILINE)
            ms = float(executed.group(1)) if executed else 0.0
            plans.append({"ms": ms, "sql": query["sql"], "plan": plan})
    return sorted(plans, key=lambda plan: plan["ms"], reverse=True)[:limit]


def database_size() -> dict[str, int]:
    """Rows of the main tables, all statuses."""
    models = (Organization, Relation, Person, Election, Result, LegalAct, Event, Source, Citation)
    return {str(model._meta.verbose_name_plural): model.objects.count() for model in models}


def pages(count: int, size: int) -> range:
    """The page numbers worth asking of a list of ``count`` rows, ``size`` a page: the full
    pages, the first always, at most DEEPEST_PAGE (the last, partial page is left out: a
    list whose view hides a few more rows than counted would answer it 404)."""
    return range(1, max(1, min(count // size, DEEPEST_PAGE)) + 1)


def list_addresses() -> list[str]:
    """List pages, HTML and API: each list plain, on its pages, in each order the API offers
    (both ways) and with a filter of a kind it has."""
    addresses = []
    for name, model in HTML_LISTS.items():
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue
        size = getattr(resolve(path).func.view_class, "paginate_by", None)
        count = model.objects.published().count()
        addresses.append(path)
        if size:
            addresses += [f"{path}?page={n}" for n in pages(count, size) if n > 1]
        if name == "parties:organization-list":
            from parties.views import SORTS

            kinds = Organization.objects.published().values_list("kind", flat=True).distinct()
            addresses += [f"{path}?kind={kind}" for kind in sorted(kinds)]
            addresses += [f"{path}?kind=party&sort={sort}" for sort in SORTS]
            for sort in SORTS:
                addresses += [f"{path}?sort={sort}&page={n}" for n in pages(count, size)[:3]]
    for name, model in API_LISTS.items():
        path = reverse(f"api:{name}-list")
        viewset = resolve(path).func.cls
        size = viewset.pagination_class.page_size
        count = model.objects.published().count()
        addresses += [f"{path}?page={n}" for n in pages(count, size) if n > 1]
        addresses.append(path)
        deeper = len(pages(count, size)) > 1
        for field in getattr(viewset, "ordering_fields", ()):
            for way in ("", "-"):
                addresses.append(f"{path}?ordering={way}{field}")
                if deeper:
                    addresses.append(f"{path}?ordering={way}{field}&page=2")
        kinds = {f.name for f in model._meta.fields}
        if "kind" in kinds and "kind" in getattr(viewset.filterset_class, "base_filters", {}):
            for kind in sorted(model.objects.published().values_list("kind", flat=True).distinct()):
                addresses.append(f"{path}?kind={kind}")
    return list(dict.fromkeys(addresses))


def some(keys: list, seed: int) -> list:
    """At most PER_KIND of ``keys``, chosen at random with ``seed``."""
    return random.Random(seed).sample(keys, PER_KIND) if len(keys) > PER_KIND else keys


def record_addresses(seed: int) -> dict[str, list[str]]:
    """Published records' pages and API details, by kind (the API's apart): at most PER_KIND
    records of a kind, more than a crawl reaches in its time."""
    found = {}
    for model in CRAWLED_RECORDS:
        name = model._meta.model_name
        slugs = list(model.objects.published().order_by("pk").values_list("slug", flat=True))
        slugs = some(slugs, seed)
        found[name] = [model(slug=slug).get_absolute_url() for slug in slugs]
        found[f"api-{name}"] = [reverse(f"api:{name}-detail", args=[slug]) for slug in slugs]
    citations = list(Citation.objects.published().order_by("pk").values_list("pk", flat=True))
    found["api-citation"] = [
        reverse("api:citation-detail", args=[pk]) for pk in some(citations, seed)
    ]
    return found


def edited_record(seed: int) -> dict:
    """The organization the benchmark edits: an ordinary one (a summary, a relation), chosen
    at random with ``seed``; its page, its API detail and the pages of a few organizations it
    is related to (which show its name), to be crawled first and sampled."""
    relations = Relation.objects.published()
    linked = (
        Organization.objects.published()
        .exclude(summary="")
        .filter(pk__in=relations.values("subject"))
    )
    candidates = sorted(linked.values_list("pk", flat=True))
    if not candidates:
        raise Broken("the database holds no published organization with a summary and a relation")
    record = Organization.objects.get(pk=random.Random(seed).choice(candidates))
    others = (
        Organization.objects.published()
        .filter(pk__in=relations.filter(subject=record).values("object"))
        .order_by("pk")[:LINKED]
    )
    paths = [record.get_absolute_url(), reverse("api:organization-detail", args=[record.slug])]
    paths += [other.get_absolute_url() for other in others]
    return {
        "model": "organization",
        "pk": record.pk,
        "slug": record.slug,
        "summary": record.summary,
        "fragment": telling_fragment(record),
        "paths": paths,
    }


def telling_fragment(record, shortest: int = 12, step: int = 4) -> str:
    """A piece of ``record``'s summary that an answer holds only if it shows that summary:
    printed as it is (``printed_runs``, free of what HTML or JSON escape), the first window
    (``step`` apart, 40 characters long, else longer) that no other organization's summary
    holds (synthetic summaries share sentences) and no citation quotes (a citation quoting
    the summary shows the quote, which an edit of the summary rightly leaves as it was); a
    longer window can reach from a name of its own past the end of what is quoted. Empty when
    there is none, and then no answer is judged by its text."""
    others = Organization.objects.exclude(pk=record.pk)
    runs = [run for run in printed_runs(record.summary) if len(run) >= shortest]
    for longest in (40, 60, 80, 120):
        for run in runs:
            for start in range(0, max(1, len(run) - longest + 1), step):
                window = run[start : start + longest].strip()
                if len(window) < shortest:
                    continue
                if others.filter(summary__contains=window).exists():
                    continue
                if Citation.objects.filter(quote__contains=window).exists():
                    continue
                return window
    return ""


def crawl_plan(seed: int) -> dict:
    """The crawl's addresses in order and the record to edit."""
    edit = edited_record(seed)
    lists = list_addresses()
    order = crawl_order(record_addresses(seed), lists, seed, first=edit["paths"])
    return {"order": order, "edit": edit}


def probe(
    only: list[str] | None,
    explain_search: bool,
    seed: int | None = None,
    earlier: dict[str, str] | None = None,
) -> dict:
    """Addresses, query counts (of the floor and ``only``, or all), database size and, when
    asked, the search page's query plans and (with ``seed``) the crawl's plan.

    ``earlier``: another scale's addresses. Those that differ here (an endpoint's record is
    chosen at each scale: the organization with the most relations) are counted too, as
    ``queries_earlier``: the same page with more data beside it, which is what a constant
    count means. A record's page skips the query of each kind of row it has none of
    (``prefetch_present``), so two records' pages differ by what they hold."""
    paths = choose_endpoints()
    counted = {n: path for n, path in paths.items() if not only or n in {"floor", *only}}
    queries, captured = count_queries(counted)
    moved = {
        name: path
        for name, path in (earlier or {}).items()
        if name in counted and path != counted[name]
    }
    again = count_queries(moved)[0] if moved else {}
    for name, figures in again.items():
        figures["path"] = moved[name]
    return {
        "paths": paths,
        "queries": queries,
        "queries_earlier": again,
        "size": database_size(),
        "search_plans": explain(captured["search"]) if explain_search else [],
        "crawl": crawl_plan(seed) if seed is not None else None,
    }
