"""Read replicas against a real streaming standby (kzpolitics.site.replicas).

A small PostgreSQL primary of the test's own (initdb in a temporary folder, a free port of
127.0.0.1) and a hot standby made from it with ``pg_basebackup -R``, streaming from it; the site
migrated and loaded on the primary and served by gunicorn with ``DATABASE_URL`` naming the
primary and ``DATABASE_REPLICA_URLS`` the standby. The standby's replay is paused
(``pg_wal_replay_pause()``) to make it lag at will: what a request then shows says which
database it read.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .site_server import ROOT, free_port, load_the_article, serve, site_environment

pytestmark = pytest.mark.slow  # two PostgreSQL clusters, gunicorn and manage.py in subprocesses

PUBLISHED = "otan"  # a published party of the article's data
PAGE = f"/organizations/{PUBLISHED}/"
API = f"/api/v1/organizations/{PUBLISHED}/"
# The Redis database the server and the management commands share their response cache in
# (the purge of a save made in one process must reach the server's cache).
REDIS_DB = 13


def postgres_bin() -> Path | None:
    """Debian's newest /usr/lib/postgresql/N/bin (its wrappers on PATH do not run initdb as
    asked), or PG_BIN."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(re.search(r"/(\d+)/bin/", path).group(1)),
    )
    return Path(found[-1]).parent if found else None


def why_not() -> str:
    """Why the clusters cannot be made here, or ""."""
    if postgres_bin() is None:
        return "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb; or set PG_BIN)"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root and no runuser to run PostgreSQL as the postgres user"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and no postgres user to run PostgreSQL as"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    return ""


@dataclass
class Cluster:
    """One PostgreSQL cluster in ``folder``, on 127.0.0.1:``port`` (its socket in ``folder``).
    PostgreSQL refuses to run as root, so under root it runs as ``postgres``."""

    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/kzpolitics"

    def run(self, *args: str) -> None:
        as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(
            [*as_owner, str(postgres_bin() / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def start(self) -> None:
        # fsync off: a cluster that lives a minute needs no durability, and saves are faster.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c wal_level=replica -c max_wal_senders=4 -c hot_standby=on -c fsync=off"
        )
        self.run(
            "pg_ctl", "start", "-D", str(self.data), "-l", str(self.folder / "postgres.log"),
            "-o", options, "-w", "-t", "60",
        )  # fmt: skip

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")

    def sql(self, statement: str, params=()):
        """Run one statement, autocommit; its first row."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as connection:
            cursor = connection.execute(statement, params)
            return cursor.fetchone() if cursor.description else None


@dataclass
class Pair:
    primary: Cluster
    replica: Cluster
    work: Path

    def env(self, **extra: str) -> dict[str, str]:
        """The site's environment: the primary as ``default``, the standby as its replica, a
        shared response cache in Redis."""
        env = site_environment(self.primary.url)
        env.update(
            DATABASE_REPLICA_URLS=self.replica.url,
            REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
            ALLOWED_HOSTS="127.0.0.1,testserver",
        )
        return {**env, **extra}

    def caught_up(self, seconds: float = 30) -> None:
        """Wait until the standby has replayed all the primary has written."""
        (target,) = self.primary.sql("SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            (done,) = self.replica.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if done:
                return
            time.sleep(0.05)
        raise AssertionError(f"the standby did not replay up to {target} in {seconds} s")

    @contextlib.contextmanager
    def replay_paused(self) -> Iterator[None]:
        self.replica.sql("SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            self.replica.sql("SELECT pg_wal_replay_resume()")

    def shell(self, code: str, env: dict[str, str] | None = None, timeout: float = 120):
        """``manage.py shell -c code`` in the site's environment; its last line of output, read
        as JSON."""
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", textwrap.dedent(code)],
            cwd=ROOT,
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    """A primary with the site migrated and the article loaded, and a hot standby streaming
    from it, caught up; both stopped and removed afterwards."""
    if why := why_not():
        pytest.skip(why)
    import redis

    try:
        redis.Redis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}").ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis on 127.0.0.1:6379 for the shared response cache ({error})")
    work = Path(tempfile.mkdtemp(prefix="kzpolitics-replicas-"))
    primary = Cluster(work / "primary", free_port())
    replica = Cluster(work / "replica", free_port())
    for folder in (work, primary.folder, replica.folder):
        folder.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(folder, owner.pw_uid, owner.pw_gid)
    try:
        # initdb's default pg_hba.conf with --auth=trust trusts 127.0.0.1, replication included.
        primary.run(
            "initdb", "-D", str(primary.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--no-locale", "--no-sync",
        )  # fmt: skip
        primary.start()
        primary.run("createdb", "-h", "127.0.0.1", "-p", str(primary.port), "kzpolitics",
                    "-U", "postgres")  # fmt: skip
        # -R: standby.signal and primary_conninfo, so it starts as a standby streaming from it.
        replica.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast", "--no-sync",
        )  # fmt: skip
        replica.start()
        pair = Pair(primary, replica, work)
        load_the_article(pair.env(), work)
        pair.caught_up()
        yield pair
    finally:
        for cluster in (replica, primary):
            with contextlib.suppress(Exception):
                cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def site(pair):
    """gunicorn (two workers) on the pair, public reads on the standby; a save's purge may
    wait up to 30 s for the standby."""
    with serve(pair.env(REPLICA_WAIT_SECONDS="30"), pair.work) as site:
        yield site


def get(url: str, headers: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode(), dict(response.headers)


def fresh(path: str) -> str:
    """The address with a query string no request asked before: the response cache misses."""
    return f"{path}?replica-check={secrets.token_hex(4)}"


def rename_behind_the_site(pair: Pair, name: str) -> None:
    """Rename the published party on the primary with SQL: no signal, no purge, no wait."""
    pair.primary.sql("UPDATE parties_organization SET name = %s WHERE slug = %s", [name, PUBLISHED])


def test_a_public_read_is_answered_from_the_replica_an_editors_from_the_primary(pair, site):
    (old,) = pair.primary.sql("SELECT name FROM parties_organization WHERE slug = %s", [PUBLISHED])
    token = pair.shell(
        """
        import json
        from django.contrib.auth.models import Group, User
        from knox.models import AuthToken
        user = User.objects.create_user("replica-editor", password="x" * 20, is_staff=True)
        user.groups.add(Group.objects.get(name="Editors"))
        print(json.dumps(AuthToken.objects.create(user)[1]))
        """
    )
    pair.caught_up()
    new = f"Renamed {secrets.token_hex(4)}"
    with pair.replay_paused():
        rename_behind_the_site(pair, new)

        page, headers = get(site.url + fresh(PAGE))
        assert headers.get("X-Cache") != "hit"
        assert old in page and new not in page  # read on the standby, which has not replayed
        # (The API refuses a query string it does not know; this server never cached it.)
        answer = json.loads(get(site.url + API)[0])
        assert answer["name"] == old

        # An editor's request (a token, as a script sends it) reads on the primary.
        signed = json.loads(get(site.url + API, {"Authorization": f"Token {token}"})[0])
        assert signed["name"] == new
        # So does any request with a session cookie: it may be an editor's.
        page = get(site.url + fresh(PAGE), {"Cookie": "sessionid=not-a-session"})[0]
        assert new in page

    pair.caught_up()
    assert new in get(site.url + fresh(PAGE))[0]  # replayed: the standby has it now
    rename_behind_the_site(pair, old)
    pair.caught_up()


def test_each_query_goes_where_the_router_says(pair):
    """Counted per connection in one process: a public GET's reads on the replica, a write
    and a signed-in request's reads on the primary; migrations on the primary only."""
    code = """
        import json, os
        from django.contrib.auth.models import User
        from django.db import connections, router
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from parties.models import Organization

        def queries(action):
            with CaptureQueriesContext(connections["default"]) as primary, \\
                    CaptureQueriesContext(connections["replica1"]) as replica:
                action()
            return {"default": len(primary), "replica1": len(replica)}

        def write():
            record = Organization.objects.get(slug=os.environ["SLUG"])
            Organization.objects.filter(pk=record.pk).update(summary=record.summary)

        editor = User.objects.create_user("router-editor", password="x" * 20, is_staff=True)
        signed = Client()
        signed.force_login(editor)
        print(json.dumps({
            "public": queries(lambda: Client().get(os.environ["PUBLIC"])),
            "signed": queries(lambda: signed.get(os.environ["SIGNED"])),
            "write": queries(write),
            "migrate": [router.allow_migrate(db, "parties") for db in ("default", "replica1")],
        }))
    """
    env = pair.env(PUBLIC=fresh(PAGE), SIGNED=fresh(PAGE), SLUG=PUBLISHED)
    counts = pair.shell(code, env=env)
    assert counts["public"]["replica1"] > 0
    # The primary is asked nothing by a public read's view (at most the response cache's
    # own bookkeeping, before the replica is chosen).
    assert counts["public"]["default"] <= 1, counts
    assert counts["signed"]["replica1"] == 0 and counts["signed"]["default"] > 0
    assert counts["write"] == {"default": 2, "replica1": 0}  # outside a request: the primary
    assert counts["migrate"] == [True, False]


WAIT = """
    import json, time
    from django.db import connection
    from kzpolitics.site.replicas import wait_for_replay
    with connection.cursor() as cursor:  # something new in the WAL to wait for
        cursor.execute("CREATE TABLE IF NOT EXISTS replica_probe (n int)")
        cursor.execute("INSERT INTO replica_probe VALUES (1)")
    print("waiting", flush=True)
    started = time.monotonic()
    done = wait_for_replay(%(timeout)s)
    print(json.dumps({"done": done, "seconds": time.monotonic() - started, "at": time.time()}))
"""


def started(command: str, env: dict[str, str]) -> subprocess.Popen:
    """``manage.py shell -c command``, returned once it has printed "waiting" or "saving" (it
    is then past Django's start-up, which takes seconds on a busy machine)."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", textwrap.dedent(command)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    seen = []
    while (line := process.stdout.readline()) and line.strip() not in {"waiting", "saving"}:
        seen.append(line)  # the shell's own lines ("59 objects imported automatically")
    assert line, "".join(seen) + process.communicate()[1]
    return process


def last_json(process: subprocess.Popen, timeout: float = 90) -> dict:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, out + err
    return json.loads(out.strip().splitlines()[-1])


def test_wait_for_replay_blocks_while_replay_is_paused_and_returns_soon_after(pair):
    pair.caught_up()
    with pair.replay_paused():
        waiting = started(WAIT % {"timeout": 60}, pair.env())
        time.sleep(2)
        assert waiting.poll() is None, waiting.communicate()
        resumed = time.time()
    result = last_json(waiting)
    assert result["done"] is True
    assert result["at"] >= resumed  # it returned only once replay had resumed...
    assert result["at"] - resumed < 3  # ...and soon after
    assert result["seconds"] >= 2


def test_wait_for_replay_gives_up_after_its_timeout_while_replay_stays_paused(pair):
    pair.caught_up()
    with pair.replay_paused():
        result = pair.shell(WAIT % {"timeout": 1.5})
    assert result["done"] is False
    assert 1.4 < result["seconds"] < 5


def test_an_unreachable_replica_is_skipped_never_raised(pair):
    dead = f"postgres://postgres@127.0.0.1:{free_port()}/kzpolitics"  # nothing listens there
    env = pair.env(DATABASE_REPLICA_URLS=f"{dead},{pair.replica.url}")
    result = pair.shell(WAIT % {"timeout": 10}, env=env)
    assert result["done"] is True
    assert result["seconds"] < 5
    # A public page still answers: its reads go to the replica that answers (or the primary).
    status = pair.shell(
        f"""
        import json
        from django.test import Client
        print(json.dumps([Client().get("{fresh(PAGE)}&n=%d" % n).status_code for n in range(4)]))
        """,
        env=env,
    )
    assert status == [200, 200, 200, 200]


def test_no_replica_configured_means_no_wait_and_no_query():
    # No database access is allowed in this test (no django_db mark): a query would fail it.
    from kzpolitics.site.replicas import replica_aliases, wait_for_replay

    assert replica_aliases() == []
    assert wait_for_replay() is True


def test_a_save_returns_once_the_replica_has_replayed_it_so_the_next_read_is_fresh(pair, site):
    """The purge of a public save (kzpolitics.site.caching) waits for the replicas first: a
    page purged is never filled again from a standby that has not replayed the save."""
    pair.caught_up()
    before = get(site.url + PAGE)[0]
    assert get(site.url + PAGE)[1].get("X-Cache") == "hit"  # cached, in the shared Redis
    new = f"Saved {secrets.token_hex(4)}"
    save = f"""
        import json, time
        from parties.models import Organization
        record = Organization.objects.get(slug="{PUBLISHED}")
        record.name = "{new}"
        print("saving", flush=True)
        record.save()
        print(json.dumps({{"at": time.time()}}))
    """
    with pair.replay_paused():
        saving = started(save, pair.env(REPLICA_WAIT_SECONDS="60"))
        time.sleep(5)  # the save takes a fraction of that; then it waits for the standby
        resumed = time.time()
    returned = last_json(saving)["at"]
    assert returned >= resumed, (
        "the save returned while the standby's replay was paused: its purge did not wait for "
        "the replicas (wait_for_replay)"
    )
    page, headers = get(site.url + PAGE)  # at once, no retry
    assert new in page, headers
    assert before != page


def test_replica_urls_become_databases_that_mirror_default_under_test():
    from django.core.exceptions import ImproperlyConfigured

    from kzpolitics.site.replicas import replica_databases

    databases = replica_databases(
        ["postgres://reader@standby1:5433/kz", "postgres://reader@standby2/kz?connect_timeout=9"]
    )
    assert list(databases) == ["replica1", "replica2"]
    first, second = databases.values()
    assert (first["HOST"], first["PORT"], first["NAME"], first["USER"]) == (
        "standby1", 5433, "kz", "reader"
    )  # fmt: skip
    assert first["TEST"] == {"MIRROR": "default"}
    assert first["OPTIONS"]["connect_timeout"] == 3  # a standby away costs seconds, not minutes
    assert second["OPTIONS"]["connect_timeout"] == 9  # the URL's own, kept
    with pytest.raises(ImproperlyConfigured, match="not a PostgreSQL URL"):
        replica_databases(["sqlite:///replica.sqlite3"])


def test_the_settings_refuse_a_replica_that_is_not_postgresql():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DEBUG="1", DATABASE_REPLICA_URLS="mysql://reader@standby/kz")
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert "DATABASE_REPLICA_URLS: 'standby/kz' is not a PostgreSQL URL" in done.stderr
