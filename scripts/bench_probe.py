"""``scripts/bench.py --probe``, with Django set up on the database measured (import it after
``django.setup()``): the addresses chosen from what it holds, their queries counted cold and
warm, the search page's query plans."""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

from bench_figures import FRESH_PARAMETER, KINDS, Broken
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elections.models import Election, Result
from kzpolitics.core.models import Citation, Event, Person, PersonName, Source
from legislation.models import LegalAct
from parties.models import Organization, Relation

EXPLAINED_QUERIES = 3  # the search page's slowest queries whose plan is shown


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


def probe(only: list[str] | None, explain_search: bool) -> dict:
    """Addresses, query counts (of the floor and ``only``, or all), database size and, when
    asked, the search page's query plans."""
    paths = choose_endpoints()
    counted = {n: path for n, path in paths.items() if not only or n in {"floor", *only}}
    queries, captured = count_queries(counted)
    return {
        "paths": paths,
        "queries": queries,
        "size": database_size(),
        "search_plans": explain(captured["search"]) if explain_search else [],
    }
