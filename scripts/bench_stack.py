"""What the benchmark (scripts/bench.py) drives: wrk, PostgreSQL's databases, Redis (the
response cache the server processes share), manage.py, gunicorn serving the site as ``make
serve`` does on 127.0.0.1, and a client asking for a list of addresses, each once."""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import math
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from _serve import Answer, fetch
from bench_figures import Broken, parse_wrk

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
# The response cache, shared by gunicorn's workers as in production: a database of Redis's own
# for the benchmark, the only one it flushes (FLUSHDB, before each scale's crawl).
REDIS = "redis://127.0.0.1:6379/12"
CLIENTS = 2  # the crawl's connections at once: one per worker, as wrk's
DATABASE_PREFIX = "kz_bench"
TEMPLATE = f"{DATABASE_PREFIX}_article"  # migrated, the article loaded: each scale's start
WRK_THREADS = 1
WORKERS = 2  # gunicorn's, as `make serve` runs it
GUNICORN_TIMEOUT = 30  # gunicorn's default --timeout, which `make serve` keeps: a longer
# request is ended, and answered 500 if the worker had not started its answer
WRK_CONNECTIONS = WORKERS  # one per worker: both busy, and no request queues behind another
WRK_TIMEOUT = "120s"  # some addresses take seconds at scale 100: slow, not a socket error

# The site's own settings, with the collected static files in the run's folder rather than the
# checkout's staticfiles/, which `make serve` (perhaps someone else's, at the same time) uses.
SETTINGS = """\
from kzpolitics.site.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
"""


def wrk(url: str, seconds: float, script: Path) -> dict:
    """wrk's figures for ``url`` over ``seconds`` (whole ones: wrk takes no fraction), under
    ``script`` (WRK_SCRIPT or WRK_FRESH_SCRIPT)."""
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{math.ceil(seconds)}s"]
    command += [f"--timeout={WRK_TIMEOUT}", "--latency", "-s", str(script), url]
    command += ["--", secrets.token_hex(4)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 180)
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


def redis_client(url: str):
    """A client of the benchmark's Redis database; stop, saying why, if it does not answer."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        sys.exit(f"bench: Redis does not answer at {url}: start it, or pass --redis ({error})")
    return client


def flush_cache(url: str) -> None:
    """Empty the response cache: that one Redis database, no other."""
    redis_client(url).flushdb()


def ask_each(
    base: str, entries: list[tuple[str, str]], seconds: float | None = None, keep=None
) -> tuple[list[dict], float]:
    """GET each (path, group) of ``entries`` once, in order, over CLIENTS connections at once,
    until they are all asked or ``seconds`` have passed (a request under way then finishes).
    Each answer: path, group, ms, status, cache (``X-Cache``), keys (``Surrogate-Key``) and
    whatever ``keep(path, body)`` returns, as ``kept``. With the seconds they took."""
    lock = threading.Lock()
    queue = iter(entries)
    answers: list[dict] = []
    started = time.monotonic()
    deadline = started + seconds if seconds else math.inf

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                entry = next(queue, None)
            if entry is None:
                return
            path, group = entry
            asked = time.perf_counter()
            answer = fetch(base + path, timeout=120)
            ms = (time.perf_counter() - asked) * 1000
            headers = answer.headers
            found = {
                "path": path,
                "group": group,
                "ms": ms,
                "status": answer.status,
                "cache": headers.get("X-Cache", "") if headers else "",
                "keys": headers.get("Surrogate-Key", "") if headers else "",
            }
            if keep:
                found["kept"] = keep(path, answer.body)
            with lock:
                answers.append(found)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, time.monotonic() - started


# One reviewer's edit of an organization's summary, through the site's code (its signals and
# purges) in a process of the server's environment: the marker put before the summary.
EDIT = """import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from kzpolitics.core.dependencies import public_change
from parties.models import Organization
announced = set()
public_change.connect(lambda sender, keys, **kwargs: announced.update(keys), weak=False)
reviewer, _ = get_user_model().objects.get_or_create(
    username="bench-reviewer", defaults={{"is_staff": True}}
)
reviewer.groups.add(Group.objects.get(name="Reviewers"))
record = Organization.objects.published().get(slug={slug!r})
old = record.summary
record.summary = {marker!r} + " " + old
record._history_user = reviewer
record._change_reason = "The benchmark's one edit"
record.full_clean()
record.save()
print("BENCH-EDIT " + json.dumps({{"pk": record.pk, "old": old, "keys": sorted(announced)}}))
"""


def edit_summary(env: dict[str, str], log: Path, slug: str, marker: str) -> dict:
    """Put ``marker`` before the summary of organization ``slug`` as a reviewer would: its pk,
    old summary and the keys the change purged (``keys``), and the seconds the command took
    (Python's start included)."""
    seconds = manage(env, log, "shell", "-c", EDIT.format(slug=slug, marker=marker))
    lines = [line for line in log.read_text().splitlines() if line.startswith("BENCH-EDIT ")]
    if not lines:
        raise Broken(f"the edit printed nothing:\n{log.read_text()[-2000:]}")
    return {**json.loads(lines[-1][len("BENCH-EDIT ") :]), "seconds": seconds}


def database_exists(server: str, name: str) -> bool:
    with postgres_connection(server) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


def postgres_connection(server: str):
    import psycopg

    try:
        return psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        sys.exit(f"bench: PostgreSQL does not answer at {server}: start it ({error})")


def drop_database(
    server: str, name: str, *, create_again: bool = False, template: str = ""
) -> None:
    """Drop database ``name`` if it exists; with ``create_again``, create it anew, empty or
    as a copy of ``template``."""
    from tests import site_server

    with postgres_connection(server) as connection:
        site_server.drop_database(connection, name)
        if create_again:
            site_server.create_database(connection, name, template)


def analyze(server: str, name: str) -> None:
    """VACUUM (ANALYZE) database ``name``, as autovacuum would soon after a bulk load (this
    machine's server runs with it off). Without the statistics the planner plans for the nearly
    empty tables it last saw; until VACUUM moves the rows in the trigram search's GIN pending
    list into the index proper, it prices the index as that slow list and reads the table."""
    import psycopg

    with psycopg.connect(f"{server}/{name}", autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def logged_to(out, env: dict[str, str]) -> dict:
    """subprocess's arguments for a command in the checkout on ``env``, its output in ``out``."""
    streams = {"stdout": out, "stderr": subprocess.STDOUT, "stdin": subprocess.DEVNULL}
    return {"cwd": ROOT, "env": env, **streams}


def manage(env: dict[str, str], log: Path, *args: str) -> float:
    """Run a management command, its output in ``log``; the seconds it took."""
    started = time.monotonic()
    with log.open("w") as out:
        done = subprocess.run([sys.executable, "manage.py", *args], **logged_to(out, env))
    if done.returncode:
        raise Broken(f"manage.py {' '.join(args)} failed:\n{log.read_text()[-3000:]}")
    return time.monotonic() - started


def at_once(
    url: str, count: int, headers: dict[str, str] | None = None
) -> list[tuple[Answer, float]]:
    """``count`` GETs of ``url`` sent together: each one's answer and seconds. A sync worker
    busy with one request accepts no other, so each worker answers one."""

    def timed(_) -> tuple[Answer, float]:
        started = time.monotonic()
        answer = fetch(url, timeout=600, headers=headers)
        return answer, time.monotonic() - started

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(timed, range(count)))


@contextlib.contextmanager
def production_server(env: dict[str, str], log: Path, timeout: float = 60, port: int = 0):
    """gunicorn as ``make serve`` runs it (two workers, no access log) on ``port`` of
    127.0.0.1 (a free one if 0); yields its address once /healthz answers 200, stops it
    after."""
    from tests.site_server import free_port, running

    base = f"http://127.0.0.1:{port or free_port()}"
    command = ["-m", "gunicorn", "--workers", str(WORKERS), "--bind", base[7:]]
    with contextlib.ExitStack() as stack:
        try:
            process = stack.enter_context(
                running(
                    [sys.executable, *command, "kzpolitics.site.wsgi"],
                    log,
                    f"{base}/healthz",
                    timeout,
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                )
            )
        except RuntimeError as error:
            raise Broken(f"gunicorn did not answer /healthz: {error}") from None
        yield base, process


def timed_out(log: Path, since: int) -> str:
    """A note if gunicorn's log says, after byte ``since``, that it ended a request that ran
    longer than its worker timeout."""
    with log.open(errors="replace") as text:
        text.seek(since)
        if "WORKER TIMEOUT" in text.read():
            return f" (gunicorn's worker timeout, {GUNICORN_TIMEOUT} s, ended requests)"
    return ""


def server_log(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(none)"


def database_name(scale: int) -> str:
    return f"{DATABASE_PREFIX}_{scale}"


def print_steps(seconds: dict[str, float]) -> None:
    print("   " + ", ".join(f"{step} {s:.0f} s" for step, s in seconds.items()))


def has_seed_synthetic() -> bool:
    return (ROOT / "kzpolitics/management/commands/seed_synthetic.py").exists()


def environment(args: argparse.Namespace, work: Path, database: str) -> dict[str, str]:
    """The server's and its commands' environment on ``database``: production settings
    (tests/site_server.py's: DEBUG off, a random key, throttling raised), the response cache
    in the benchmark's Redis database, hashed static files collected into ``work``."""
    from tests.site_server import site_environment

    settings = work / "kz_bench_settings.py"
    if not settings.exists():
        settings.write_text(SETTINGS.format(static_root=str(work / "static")))
    env = site_environment(f"{args.postgres}/{database}")
    env.update(
        REDIS_URL=args.redis,
        STATIC_HASHED="1",
        DJANGO_SETTINGS_MODULE="kz_bench_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(work), str(ROOT), env.get("PYTHONPATH")])),
    )
    return env


def load_the_article(args: argparse.Namespace, work: Path) -> dict[str, float]:
    """``kz_bench_article``, migrated with the article's data, which each scale's database
    starts as a copy of (a minute sooner than migrating and loading each); the static files
    collected. The seconds each step took."""
    env = environment(args, work, TEMPLATE)
    print(f"== the article's data, in {TEMPLATE}")
    drop_database(args.postgres, TEMPLATE, create_again=True)
    static = ["collectstatic", "--noinput", "--verbosity", "0"]
    seconds = {
        "migrate": manage(env, work / "migrate.log", "migrate", "--noinput"),
        "load_article": manage(env, work / "load.log", "load_article"),
        "collectstatic": manage(env, work / "collectstatic.log", *static),
    }
    print_steps(seconds)
    return seconds


def collect_static(args: argparse.Namespace, work: Path) -> dict[str, float]:
    """Only the static files collected, for databases kept from an earlier run (--reuse)."""
    env = environment(args, work, TEMPLATE)
    static = ["collectstatic", "--noinput", "--verbosity", "0"]
    seconds = {"collectstatic": manage(env, work / "collectstatic.log", *static)}
    print_steps(seconds)
    return seconds


def build_database(scale: int, args: argparse.Namespace, work: Path) -> tuple[dict, dict]:
    """``kz_bench_<scale>``: a fresh copy of the article's data, ``scale`` times more added by
    seed_synthetic when ``scale`` > 1. Its environment, and the seconds each step took."""
    database = database_name(scale)
    env = environment(args, work, database)
    print(f"== scale {scale}: database {database}")
    if getattr(args, "reuse", False) and database_exists(args.postgres, database):
        print("   kept from an earlier run (--reuse): not built again")
        return env, {}
    started = time.monotonic()
    drop_database(args.postgres, database, create_again=True, template=TEMPLATE)
    seconds = {"copy": time.monotonic() - started}
    if scale > 1:
        seed = ["seed_synthetic", "--scale", str(scale)]
        seconds["seed_synthetic"] = manage(env, work / f"seed-{scale}.log", *seed)
    started = time.monotonic()
    analyze(args.postgres, database)
    seconds["analyze"] = time.monotonic() - started
    print_steps(seconds)
    return env, seconds
