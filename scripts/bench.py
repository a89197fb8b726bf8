"""The benchmark (issue 7): how fast the production stack answers, at the article's size and at
a hundred times it, measured side by side.

For each scale (``--scales 1,100``) it builds a PostgreSQL database of its own on
127.0.0.1:5432 (``kz_bench_<scale>``, dropped and made again each run): ``migrate`` and
``load_article`` (once, into ``kz_bench_article``, which each scale's database starts as a
copy of), ``seed_synthetic --scale N`` for N > 1, ``collectstatic`` (once). It serves it as
``make serve`` does (gunicorn with two sync workers, DEBUG off, hashed static files, a random
SECRET_KEY; API throttling raised so the load is not throttled) on a free port of 127.0.0.1,
and drives it with wrk from a separate process: for each endpoint one request per worker
(and a second round if the site says it stored them: ``X-Cache: miss``), a short warm-up,
then ``wrk -t1 -c2`` for ``--duration`` seconds. Two connections, one per worker: both
workers are kept busy and the latency is the time to answer a request, not time spent
queueing behind another. An endpoint that takes longer than a third of ``--duration`` to
answer is measured for three answers' time instead (at most 30 s), with no warm-up. The
addresses are chosen by querying the database: the organization with the most relations and
citations, the election with the most results, the most-cited source, a variant spelling of
the article's most-cited person for search (the same search at every scale). The search runs
twice: as a repeated address (``search``, which a cache may answer) and at a new address each
request (``search-uncached``, ``&bench=<n>`` added: what a new search costs, which target 4
judges).

Queries are counted in a separate process with Django's test client on the same database and
settings: "cold" is a request after every cache is cleared (``caches[alias].clear()``),
"warm" the same request repeated at once. Both come after Django's content-type cache is
filled, as in a server process that has answered before.

The table, one row per endpoint and scale:

- ``req/s``: responses per second from the two workers (higher is better);
- ``p50 ms``, ``p99 ms``: the median and the 99th-percentile time to answer;
- ``n``: how many answers wrk timed (few for a slow endpoint: read its p99 as its maximum);
- ``cold ms``: one request with every cache cleared, in the query-counting process: what a
  visitor waits for when nothing is cached (wrk's figures are mostly of repeated requests);
- ``queries``: SQL queries per request, cold/warm;
- ``bytes``: the body of one response;
- ``x floor``: req/s as a share of the floor's in the same run. The floor is ``/robots.txt``,
  a template with no query of its own through the same middleware: the most the stack gives.
  It is measured before and after the endpoints; its row is the mean of the two (both are
  printed: their difference says how noisy the machine was).

Then, per endpoint, the ratio of the largest scale to the smallest (p50 and req/s; 1.0 means
no change), the four targets of issue 7 as PASS or FAIL with their figures, and PostgreSQL's
plan (EXPLAIN ANALYZE, BUFFERS) for the slowest queries of the search page at the largest
scale. The same goes to ``build/bench.json``.

It exits 0 when every measurement was made, also when a target fails (1 with ``--strict``),
and 2 when something broke: an endpoint that does not answer 200, wrk seeing non-2xx/3xx
answers or socket errors, a command that failed.

    .venv/bin/python scripts/bench.py                          # make bench
    .venv/bin/python scripts/bench.py --scales 1 --duration 2 --only search,home
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _serve import Answer, fetch, unwind_on_signals  # scripts/_serve.py

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
DATABASE_PREFIX = "kz_bench"
TEMPLATE = f"{DATABASE_PREFIX}_article"  # migrated, the article loaded: each scale's start
WRK_THREADS = 1
WORKERS = 2  # gunicorn's, as `make serve` runs it
GUNICORN_TIMEOUT = 30  # gunicorn's default --timeout, which `make serve` keeps: a longer
# request is ended, and answered 500 if the worker had not started its answer
WRK_CONNECTIONS = WORKERS  # one per worker (see the docstring)
WRK_TIMEOUT = "120s"  # some addresses take seconds at scale 100: slow, not a socket error
SLOW_SAMPLES = 3  # an address slower than --duration / 3 is measured for 3 answers' time...
SLOW_CAP = 30  # ...but at most this many seconds
EXPLAINED_QUERIES = 3  # the search page's slowest queries whose plan is shown

# The targets of issue 7.
MAX_QUERIES = 12
GROWTH_LIMIT = 1.5  # p50 at the largest scale over p50 at the smallest
FLOOR_SHARE = {"html": 1 / 3, "api-list": 1 / 2}  # req/s at the largest scale over the floor's
SEARCH_P50_MS = 50


@dataclass(frozen=True)
class Endpoint:
    """One address the benchmark measures; ``kind`` says which targets apply to it."""

    name: str
    kind: str  # floor, html, uncached, api-list, api-detail or export
    what: str


ENDPOINTS = (
    Endpoint("floor", "floor", "/robots.txt: a template, no query, the same middleware"),
    Endpoint("home", "html", "the home page"),
    Endpoint("organization-list", "html", "organizations, parties only, newest first"),
    Endpoint("organization-detail", "html", "the organization with most relations + citations"),
    Endpoint("election-detail", "html", "the election with the most results"),
    Endpoint("timeline", "html", "the timeline"),
    Endpoint("source-detail", "html", "the most-cited source"),
    Endpoint("search", "html", "search for a variant spelling of the most-cited person"),
    Endpoint("search-uncached", "uncached", "the same, a new address each time (&bench=N)"),
    Endpoint("api-organization-list", "api-list", "/api/v1/organizations/, first page"),
    Endpoint("api-organization-detail", "api-detail", "the same organization as above"),
    Endpoint("api-results-csv", "api-list", "/api/v1/results/?format=csv, first page"),
    Endpoint("api-export", "export", "/api/v1/export/: the whole dataset as a zip"),
)
KINDS = {endpoint.name: endpoint.kind for endpoint in ENDPOINTS}
# Asked for at a new address each time, so that no cache has the answer: what a visitor typing
# a search nobody made before waits for. The view ignores the extra parameter.
FRESH_PARAMETER = "bench"

# Prints wrk's figures as one JSON line at the end of its run: no parsing of its text report,
# whose units change with the magnitude (us, ms, s).
WRK_SCRIPT = """\
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-WRK {"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx_3xx": %d, '
      .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""
WRK_MARKER = "BENCH-WRK "
# The same, and each request at a new address: "&bench=<tag>-<n>", the tag new for each run.
WRK_FRESH_SCRIPT = (
    WRK_SCRIPT
    + f"""\
local tag, n = "", 0
init = function(args) tag = args[1] end
request = function()
  n = n + 1
  return wrk.format(nil, wrk.path .. "&{FRESH_PARAMETER}=" .. tag .. "-" .. n)
end
"""
)

# The site's own settings, with the collected static files in the run's folder rather than the
# checkout's staticfiles/, which `make serve` (perhaps someone else's, at the same time) uses.
SETTINGS = """\
from kzpolitics.site.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
"""


class Broken(Exception):
    """Something that makes the figures wrong or missing: a failed command, a non-200."""


# --- The parts that need no server: choosing addresses, counting queries (Django set up).


def choose_endpoints() -> dict[str, str]:
    """The address of every endpoint, chosen from what the database holds, as the public
    sees it (published records only)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce
    from django.urls import reverse

    from elections.models import Election, Result
    from kzpolitics.core.models import Citation, Person, PersonName, Source
    from parties.models import Organization, Relation

    def number_of(queryset, link: str):
        """How many rows of ``queryset`` point at the outer row through ``link``, as a
        subquery: three counts joined at once would multiply each other's rows."""
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

    published_relations = Relation.objects.published()
    hub = (
        Organization.objects.published()
        .annotate(
            weight=number_of(published_relations, "subject")
            + number_of(published_relations, "object")
            + citations_of(Organization)
        )
        .order_by("-weight", "slug")
        .first()
    )
    election = (
        Election.objects.published()
        .annotate(n=number_of(Result.objects.published(), "election"))
        .order_by("-n", "slug")
        .first()
    )
    source = (
        Source.objects.published()
        .annotate(n=number_of(Citation.objects.published(), "source"))
        .order_by("-n", "slug")
        .first()
    )
    # The same search at every scale: the article's most-cited person (synthetic records'
    # slugs start with "syn-"), by a spelling the article does not use.
    variants = PersonName.objects.published().filter(kind=PersonName.Kind.VARIANT)
    person = (
        Person.objects.published()
        .exclude(slug__startswith="syn-")
        .filter(pk__in=variants.values("person"))
        .annotate(n=citations_of(Person))
        .order_by("-n", "slug")
        .first()
    )
    variant = variants.filter(person=person).order_by("name").first() if person else None
    missing = [
        what
        for what, record in (
            ("an organization", hub),
            ("an election", election),
            ("a source", source),
            ("a person with a variant spelling", person),
        )
        if record is None
    ]
    if missing:
        raise Broken(f"the database holds no {', '.join(missing)} to measure")
    return {
        "floor": reverse("robots"),
        "home": reverse("kzpolitics:home"),
        "organization-list": reverse("parties:organization-list") + "?kind=party&sort=-founded",
        "organization-detail": hub.get_absolute_url(),
        "election-detail": election.get_absolute_url(),
        "timeline": reverse("kzpolitics:timeline"),
        "source-detail": reverse("kzpolitics:source-detail", args=[source.slug]),
        "search": reverse("kzpolitics:search") + "?" + _query({"q": variant.name}),
        "search-uncached": reverse("kzpolitics:search") + "?" + _query({"q": variant.name}),
        "api-organization-list": reverse("api:organization-list"),
        "api-organization-detail": reverse("api:organization-detail", args=[hub.slug]),
        "api-results-csv": reverse("api:result-list") + "?format=csv",
        "api-export": reverse("api:export"),
    }


def _query(parameters: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(parameters)


def count_queries(paths: dict[str, str]) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    """For each address: its status, the queries of a cold request (every cache cleared
    first) and of the same request repeated, the cold one's time in this process and the
    repeat's ``X-Cache`` header if the site sets one. Also the cold requests' SQL, by name.

    First, as in a server process that has answered before, Django's content-type cache is
    filled and two cheap addresses are asked for (the floor, home)."""
    from django.apps import apps
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    ContentType.objects.get_for_models(*apps.get_models())
    for name in ("floor", "home"):
        if name in paths:
            client.get(paths[name])
    figures, captured = {}, {}
    for name, path in paths.items():
        for alias in settings.CACHES:
            caches[alias].clear()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as cold:
            response = client.get(path)
            if response.streaming:
                b"".join(response.streaming_content)  # the export reads as it streams
        seconds = time.perf_counter() - started
        if KINDS[name] == "uncached":
            path += f"&{FRESH_PARAMETER}=again"
        with CaptureQueriesContext(connection) as warm:
            again = client.get(path)
            if again.streaming:
                b"".join(again.streaming_content)
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
    """PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of the ``limit`` slowest SELECTs of
    ``queries`` (as CaptureQueriesContext records them), slowest first. Slowest by the
    plan's own execution time: the captured times are rounded to the millisecond."""
    from django.db import connection

    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            if not query["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            executed = re.search(r"^Execution Time: ([\d.]+) ms", plan, re.MULTILINE)
            plans.append(
                {
                    "ms": float(executed.group(1)) if executed else 0.0,
                    "sql": query["sql"],
                    "plan": plan,
                }
            )
    return sorted(plans, key=lambda plan: plan["ms"], reverse=True)[:limit]


def database_size() -> dict[str, int]:
    """Rows of the main tables, all statuses."""
    from elections.models import Election, Result
    from kzpolitics.core.models import Citation, Event, Person, Source
    from legislation.models import LegalAct
    from parties.models import Organization, Relation

    models = (Organization, Relation, Person, Election, Result, LegalAct, Event, Source, Citation)
    return {str(model._meta.verbose_name_plural): model.objects.count() for model in models}


def probe(only: list[str] | None, explain_search: bool) -> dict:
    """What the probe process prints: addresses, query counts (of the endpoints in ``only``
    and the floor, or all), database size, and the search page's query plans when asked."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    paths = choose_endpoints()
    counted = {n: path for n, path in paths.items() if not only or n in {"floor", *only}}
    queries, captured = count_queries(counted)
    return {
        "paths": paths,
        "queries": queries,
        "size": database_size(),
        "search_plans": explain(captured["search"]) if explain_search else [],
    }


# --- wrk and its figures.


def parse_wrk(output: str) -> dict:
    """wrk's figures from its output (the JSON line WRK_SCRIPT prints), with req/s and the
    latencies in milliseconds."""
    lines = [line for line in output.splitlines() if line.startswith(WRK_MARKER)]
    if not lines:
        raise Broken(f"wrk printed no figures:\n{output[-2000:]}")
    raw = json.loads(lines[-1][len(WRK_MARKER) :])
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "non_2xx_3xx": raw["non_2xx_3xx"],
        "socket_errors": {key: raw[key] for key in ("connect", "read", "write", "timeout")},
    }


def wrk(url: str, seconds: float, script: Path) -> dict:
    """wrk's figures for ``url`` over ``seconds`` (whole ones: wrk takes no fraction), under
    ``script`` (WRK_SCRIPT or WRK_FRESH_SCRIPT)."""
    done = subprocess.run(
        ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{math.ceil(seconds)}s",
         f"--timeout={WRK_TIMEOUT}", "--latency", "-s", str(script), url,
         "--", secrets.token_hex(4)],
        capture_output=True, text=True, timeout=seconds + 180,
    )  # fmt: skip
    if done.returncode:
        raise Broken(f"wrk failed ({done.returncode}) on {url}:\n{done.stdout}{done.stderr}")
    return parse_wrk(done.stdout)


def ensure_wrk() -> None:
    """wrk on PATH, installed with apt-get when running as root (as .ci/run installs what CI
    lacks); otherwise stop, saying how to install it."""
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        sys.exit("bench: wrk, the load generator, is not installed: sudo apt-get install wrk")
    print("== apt-get install wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "wrk"]
    if subprocess.run(install, env=env).returncode:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
    if not shutil.which("wrk"):
        sys.exit("bench: apt-get did not install wrk")


# --- The targets, from the figures: {scale: {endpoint: figures}}.


@dataclass
class Target:
    """One of issue 7's targets: passed (None when the run lacks the figures), and why."""

    title: str
    passed: bool | None
    figures: list[str]


def check_targets(results: dict[int, dict[str, dict]]) -> list[Target]:
    """Issue 7's four targets, checked on the smallest and largest scale of the run. An
    endpoint that broke (its row has ``broken``) fails every target that needs its timings."""
    scales = sorted(results)
    small, large = scales[0], scales[-1]
    compared = large != small
    at_large = results[large]
    names = [name for name in at_large if name != "floor"]
    targets = []

    def broken(name: str, *at: int) -> str:
        """Why ``name`` broke, at the scales of ``at`` where it did."""
        return "; ".join(
            f"at scale {scale}: {results[scale][name]['broken']}"
            for scale in at
            if results[scale][name].get("broken")
        )

    # 1. The same number of queries at both scales (cold and warm), at most MAX_QUERIES.
    figures, passed = [], True
    for name in names:
        now = (at_large[name]["queries_cold"], at_large[name]["queries_warm"])
        before = (
            (results[small][name]["queries_cold"], results[small][name]["queries_warm"])
            if compared and name in results[small]
            else now
        )
        ok = before == now and max(now) <= MAX_QUERIES
        passed &= ok
        text = f"{name} {'/'.join(map(str, before))}"
        if compared:
            text += f" -> {'/'.join(map(str, now))}"
        figures.append(text + ("" if ok else " (!)"))
    title = f"queries (cold/warm) at most {MAX_QUERIES}"
    if compared:
        title += f" and the same at scale {small} and {large}"
    targets.append(Target(f"1. {title}", passed, figures))

    # 2. p50 grows at most GROWTH_LIMIT times, but for the full export.
    if compared:
        figures, passed = [], True
        for name in names:
            if KINDS[name] == "export" or name not in results[small]:
                continue
            before, now = results[small][name], at_large[name]
            if before.get("broken") or now.get("broken"):
                passed = False
                figures.append(f"{name} broken {broken(name, small, large)} (!)")
                continue
            ratio = now["p50_ms"] / before["p50_ms"]
            ok = ratio <= GROWTH_LIMIT
            passed &= ok
            figures.append(
                f"{name} {before['p50_ms']:.1f} -> {now['p50_ms']:.1f} ms = {ratio:.2f}x"
                + ("" if ok else " (!)")
            )
        title = f"p50 at scale {large} within {GROWTH_LIMIT:g}x p50 at scale {small}"
        targets.append(Target(f"2. {title}, but the export", passed, figures))
    else:
        title = f"p50 at the largest scale within {GROWTH_LIMIT:g}x the smallest's"
        targets.append(Target(f"2. {title}, but the export", None, ["needs two scales"]))

    # 3. Throughput against the floor's, at the largest scale (of what a cache may answer).
    figures, passed = [], True
    floor = at_large["floor"]["rps"]
    for name in names:
        share = FLOOR_SHARE.get(KINDS[name])
        if share is None:
            continue
        if at_large[name].get("broken"):
            passed = False
            figures.append(f"{name} broken {broken(name, large)} (!)")
            continue
        ratio = at_large[name]["rps"] / floor
        ok = ratio >= share
        passed &= ok
        figures.append(
            f"{name} {at_large[name]['rps']:.0f} req/s = {ratio:.3f} (>= {share:.2f})"
            + ("" if ok else " (!)")
        )
    targets.append(
        Target(
            f"3. req/s at scale {large}: HTML pages >= 1/3, API lists >= 1/2 of the floor's "
            f"({floor:.0f} req/s)",
            passed if figures else None,
            figures or ["no HTML page or API list measured"],
        )
    )

    # 4. Search's median, of searches no cache has seen (else of the repeated one).
    search = "search-uncached" if "search-uncached" in at_large else "search"
    title = f"4. {search} at scale {large}: p50 under {SEARCH_P50_MS} ms"
    if search not in at_large:
        targets.append(Target(title, None, ["search not measured"]))
    elif at_large[search].get("broken"):
        targets.append(Target(title, False, [f"{search} broken {broken(search, large)} (!)"]))
    else:
        p50 = at_large[search]["p50_ms"]
        ok = p50 < SEARCH_P50_MS
        targets.append(Target(title, ok, [f"{search} p50 {p50:.1f} ms" + ("" if ok else " (!)")]))
    return targets


def growth(results: dict[int, dict[str, dict]]) -> dict[str, dict[str, float]]:
    """Per endpoint measured at both, the largest scale's p50 and req/s over the smallest's."""
    scales = sorted(results)
    if len(scales) < 2:
        return {}
    small, large = results[scales[0]], results[scales[-1]]
    return {
        name: {
            "p50": large[name]["p50_ms"] / small[name]["p50_ms"],
            "rps": large[name]["rps"] / small[name]["rps"],
        }
        for name in large
        if name in small
        and not (small[name].get("broken") or large[name].get("broken"))
        and small[name]["p50_ms"]
        and small[name]["rps"]
    }


# --- The report.


def format_table(results: dict[int, dict[str, dict]]) -> str:
    """One row per scale and endpoint; ``n`` is how many answers wrk timed, ``cold ms`` the
    time of one request with every cache cleared (in the query-counting process)."""
    header = (
        f"{'scale':>5}  {'endpoint':<24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'n':>6} "
        f"{'cold ms':>8} {'queries':>8} {'bytes':>9} {'x floor':>8}"
    )
    lines = [header, "-" * len(header)]
    for scale in sorted(results):
        for name, row in results[scale].items():
            queries = f"{row['queries_cold']}/{row['queries_warm']}"
            if row.get("broken"):
                lines.append(
                    f"{scale:>5}  {name:<24} {'BROKEN':>8} {'':>8} {'':>8} {'':>6} "
                    f"{row['cold_ms']:>8.1f} {queries:>8}  {row['broken']}"
                )
                continue
            lines.append(
                f"{scale:>5}  {name:<24} {row['rps']:>8.1f} {row['p50_ms']:>8.1f} "
                f"{row['p99_ms']:>8.1f} {row['requests']:>6} {row['cold_ms']:>8.1f} "
                f"{queries:>8} {row['bytes']:>9} {row['floor_ratio']:>8.3f}"
            )
    return "\n".join(lines)


def format_growth(ratios: dict[str, dict[str, float]], small: int, large: int) -> str:
    header = f"{'endpoint':<24} {f'p50 {large}/{small}':>12} {f'req/s {large}/{small}':>14}"
    lines = [header, "-" * len(header)]
    for name, ratio in ratios.items():
        lines.append(f"{name:<24} {ratio['p50']:>12.2f} {ratio['rps']:>14.2f}")
    return "\n".join(lines)


def format_targets(targets: list[Target]) -> str:
    lines = []
    for target in targets:
        verdict = {True: "PASS", False: "FAIL", None: "N/A "}[target.passed]
        lines.append(f"{verdict}  {target.title}")
        lines.extend(f"        {text}" for text in target.figures)
    return "\n".join(lines)


# --- Databases, the server, one scale.


def postgres_connection(server: str):
    import psycopg

    try:
        return psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        sys.exit(f"bench: PostgreSQL does not answer at {server}: start it ({error})")


def recreate_database(server: str, name: str, template: str | None = None) -> None:
    """Drop ``name`` if it exists and create it empty, or as a copy of ``template``."""
    from psycopg import sql

    with postgres_connection(server) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        connection.execute(create)


def analyze(server: str, name: str) -> None:
    """VACUUM and ANALYZE every table of database ``name``, as autovacuum would soon after a
    bulk load (this machine's server runs with it off). VACUUM matters as much as the
    statistics: it moves the rows a GIN index (the trigram search's) gathered in its pending
    list into the index proper; until then the planner prices the index as the slow list it
    is and reads the whole table instead."""
    import psycopg

    with psycopg.connect(f"{server}/{name}", autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def drop_database(server: str, name: str) -> None:
    from psycopg import sql

    with postgres_connection(server) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def manage(env: dict[str, str], log: Path, *args: str) -> float:
    """Run a management command, its output in ``log``; the seconds it took."""
    started = time.monotonic()
    with log.open("w") as out:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    if done.returncode:
        raise Broken(f"manage.py {' '.join(args)} failed:\n{log.read_text()[-3000:]}")
    return time.monotonic() - started


def has_seed_synthetic() -> bool:
    return (ROOT / "kzpolitics/management/commands/seed_synthetic.py").exists()


def at_once(url: str, count: int) -> list[tuple[Answer, float]]:
    """``count`` GETs of ``url`` sent together: each one's answer and seconds. A sync worker
    busy with one request accepts no other, so each worker answers one."""

    def timed() -> tuple[Answer, float]:
        started = time.monotonic()
        answer = fetch(url, timeout=600)
        return answer, time.monotonic() - started

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: timed(), range(count)))


@contextlib.contextmanager
def production_server(env: dict[str, str], log: Path, timeout: float = 60):
    """gunicorn as ``make serve`` runs it (two workers, no access log) on a free port of
    127.0.0.1; yields its address once /healthz answers 200, stops it after."""
    from tests.site_server import free_port

    base = f"http://127.0.0.1:{free_port()}"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", base[7:],
             "kzpolitics.site.wsgi"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + timeout
            while fetch(f"{base}/healthz", timeout=2)[0] != 200:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise Broken("gunicorn did not answer /healthz")
                time.sleep(0.3)
            yield base, server
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def environment(args: argparse.Namespace, work: Path, database: str) -> dict[str, str]:
    """The server's and its commands' environment on ``database``: production settings
    (tests/site_server.py's: DEBUG off, a random key, throttling raised), hashed static files
    collected into ``work``."""
    from tests.site_server import site_environment

    settings = work / "kz_bench_settings.py"
    if not settings.exists():
        settings.write_text(SETTINGS.format(static_root=str(work / "static")))
    env = site_environment(f"{args.postgres}/{database}")
    env.update(
        STATIC_HASHED="1",
        DJANGO_SETTINGS_MODULE="kz_bench_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(work), str(ROOT), env.get("PYTHONPATH")])),
    )
    return env


def load_the_article(args: argparse.Namespace, work: Path) -> dict[str, float]:
    """``kz_bench_article``: migrated, with the article's data, which every scale's database
    starts as a copy of (the same rows as migrating and loading each, a minute sooner); the
    static files collected. The seconds each step took."""
    env = environment(args, work, TEMPLATE)
    print(f"== the article's data, in {TEMPLATE}")
    recreate_database(args.postgres, TEMPLATE)
    seconds = {
        "migrate": manage(env, work / "migrate.log", "migrate", "--noinput"),
        "load_article": manage(env, work / "load.log", "load_article"),
        "collectstatic": manage(
            env, work / "collectstatic.log", "collectstatic", "--noinput", "--verbosity", "0"
        ),
    }
    print("   " + ", ".join(f"{step} {s:.0f} s" for step, s in seconds.items()))
    return seconds


def build_database(scale: int, args: argparse.Namespace, work: Path) -> tuple[dict, dict]:
    """``kz_bench_<scale>``: a fresh copy of the article's data with ``scale`` times more
    added by seed_synthetic when ``scale`` > 1, analysed. Its environment, and the seconds
    each step took."""
    database = f"{DATABASE_PREFIX}_{scale}"
    env = environment(args, work, database)
    print(f"== scale {scale}: database {database}")
    started = time.monotonic()
    recreate_database(args.postgres, database, template=TEMPLATE)
    seconds = {"copy": time.monotonic() - started}
    if scale > 1:
        seconds["seed_synthetic"] = manage(
            env, work / f"seed-{scale}.log", "seed_synthetic", "--scale", str(scale)
        )
    # The planner's statistics, as autovacuum gathers them soon after a bulk load: without
    # them it plans for the nearly empty tables it last saw, as no production database is.
    started = time.monotonic()
    analyze(args.postgres, database)
    seconds["analyze"] = time.monotonic() - started
    print("   " + ", ".join(f"{step} {s:.0f} s" for step, s in seconds.items()))
    return env, seconds


def run_probe(env: dict[str, str], only: list[str] | None, explain_search: bool) -> dict:
    """Addresses, query counts and plans (see probe()), from a process of its own."""
    command = [sys.executable, __file__, "--probe"]
    command += ["--only", ",".join(only)] if only else []
    command += ["--explain-search"] if explain_search else []
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True,
        env={**env, "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"},
    )  # fmt: skip
    if done.returncode:
        raise Broken(f"the query count failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    found = json.loads(done.stdout)
    for name, figures in found["queries"].items():
        if figures["status"] != 200:
            raise Broken(f"{name} {found['paths'][name]} answered {figures['status']} (client)")
    return found


class Unanswered(Exception):
    """wrk saw no answer from an endpoint in its time."""


def timed_out(log: Path, since: int) -> str:
    """A note if gunicorn's log says, after byte ``since``, that it ended a request that ran
    longer than its worker timeout."""
    with log.open(errors="replace") as text:
        text.seek(since)
        if "WORKER TIMEOUT" in text.read():
            return f" (gunicorn's worker timeout, {GUNICORN_TIMEOUT} s, ended requests)"
    return ""


def measure(
    base: str, paths: dict[str, str], server: subprocess.Popen, log: Path,
    args: argparse.Namespace, work: Path, scale: int,
) -> tuple[dict[str, dict], list[dict], dict[str, str], list[str]]:  # fmt: skip
    """wrk on every address in ``paths`` (the floor before and after them): each one's
    figures with the bytes of one answer, the floor's two runs, the endpoints that did not
    answer 200 (why, instead of figures) and what else went wrong."""
    problems = []
    scripts = {"same": work / "report.lua", "fresh": work / "fresh.lua"}
    scripts["same"].write_text(WRK_SCRIPT)
    scripts["fresh"].write_text(WRK_FRESH_SCRIPT)

    def check(name: str) -> tuple[int, float]:
        """One request per worker, just before the load (a worker that gunicorn restarted
        has lost what it cached); a second round if the site says it stored the answers
        (X-Cache: miss, in a cache of each process's own, say). The bytes of an answer and
        the seconds it took, once stored."""
        path = paths[name]
        if KINDS[name] == "uncached":
            path += f"&{FRESH_PARAMETER}=check-{secrets.token_hex(4)}"
        logged = log.stat().st_size
        answers = at_once(base + path, WORKERS)
        statuses = [answer.status for answer, _ in answers]
        stored = any(a.headers and a.headers.get("X-Cache") == "miss" for a, _ in answers)
        if stored and statuses == [200] * WORKERS and KINDS[name] != "uncached":
            answers = at_once(base + path, WORKERS)
            statuses += [answer.status for answer, _ in answers]
        if any(status != 200 for status in statuses):
            raise Unanswered(f"answered {statuses}" + timed_out(log, logged))
        return len(answers[0][0].body), max(seconds for _, seconds in answers)

    def load(name: str) -> dict:
        url = base + paths[name]
        script = scripts["fresh" if KINDS[name] == "uncached" else "same"]
        size, single = check(name)
        # An address that takes seconds to answer gets the time for a few answers per
        # connection (wrk counts only those that finish), and no warm-up: the check was one,
        # and a warm-up's unfinished requests would still hold the workers.
        seconds = args.duration
        if single * SLOW_SAMPLES > args.duration:
            seconds = math.ceil(min(single * SLOW_SAMPLES, max(SLOW_CAP, args.duration)))
        if args.warmup and single < args.warmup:
            wrk(url, args.warmup, script)
        logged = log.stat().st_size
        figures = wrk(url, seconds, script)
        if server.poll() is not None:
            raise Broken(f"gunicorn exited during {name}")
        errors = {kind: n for kind, n in figures["socket_errors"].items() if n}
        if not figures["requests"]:
            # The requests wrk left unfinished hold the workers until gunicorn ends them.
            time.sleep(max(2.0, GUNICORN_TIMEOUT + 1 - seconds))
            raise Unanswered(
                f"no answer within {seconds:g} s under load (socket errors {errors or 'none'})"
                + timed_out(log, logged)
            )
        if figures["max_ms"] > 100:
            # The requests wrk left unfinished run on: let them end before the next address.
            time.sleep(figures["max_ms"] / 1000)
        figures["seconds"] = seconds
        if figures["non_2xx_3xx"] or errors:
            problems.append(
                f"scale {scale} {name}: {figures['non_2xx_3xx']} non-2xx/3xx answers, "
                f"socket errors {errors or 'none'}"
            )
        print(
            f"   {name:<24} {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']:7.1f} ms  "
            f"p99 {figures['p99_ms']:7.1f} ms  ({figures['requests']} in {seconds:g} s)"
        )
        return {**figures, "bytes": size}

    def measure_floor() -> dict:
        try:
            return load("floor")
        except Unanswered as error:
            raise Broken(f"the floor {paths['floor']}: {error}") from None

    floors, rows, broken = [measure_floor()], {}, {}
    for name in paths:
        if name == "floor":
            continue
        try:
            rows[name] = load(name)
        except Unanswered as error:
            broken[name] = str(error)
            print(f"   {name:<24} BROKEN: {broken[name]}")
    floors.append(measure_floor())
    # The floor's row: the mean of its runs before and after the endpoints.
    floor = dict(floors[1])
    for key in ("rps", "p50_ms", "p99_ms"):
        floor[key] = (floors[0][key] + floors[1][key]) / 2
    floor["requests"] = floors[0]["requests"] + floors[1]["requests"]
    return {"floor": floor, **rows}, floors, broken, problems


def bench_scale(scale: int, args: argparse.Namespace, work: Path, explain_search: bool) -> dict:
    """Build the database for ``scale``, serve it, measure every endpoint: the JSON of one
    scale (its rows, timings, database size, search plans, problems)."""
    env, seconds = build_database(scale, args, work)
    # Addresses and query counts first, with no load on the machine.
    started = time.monotonic()
    found = run_probe(env, args.only, explain_search)
    seconds["query_count"] = time.monotonic() - started
    print("   holds " + ", ".join(f"{n} {what}" for what, n in found["size"].items()))
    print(f"   queries counted in {seconds['query_count']:.0f} s")
    paths = {
        name: path
        for name, path in found["paths"].items()
        if name == "floor" or not args.only or name in args.only
    }
    log = work / f"server-{scale}.log"
    try:
        with production_server(env, log) as (base, server):
            print(f"   gunicorn --workers {WORKERS} at {base}")
            rows, floors, broken, problems = measure(base, paths, server, log, args, work, scale)
    except Broken as error:
        raise Broken(f"{error}\n-- the server's log:\n{server_log(log)}") from None
    rows |= {name: {"broken": reason} for name, reason in broken.items()}
    rows = {name: rows[name] for name in paths}  # in the order of ENDPOINTS
    for name, row in rows.items():
        row.update(
            path=paths[name],
            kind=KINDS[name],
            **{
                key: found["queries"][name][key]
                for key in ("queries_cold", "queries_warm", "cold_ms", "x_cache_warm")
            },
        )
        if "rps" in row:
            row["floor_ratio"] = row["rps"] / rows["floor"]["rps"]
    apart = abs(floors[1]["rps"] - floors[0]["rps"]) / floors[0]["rps"]
    print(
        f"   floor before {floors[0]['rps']:.0f} req/s, after {floors[1]['rps']:.0f} req/s "
        f"({apart:.0%} apart: how noisy the machine was)"
    )
    if broken:
        print(f"== the server's log at scale {scale}, for what broke:\n{server_log(log)}")
    return {
        "database": f"{DATABASE_PREFIX}_{scale}",
        "size": found["size"],
        "seconds": seconds,
        "floor_runs": [floor["rps"] for floor in floors],
        "endpoints": rows,
        "search_plans": found["search_plans"],
        "problems": problems + [f"scale {scale} {n}: {why}" for n, why in broken.items()],
    }


def server_log(log: Path) -> str:
    """The end of the server's log, to show with what broke."""
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(none)"


def run(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    ensure_wrk()
    postgres_connection(args.postgres).close()
    if any(scale > 1 for scale in args.scales) and not has_seed_synthetic():
        sys.exit(
            "bench: scales above 1 need manage.py seed_synthetic, which this checkout lacks; "
            "run with --scales 1"
        )
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="kzpolitics-bench-"))
    report = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "load": os.getloadavg(), "python": sys.version},
        "settings": {
            "wrk": f"-t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{args.duration}s",
            "warmup_seconds": args.warmup,
            "gunicorn": f"--workers {WORKERS} (sync)",
            "scales": args.scales,
            "platform": platform.platform(),
        },
        "scales": {},
    }
    status = 0
    print(
        f"== load average {' '.join(f'{n:.1f}' for n in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    try:
        report["article_seconds"] = load_the_article(args, work)
        for scale in args.scales:
            explain_search = scale == args.scales[-1] and (not args.only or "search" in args.only)
            report["scales"][str(scale)] = bench_scale(scale, args, work, explain_search)
    except Broken as error:
        print(f"== bench: BROKEN: {error}")
        status = 2
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop clean-up
        if args.keep:
            print(f"== kept {work} and databases {TEMPLATE}, {DATABASE_PREFIX}_<scale>")
        else:
            shutil.rmtree(work, ignore_errors=True)
            for database in [TEMPLATE] + [f"{DATABASE_PREFIX}_{n}" for n in args.scales]:
                with contextlib.suppress(Exception):
                    drop_database(args.postgres, database)
    if status:
        return status

    results = {int(s): figures["endpoints"] for s, figures in report["scales"].items()}
    scales = sorted(results)
    targets = check_targets(results)
    ratios = growth(results)
    print()
    print(format_table(results))
    if ratios:
        print()
        print(format_growth(ratios, scales[0], scales[-1]))
    print()
    print(format_targets(targets))
    plans = report["scales"][str(scales[-1])]["search_plans"]
    if plans:
        search = results[scales[-1]]["search"]["path"]
        print(f"\n== the search page's slowest queries at scale {scales[-1]} ({search}):")
        for plan in plans:
            sql = plan["sql"] if len(plan["sql"]) <= 400 else plan["sql"][:400] + "..."
            print(f"\n-- {plan['ms']} ms: {sql}")
            print(plan["plan"])
    problems = [p for figures in report["scales"].values() for p in figures["problems"]]
    report.update(
        growth=ratios,
        targets=[target.__dict__ for target in targets],
        seconds=time.monotonic() - started,
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\n== written {args.json}; {report['seconds'] / 60:.1f} minutes in all")
    print(f"== load average {' '.join(f'{n:.1f}' for n in os.getloadavg())} at the end")
    if problems:
        print("== bench: BROKEN:\n" + "\n".join(f"- {problem}" for problem in problems))
        return 2
    if args.strict and not all(t.passed for t in targets if t.passed is not None):
        return 1
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scales",
        type=lambda text: sorted({int(n) for n in text.split(",")}),
        default=[1, 100],
        help="comma-separated multiples of the article's data (default 1,100)",
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per endpoint")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up (0: none)")
    parser.add_argument(
        "--only",
        type=lambda text: [n.strip() for n in text.split(",") if n.strip()],
        help=f"comma-separated endpoints (the floor always runs): {', '.join(KINDS)}",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases and the folder")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "build" / "bench.json", help="where to write JSON"
    )
    parser.add_argument("--postgres", default=POSTGRES, help="the PostgreSQL server's URL")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--explain-search", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        # The query-counting process: Django set up on the database of the environment.
        print(json.dumps(probe(args.only, args.explain_search)))
        return 0
    unknown = set(args.only or ()) - set(KINDS)
    if unknown:
        parser.error(f"unknown endpoints {', '.join(sorted(unknown))}; known: {', '.join(KINDS)}")
    if any(scale < 1 for scale in args.scales):
        parser.error("scales are whole numbers from 1")
    if args.duration < 1 or args.warmup < 0:
        parser.error("--duration is at least 1 s, --warmup at least 0")
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens, also under make
    unwind_on_signals()
    try:
        return run(args)
    except KeyboardInterrupt:
        print("== bench: interrupted (its databases are dropped)")
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
