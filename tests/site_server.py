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
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_connection(server: str):
    """An autocommit connection to the ``postgres`` database of PostgreSQL ``server`` (a URL
    without a database name), for making and dropping databases."""
    import psycopg

    return psycopg.connect(f"{server}/postgres", autocommit=True)


def drop_database(connection, name: str) -> None:
    """Drop database ``name`` if it exists, whoever is connected to it."""
    from psycopg import sql

    connection.execute(
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    )


def create_database(connection, name: str, template: str = "") -> None:
    """Create database ``name``, empty or as a copy of ``template`` (to which no one may be
    connected)."""
    from psycopg import sql

    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    connection.execute(create)


@contextlib.contextmanager
def dropped_after(server: str, name: str) -> Iterator[str]:
    """The URL of database ``name`` on PostgreSQL ``server``, dropped when the block ends."""
    try:
        yield f"{server}/{name}"
    finally:
        with server_connection(server) as connection:
            drop_database(connection, name)


@contextlib.contextmanager
def throwaway_database(work: Path) -> Iterator[str]:
    """A database of the same kind as DATABASE_URL's (SQLite when unset), new and empty (not
    migrated): an SQLite file in ``work``, or on PostgreSQL a new database on that server,
    dropped afterwards. Yields its URL. The site copies and the backup tests use it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{work / 'db.sqlite3'}"
        return
    server, _, _ = url.rpartition("/")
    name = f"kzpolitics_site_{secrets.token_hex(4)}"
    with server_connection(server) as connection:
        create_database(connection, name)
    with dropped_after(server, name) as url:
        yield url


# The tests' copies of the site all start from the same data: the migrations applied and the
# article loaded. tests/conftest.py names here, for the whole run (all its xdist workers), a
# database that is made so once, the first time a copy is asked for; each copy is then a copy
# of it (PostgreSQL's CREATE DATABASE ... TEMPLATE, or the SQLite file's pages), made in a
# second or two where migrating and loading the article again take a minute under load.
# Unset (the command below, scripts/faults.py), each copy is migrated and loaded itself.
ARTICLE_TEMPLATE = "KZPOLITICS_TEST_ARTICLE_TEMPLATE"


def postgres_server() -> str | None:
    """DATABASE_URL's server (the URL without the database's name), or None when it names no
    PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    return url.rpartition("/")[0]


def _sqlite_template(name: str) -> Path:
    return Path(tempfile.gettempdir()) / f"{name}.sqlite3"


@contextlib.contextmanager
def article_database(work: Path) -> Iterator[str]:
    """A new database as ``throwaway_database`` makes it, migrated and with the article's data
    loaded: a copy of the run's template when tests/conftest.py named one, else migrated and
    loaded by ``manage.py`` here. Yields its URL."""
    template = os.environ.get(ARTICLE_TEMPLATE)
    if not template:
        with throwaway_database(work) as database_url:
            load_the_article(site_environment(database_url), work)
            yield database_url
        return
    server = postgres_server()
    if server is None:
        with _locked(_sqlite_template(template).with_suffix(".lock")):
            source = _made_template(template, work)
            target = work / "db.sqlite3"
            with (
                closing(sqlite3.connect(source)) as original,
                closing(sqlite3.connect(target)) as copy,
            ):
                original.backup(copy)
        yield f"sqlite:///{target}"
        return
    name = f"kzpolitics_site_{secrets.token_hex(4)}"
    with server_connection(server) as connection:
        # One process at a time makes the template or copies it: PostgreSQL refuses to copy a
        # database another session is connected to.
        connection.execute("SELECT pg_advisory_lock(hashtext(%s))", (template,))
        try:
            _made_template(template, work)
            create_database(connection, name, template)
        finally:
            connection.execute("SELECT pg_advisory_unlock(hashtext(%s))", (template,))
    with dropped_after(server, name) as url:
        yield url


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    import fcntl

    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _made_template(template: str, work: Path) -> str:
    """The template, migrated and loaded by ``manage.py`` if this is the first copy of the run
    (the caller holds the lock). Returns the SQLite file's path or the PostgreSQL name."""
    server = postgres_server()
    if server is None:
        path = _sqlite_template(template)
        if not path.exists():
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            try:
                load_the_article(site_environment(f"sqlite:///{partial}"), work)
                os.replace(partial, path)
            finally:
                for left in (partial, partial.with_name(f"{partial.name}-journal")):
                    left.unlink(missing_ok=True)
        return str(path)
    from psycopg import sql

    with server_connection(server) as connection:
        if connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (template,)
        ).fetchone():
            return template
        partial = f"{template}_partial"
        drop_database(connection, partial)
        create_database(connection, partial)
        try:
            load_the_article(site_environment(f"{server}/{partial}"), work)
            connection.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(partial), sql.Identifier(template)
                )
            )
        except BaseException:
            drop_database(connection, partial)
            raise
    return template


def drop_article_template(template: str) -> None:
    """Remove the run's template (tests/conftest.py, when the run ends)."""
    server = postgres_server()
    if server is None:
        for path in (_sqlite_template(template), _sqlite_template(template).with_suffix(".lock")):
            path.unlink(missing_ok=True)
        return
    with server_connection(server) as connection:
        for name in (template, f"{template}_partial"):
            drop_database(connection, name)


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
    env: dict[str, str] = field(default_factory=dict)  # the server's and its commands'
    work: Path | None = None  # the copy's folder: its logs, an SQLite database
    accounts: set[str] = field(default_factory=set)  # the accounts made in it by name

    def errors(self, since: int = 0) -> str:
        """The server's 5xx answers and tracebacks, to show when a check fails; with ``since``
        (a size of the log, ``log_size()``), only those logged after it: a copy shared by
        several test modules has the others' requests in its log too."""
        with self.log.open("rb") as log:
            log.seek(since)
            lines = log.read().decode(errors="replace").splitlines()
        return "\n".join(
            line for line in lines if re.search(r'" 5\d\d |Traceback|Error|^\s+File "', line)
        )

    def log_size(self) -> int:
        return self.log.stat().st_size

    def add_account(self, name: str, password: str, reviewer: bool = False) -> None:
        """An editor's account in the copy (with ``reviewer``, a reviewer's), made once: the
        modules sharing a copy each ask for the accounts they sign in with."""
        if name not in self.accounts:
            create_account(self.env, self.work, name, password, reviewer)
            self.accounts.add(name)


@contextlib.contextmanager
def throwaway_site(
    timeout: float = 60,
    editor: tuple[str, str] | None = None,
    reviewers: tuple[tuple[str, str], ...] = (),
    extra_env: dict[str, str] | None = None,
) -> Iterator[Site]:
    """Serve a fresh copy with the article's data, for as long as the block runs; with
    ``editor`` (a user name and a password), an editor's account in it too, with
    ``reviewers`` the accounts of reviewers, and with ``extra_env`` more settings for the
    server and its commands (e.g. ``CACHE_PURGE_URLS``)."""
    with (
        tempfile.TemporaryDirectory(prefix="kzpolitics-site-") as tmp,
        article_database(Path(tmp)) as database_url,
    ):
        work = Path(tmp)
        env = {**site_environment(database_url), **(extra_env or {})}
        accounts = [(*editor, False)] if editor else []
        accounts += [(name, password, True) for name, password in reviewers]
        for name, password, reviewer in accounts:
            create_account(env, work, name, password, reviewer)
        with serve(env, work, timeout) as site:
            site.accounts.update(name for name, _, _ in accounts)
            yield site


def create_account(env: dict[str, str], work: Path, name: str, password: str, reviewer: bool):
    """An editor's or a reviewer's account, made by ``manage.py create_editor``."""
    _run(
        [sys.executable, "manage.py", "create_editor", name, *(["--reviewer"] * reviewer)],
        {**env, "EDITOR_PASSWORD": password},
        work / f"editor-{name}.log",
    )


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
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
               "--access-logfile", "-", "kzpolitics.site.wsgi"]  # fmt: skip
    with running(command, work / "server.log", f"{base}/", timeout, cwd=ROOT, env=env) as server:
        yield Site(base, work / "server.log", server, env, work)


@contextlib.contextmanager
def running(
    command: list[str], log_path: Path, answers_at: str, timeout: float, **popen
) -> Iterator[subprocess.Popen]:
    """A server started with ``command`` (its output in ``log_path``), once ``answers_at`` (a
    URL on 127.0.0.1, asked with no proxy) answers; stopped when the block ends."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with log_path.open("w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **popen)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    opener.open(answers_at, timeout=5).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            f"{command[0]} did not answer at {answers_at}:\n{log_path.read_text()}"
                        ) from None
                    time.sleep(0.3)
            yield server
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


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
