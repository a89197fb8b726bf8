"""A real Varnish (Debian's, with the xkey vmod of varnish-modules) in front of a real copy of the
site: the VCL the README gives (kzpolitics/site/varnish/kzpolitics.vcl), the site's
``Surrogate-Key`` headers and its purges (``CACHE_PURGE_URLS``, kzpolitics.site.cdn).

A crawl through Varnish fills it; a draft's save and a pending revision purge nothing; a
reviewer's edit of a published record purges exactly the responses that name what it touched,
which Varnish fetches afresh, while every other address stays a hit."""

from __future__ import annotations

import contextlib
import glob
import http.client
import http.server
import json
import logging
import re
import shutil
import subprocess
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kzpolitics.site import cdn

from .page_kinds import sitemap_addresses
from .site_server import ROOT, Site, free_port, running, throwaway_site

VCL = ROOT / "kzpolitics" / "site" / "varnish" / "kzpolitics.vcl"
# varnishd lives in /usr/sbin, often not on a user's PATH.
VARNISHD = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin:/usr/local/sbin")
VMOD_PATTERNS = (
    "/usr/lib/*/varnish/vmods/libvmod_xkey.so",
    "/usr/lib/varnish/vmods/libvmod_xkey.so",
    "/usr/local/lib/varnish/vmods/libvmod_xkey.so",
)
EDITOR = ("varnish-editor", "a long editor password 31")
REVIEWER = ("varnish-reviewer", "a long reviewer password 31")
EDITED = "akikat"  # an ordinary published organization of the article's data
DRAFT = "varnish-draft"
# The site labels its answers for the caches in front only with its own response cache on, and
# that needs a Redis its processes share; a database of its own keeps other tests' purges out.
REDIS = "redis://127.0.0.1:6379/14"
NEW_SUMMARY = "A summary edited behind Varnish (tests/test_varnish.py)."
KEY_SHOWN = re.compile(r'id="new-token-key"[^>]*value="([0-9a-f]{64})"')


def varnish_missing() -> str:
    if not VARNISHD or not shutil.which("varnishlog"):
        return "Varnish is not installed (apt-get install varnish varnish-modules)"
    if not any(glob.glob(pattern) for pattern in VMOD_PATTERNS):
        return "the xkey vmod is not installed (apt-get install varnish-modules)"
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except Exception as error:
        return f"no Redis answers at {REDIS} ({type(error).__name__}); start redis-server"
    return ""


# The checks with a real Varnish (the purge's own checks below need none).
with_varnish = pytest.mark.skipif(bool(varnish_missing()), reason=varnish_missing() or "-")


# -- the stack: the site, Varnish in front --------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: str

    @property
    def cache(self) -> str:
        return self.headers.get("x-varnish-cache", "")

    @property
    def keys(self) -> set[str]:
        return set(self.headers.get("surrogate-key", "").split())


@dataclass
class Stack:
    site: Site
    url: str  # Varnish's address
    workdir: Path  # varnishd's -n, for varnishlog

    def ask(self, path: str, method: str = "GET", headers=None, body=None) -> Answer:
        # http.client, not urllib: no proxy from the environment, and a 4xx is an answer.
        connection = http.client.HTTPConnection(self.url.removeprefix("http://"), timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            named = {name.lower(): value for name, value in response.getheaders()}
            return Answer(response.status, named, text)
        finally:
            connection.close()

    def purges(self) -> list[str]:
        """The ``xkey-purge`` headers of every PURGE Varnish received so far, oldest first."""
        done = subprocess.run(
            ["varnishlog", "-n", str(self.workdir), "-d", "-g", "request",
             "-q", 'ReqMethod eq "PURGE"', "-i", "ReqHeader"],
            capture_output=True, text=True, timeout=30, check=True,
        )  # fmt: skip
        return re.findall(r"ReqHeader\s+xkey-purge: (.*)", done.stdout)


def vcl_for(backend_port: int) -> str:
    """The VCL as shipped, its backend moved to the throwaway site's port."""
    text, count = re.subn(r'(\.port = )"8000";', rf'\1"{backend_port}";', VCL.read_text())
    assert count == 1, "the VCL names no backend on port 8000 any more: update this test"
    return text


@contextlib.contextmanager
def varnish(vcl: str, port: int, work: Path) -> Iterator[Path]:
    (work / "kzpolitics.vcl").write_text(vcl)
    workdir = work / "varnish"
    command = [VARNISHD, "-F", "-j", "none", "-n", str(workdir), "-a", f"127.0.0.1:{port}",
               "-f", str(work / "kzpolitics.vcl"), "-s", "malloc,64m",
               "-p", "http_resp_hdr_len=65536", "-p", "http_resp_size=131072",
               "-p", "workspace_backend=262144"]  # fmt: skip
    with running(command, work / "varnishd.log", f"http://127.0.0.1:{port}/", 30):
        yield workdir


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    port = free_port()
    purge_to = {"CACHE_PURGE_URLS": f"http://127.0.0.1:{port}/", "REDIS_URL": REDIS}
    with (
        throwaway_site(editor=EDITOR, reviewers=(REVIEWER,), extra_env=purge_to) as site,
        tempfile.TemporaryDirectory(prefix="kzpolitics-varnish-") as tmp,
    ):
        backend_port = int(site.url.rpartition(":")[2])
        with varnish(vcl_for(backend_port), port, Path(tmp)) as workdir:
            yield Stack(site, f"http://127.0.0.1:{port}", workdir)


def token(stack: Stack, user: tuple[str, str]) -> str:
    """An API token of ``user``, made as an editor makes one: signed in, on the token page
    (through Varnish, which passes the admin and its cookies)."""
    from http.cookiejar import CookieJar
    from urllib.parse import urlencode

    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(CookieJar())
    )

    def post(url: str, fields: dict[str, str]) -> str:
        page = opener.open(url, timeout=30).read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urlencode({"csrfmiddlewaretoken": csrf, **fields}).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url})
        return opener.open(request, timeout=30).read().decode()

    name, password = user
    post(f"{stack.url}/admin/login/", {"username": name, "password": password, "next": "/admin/"})
    made = post(f"{stack.url}/admin/api-token/", {"action": "create"})
    return KEY_SHOWN.search(made).group(1)


def write(stack: Stack, key: str, method: str, path: str, fields: dict) -> Answer:
    return stack.ask(
        path,
        method,
        headers={
            "Authorization": f"Token {key}",
            "Content-Type": "application/json",
            "X-Edit-Summary": "tests/test_varnish.py",
        },
        body=json.dumps(fields),
    )


def addresses(stack: Stack) -> list[str]:
    """Every page the sitemap lists, the API's record of each organization and person there,
    and a few API lists: public addresses of every kind."""
    pages = sitemap_addresses(lambda path: stack.ask(path).body)
    api = [
        f"/api/v1/{'people' if kind == 'people' else 'organizations'}/{slug}/"
        for kind, slug in (p.strip("/").split("/") for p in pages if p.count("/") == 3)
        if kind in ("organizations", "people")
    ]
    lists = ["/api/v1/organizations/", "/api/v1/organizations/?page=2", "/api/v1/people/",
             "/api/v1/sources/", "/api/v1/events/", "/sitemap.xml",
             "/sitemap-organizations.xml"]  # fmt: skip
    return list(dict.fromkeys(pages + api + lists))


def crawl(stack: Stack, paths: list[str]) -> dict[str, Answer]:
    answers = {path: stack.ask(path) for path in paths}
    failed = {path: a.status for path, a in answers.items() if a.status != 200}
    assert not failed, f"{failed}\n{stack.site.errors()}"
    return answers


# -- the checks ------------------------------------------------------------------------------


@pytest.mark.slow
@with_varnish
def test_the_vcl_compiles(tmp_path):
    # -j none, as the running Varnish below: varnishd's default jail reads the VCL as its own
    # user, who may not enter the checkout (a fresh clone in a private temporary folder).
    done = subprocess.run(
        [VARNISHD, "-C", "-j", "none", "-n", str(tmp_path / "varnish"), "-f", str(VCL)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
@with_varnish
def test_varnish_keeps_the_public_answers_and_passes_everything_personal(stack):
    first, again = stack.ask("/people/"), stack.ask("/people/")
    assert (first.cache, again.cache) == ("MISS", "HIT")
    assert "s-maxage=" in again.headers["cache-control"]
    assert again.keys and "xkey" not in again.headers  # the keys visible, xkey's copy not
    assert stack.ask("/people/", "HEAD").cache == "HIT"
    # The CSRF token's cookie alone shares the copy; a session never does, nor a token.
    assert stack.ask("/people/", headers={"Cookie": "csrftoken=abc"}).cache == "HIT"
    with_session = stack.ask("/people/", headers={"Cookie": "csrftoken=abc; sessionid=x"})
    assert with_session.cache == "PASS"
    assert stack.ask("/people/", headers={"Authorization": "Token " + "0" * 64}).cache == "PASS"
    # The editors' site, the probe and the writes go to the site as they came.
    assert [stack.ask(p).cache for p in ("/admin/login/", "/admin/login/")] == ["PASS"] * 2
    assert stack.ask("/healthz").cache == "PASS"
    assert stack.ask("/api/v1/organizations/", "POST", body="{}").cache == "PASS"
    # What the site does not mark as shareable (here a 404, no s-maxage) is not kept.
    assert [stack.ask("/no-such-page/").cache for _ in range(2)] == ["MISS", "MISS"]
    # A PURGE names its keys.
    assert stack.ask("/", "PURGE").status == 400


@pytest.mark.slow
@with_varnish
def test_an_edit_purges_exactly_the_answers_that_show_what_it_touched(stack):
    paths = addresses(stack)
    assert len(paths) > 200

    filled = crawl(stack, paths)
    unlabelled = [p for p, a in filled.items() if not a.keys]
    assert not unlabelled, f"public answers with no Surrogate-Key: {unlabelled[:10]}"
    cached = crawl(stack, paths)
    missed = [p for p, a in cached.items() if a.cache != "HIT"]
    assert not missed, f"not kept by Varnish the first time: {missed[:10]}"
    for answer in cached.values():
        assert len(answer.headers["x-varnish"].split()) == 2  # this request's id, the fill's
        assert int(answer.headers["age"]) >= 0

    # A draft made and saved, a pending revision of a published record: nothing the public
    # sees changes, so nothing is purged and every address is still a hit.
    editor, reviewer = token(stack, EDITOR), token(stack, REVIEWER)
    purged_before = stack.purges()
    draft = {"slug": DRAFT, "name": "A draft behind Varnish", "kind": "party"}
    made = write(stack, editor, "POST", "/api/v1/organizations/", draft)
    assert made.status == 201 and json.loads(made.body)["status"] == "draft", made.body
    saved = write(stack, editor, "PATCH", f"/api/v1/organizations/{DRAFT}/",
                  {"summary": "A draft's summary."})  # fmt: skip
    assert saved.status == 200, saved.body
    record = f"/api/v1/organizations/{EDITED}/"
    pending = write(stack, editor, "PATCH", record, {"summary": "A pending summary."})
    assert pending.status == 202, pending.body
    assert stack.purges() == purged_before
    after_drafts = crawl(stack, paths)
    assert [p for p, a in after_drafts.items() if a.cache != "HIT"] == []

    # A reviewer's edit of the published record: saved, and purged at once.
    old = json.loads(cached[record].body)
    edited = write(stack, reviewer, "PATCH", record, {"summary": NEW_SUMMARY})
    assert edited.status == 200, edited.body
    sent = stack.purges()[len(purged_before) :]
    assert sent, "the edit sent no PURGE to Varnish"
    purged = {key for header in sent for key in header.split()}
    # A summary is descriptive: what gives the record whole (its page key, its text key)
    # goes; what names it by a link (its own key) stays.
    named, whole = f"organization-{old['id']}", f"organization-{old['id']}-text"
    assert {whole, f"{named}-page"} <= purged and named not in purged

    after = crawl(stack, paths)
    touched = {p for p, a in cached.items() if a.keys & purged}
    refetched = {p for p, a in after.items() if a.cache != "HIT"}
    assert refetched == touched
    assert {p for p, a in cached.items() if whole in a.keys} <= refetched
    mentions = {p for p, a in cached.items() if named in a.keys} - refetched
    assert mentions, "no page that only names the record kept its copy"
    # Fresh: the record's page and API answer, and every page that showed the old summary.
    assert json.loads(after[record].body)["summary"] == NEW_SUMMARY
    assert NEW_SUMMARY in after[f"/organizations/{EDITED}/"].body
    showed_it = [p for p, a in cached.items() if old["summary"] and old["summary"] in a.body]
    assert all(NEW_SUMMARY in after[p].body for p in showed_it)
    kept = 1 - len(refetched) / len(paths)
    print(f"after one edit: {len(paths) - len(refetched)} of {len(paths)} still hits ({kept:.1%})")


# -- the purge's requests, against a stand-in cache ------------------------------------------


@contextlib.contextmanager
def listener(status: int = 200) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    """An HTTP server on 127.0.0.1 that answers ``status`` to anything and records each
    request's method, path and ``xkey-purge`` header."""
    heard: list[tuple[str, str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_PURGE(self):  # noqa: N802 (http.server's naming)
            heard.append((self.command, self.path, self.headers.get("xkey-purge", "")))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/purge", heard
    finally:
        server.shutdown()
        server.server_close()


def test_a_purge_names_every_key_in_requests_of_at_most_6_kb(settings):
    keys = [f"organization-{n}" for n in range(1000)] + ["list-organization"]
    with listener() as (url, heard), listener() as (second, heard_too):
        settings.CACHE_PURGE_URLS = [url, second]
        cdn.send_purge(keys)

    assert len(heard) > 1 and heard == heard_too  # each cache told the same
    assert {method for method, _, _ in heard} == {"PURGE"}
    assert {path for _, path, _ in heard} == {"/purge"}
    assert all(len(header) <= cdn.MAX_HEADER_CHARS for _, _, header in heard)
    sent = [key for _, _, header in heard for key in header.split(" ")]
    assert sorted(sent) == sorted(keys)


def test_no_cache_configured_no_request(settings):
    with listener() as (url, heard):
        settings.CACHE_PURGE_URLS = []
        cdn.send_purge(["organization-1"])
        settings.CACHE_PURGE_URLS = [url]
        cdn.send_purge([])
    assert heard == []


def test_a_cache_that_fails_is_logged_never_raised(settings, caplog):
    caplog.set_level(logging.ERROR, logger="kzpolitics.site.cdn")
    with listener(status=500) as (refusing, heard):
        settings.CACHE_PURGE_URLS = [f"http://127.0.0.1:{free_port()}/", refusing, "ftp://x/"]
        settings.CACHE_PURGE_TIMEOUT = 1
        cdn.send_purge(["organization-1"])  # returns: the save goes on

    assert len(heard) == 1  # the refusing cache was still asked after the dead one
    told = [record.getMessage() for record in caplog.records]
    assert any("No purge reached the cache" in line for line in told)
    assert any("refused a purge: 500" in line for line in told)
    assert any("is not an http(s) address" in line for line in told)
