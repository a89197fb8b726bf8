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
import contextlib
import json
import math
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Siblings in scripts/, which is on sys.path as the script's own folder.
import bench_stack as stack
from _serve import unwind_on_signals
from bench_figures import (
    FRESH_PARAMETER,
    KINDS,
    WRK_FRESH_SCRIPT,
    WRK_SCRIPT,
    Broken,
    check_targets,
    format_growth,
    format_table,
    format_targets,
    growth,
)

ROOT = Path(__file__).resolve().parent.parent
SLOW_SAMPLES = 3  # an address slower than --duration / 3 is measured for 3 answers' time...
SLOW_CAP = 30  # ...but at most this many seconds


def load_average() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


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
        answers = stack.at_once(base + path, stack.WORKERS)
        statuses = [answer.status for answer, _ in answers]
        stored = any(a.headers and a.headers.get("X-Cache") == "miss" for a, _ in answers)
        if stored and statuses == [200] * stack.WORKERS and KINDS[name] != "uncached":
            answers = stack.at_once(base + path, stack.WORKERS)
            statuses += [answer.status for answer, _ in answers]
        if any(status != 200 for status in statuses):
            raise Unanswered(f"answered {statuses}" + stack.timed_out(log, logged))
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
            stack.wrk(url, args.warmup, script)
        logged = log.stat().st_size
        figures = stack.wrk(url, seconds, script)
        if server.poll() is not None:
            raise Broken(f"gunicorn exited during {name}")
        errors = {kind: n for kind, n in figures["socket_errors"].items() if n}
        if not figures["requests"]:
            # The requests wrk left unfinished hold the workers until gunicorn ends them.
            time.sleep(max(2.0, stack.GUNICORN_TIMEOUT + 1 - seconds))
            raise Unanswered(
                f"no answer within {seconds:g} s under load (socket errors {errors or 'none'})"
                + stack.timed_out(log, logged)
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
    env, seconds = stack.build_database(scale, args, work)
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
        with stack.production_server(env, log) as (base, server):
            print(f"   gunicorn --workers {stack.WORKERS} at {base}")
            rows, floors, broken, problems = measure(base, paths, server, log, args, work, scale)
    except Broken as error:
        raise Broken(f"{error}\n-- the server's log:\n{stack.server_log(log)}") from None
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
        print(f"== the server's log at scale {scale}, for what broke:\n{stack.server_log(log)}")
    return {
        "database": stack.database_name(scale),
        "size": found["size"],
        "seconds": seconds,
        "floor_runs": [floor["rps"] for floor in floors],
        "endpoints": rows,
        "search_plans": found["search_plans"],
        "problems": problems + [f"scale {scale} {n}: {why}" for n, why in broken.items()],
    }


def run(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    stack.ensure_wrk()
    stack.postgres_connection(args.postgres).close()
    if any(scale > 1 for scale in args.scales) and not stack.has_seed_synthetic():
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
            "wrk": f"-t{stack.WRK_THREADS} -c{stack.WRK_CONNECTIONS} -d{args.duration}s",
            "warmup_seconds": args.warmup,
            "gunicorn": f"--workers {stack.WORKERS} (sync)",
            "scales": args.scales,
            "platform": platform.platform(),
        },
        "scales": {},
    }
    status = 0
    print(f"== load average {load_average()} on {os.cpu_count()} CPUs")
    try:
        report["article_seconds"] = stack.load_the_article(args, work)
        for scale in args.scales:
            explain_search = scale == args.scales[-1] and (not args.only or "search" in args.only)
            report["scales"][str(scale)] = bench_scale(scale, args, work, explain_search)
    except Broken as error:
        print(f"== bench: BROKEN: {error}")
        status = 2
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop clean-up
        if args.keep:
            print(f"== kept {work} and databases {stack.TEMPLATE}, {stack.DATABASE_PREFIX}_<scale>")
        else:
            shutil.rmtree(work, ignore_errors=True)
            for database in [stack.TEMPLATE, *map(stack.database_name, args.scales)]:
                with contextlib.suppress(Exception):
                    stack.drop_database(args.postgres, database)
    if status:
        return status
    targets = print_results(report)
    problems = [p for figures in report["scales"].values() for p in figures["problems"]]
    report["seconds"] = time.monotonic() - started
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\n== written {args.json}; {report['seconds'] / 60:.1f} minutes in all")
    print(f"== load average {load_average()} at the end")
    if problems:
        print("== bench: BROKEN:\n" + "\n".join(f"- {problem}" for problem in problems))
        return 2
    if args.strict and not all(t.passed for t in targets if t.passed is not None):
        return 1
    return 0


def print_results(report: dict) -> list:
    """The table, the growth from the smallest scale to the largest, the targets and the
    search page's plans; the growth and targets also go into ``report``. The targets."""
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
    report.update(growth=ratios, targets=[target.__dict__ for target in targets])
    return targets


def arguments(argv: list[str]) -> argparse.Namespace:
    """The command line, checked (argparse exits with a message on a bad one)."""
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
    parser.add_argument("--postgres", default=stack.POSTGRES, help="the PostgreSQL server's URL")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--explain-search", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        return args
    unknown = set(args.only or ()) - set(KINDS)
    if unknown:
        parser.error(f"unknown endpoints {', '.join(sorted(unknown))}; known: {', '.join(KINDS)}")
    if any(scale < 1 for scale in args.scales):
        parser.error("scales are whole numbers from 1")
    if args.duration < 1 or args.warmup < 0:
        parser.error("--duration is at least 1 s, --warmup at least 0")
    return args


def main(argv: list[str]) -> int:
    args = arguments(argv)
    if args.probe:
        # The query-counting process: Django set up on the database of the environment.
        import django

        sys.path.insert(0, str(ROOT))
        django.setup()
        from bench_probe import probe

        print(json.dumps(probe(args.only, args.explain_search)))
        return 0
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens, also under make
    unwind_on_signals()
    try:
        return run(args)
    except KeyboardInterrupt:
        print("== bench: interrupted (its databases are dropped)")
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
