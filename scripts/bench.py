"""The benchmark (issue 7): how fast the production stack answers, at the article's size and at
a hundred times it, measured side by side.

For each scale (``--scales 1,100``), a PostgreSQL database of its own on 127.0.0.1:5432
(``kz_bench_<scale>``: the article's data, ``seed_synthetic --scale N`` added for N > 1) is
served as ``make serve`` does on a free port of 127.0.0.1 and driven by wrk (``-t1 -c2``: one
connection per worker) for ``--duration`` seconds per endpoint; its queries are counted cold
and warm with Django's test client in a process of its own.

The table, one row per endpoint and scale: ``req/s`` from the two workers; ``p50 ms``,
``p99 ms``; ``n``, the answers wrk timed (few for a slow endpoint: read its p99 as its
maximum); ``cold ms``, one request with every cache cleared (what a visitor waits for when
nothing is cached); ``queries`` per request, cold/warm; ``bytes`` of one body; ``x floor``, req/s
as a share of the floor's: ``/robots.txt``, a template with no query through the same
middleware, the most the stack gives, measured before and after the endpoints (its row is the
mean; the two runs' difference says how noisy the machine was). Then the largest scale's p50
and req/s over the smallest's, issue 7's four targets as PASS or FAIL, and PostgreSQL's plans
(EXPLAIN ANALYZE, BUFFERS) for the search page's slowest queries at the largest scale; the same
goes to ``build/bench.json``.

Exit 0 when every measurement was made, also when a target fails (1 with ``--strict``); 2 when
something broke: an endpoint not answering 200, wrk seeing non-2xx/3xx answers or socket
errors, a failed command.

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
from statistics import fmean

# Siblings in scripts/, which is on sys.path as the script's own folder.
import bench_figures
import bench_stack as stack
from _serve import unwind_on_signals
from bench_figures import FRESH_PARAMETER, KINDS, WRK_FRESH_SCRIPT, WRK_SCRIPT, Broken

ROOT = Path(__file__).resolve().parent.parent
SLOW_SAMPLES = 3  # an address slower than --duration / 3 is measured for 3 answers' time...
SLOW_CAP = 30  # ...but at most this many seconds


def load_average() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def run_probe(env: dict[str, str], only: list[str] | None, explain_search: bool) -> dict:
    """Addresses, query counts and plans (bench_probe.probe()), from a process of its own."""
    command = [sys.executable, __file__, "--probe"]
    command += ["--only", ",".join(only)] if only else []
    command += ["--explain-search"] if explain_search else []
    env = {**env, "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"}
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
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
    base: str,
    paths: dict[str, str],
    server: subprocess.Popen,
    log: Path,
    args: argparse.Namespace,
    work: Path,
) -> tuple[dict[str, dict], list[dict], list[str]]:
    """wrk on every address of ``paths``, the floor before and after them: a row for each
    (the floor's the mean of its runs; ``broken``, why, for one that did not answer), the
    floor's two runs, and what else went wrong."""
    problems = []
    scripts = {"same": work / "report.lua", "fresh": work / "fresh.lua"}
    scripts["same"].write_text(WRK_SCRIPT)
    scripts["fresh"].write_text(WRK_FRESH_SCRIPT)

    def load(name: str) -> dict:
        url, uncached = base + paths[name], KINDS[name] == "uncached"
        script = scripts["fresh" if uncached else "same"]
        # One request per worker just before the load (a worker that gunicorn restarted has
        # lost what it cached), a second round if the site says it stored the answers
        # (X-Cache: miss, in a cache of each process's own, say); an uncached search at a
        # new address.
        checked = url + (f"&{FRESH_PARAMETER}=check-{secrets.token_hex(4)}" if uncached else "")
        logged = log.stat().st_size
        answers = stack.at_once(checked, stack.WORKERS)
        statuses = [answer.status for answer, _ in answers]
        stored = any(a.headers and a.headers.get("X-Cache") == "miss" for a, _ in answers)
        if stored and statuses == [200] * stack.WORKERS and not uncached:
            answers = stack.at_once(checked, stack.WORKERS)
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
            f"   {name:<24} {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']:7.1f} ms  "
            f"p99 {figures['p99_ms']:7.1f} ms  ({figures['requests']} in {seconds:g} s)"
        )
        return {**figures, "bytes": len(answers[0][0].body)}

    def measure_floor() -> dict:
        try:
            return load("floor")
        except Unanswered as error:
            raise Broken(f"the floor {paths['floor']}: {error}") from None

    rows, floors = dict.fromkeys(paths), [measure_floor()]
    for name in rows:
        if name != "floor":
            try:
                rows[name] = load(name)
            except Unanswered as error:
                rows[name] = {"broken": str(error)}
                print(f"   {name:<24} BROKEN: {error}")
    floors.append(measure_floor())
    # The floor's row: the mean of its runs before and after the endpoints.
    means = {key: fmean(floor[key] for floor in floors) for key in ("rps", "p50_ms", "p99_ms")}
    rows["floor"] = {**floors[1], **means, "requests": sum(f["requests"] for f in floors)}
    return rows, floors, problems


def bench_scale(scale: int, args: argparse.Namespace, work: Path, explain_search: bool) -> dict:
    """Build the database for ``scale``, serve it, measure every endpoint: that scale's JSON."""
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
            rows, floors, problems = measure(base, paths, server, log, args, work)
    except Broken as error:
        raise Broken(f"{error}\n-- the server's log:\n{stack.server_log(log)}") from None
    for name, row in rows.items():
        counted = {key: n for key, n in found["queries"][name].items() if key != "status"}
        row.update(path=paths[name], kind=KINDS[name], **counted)
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
    return {
        "database": stack.database_name(scale),
        "size": found["size"],
        "seconds": seconds,
        "floor_runs": [floor["rps"] for floor in floors],
        "endpoints": rows,
        "search_plans": found["search_plans"],
        "problems": [f"scale {scale} {problem}" for problem in problems],
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
    targets = bench_figures.check_targets(results)
    ratios = bench_figures.growth(results)
    print()
    print(bench_figures.format_table(results))
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
