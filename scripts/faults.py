"""A fault test: PostgreSQL stops for a few seconds while the site is under load.

The site promises (kzpolitics/health.py) that while its database does not answer, visitors get
a 503 they may retry, never a 500, and that it serves again as soon as the database is back,
without a restart. This checks that promise as production would meet it:

1. a throwaway PostgreSQL cluster of its own (initdb in a temporary folder, a free port of
   127.0.0.1; the machine's own server is not touched), with the article's data;
2. gunicorn with two workers on it, DEBUG off (tests/site_server.py);
3. a bounded load from a second process (this script with ``--load``): a few threads asking
   for a mix of pages and API endpoints for a fixed time, printing its counts as JSON;
4. meanwhile PostgreSQL is stopped for a few seconds and started again.

It prints the requests sent and how they were answered, then checks that the site answers
normally again within a bounded time with the same gunicorn, and that a full dump of the
content tables is the same after as before. It exits non-zero on any 5xx other than 503, on
no recovery, or on changed data. Everything it started is stopped and its folder deleted, also
on failure or Ctrl-C.

    .venv/bin/python scripts/faults.py                  # make faults
    .venv/bin/python scripts/faults.py --down 8 --stop-mode immediate
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import glob
import hashlib
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from _serve import fetch, unwind_on_signals  # scripts/_serve.py

ROOT = Path(__file__).resolve().parent.parent

# What a visitor and a researcher ask for: pages that query the database in different ways
# (lists, details, search, the timeline), the API, and the health check itself.
PATHS = (
    "/",
    "/organizations/",
    "/organizations/otan/",
    "/timeline/",
    "/search/?q=Nazarbayev",
    "/api/v1/organizations/",
    "/api/v1/organizations/otan/",
    "/healthz",
)
CONTENT_APPS = ("kzpolitics", "parties", "elections", "legislation")
RECOVERY_SECONDS = 15  # the most the site may take to serve again once the database is back

# The site's own settings, plus a log of django.request's errors on the server's stderr: with
# DEBUG off Django writes the traceback of a 5xx nowhere (no ADMINS to mail), and this test
# must say which code raised what when a 500 slips through.
SETTINGS_WITH_A_LOG = """\
from kzpolitics.site.settings import *  # noqa: F403

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s pid=%(process)d %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
    },
}
"""


# --- The load: a second process, so the server's and the client's work do not share a GIL.


def load(url: str, seconds: float, concurrency: int, timeout: float) -> dict:
    """Ask for PATHS in turn from ``concurrency`` threads until ``seconds`` have passed, one
    request at a time per thread, a new connection each (gunicorn's sync workers close it)."""
    address = urlsplit(url)
    counts = Counter()
    statuses = Counter()
    errors = Counter()
    others = []  # the first few answers that were neither 2xx nor 503
    when_503 = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def ask(path: str) -> tuple[int | None, str]:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            return response.status, ""
        except (OSError, http.client.HTTPException) as error:
            return None, type(error).__name__
        finally:
            connection.close()

    def worker(offset: int) -> None:
        turn = offset
        while time.monotonic() < deadline:
            path = PATHS[turn % len(PATHS)]
            turn += 1
            status, error = ask(path)
            with lock:
                counts["sent"] += 1
                if status is None:
                    counts["connection errors"] += 1
                    errors[error] += 1
                    continue
                statuses[str(status)] += 1
                if 200 <= status < 300:
                    counts["2xx"] += 1
                elif status == 503:
                    counts["503"] += 1
                    when_503.append(time.time())
                else:
                    counts["other"] += 1
                    if len(others) < 20:
                        others.append({"path": path, "status": status, "at": time.time()})
            if status is None:
                time.sleep(0.05)  # the server refused: do not spin

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "sent": counts["sent"],
        "2xx": counts["2xx"],
        "503": counts["503"],
        "other": counts["other"],
        "connection_errors": counts["connection errors"],
        "statuses": dict(statuses),
        "errors": dict(errors),
        "others": others,
        "first_503": min(when_503, default=None),
        "last_503": max(when_503, default=None),
    }


# --- A PostgreSQL cluster of our own.


def _postgres_bin() -> Path:
    """PG_BIN, or the folder initdb on PATH links to, or Debian's newest
    /usr/lib/postgresql/N/bin (Debian puts only its wrappers on PATH)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    if shutil.which("initdb"):
        return Path(shutil.which("initdb")).resolve().parent
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(re.search(r"/(\d+)/bin/", path).group(1)),
    )
    if not found:
        sys.exit("faults: no PostgreSQL server binaries (initdb); set PG_BIN")
    return Path(found[-1]).parent


class Cluster:
    """A PostgreSQL cluster in ``folder``, listening on 127.0.0.1:``port`` only, its socket in
    ``folder``. PostgreSQL refuses to run as root, so under root it runs as ``postgres``."""

    def __init__(self, folder: Path, port: int):
        self.folder = folder
        self.data = folder / "pgdata"
        self.port = port
        self.bin = _postgres_bin()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.url = f"postgres://postgres@127.0.0.1:{port}/kzpolitics"

    def _run(self, *args: str, log: str) -> None:
        with (self.folder / log).open("a") as out:
            done = subprocess.run(
                [*self.as_owner, str(self.bin / args[0]), *args[1:]],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        if done.returncode:
            text = (self.folder / log).read_text(errors="replace")
            raise RuntimeError(f"{' '.join(args)} failed:\n{text[-3000:]}")

    def create(self) -> None:
        if self.as_owner:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        # --no-sync: a cluster thrown away after a minute needs no fsync of its template files.
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--no-locale", "--no-sync", log="initdb.log",
        )  # fmt: skip
        self.start()
        self._run(
            "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "kzpolitics",
            log="initdb.log",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}"
        self._run(
            "pg_ctl", "start", "-D", str(self.data), "-l", str(self.folder / "postgres.log"),
            "-o", options, "-w", "-t", "30", log="pg_ctl.log",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", log="pg_ctl.log")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


# --- The test.


def dump(env: dict[str, str], out: Path) -> bytes:
    """Every row of the content tables (history included), in primary-key order, as JSON."""
    done = subprocess.run(
        [sys.executable, "manage.py", "dumpdata", *CONTENT_APPS, "--all", "--indent", "1",
         "--output", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"dumpdata failed:\n{done.stderr}")
    return out.read_bytes()


def describe(data: bytes) -> str:
    records = len(json.loads(data))
    return f"{records} records, sha256 {hashlib.sha256(data).hexdigest()[:16]}"


def first_differences(before: bytes, after: bytes, lines: int = 40) -> str:
    diff = difflib.unified_diff(
        before.decode().splitlines(), after.decode().splitlines(), "before", "after", lineterm=""
    )
    return "\n".join(line for _, line in zip(range(lines), diff, strict=False))


def get(url: str, timeout: float = 5) -> int | None:
    return fetch(url, timeout).status


def wait_for_recovery(base: str, seconds: float) -> tuple[float | None, Counter]:
    """Seconds until /healthz and a page both answer 200 (None if not within ``seconds``),
    and every status seen on the way."""
    started = time.monotonic()
    seen = Counter()
    while time.monotonic() - started < seconds:
        health, page = get(f"{base}/healthz"), get(f"{base}/organizations/")
        seen.update(str(status) for status in (health, page))
        if health == page == 200:
            return time.monotonic() - started, seen
        time.sleep(0.2)
    return None, seen


def request_errors(log: Path) -> list[list[str]]:
    """The errors in the server's log, each as its lines: django.request's "Service
    Unavailable: /path" (the outage's 503s) or "Internal Server Error: /path" (a bug), or
    gunicorn's "Error handling request /path" (an exception Django let through), then the
    traceback."""
    records, current = [], None
    for line in log.read_text(errors="replace").splitlines():
        gunicorn = re.match(r"\[\d{4}-.*?\] \[\d+\] \[ERROR\] (Error handling request .*)", line)
        if line.startswith("ERROR django.request ") or gunicorn:
            current = [gunicorn.group(1) if gunicorn else line.split(" ", 3)[3]]
            records.append(current)
        elif current is not None and not re.match(r"\[\d{4}-|127\.0\.0\.1 - ", line):
            current.append(line)
        else:
            current = None  # gunicorn's other lines: its error log and access log
    return records


def raised(record: list[str]) -> str:
    """The exception a record ends with (its last "module.Class: message" line), without the
    server's address; empty for a 503 a view answered itself (/healthz)."""
    for line in reversed(record[1:]):
        if re.match(r"(\w+\.)+\w+(: |$)|\w*(Error|Exception)(: |$)", line):
            return re.sub(r'connection to server at "[^"]*", port \d+ failed: ', "", line)[:140]
    return ""


def run(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    from tests.site_server import free_port, load_the_article, serve, site_environment

    problems = []
    work = Path(tempfile.mkdtemp(prefix="kzpolitics-faults-"))
    cluster = load_process = None
    try:
        cluster = Cluster(work, free_port())
        print(f"== a throwaway PostgreSQL on 127.0.0.1:{cluster.port} ({cluster.bin})")
        cluster.create()
        (work / "kzpolitics_faults_settings.py").write_text(SETTINGS_WITH_A_LOG)
        env = site_environment(cluster.url)
        env["DJANGO_SETTINGS_MODULE"] = "kzpolitics_faults_settings"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(work), env.get("PYTHONPATH")]))
        print("== migrate, load_article")
        load_the_article(env, work)
        before = dump(env, work / "before.json")
        print(f"== content tables before ({', '.join(CONTENT_APPS)}): {describe(before)}")

        with serve(env, work) as site:
            pid = site.process.pid
            print(f"== gunicorn --workers 2 at {site.url} (pid {pid})")
            load_process = subprocess.Popen(
                [sys.executable, __file__, "--load", site.url, "--seconds", str(args.seconds),
                 "--concurrency", str(args.concurrency)],
                stdout=subprocess.PIPE, text=True, start_new_session=True,
            )  # fmt: skip
            started = time.time()
            print(
                f"== load: {args.concurrency} threads for {args.seconds:g} s; PostgreSQL "
                f"stops ({args.stop_mode}) at +{args.stop_at:g} s for {args.down:g} s"
            )
            time.sleep(args.stop_at)
            stopped = time.time()
            cluster.stop(args.stop_mode)
            time.sleep(args.down)
            cluster.start()
            back = time.time()
            print(
                f"   PostgreSQL stopped at +{stopped - started:.1f} s, "
                f"answering again at +{back - started:.1f} s"
            )
            recovered, seen = wait_for_recovery(site.url, RECOVERY_SECONDS)
            output, _ = load_process.communicate(timeout=args.seconds + 60)
            if load_process.returncode:
                raise RuntimeError(f"the load process failed ({load_process.returncode})")
            figures = json.loads(output)

            # After the load: the same gunicorn still serves pages, the API and /healthz.
            after_load = {path: get(site.url + path) for path in ("/healthz", "/", PATHS[5])}
            alive = site.process.poll() is None
            boots = site.log.read_text(errors="replace").count("Booting worker")

            print(f"requests sent:       {figures['sent']}")
            print(f"answered 2xx:        {figures['2xx']}")
            print(f"answered 503:        {figures['503']}")
            print(
                f"answered otherwise:  {figures['other']}"
                + (f"  {figures['others'][:5]}" if figures["others"] else "")
            )
            print(
                f"connection errors:   {figures['connection_errors']}"
                + (f"  {figures['errors']}" if figures["errors"] else "")
            )
            print(f"statuses:            {figures['statuses']}")
            if figures["first_503"]:
                print(
                    f"503s from +{figures['first_503'] - started:.1f} s "
                    f"to +{figures['last_503'] - started:.1f} s"
                )
            if recovered is None:
                problems.append(f"the site did not serve again within {RECOVERY_SECONDS} s")
                print(f"== recovery: none within {RECOVERY_SECONDS} s; saw {dict(seen)}")
            else:
                print(
                    f"== recovery: /healthz and /organizations/ 200 {recovered:.1f} s after "
                    f"PostgreSQL was back; then {after_load}"
                )
            if any(status != 200 for status in after_load.values()):
                problems.append(f"after the load the site answered {after_load}")
            print(
                f"== gunicorn: master pid {pid} {'still running' if alive else 'GONE'}, "
                f"{boots} worker boots (2 at start)"
            )
            if not alive:
                problems.append("gunicorn's master process died")

            bad = {
                status: n
                for status, n in (figures["statuses"] | dict(seen)).items()
                if status.startswith("5") and status != "503"
            }
            if bad:
                problems.append(f"answers 5xx other than 503: {bad}")
            records = request_errors(site.log)
            if records:
                print("== what the server logged (count, answer, exception raised):")
                causes = Counter(
                    (re.sub(r":? /\S*$", "", record[0]), raised(record) or "none: a view's answer")
                    for record in records
                )
                for (answer, exception), n in causes.most_common():
                    print(f"   {n:5d}  {answer}  {exception}")
            if bad:
                print("== the first tracebacks of answers other than 503:")
                failures = [r for r in records if not r[0].startswith("Service Unavailable")]
                print("\n\n".join("\n".join(record) for record in failures[:3]))

        after = dump(env, work / "after.json")
        if after == before:
            print(f"== content tables after: {describe(after)}: identical")
        else:
            problems.append("the content tables changed")
            print(f"== content tables after: {describe(after)}: CHANGED")
            print(first_differences(before, after))
    finally:
        # A second Ctrl-C must not leave a cluster running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if load_process and load_process.poll() is None:
            load_process.kill()
            load_process.wait()
        if cluster and cluster.running():
            with contextlib.suppress(Exception):
                cluster.stop("immediate")
        if args.keep:
            print(f"== kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    if problems:
        print("== faults: FAILED\n" + "\n".join(f"- {problem}" for problem in problems))
        return 1
    print("== faults: OK (503s only during the outage, recovered, no data changed)")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--load", metavar="URL", help="only generate load against URL")
    parser.add_argument("--seconds", type=float, default=16, help="how long the load lasts")
    parser.add_argument("--concurrency", type=int, default=4, help="threads of the load")
    parser.add_argument("--timeout", type=float, default=10, help="per request, in seconds")
    parser.add_argument("--stop-at", type=float, default=4, help="seconds into the load")
    parser.add_argument("--down", type=float, default=4, help="seconds PostgreSQL stays down")
    parser.add_argument(
        "--stop-mode",
        choices=("fast", "immediate"),
        default="fast",
        help="pg_ctl's: fast ends sessions cleanly, immediate is as a crash",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens, also under make
    if args.load:
        print(json.dumps(load(args.load, args.seconds, args.concurrency, args.timeout)))
        return 0
    unwind_on_signals()
    try:
        return run(args)
    except KeyboardInterrupt:
        print("== faults: interrupted (everything it started is stopped and deleted)")
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
