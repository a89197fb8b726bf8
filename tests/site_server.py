"""A throwaway copy of the site, served as in production, for checks that need a real server.

Schemathesis (``scripts/schemathesis.sh``) and the browser tests use it: a fresh database
(SQLite, or a new PostgreSQL database when ``DATABASE_URL`` names one) with the article's
data, served by gunicorn with whitenoise and ``DEBUG`` off on a free port of 127.0.0.1,
stopped and deleted afterwards.

As a command it serves the copy, runs the command after ``--`` with ``SITE_URL`` set, and
exits with that command's status::

    python -m tests.site_server -- schemathesis run '$SITE_URL/api/v1/schema/'
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def throwaway_database(work: Path) -> Iterator[str]:
    """A database of the same kind as DATABASE_URL's (SQLite when unset), new and empty (not
    migrated): an SQLite file in ``work``, or on PostgreSQL a new database on that server,
    dropped afterwards. Yields its URL. The site copies and the backup tests use it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{work / 'db.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    server, _, _ = url.rpartition("/")
    name = f"kzpolitics_site_{secrets.token_hex(4)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def site_environment(database_url: str) -> dict[str, str]:
    """The server's and its management commands' environment: production settings (DEBUG
    off, a random key) on ``database_url``."""
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        DATABASE_URL=database_url,
        # Checks make thousands of requests a minute; throttling has its own tests.
        API_ANON_RATE="1000000/minute",
        API_USER_RATE="1000000/minute",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the site's own settings, not the tests'
    return env


def _run(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("w") as out:
        done = subprocess.run(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{log.read_text()}")


@dataclass
class Site:
    url: str  # the base address, no trailing slash
    log: Path  # the server's log: its access log and any traceback
    process: subprocess.Popen | None = None  # gunicorn's master process

    def errors(self) -> str:
        """The server's 5xx answers and tracebacks, to show when a check fails."""
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(
            line for line in lines if re.search(r'" 5\d\d |Traceback|Error|^\s+File "', line)
        )


@contextlib.contextmanager
def throwaway_site(
    timeout: float = 60,
    editor: tuple[str, str] | None = None,
    reviewers: tuple[tuple[str, str], ...] = (),
) -> Iterator[Site]:
    """Serve a fresh copy with the article's data, for as long as the block runs; with
    ``editor`` (a user name and a password), an editor's account in it too, and with
    ``reviewers`` the accounts of reviewers."""
    with (
        tempfile.TemporaryDirectory(prefix="kzpolitics-site-") as tmp,
        throwaway_database(Path(tmp)) as database_url,
    ):
        work = Path(tmp)
        env = site_environment(database_url)
        load_the_article(env, work)
        accounts = [(*editor, [])] if editor else []
        accounts += [(name, password, ["--reviewer"]) for name, password in reviewers]
        for name, password, options in accounts:
            _run(
                [sys.executable, "manage.py", "create_editor", name, *options],
                {**env, "EDITOR_PASSWORD": password},
                work / f"editor-{name}.log",
            )
        with serve(env, work, timeout) as site:
            yield site


def load_the_article(env: dict[str, str], work: Path) -> None:
    """Migrate the (empty) database ``env`` names and load the article's data into it."""
    python = sys.executable
    _run([python, "manage.py", "migrate", "--noinput"], env, work / "migrate.log")
    _run([python, "manage.py", "load_article"], env, work / "load.log")


@contextlib.contextmanager
def serve(env: dict[str, str], work: Path, timeout: float = 60) -> Iterator[Site]:
    """gunicorn with two workers on a free port, logging to ``work/server.log``; stopped when
    the block ends."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (work / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--access-logfile", "-", "kzpolitics.site.wsgi"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_until_it_answers(base, server, timeout, work / "server.log")
        yield Site(base, work / "server.log", server)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_until_it_answers(base: str, server: subprocess.Popen, timeout: float, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            urllib.request.urlopen(f"{base}/", timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the site at {base} did not answer:\n{log.read_text()}")


def main(argv: list[str]) -> int:
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        print("usage: python -m tests.site_server -- COMMAND [ARG...]", file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1 :]
    with throwaway_site() as site:
        print(f"== a throwaway copy of the site at {site.url}", flush=True)
        env = {**os.environ, "SITE_URL": site.url}
        command = [part.replace("$SITE_URL", site.url) for part in command]
        status = subprocess.run(command, env=env).returncode
        if status and site.errors():
            print(f"== the server's errors:\n{site.errors()}", file=sys.stderr)
        return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
