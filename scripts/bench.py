"""The benchmark (issues 7 and 15): how fast the production stack answers, at the article's size
and at a hundred times it, measured side by side, for a repeated address and for a first visit.

For each scale (``--scales 1,100``), a PostgreSQL database of its own on 127.0.0.1:5432
(``kz_bench_<scale>``: the article's data, ``seed_synthetic --scale N`` added for N > 1) is
served as ``make serve`` does on 127.0.0.1 (``--port``, else a free port), its response cache
in a Redis database of the benchmark's own (``--redis``, flushed before the crawl), and driven
by wrk (``-t1 -c2``: one connection per worker) for ``--duration`` seconds per endpoint, once
at the same address (what a cache answers) and once at a new address each request (cold); its
queries are counted cold and warm with Django's test client in a process of its own.

Between the floor's first run and the endpoints: a crawl of distinct addresses for
``--crawl-seconds`` (every published record's page and API detail in a fixed random order,
``--seed``, with a list page of varied filters, pages and orderings after every 30 of them, each
asked once, two connections at once, from an empty cache); then a sample of the crawled addresses
(``--sample``) asked again (cached), one reviewer's edit of an ordinary organization's summary
(``manage.py shell`` in the server's environment: the same signals and purges), and the sample once
more: its hit rate (``X-Cache: hit``), and whether every address carrying a key the edit purged
(``Surrogate-Key``) was answered afresh and every one that showed its summary shows the new one. (A
summary is descriptive: the addresses that only name the organization, by a link, keep their copy:
kzpolitics.core.dependencies.)

The table, one row per endpoint and scale: ``req/s`` from the two workers; ``p50 ms``, ``p99 ms``;
``n``, the answers wrk timed (few for a slow endpoint: read its p99 as its maximum); ``cold ms``,
one request with every cache cleared (what a visitor waits for when nothing is cached); ``queries``
per request, cold/warm (an endpoint whose record is chosen anew at a larger scale also has the
smallest scale's address counted there: the count its target compares); ``bytes`` of one body;
``x floor``, req/s as a share of the floor's: ``/robots.txt``, a template with no query through the
same middleware, the most the stack gives, measured before and after the endpoints (its row is the
mean; the two runs' difference says how noisy the machine was). Then the cold figures, the crawl's
and the edit's, the largest scale's p50 and req/s over the smallest's, the targets of issues 7 and
15 each beside its figures as PASS or FAIL, and PostgreSQL's plans (EXPLAIN ANALYZE, BUFFERS) for
the search page's slowest queries at the largest scale; the same goes to ``build/bench.json``.

Exit 0 when every target is met, 1 when one is missed (0 with ``--report-only``), 2 when
something broke: an endpoint or a crawled address not answering 200, wrk seeing non-2xx/3xx
answers or socket errors, a failed command.

    .venv/bin/python scripts/bench.py                          # make bench
    .venv/bin/python scripts/bench.py --scales 1 --duration 2 --only search,home
    .venv/bin/python scripts/bench.py --keep ...; then --reuse: the databases kept, not rebuilt
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import fmean

# Siblings in scripts/, which is on sys.path as the script's own folder.
import bench_figures
import bench_stack as stack
from _serve import unwind_on_signals
from bench_figures import (
    KINDS,
    NOT_GROWN,
    WRK_FRESH_SCRIPT,
    WRK_SCRIPT,
    Broken,
    fresh_request,
)

ROOT = Path(__file__).resolve().parent.parent
SLOW_SAMPLES = 3  # an address slower than --duration / 3 is measured for 3 answers' time...
SLOW_CAP = 30  # ...but at most this many seconds
CLIENT_FLOOR_SECONDS = 2  # the floor through the crawl's own client, to compare like with like


def load_average() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def run_probe(
    env: dict[str, str],
    only: list[str] | None,
    explain_search: bool,
    seed: int | None,
    earlier: dict[str, str] | None = None,
) -> dict:
    """Addresses, query counts, plans and the crawl's plan (bench_probe.probe()), from a
    process of its own; ``earlier``, the smallest scale's addresses, counted here too."""
    command = [sys.executable, __file__, "--probe"]
    command += ["--only", ",".join(only)] if only else []
    command += ["--seed", str(seed)] if seed is not None else ["--no-crawl"]
    command += ["--explain-search"] if explain_search else []
    command += ["--earlier", json.dumps(earlier)] if earlier else []
    env = {**env, "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"}
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    if done.returncode:
        raise Broken(f"the query count failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    found = json.loads(done.stdout)
    for name, figures in found["queries"].items():
        if figures["status"] != 200:
            raise Broken(f"{name} {found['paths'][name]} answered {figures['status']} (client)")
    for name, figures in found["queries_earlier"].items():
        if figures["status"] != 200:
            raise Broken(f"{name} {figures['path']} answered {figures['status']} (client)")
    return found


class Unanswered(Exception):
    """wrk saw no answer from an endpoint in its time."""


def measure(
    base: str,
    paths: dict[str, str],
    server: subprocess.Popen,
    log: Path,
    args: argparse.Namespace,
    work: Path,
    after_floor=None,
) -> tuple[dict[str, dict], list[dict], list[str]]:
    """wrk on every address of ``paths`` (at the same address, then cold), the floor before
    and after them, ``after_floor()`` run after the first floor: a row for each (the floor's
    the mean of its runs; ``broken``, why, for one that did not answer; ``cold_*``, the cold
    run's figures), the floor's two runs, and what else went wrong."""
    problems = []
    scripts = {"same": work / "report.lua", "fresh": work / "fresh.lua"}
    scripts["same"].write_text(WRK_SCRIPT)
    scripts["fresh"].write_text(WRK_FRESH_SCRIPT)

    def load(name: str, cold: bool = False) -> dict:
        url, uncached = base + paths[name], KINDS[name] == "uncached" or cold
        script = scripts["fresh" if uncached else "same"]
        # One request per worker just before the load (a worker that gunicorn restarted has
        # lost what it cached), a second round if the site says it stored the answers
        # (X-Cache: miss, in a cache of each process's own, say); an uncached one at a new
        # address.
        checked, headers = paths[name], {}
        if uncached:
            checked, headers = fresh_request(checked, f"check-{secrets.token_hex(4)}")
        logged = log.stat().st_size
        answers = stack.at_once(base + checked, stack.WORKERS, headers)
        statuses = [answer.status for answer, _ in answers]
        if cold and any(a.headers and a.headers.get("X-Cache") == "hit" for a, _ in answers):
            raise Unanswered(f"a new address was a cache hit: {checked} {headers}")
        stored = any(a.headers and a.headers.get("X-Cache") == "miss" for a, _ in answers)
        if stored and statuses == [200] * stack.WORKERS and not uncached:
            answers = stack.at_once(base + checked, stack.WORKERS, headers)
            statuses += [answer.status for answer, _ in answers]
        if any(status != 200 for status in statuses):
            raise Unanswered(f"answered {statuses}" + stack.timed_out(log, logged))
        single = max(seconds for _, seconds in answers)  # once stored
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
                f"{name}: {figures['non_2xx_3xx']} non-2xx/3xx answers, "
                f"socket errors {errors or 'none'}"
            )
        print(
            f"   {name + (' cold' if cold else ''):<24} {figures['rps']:8.1f} req/s  "
            f"p50 {figures['p50_ms']:7.1f} ms  p99 {figures['p99_ms']:7.1f} ms  "
            f"({figures['requests']} in {seconds:g} s)"
        )
        return {**figures, "bytes": len(answers[0][0].body)}

    def measure_floor() -> dict:
        try:
            return load("floor")
        except Unanswered as error:
            raise Broken(f"the floor {paths['floor']}: {error}") from None

    def cold_figures(name: str, row: dict) -> dict:
        """The cold run's figures as ``cold_*``: of its own run, or the row's own where every
        request is already cold (a search at a new address, the streamed CSV); none for the
        export, which no target judges cold, nor the search when search-uncached is run."""
        if KINDS[name] == "export" or "broken" in row:
            return {}
        if name == "search" and "search-uncached" in paths:
            return {}  # its cold run is search-uncached's
        if KINDS[name] == "uncached" or name in NOT_GROWN:
            cold = row
        else:
            try:
                cold = load(name, cold=True)
            except Unanswered as error:
                print(f"   {name + ' cold':<24} BROKEN: {error}")
                return {"cold_broken": str(error)}
        return {f"cold_{key}": cold[key] for key in ("rps", "p50_ms", "p99_ms", "requests")}

    rows, floors = dict.fromkeys(paths), [measure_floor()]
    if after_floor:
        after_floor()
    for name in rows:
        if name != "floor":
            try:
                rows[name] = load(name)
            except Unanswered as error:
                rows[name] = {"broken": str(error)}
                print(f"   {name:<24} BROKEN: {error}")
            rows[name].update(cold_figures(name, rows[name]))
    floors.append(measure_floor())
    # The floor's row: the mean of its runs before and after the endpoints.
    means = {key: fmean(floor[key] for floor in floors) for key in ("rps", "p50_ms", "p99_ms")}
    rows["floor"] = {**floors[1], **means, "requests": sum(f["requests"] for f in floors)}
    return rows, floors, problems


def crawl_and_edit(
    base: str, plan: dict, args: argparse.Namespace, env: dict, work: Path, scale: int
) -> tuple[dict, dict | None, list[str]]:
    """The crawl of distinct addresses from an empty cache, then the warmed sample, the one
    edit and the sample again: the crawl's figures, the edit's (None if nothing was crawled)
    and what went wrong."""
    floor = [("/robots.txt", "floor")] * 100_000
    answers, seconds = stack.ask_each(base, floor, CLIENT_FLOOR_SECONDS)
    client_floor = len(answers) / seconds
    stack.flush_cache(args.redis)
    answers, seconds = stack.ask_each(base, plan["order"], args.crawl_seconds)
    crawl = bench_figures.crawl_figures(answers, seconds)
    crawl.update(clients=stack.CLIENTS, floor_rps=client_floor, planned=len(plan["order"]))
    problems = [
        f"the crawl's {a['path']} answered {a['status']}" for a in answers if a["status"] != 200
    ]
    print(
        f"   crawl: {crawl['requests']} of {len(plan['order'])} addresses in {seconds:.1f} s, "
        f"{crawl['rps']:.1f} req/s; p50 {crawl['detail']['p50_ms']:.1f} ms details, "
        f"{crawl['list']['p50_ms']:.1f} ms lists (the floor through this client "
        f"{client_floor:.0f} req/s)"
    )
    groups = {a["path"]: a["group"] for a in answers if a["status"] == 200}
    if not groups:
        return crawl, None, problems
    edit = plan["edit"]
    chosen = [path for path in edit["paths"] if path in groups]
    rest = sorted(set(groups) - set(chosen))
    chosen += random.Random(args.seed).sample(rest, min(len(rest), args.sample - len(chosen)))
    sample = [(path, groups[path]) for path in chosen]
    shown = edit["fragment"].encode()
    marker = f"Bench edit {secrets.token_hex(4)}"
    before, _ = stack.ask_each(base, sample, keep=lambda _, body: bool(shown) and shown in body)
    try:
        done = stack.edit_summary(env, work / f"edit-{scale}.log", edit["slug"], marker)
    except Broken as error:
        # The crawl's and the endpoints' figures still stand: the edit's target fails.
        print(f"   edit: BROKEN: {str(error)[-1500:]}")
        return crawl, None, [*problems, f"the edit failed: {str(error)[-300:]}"]
    after, seconds = stack.ask_each(base, sample, keep=lambda _, body: marker.encode() in body)
    by_path = {answer["path"]: answer for answer in after}
    entries = []
    for answer in before:
        later = by_path[answer["path"]]
        entries.append(
            {
                "path": answer["path"],
                "group": answer["group"],
                "showed": answer["kept"],
                "fresh": later["kept"],
                **{
                    when: {
                        "status": a["status"],
                        "cache": a["cache"],
                        "keys": bench_figures.surrogate_keys(a["keys"]),
                    }
                    for when, a in (("before", answer), ("after", later))
                },
            }
        )
    figures = bench_figures.edit_figures(
        entries, f"{edit['model']}-{done['pk']}", set(done.get("keys", ()))
    )
    figures.update(path=edit["paths"][0], edit_seconds=done["seconds"])
    print(
        f"   edit of {figures['key']} ({edit['paths'][0]}): {figures['hits']}/{figures['n']} "
        f"of the sample still hits ({figures['warm_hits']} before), "
        f"{figures['touched_missed']}/{figures['touched']} carrying a key it purged missed, "
        f"{figures['showed_fresh']}/{figures['showed']} showing it fresh"
    )
    problems += [
        f"the sample's {e['path']} answered {e['after']['status']} after the edit"
        for e in entries
        if e["after"]["status"] != 200
    ]
    return crawl, figures, problems


def bench_scale(
    scale: int,
    args: argparse.Namespace,
    work: Path,
    explain_search: bool,
    earlier: dict[str, str] | None = None,
) -> dict:
    """Build the database for ``scale``, serve it, crawl it, edit it, measure every endpoint:
    that scale's JSON. ``earlier``: the smallest scale's addresses, whose queries are counted
    here too (an endpoint's ``earlier``) where this scale's differ."""
    env, seconds = stack.build_database(scale, args, work)
    # Addresses and query counts first, with no load on the machine.
    started = time.monotonic()
    seed = None if args.no_crawl else args.seed
    found = run_probe(env, args.only, explain_search, seed, earlier)
    seconds["query_count"] = time.monotonic() - started
    print("   holds " + ", ".join(f"{n} {what}" for what, n in found["size"].items()))
    print(f"   queries counted in {seconds['query_count']:.0f} s")
    paths = {
        name: path
        for name, path in found["paths"].items()
        if name == "floor" or not args.only or name in args.only
    }
    log = work / f"server-{scale}.log"
    phase = {}

    def crawl() -> None:
        phase["crawl"], phase["edit"], phase["problems"] = crawl_and_edit(
            base, found["crawl"], args, env, work, scale
        )

    try:
        with stack.production_server(env, log, port=args.port) as (base, server):
            print(f"   gunicorn --workers {stack.WORKERS} at {base}, cache {args.redis}")
            rows, floors, problems = measure(
                base, paths, server, log, args, work, None if args.no_crawl else crawl
            )
    except Broken as error:
        raise Broken(f"{error}\n-- the server's log:\n{stack.server_log(log)}") from None
    for name, row in rows.items():
        counted = {key: n for key, n in found["queries"][name].items() if key != "status"}
        row.update(path=paths[name], kind=KINDS[name], **counted)
        if name in found["queries_earlier"]:
            row["earlier"] = found["queries_earlier"][name]
        if "rps" in row:
            row["floor_ratio"] = row["rps"] / rows["floor"]["rps"]
    broken = {name: row["broken"] for name, row in rows.items() if "broken" in row}
    apart = abs(floors[1]["rps"] - floors[0]["rps"]) / floors[0]["rps"]
    print(
        f"   floor before {floors[0]['rps']:.0f} req/s, after {floors[1]['rps']:.0f} req/s "
        f"({apart:.0%} apart: how noisy the machine was)"
    )
    if broken:
        print(f"== the server's log at scale {scale}, for what broke:\n{stack.server_log(log)}")
    problems += [f"{name}: {why}" for name, why in broken.items()]
    problems += phase.get("problems", [])[:10]
    return {
        "database": stack.database_name(scale),
        "size": found["size"],
        "seconds": seconds,
        "floor_runs": [floor["rps"] for floor in floors],
        "endpoints": rows,
        **({"crawl": phase["crawl"]} if phase.get("crawl") else {}),
        **({"edit": phase["edit"]} if phase.get("edit") else {}),
        "search_plans": found["search_plans"],
        "problems": [f"scale {scale} {problem}" for problem in problems],
    }


def run(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    stack.ensure_wrk()
    stack.postgres_connection(args.postgres).close()
    stack.redis_client(args.redis).close()
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
            "crawl": f"{args.crawl_seconds} s, {stack.CLIENTS} connections, seed {args.seed}",
            "sample": args.sample,
            "redis": args.redis,
            "gunicorn": f"--workers {stack.WORKERS} (sync)",
            "scales": args.scales,
            "platform": platform.platform(),
        },
        "scales": {},
    }
    status = 0
    print(f"== load average {load_average()} on {os.cpu_count()} CPUs")
    try:
        kept = args.reuse and all(
            stack.database_exists(args.postgres, stack.database_name(scale))
            for scale in args.scales
        )
        if kept:
            report["article_seconds"] = stack.collect_static(args, work)
        else:
            report["article_seconds"] = stack.load_the_article(args, work)
        earlier = None  # the smallest scale's addresses, once it has run
        for scale in args.scales:
            explain_search = scale == args.scales[-1] and (not args.only or "search" in args.only)
            figures = bench_scale(scale, args, work, explain_search, earlier)
            report["scales"][str(scale)] = figures
            if earlier is None:
                earlier = {name: row["path"] for name, row in figures["endpoints"].items()}
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
    status = bench_figures.exit_status(targets, problems, args.report_only)
    if status == 1:
        print("== bench: a target was missed (exit 1; --report-only to only report)")
    return status


def print_results(report: dict) -> list:
    """The table, the growth from the smallest scale to the largest, the targets and the
    search page's plans; the growth and targets also go into ``report``. The targets."""
    results = {int(s): figures["endpoints"] for s, figures in report["scales"].items()}
    scales = sorted(results)
    whole = {int(s): figures for s, figures in report["scales"].items()}
    targets = bench_figures.check_targets(results) + bench_figures.check_crawl_targets(whole)
    ratios = bench_figures.growth(results)
    print()
    print(bench_figures.format_table(results))
    print()
    print(bench_figures.format_cold(results))
    print()
    print(bench_figures.format_crawl(whole))
    if ratios:
        print()
        print(bench_figures.format_growth(ratios, scales[0], scales[-1]))
    print()
    print(bench_figures.format_targets(targets))
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
    # Short runs: `make bench` builds both scales' databases, crawls, edits and measures every
    # endpoint twice (cached, cold) in under ten minutes on a two-core machine.
    parser.add_argument("--duration", type=int, default=2, help="seconds of wrk per endpoint")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up (0: none)")
    parser.add_argument(
        "--only",
        type=lambda text: [n.strip() for n in text.split(",") if n.strip()],
        help=f"comma-separated endpoints (the floor always runs): {', '.join(KINDS)}",
    )
    parser.add_argument(
        "--crawl-seconds", type=int, default=15, help="seconds of the crawl per scale"
    )
    parser.add_argument(
        "--sample", type=int, default=2000, help="crawled addresses asked again around the edit"
    )
    parser.add_argument("--seed", type=int, default=15, help="the crawl's order and sample")
    parser.add_argument("--no-crawl", action="store_true", help="no crawl, no edit")
    parser.add_argument("--keep", action="store_true", help="keep the databases and the folder")
    parser.add_argument(
        "--reuse", action="store_true", help="serve the databases a --keep run left, unbuilt"
    )
    parser.add_argument(
        "--report-only", action="store_true", help="exit 0 when a target fails (else 1)"
    )
    # Exiting 1 on a missed target is the default now; the old flag is still accepted.
    parser.add_argument("--strict", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: free)")
    parser.add_argument("--redis", default=stack.REDIS, help="the response cache's Redis database")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "build" / "bench.json", help="where to write JSON"
    )
    parser.add_argument("--postgres", default=stack.POSTGRES, help="the PostgreSQL server's URL")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--explain-search", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--earlier", type=json.loads, help=argparse.SUPPRESS)
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
    if args.crawl_seconds < 1 or args.sample < 1:
        parser.error("--crawl-seconds and --sample are at least 1")
    return args


def main(argv: list[str]) -> int:
    args = arguments(argv)
    if args.probe:
        # The query-counting process: Django set up on the database of the environment.
        import django

        sys.path.insert(0, str(ROOT))
        django.setup()
        from bench_probe import probe

        print(
            json.dumps(
                probe(
                    args.only,
                    args.explain_search,
                    None if args.no_crawl else args.seed,
                    args.earlier,
                )
            )
        )
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
