"""Read replicas: public reads from PostgreSQL standbys, everything else on the primary.

``DATABASE_REPLICA_URLS`` (comma separated PostgreSQL URLs, read as ``DATABASE_URL`` is) adds
the databases ``replica1``, ``replica2``, ... (``replica_databases``, called by the settings).
With none, nothing here does anything: every query goes to ``default``, as before.

- What goes to a replica: the reads made while a public request is answered, the kind the
  response cache keeps (``caching.cacheable_request``: a GET or HEAD with no session and no
  ``Authorization``, outside the admin). ``ReplicaReadsMiddleware`` picks one replica per
  request, in turn, so that one page is read from one snapshot's worth of history, not from
  several standbys at different positions.
- What stays on the primary (``default``): every write, and every read of an editor's request,
  the admin, a POST, a management command, the test suite. Reads that lead to a write
  (``get_or_create``, ``select_for_update``) are writes to Django, so they stay too.
- A replica that does not answer is left out for ``REPLICA_RETRY_SECONDS``; its requests go
  to the primary meanwhile, so a standby's outage costs no public page.

A standby lags its primary. So that a purged page is never refilled from a replica that has
not yet replayed the change, a public save's purge first calls ``wait_for_replay()``: it waits
until every replica has replayed the primary's WAL up to the position after the save's commit,
bounded by ``REPLICA_WAIT_SECONDS``.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import threading
import time

import dj_database_url
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

log = logging.getLogger(__name__)

PREFIX = "replica"
POSTGRESQL = "django.db.backends.postgresql"
# How long a connection attempt to a replica may take (unless its URL sets connect_timeout):
# a standby that is away must cost a public request or a save's wait seconds, not minutes.
CONNECT_TIMEOUT = 3
# The waits between two polls of a replica's replay position: short at first (a standby on the
# same network replays a commit in a millisecond or two), then no busier than 20 a second.
POLL_SLEEPS = (0.002, 0.005, 0.01, 0.02, 0.05)

# The replica the current request's reads go to, or None (the primary). A context variable, so
# a thread (gunicorn's threads, the test client) sees only its own request's.
_reading_from: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "kzpolitics_replica", default=None
)
_turns = itertools.count()
# Replica alias -> time.monotonic() before which it is not tried again (it failed to answer).
_resting: dict[str, float] = {}
_resting_lock = threading.Lock()


def replica_databases(urls: list[str]) -> dict[str, dict]:
    """The ``DATABASES`` entries for the replicas' URLs: ``replica1``, ``replica2``, ... Each
    mirrors ``default`` under test, so the suite runs with replicas configured (and its
    router then keeps every read on ``default``: ``replica_aliases``)."""
    databases = {}
    for number, url in enumerate(urls, start=1):
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if config["ENGINE"] != POSTGRESQL:
            raise ImproperlyConfigured(
                f"DATABASE_REPLICA_URLS: {url.split('@')[-1]!r} is not a PostgreSQL URL; "
                "read replicas are PostgreSQL standbys (postgres://user@host:5432/name)."
            )
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", CONNECT_TIMEOUT)
        config["TEST"] = {"MIRROR": DEFAULT_DB_ALIAS}
        databases[f"{PREFIX}{number}"] = config
    return databases


# Every PostgreSQL connection (primary and replicas) answers a request's small queries on its
# own: a parallel plan's workers took longer to start than the query took to run (a page's
# evidence query, 10 ms alone, 20 ms in parallel at a hundred times the article's data), and
# JIT compiling costs more than the queries it would speed.
# And it plans for data read from memory, not from a spinning disk: random_page_cost 1.1 (the
# default, 4, prices a page read out of order four times one read in order), as PostgreSQL's
# documentation advises where the data fits in its cache, as the site's does. At the default it
# read all 10,100 organizations twice (hash joins) to name the ends of a hub's 318 relations
# (16 ms), where an index finds them (4 ms). Over the 551 queries of 60 pages and API answers at
# a hundred times the article's data, planning and running them took 253-263 ms instead of
# 301-340 ms, none of the pages more than 0.5 ms slower; at the article's size, the same.
SESSION_OPTIONS = "-c max_parallel_workers_per_gather=0 -c jit=off -c random_page_cost=1.1"


# A request's queries are the same few shapes over and over (a record page's dozen), and
# PostgreSQL spent longer planning them than running them: 3.4 ms against 0.5 ms for an
# organization's page at a hundred times the article's data. So parameters are sent apart
# from the SQL (psycopg's server-side binding), and a query a connection has run
# PREPARE_THRESHOLD times is prepared, its plan kept for the connection's life. Django leaves
# both off by default for the sake of transaction-pooling proxies (PgBouncer), which cannot
# keep a prepared statement across transactions: DATABASE_PREPARED_STATEMENTS=0 turns them off.
PREPARE_THRESHOLD = 5  # psycopg's own default


def with_session_options(databases: dict[str, dict], prepared: bool = True) -> None:
    """Give each PostgreSQL database of ``databases`` (``DATABASES``) ``SESSION_OPTIONS``,
    unless its URL set ``?options=`` of its own, and, with ``prepared``, server-side binding
    with prepared statements."""
    for config in databases.values():
        if config["ENGINE"] == POSTGRESQL:
            options = config.setdefault("OPTIONS", {})
            options.setdefault("options", SESSION_OPTIONS)
            if prepared:
                options.setdefault("server_side_binding", True)
                options.setdefault("prepare_threshold", PREPARE_THRESHOLD)


def replica_aliases() -> list[str]:
    """The configured replicas that are other databases than ``default``. Under test each
    mirrors ``default`` (its connection's settings name the test database): reading there
    gains nothing, and a test's transaction, open on ``default``'s connection, is not seen."""
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    same = ("HOST", "PORT", "NAME")
    aliases = []
    for alias in settings.DATABASES:
        if alias.startswith(PREFIX):
            config = connections[alias].settings_dict
            if any(config.get(key) != primary.get(key) for key in same):
                aliases.append(alias)
    return aliases


def reading_from() -> str | None:
    """The replica this thread's reads go to now, or None (the primary)."""
    return _reading_from.get()


def pick_replica() -> str | None:
    """The next replica in turn that is not resting after a failure and answers, or None."""
    aliases = replica_aliases()
    if not aliases:
        return None
    start = next(_turns)
    now = time.monotonic()
    for offset in range(len(aliases)):
        alias = aliases[(start + offset) % len(aliases)]
        if _resting.get(alias, 0) > now:
            continue
        connection = connections[alias]
        try:
            # The health check Django makes before a connection's first query of a request
            # (conn_health_checks), made now so that a lost replica is found before the view
            # runs; then a connection, a new one when there is none or it was lost.
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except DatabaseError as error:
            _rest(alias, error)
            continue
        return alias
    return None


def _rest(alias: str, error: Exception) -> None:
    seconds = getattr(settings, "REPLICA_RETRY_SECONDS", 10)
    with _resting_lock:
        _resting[alias] = time.monotonic() + seconds
    log.warning(
        "read replica %s did not answer (%s); on the primary for %ss", alias, error, seconds
    )
    # A broken connection's close may fail too; the next use opens a new one.
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


class ReplicaRouter:
    """Reads to the replica the request chose (``ReplicaReadsMiddleware``), all else to
    ``default``; migrations on ``default`` only (a standby is read-only: it gets its schema
    through the WAL)."""

    # None: Django's own choice, as with no router (the database a hinted instance came
    # from, else "default"), so that code naming a database (a backup's ``using``) keeps it.
    def db_for_read(self, model, **hints):
        return _reading_from.get()

    def db_for_write(self, model, **hints):
        instance = hints.get("instance")
        came_from = instance._state.db if instance is not None else None
        if came_from and came_from.startswith(PREFIX):
            return DEFAULT_DB_ALIAS  # read on a replica, written on the primary
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database's rows, wherever they were read from

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """While a public read is answered, its reads go to a replica (one per request)."""

    def __init__(self, get_response):
        # Here, not at the module's top: the settings import this module, and caching
        # imports the models.
        from kzpolitics.site.caching import cacheable_request

        self.cacheable_request = cacheable_request
        self.get_response = get_response

    def __call__(self, request):
        alias = pick_replica() if self.cacheable_request(request) else None
        if alias is None:
            return self.get_response(request)
        token = _reading_from.set(alias)
        try:
            # A TemplateResponse (a page, a DRF answer) is rendered inside this call, by
            # Django's handler after the view, so its template's queries go to the replica too.
            return self.get_response(request)
        finally:
            _reading_from.reset(token)


def wait_for_replay(timeout: float | None = None) -> bool:
    """Wait until every replica has replayed the primary's WAL up to its position now (call
    it after the change's commit). True when they all have (at once, with no query, when no
    replica is configured), False after ``timeout`` seconds (``REPLICA_WAIT_SECONDS``, 5 by
    default) with one still behind. A replica that cannot be reached is logged and left out:
    this never raises into the save that called it."""
    aliases = replica_aliases()
    if not aliases:
        return True
    if timeout is None:
        timeout = getattr(settings, "REPLICA_WAIT_SECONDS", 5)
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            (target,) = cursor.fetchone()
    except DatabaseError as error:
        log.warning("replicas: the primary's WAL position could not be read (%s)", error)
        return False
    deadline = time.monotonic() + timeout
    behind = list(aliases)
    sleeps = itertools.chain(POLL_SLEEPS, itertools.repeat(POLL_SLEEPS[-1]))
    while True:
        behind = [alias for alias in behind if not _replayed(alias, target)]
        if not behind:
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            log.warning(
                "replicas %s had not replayed the primary's WAL up to %s after %ss: a page "
                "purged now may be filled again from their older data",
                ", ".join(behind), target, timeout,
            )  # fmt: skip
            return False
        time.sleep(min(next(sleeps), left))


def _replayed(alias: str, target: str) -> bool:
    """Whether the replica has replayed the WAL up to ``target``; True (left out, logged) when
    it cannot be asked or is no standby (no replay position: it takes no WAL to wait for)."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT pg_last_wal_replay_lsn() IS NULL OR pg_last_wal_replay_lsn() >= %s::pg_lsn",
                [target],
            )
            (done,) = cursor.fetchone()
    except DatabaseError as error:
        _rest(alias, error)
        return True
    return bool(done)
