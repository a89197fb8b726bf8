"""The benchmark (issue 7): how fast the production stack answers, at the article's size and at
a hundred times it, measured side by side.

For each scale (``--scales 1,100``) it builds a PostgreSQL database of its own on
127.0.0.1:5432 (``kz_bench_<scale>``, dropped and made again each run): ``migrate``,
``load_article``, ``seed_synthetic --scale N`` for N > 1, ``collectstatic``. It serves it as
``make serve`` does (gunicorn with two sync workers, DEBUG off, hashed static files, a random
SECRET_KEY; API throttling raised so the load is not throttled) on a free port of 127.0.0.1,
and drives it with wrk from a separate process: for each endpoint a short warm-up, then
``wrk -t1 -c2`` for ``--duration`` seconds. Two connections, one per worker: both workers are
kept busy and the latency is the time to answer a request, not time spent queueing behind
another. The addresses are chosen by querying the database: the organization with the most
relations and citations, the election with the most results, the most-cited source, a
variant spelling of the most-cited person for search.

Queries are counted in a separate process with Django's test client on the same database and
settings: "cold" is a request after ``cache.clear()`` (the server-side cache, if any), "warm"
the same request repeated at once. Both come after one request to every endpoint, as in a
server process that has answered before (Django's content-type cache is filled).

The table, one row per endpoint and scale:

- ``req/s``: responses per second from the two workers (higher is better);
- ``p50 ms``, ``p99 ms``: the median and the 99th-percentile time to answer;
- ``queries``: SQL queries per request, cold/warm;
- ``bytes``: the body of one response;
- ``x floor``: req/s as a share of the floor's in the same run. The floor is ``/robots.txt``,
  a template with no query through the same middleware: the most the stack gives. It is
  measured before and after the endpoints; its req/s is the mean of the two (both are shown,
  so their difference says how noisy the machine was).

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
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _serve import fetch, unwind_on_signals  # scripts/_serve.py

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
DATABASE_PREFIX = "kz_bench"
WRK_THREADS = 1
WRK_CONNECTIONS = 2  # one per gunicorn worker (see the docstring)
WRK_TIMEOUT = "30s"  # the full export at scale 100 takes seconds: not a socket error
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
    kind: str  # floor, html, api-list, api-detail or export
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
    Endpoint("api-organization-list", "api-list", "/api/v1/organizations/, first page"),
    Endpoint("api-organization-detail", "api-detail", "the same organization as above"),
    Endpoint("api-results-csv", "api-list", "/api/v1/results/?format=csv, first page"),
    Endpoint("api-export", "export", "/api/v1/export/: the whole dataset as a zip"),
)
KINDS = {endpoint.name: endpoint.kind for endpoint in ENDPOINTS}

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

# The site's own settings, with the collected static files in the run's folder rather than the
# checkout's staticfiles/, which `make serve` (perhaps someone else's, at the same time) uses.
SETTINGS = """\
from kzpolitics.settings import *  # noqa: F403

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

    from elections.models import Election
    from kzpolitics.models import Citation, Person, PersonName, Source
    from kzpolitics.visibility import public
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
        return number_of(Citation.objects.filter(content_type=kind), "object_id")

    with public():
        hub = (
            Organization.objects.annotate(
                weight=number_of(Relation.objects.all(), "subject")
                + number_of(Relation.objects.all(), "object")
                + citations_of(Organization)
            )
            .order_by("-weight", "slug")
            .first()
        )
        election = Election.objects.annotate(n=Count("results")).order_by("-n", "slug").first()
        source = Source.objects.annotate(n=Count("citations")).order_by("-n", "slug").first()
        # The same search at every scale: the article's most-cited person (synthetic records'
        # slugs start with "syn-"), by a spelling the article does not use.
        person = (
            Person.objects.exclude(slug__startswith="syn-")
            .filter(names__kind=PersonName.Kind.VARIANT)
            .annotate(n=citations_of(Person))
            .order_by("-n", "slug")
            .first()
        )
        variant = person.names.filter(kind=PersonName.Kind.VARIANT).order_by("name").first()
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
        "api-organization-list": reverse("api:organization-list"),
        "api-organization-detail": reverse("api:organization-detail", args=[hub.slug]),
        "api-results-csv": reverse("api:result-list") + "?format=csv",
        "api-export": reverse("api:export"),
    }


def _query(parameters: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(parameters)


def count_queries(paths: dict[str, str]) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    """For each address: its status, and the queries of a cold request (the cache cleared
    first) and of the same request repeated. Also the cold requests' SQL, by name."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for path in paths.values():  # a server process that has answered before
        client.get(path)
    figures, captured = {}, {}
    for name, path in paths.items():
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            response = client.get(path)
        with CaptureQueriesContext(connection) as warm:
            client.get(path)
        figures[name] = {
            "status": response.status_code,
            "queries_cold": len(cold),
            "queries_warm": len(warm),
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
    from kzpolitics.models import Citation, Event, Person, Source
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
    done = subprocess.run(
        ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds:g}s",
         f"--timeout={WRK_TIMEOUT}", "--latency", "-s", str(script), url],
        capture_output=True, text=True, timeout=seconds + 120,
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
    """Issue 7's four targets, checked on the smallest and largest scale of the run."""
    scales = sorted(results)
    small, large = scales[0], scales[-1]
    compared = large != small
    at_large = results[large]
    names = [name for name in at_large if name != "floor"]
    targets = []

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
    title = f"2. p50 at scale {large} within {GROWTH_LIMIT:g}x p50 at scale {small}, but export"
    if not compared:
        title = f"2. p50 at the largest scale within {GROWTH_LIMIT:g}x the smallest's, but export"
    if compared:
        figures, passed = [], True
        for name in names:
            if KINDS[name] == "export" or name not in results[small]:
                continue
            ratio = at_large[name]["p50_ms"] / results[small][name]["p50_ms"]
            ok = ratio <= GROWTH_LIMIT
            passed &= ok
            figures.append(
                f"{name} {results[small][name]['p50_ms']:.1f} -> {at_large[name]['p50_ms']:.1f} "
                f"ms = {ratio:.2f}x" + ("" if ok else " (!)")
            )
        targets.append(Target(title, passed, figures))
    else:
        targets.append(Target(title, None, ["needs two scales"]))

    # 3. Throughput against the floor's, at the largest scale.
    figures, passed = [], True
    floor = at_large["floor"]["rps"]
    for name in names:
        share = FLOOR_SHARE.get(KINDS[name])
        if share is None:
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

    # 4. Search's median.
    title = f"4. search at scale {large}: p50 under {SEARCH_P50_MS} ms"
    if "search" in at_large:
        p50 = at_large["search"]["p50_ms"]
        targets.append(Target(title, p50 < SEARCH_P50_MS, [f"search p50 {p50:.1f} ms"]))
    else:
        targets.append(Target(title, None, ["search not measured"]))
    return targets


def growth(results: dict[int, dict[str, dict]]) -> dict[str, dict[str, float]]:
    """Per endpoint, the largest scale's p50 and req/s over the smallest's."""
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
        if name in small and small[name]["p50_ms"] and small[name]["rps"]
    }


# --- The report.


def format_table(results: dict[int, dict[str, dict]]) -> str:
    header = (
        f"{'scale':>5}  {'endpoint':<24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'queries':>8} {'bytes':>9} {'x floor':>8}"
    )
    lines = [header, "-" * len(header)]
    for scale in sorted(results):
        for name, row in results[scale].items():
            queries = f"{row['queries_cold']}/{row['queries_warm']}"
            lines.append(
                f"{scale:>5}  {name:<24} {row['rps']:>8.1f} {row['p50_ms']:>8.1f} "
                f"{row['p99_ms']:>8.1f} {queries:>8} {row['bytes']:>9} {row['floor_ratio']:>8.3f}"
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


def recreate_database(server: str, name: str) -> None:
    from psycopg import sql

    with postgres_connection(server) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


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


@contextlib.contextmanager
def production_server(env: dict[str, str], log: Path, timeout: float = 60):
    """gunicorn as ``make serve`` runs it (two workers, no access log) on a free port of
    127.0.0.1; yields its address once /healthz answers 200, stops it after."""
    from tests.site_server import free_port

    base = f"http://127.0.0.1:{free_port()}"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", base[7:],
             "kzpolitics.wsgi"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + timeout
            while fetch(f"{base}/healthz", timeout=2)[0] != 200:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise Broken(f"gunicorn did not answer /healthz:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
            yield base, server
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def bench_scale(scale: int, args: argparse.Namespace, work: Path, explain_search: bool) -> dict:
    """Build the database for ``scale``, serve it, measure every endpoint: the JSON of one
    scale (its rows, timings, database size, search plans, problems)."""
    from tests.site_server import site_environment

    name = f"{DATABASE_PREFIX}_{scale}"
    folder = work / f"scale-{scale}"
    folder.mkdir()
    (folder / "kz_bench_settings.py").write_text(
        SETTINGS.format(static_root=str(folder / "static"))
    )
    env = site_environment(f"{args.postgres}/{name}")
    env.update(
        STATIC_HASHED="1",
        DJANGO_SETTINGS_MODULE="kz_bench_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(folder), str(ROOT), env.get("PYTHONPATH")])),
    )
    seconds = {}
    print(f"== scale {scale}: database {name}")
    recreate_database(args.postgres, name)
    seconds["migrate"] = manage(env, folder / "migrate.log", "migrate", "--noinput")
    seconds["load_article"] = manage(env, folder / "load.log", "load_article")
    if scale > 1:
        print(f"   seed_synthetic --scale {scale}")
        seconds["seed_synthetic"] = manage(
            env, folder / "seed.log", "seed_synthetic", "--scale", str(scale)
        )
    seconds["collectstatic"] = manage(
        env, folder / "collectstatic.log", "collectstatic", "--noinput", "--verbosity", "0"
    )
    print("   " + ", ".join(f"{step} {s:.0f} s" for step, s in seconds.items()))

    # Addresses and query counts, in a process of their own before the load.
    probe_env = {**env, "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"}
    command = [sys.executable, __file__, "--probe"]
    command += ["--only", ",".join(args.only)] if args.only else []
    command += ["--explain-search"] if explain_search else []
    done = subprocess.run(command, cwd=ROOT, env=probe_env, capture_output=True, text=True)
    if done.returncode:
        raise Broken(f"the query count failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    found = json.loads(done.stdout)
    size = ", ".join(f"{n} {what}" for what, n in found["size"].items())
    print(f"   holds {size}")
    paths = found["paths"]
    for name_, figures in found["queries"].items():
        if figures["status"] != 200:
            raise Broken(f"{name_} {paths[name_]} answered {figures['status']} (test client)")
    names = ["floor"] + [n for n in paths if n != "floor" and (not args.only or n in args.only)]

    script = work / "report.lua"
    script.write_text(WRK_SCRIPT)
    rows, problems, floors = {}, [], []
    with production_server(env, folder / "server.log") as (base, server):
        print(f"   gunicorn --workers 2 at {base}")
        sizes = {}
        for name_ in names:
            status, body = fetch(base + paths[name_], timeout=120)
            if status != 200:
                raise Broken(f"{name_} {base}{paths[name_]} answered {status}")
            sizes[name_] = len(body)

        def measure(endpoint: str) -> dict:
            url = base + paths[endpoint]
            wrk(url, args.warmup, script)
            figures = wrk(url, args.duration, script)
            if not figures["requests"]:
                raise Broken(
                    f"{endpoint}: no answer within {args.duration:g} s: a longer --duration"
                )
            if server.poll() is not None:
                raise Broken(f"gunicorn exited during {endpoint}:\n{server_log(folder)}")
            errors = {k: v for k, v in figures["socket_errors"].items() if v}
            if figures["non_2xx_3xx"] or errors:
                problems.append(
                    f"scale {scale} {endpoint}: {figures['non_2xx_3xx']} non-2xx/3xx answers, "
                    f"socket errors {errors or 'none'}"
                )
            return figures

        for name_ in names + ["floor"]:
            figures = measure(name_)
            if name_ == "floor":
                floors.append(figures)
                if len(floors) == 1:
                    continue
                # The floor's row: the mean of the runs before and after the endpoints.
                figures = dict(figures)
                for key in ("rps", "p50_ms", "p99_ms"):
                    figures[key] = (floors[0][key] + floors[1][key]) / 2
                figures["requests"] = floors[0]["requests"] + floors[1]["requests"]
            rows[name_] = {
                "path": paths[name_],
                "kind": KINDS[name_],
                **figures,
                **{k: found["queries"][name_][k] for k in ("queries_cold", "queries_warm")},
                "bytes": sizes[name_],
            }
            print(
                f"   {name_:<24} {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']:7.1f} ms  "
                f"p99 {figures['p99_ms']:7.1f} ms"
            )
    floor_rps = rows["floor"]["rps"]
    rows = {"floor": rows.pop("floor"), **rows}
    for row in rows.values():
        row["floor_ratio"] = row["rps"] / floor_rps if floor_rps else 0.0
    print(
        f"   floor before {floors[0]['rps']:.0f} req/s, after {floors[1]['rps']:.0f} req/s "
        f"({abs(floors[1]['rps'] - floors[0]['rps']) / max(floors[0]['rps'], 1):.0%} apart)"
    )
    return {
        "database": name,
        "size": found["size"],
        "seconds": seconds,
        "floor_runs": [f["rps"] for f in floors],
        "endpoints": rows,
        "search_plans": found["search_plans"],
        "problems": problems,
    }


def server_log(folder: Path) -> str:
    return (folder / "server.log").read_text(errors="replace")[-3000:]


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
            "wrk": f"-t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{args.duration:g}s",
            "warmup_seconds": args.warmup,
            "gunicorn": "--workers 2 (sync)",
            "scales": args.scales,
            "platform": platform.platform(),
        },
        "scales": {},
    }
    status = 0
    try:
        for scale in args.scales:
            explain_search = scale == args.scales[-1] and (not args.only or "search" in args.only)
            report["scales"][str(scale)] = bench_scale(scale, args, work, explain_search)
    except Broken as error:
        print(f"== bench: BROKEN: {error}")
        status = 2
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop clean-up
        if args.keep:
            print(f"== kept {work} and databases {DATABASE_PREFIX}_<scale>")
        else:
            shutil.rmtree(work, ignore_errors=True)
            for scale in args.scales:
                with contextlib.suppress(Exception):
                    drop_database(args.postgres, f"{DATABASE_PREFIX}_{scale}")
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
    if problems:
        print("== bench: BROKEN: wrk saw errors\n" + "\n".join(f"- {p}" for p in problems))
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
    parser.add_argument("--duration", type=float, default=6, help="seconds of wrk per endpoint")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of warm-up before it")
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
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens, also under make
    unwind_on_signals()
    try:
        return run(args)
    except KeyboardInterrupt:
        print("== bench: interrupted (its databases are dropped)")
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
