"""The response cache (kzpolitics.site.caching): a repeated public request is answered from the
cache, and a saved edit shows at once on every page and API response it touches, in every
server process, whether each keeps its own cache or they share a Redis."""

import functools
import gc
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse
from knox.models import AuthToken

from kzpolitics.core.dependencies import is_descriptive
from kzpolitics.core.models import Citation, Person, Place, Source, Status
from kzpolitics.core.signals import public_links
from kzpolitics.site import caching, surrogates
from parties.models import Organization, Relation

from .factories import save_organization
from .page_kinds import SITEMAP_SECTION, body_of
from .site_server import ROOT, article_database, serve, site_environment

pytestmark = pytest.mark.django_db

ORGANIZATION = "otan"
# Every public address that shows the organization's summary or name.
TOUCHED = (
    f"/organizations/{ORGANIZATION}/",
    "/organizations/?kind=party",
    "/search/?q=Otan",
    f"/api/v1/organizations/{ORGANIZATION}/",
    "/api/v1/organizations/?kind=party&page_size=500",
    "/api/v1/organizations/?kind=party&page_size=500&format=csv",
)


# Pages that show nothing of it: an edit of the organization leaves them in the cache.
UNTOUCHED = (
    "/people/akezhan-kazhegeldin/",
    "/acts/ussr-constitution-1977/",
    "/events/december-1986-events-alma-ata/",
    "/organizations/azat/",
    "/api/v1/people/akezhan-kazhegeldin/",
    "/api/v1/elections/majilis-1995/",
    "/sources/",
)


@pytest.fixture
def edit(django_capture_on_commit_callbacks):
    """An editor's save of the organization, committed: the purge runs as it does after a
    real transaction's commit (the test's own transaction never commits)."""

    def saving(**changes) -> Organization:
        with django_capture_on_commit_callbacks(execute=True):
            return save_organization(ORGANIZATION, **changes)

    return saving


def test_a_repeated_public_request_is_answered_from_the_cache_with_no_query(
    client, django_assert_max_num_queries
):
    first = client.get(f"/organizations/{ORGANIZATION}/")
    with django_assert_max_num_queries(0):
        again = client.get(f"/organizations/{ORGANIZATION}/")

    assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit")
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"]
    assert "script-src 'self'" in again["Content-Security-Policy"]


def test_a_client_holding_the_page_gets_a_304_from_the_cache(client, django_assert_max_num_queries):
    url = f"/api/v1/organizations/{ORGANIZATION}/"
    etag = client.get(url)["ETag"]

    with django_assert_max_num_queries(0):
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response["ETag"] == etag


@pytest.mark.parametrize("url", TOUCHED)
def test_a_saved_edit_shows_at_once_on_every_page_it_touches(client, url, edit):
    first = client.get(url)
    assert first["X-Cache"] == "miss"
    if first.streaming:  # a list's whole CSV: kept once it has streamed whole
        b"".join(first.streaming_content)
    assert client.get(url)["X-Cache"] == "hit"

    edit(summary="A summary saved a moment ago.", name="Otan (renamed a moment ago)")

    response = client.get(url)
    if response.streaming:
        body = b"".join(response.streaming_content)
    else:
        assert response["X-Cache"] == "miss"
        body = response.content
    assert "Otan (renamed a moment ago)" in body.decode()


def test_an_edit_leaves_the_pages_that_do_not_show_the_record_in_the_cache(client, edit):
    for url in (*TOUCHED, *UNTOUCHED):
        client.get(url)
    edit(summary="A summary saved a moment ago.")

    for url in UNTOUCHED:
        assert client.get(url)["X-Cache"] == "hit", url
    assert client.get(f"/organizations/{ORGANIZATION}/")["X-Cache"] == "miss"


# Lists of other kinds of organization: some name it (in their rows' relations), some not.
OTHER_LISTS = tuple(
    url
    for kind in ("movement", "society", "club", "trade_union", "foreign_body")
    for url in (f"/organizations/?kind={kind}", f"/api/v1/organizations/?kind={kind}")
)
# Lists whose order moves with any edit.
BY_CHANGE_TIME = (
    "/api/v1/organizations/?ordering=-updated_at",
    "/api/v1/organizations/?updated_since=1990-01-01T00:00Z",
)


def test_an_edit_of_what_no_list_selects_by_purges_only_the_answers_that_show_what_changed(
    client, edit
):
    """A descriptive edit (a summary, aims) leaves every list's rows as they were, and shows
    only where the record is given whole: its page, its API record, the API's lists (which
    give every record they name whole, those their rows mention too). A page that names it by
    a link keeps its copy."""
    otan = f"organization-{Organization.objects.get(slug=ORGANIZATION).pk}"
    naming = {url for url in OTHER_LISTS if otan in client.get(url)["Surrogate-Key"].split()}
    assert naming and len(naming) < len(OTHER_LISTS)  # both sorts are checked
    # (They name it in a relation of a row: the API gives each such row whole.)
    assert all(url.startswith("/api/") for url in naming)
    for url in (*TOUCHED, *BY_CHANGE_TIME):
        client.get(url)
    edit(summary="A summary saved a moment ago.", aims="Aims saved a moment ago.")

    for url in OTHER_LISTS:
        assert client.get(url)["X-Cache"] == ("miss" if url in naming else "hit"), url
    # Its page and API record, the search (any change of the kind), the API's lists, and the
    # lists whose order moved with the edit show it afresh.
    for url in (*TOUCHED, *BY_CHANGE_TIME):
        response = client.get(url)
        if url == "/organizations/?kind=party":  # the list of its kind names it: a link
            assert response["X-Cache"] == "hit"
            continue
        assert response.streaming or response["X-Cache"] == "miss", url
        body = body_of(response)
        if url.startswith("/api/v1/organizations/?kind=party") or ORGANIZATION in url:
            assert "A summary saved a moment ago." in body.decode(), url


def test_a_citation_of_a_row_that_hangs_on_a_record_shows_at_once_where_the_row_does(
    client, django_capture_on_commit_callbacks
):
    """A relation has no page of its own: its footnotes show on the pages of its two ends,
    which never loaded the citation added to it."""
    relation = Relation.objects.published().filter(subject__slug=ORGANIZATION).first()
    shown = [
        f"{path}{end.slug}/"
        for end in (relation.subject, relation.object)
        for path in ("/organizations/", "/api/v1/organizations/")
    ]
    # The bibliography counts each work's citations: it is made again.
    elsewhere = [url for url in UNTOUCHED if url != "/sources/"]
    for url in (*shown, *elsewhere):
        client.get(url)
    quote = "A quote cited a moment ago."
    with django_capture_on_commit_callbacks(execute=True):
        Citation.objects.create(
            content_object=relation,
            source=Source.objects.published().first(),
            quote=quote,
            status=Status.PUBLISHED,
        )

    for url in shown:
        response = client.get(url)
        assert response["X-Cache"] == "miss", url
        assert quote in response.content.decode(), url
    for url in elsewhere:
        assert client.get(url)["X-Cache"] == "hit", url


def test_an_edit_that_may_move_the_record_into_a_list_purges_every_list_of_its_kind(client, edit):
    movements = ("/organizations/?kind=movement", "/api/v1/organizations/?kind=movement")
    before = {url: client.get(url).content for url in movements}
    edit(kind=Organization.Kind.MOVEMENT, summary="Now a movement.")

    for url in movements:
        response = client.get(url)
        assert response["X-Cache"] == "miss" and response.content != before[url], url
    assert f'href="/organizations/{ORGANIZATION}/"' in client.get(movements[0]).content.decode()
    listed = client.get(movements[1]).json()["results"]
    assert ORGANIZATION in {row["slug"] for row in listed}


def test_a_change_is_descriptive_only_when_nothing_but_descriptive_fields_moved():
    otan = Organization.objects.get(slug=ORGANIZATION)
    before = public_links(Organization, otan.pk)
    otan.summary, otan.social_base, otan.version = "Other words.", "Other people.", 99
    assert is_descriptive(Organization, before, otan)
    for name, value in (
        ("name", "Otan (renamed)"),
        ("kind", Organization.Kind.BLOC),
        ("founding_place_id", Place.objects.exclude(pk=otan.founding_place_id).first().pk),
        ("founded", {"text": "1999", "edtf": "1999"}),
        ("status", "draft"),
    ):
        changed = Organization.objects.get(pk=otan.pk)
        changed.summary = "Other words."
        setattr(changed, name, value)
        assert not is_descriptive(Organization, before, changed), name
    # A kind that names no descriptive field: every change counts.
    person = Person.objects.published().first()
    assert not is_descriptive(Person, public_links(Person, person.pk), person)


def test_a_public_response_names_what_it_shows_and_for_how_long_it_may_be_kept(client):
    otan = Organization.objects.get(slug=ORGANIZATION)
    page = client.get(f"/organizations/{ORGANIZATION}/")
    listing = client.get("/organizations/?kind=party")
    search = client.get("/search/?q=Otan")
    api = client.get(f"/api/v1/organizations/{ORGANIZATION}/")
    assert f"organization-{otan.pk}-page" in api["Surrogate-Key"].split()

    keys = set(page["Surrogate-Key"].split())
    assert {f"organization-{otan.pk}", f"organization-{otan.pk}-page", "site"} <= keys
    assert f"organization-{otan.pk}-page" not in listing["Surrogate-Key"].split()
    assert not any(key.startswith("list-") for key in keys)  # a record's page: its records only
    assert set(page["Cache-Tag"].split(",")) == keys
    assert "s-maxage=" in page["Cache-Control"] and "public" in page["Cache-Control"]
    assert "max-age=0" in page["Cache-Control"]  # browsers ask again (a 304 with the ETag)
    # A list: its rows' keys, and which rows it holds (its kind's members); a search, any
    # change of any kind.
    assert "members-organization" in listing["Surrogate-Key"].split()
    assert "list-organization" not in listing["Surrogate-Key"].split()
    assert {"list-organization", "list-person"} <= set(search["Surrogate-Key"].split())
    by_change = client.get("/api/v1/organizations/?ordering=-updated_at")
    assert "list-organization" in by_change["Surrogate-Key"].split()
    again = client.get(f"/organizations/{ORGANIZATION}/")
    assert again["X-Cache"] == "hit" and again["Surrogate-Key"] == page["Surrogate-Key"]


def test_every_purge_mark_passes_djangos_key_check(client):
    """The marks' backend (django-redis's) does not check each key as Django's own backends do:
    the marks of the keys public answers carry would pass that check, with the production
    prefix, so a memcached or a database cache could hold them too."""
    checker = BaseCache({"KEY_PREFIX": "kzpolitics-keys"})
    keys = set()
    for url in (*TOUCHED, *UNTOUCHED, "/sitemap.xml", SITEMAP_SECTION, "/api/v1/organizations/"):
        keys |= set(client.get(url).get("Surrogate-Key", "").split())
    assert len(keys) > 100
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for key in keys:
            checker.validate_key(checker.make_key(caching.mark(key)))


def test_no_key_names_a_draft(client):
    draft = Organization.objects.create(
        slug="a-draft-party", kind="party", name="Otan Draft Party", status=Status.DRAFT
    )
    for url in (*TOUCHED, "/organizations/", "/search/?q=Draft"):
        response = client.get(url)
        if not response.streaming:
            assert f"organization-{draft.pk}" not in response.get("Surrogate-Key", "").split()


def test_a_drafts_save_purges_nothing(client, django_capture_on_commit_callbacks):
    draft = Organization.objects.create(
        slug="a-draft-party", kind="party", name="A Draft Party", status=Status.DRAFT
    )
    for url in (*TOUCHED, *UNTOUCHED):
        client.get(url)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        draft.summary = "Changed while still a draft."
        draft.save()
        Organization.objects.create(slug="another-draft", kind="party", name="Another Draft")

    assert callbacks == []
    for url in (*TOUCHED, *UNTOUCHED):
        response = client.get(url)
        assert response.streaming or response["X-Cache"] == "hit", url


def test_a_deletion_shows_at_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Organization.objects.create(
            slug="a-short-lived-party", kind="party", name="A Short-Lived Party", status="published"
        )
    assert b"A Short-Lived Party" in client.get("/organizations/").content
    with django_capture_on_commit_callbacks(execute=True):
        Organization.objects.get(slug="a-short-lived-party").delete()

    assert b"A Short-Lived Party" not in client.get("/organizations/").content
    assert client.get("/organizations/a-short-lived-party/").status_code == 404


def test_an_edit_through_the_api_shows_at_once(
    client, django_user_model, django_capture_on_commit_callbacks
):
    user = django_user_model.objects.create_superuser("api-editor", password="x" * 20)
    _, key = AuthToken.objects.create(user=user)
    url = f"/api/v1/organizations/{ORGANIZATION}/"
    before = client.get(url).json()

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().patch(
            url,
            {"summary": "Changed through the API.", "version": before["version"]},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key}",
        )

    assert response.status_code == 200, response.content
    assert client.get(url).json()["summary"] == "Changed through the API."


def test_an_editors_requests_are_never_cached_nor_served_from_the_cache(editor_client):
    client = Client()  # the public, beside the signed-in editor
    url = f"/organizations/{ORGANIZATION}/"
    client.get(url)  # in the cache for the public
    response = editor_client.get(url)
    assert "X-Cache" not in response
    draft = Person.objects.create(slug="a-draft-person", name="A Draft Person")
    assert draft.status == Status.DRAFT

    preview = editor_client.get(f"/people/{draft.slug}/?preview=1")

    assert preview.status_code == 200
    assert "X-Cache" not in preview
    assert client.get(f"/people/{draft.slug}/?preview=1").status_code == 404
    assert b"A Draft Person" not in client.get("/people/").content


def test_a_request_with_credentials_is_neither_served_nor_stored(client):
    url = f"/api/v1/organizations/{ORGANIZATION}/"
    client.get(url)

    response = client.get(url, HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code in (401, 403)
    assert "X-Cache" not in response
    assert client.get(url)["X-Cache"] == "hit"


def test_errors_writes_and_the_admin_are_not_cached(client):
    assert "X-Cache" not in client.get("/organizations/no-such-party/")
    assert "X-Cache" not in client.get("/organizations/no-such-party/")
    assert "X-Cache" not in client.get("/healthz")
    assert "X-Cache" not in client.get(reverse("admin:login"))
    assert "X-Cache" not in client.post("/api/v1/organizations/", {})


def test_json_and_csv_of_one_address_are_kept_apart(client):
    url = "/api/v1/results/"
    as_json = client.get(url, HTTP_ACCEPT="application/json")
    as_csv = client.get(url, HTTP_ACCEPT="text/csv")

    assert as_json["Content-Type"].startswith("application/json")
    assert as_csv["Content-Type"].startswith("text/csv")
    assert client.get(url, HTTP_ACCEPT="text/csv").getvalue() == as_csv.getvalue()
    assert client.get(url, HTTP_ACCEPT="application/json").content == as_json.content


CSV = "/api/v1/results/?format=csv"


def streamed_body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def test_a_streamed_csv_is_kept_once_it_has_streamed_whole(client, django_assert_max_num_queries):
    first = client.get(CSV)
    assert first["X-Cache"] == "miss"
    body = streamed_body(first)

    with django_assert_max_num_queries(0):
        again = client.get(CSV)

    assert again["X-Cache"] == "hit"
    assert not again.streaming
    assert again.content == body
    for header in ("Content-Type", "X-Total-Count"):
        assert again[header] == first[header], header
    # Labelled for the caches in front, as the streamed answer could not be.
    assert "Surrogate-Key" not in first
    keys = again["Surrogate-Key"].split()
    assert "members-result" in keys  # a result added or removed
    assert any(key.startswith("result-") for key in keys)  # one shown, changed
    assert any(key.startswith("source-") for key in keys)  # the works its rows cite
    assert "public" in again["Cache-Control"]
    # A HEAD is answered as the kept GET is; a HEAD streams no rows and keeps nothing.
    assert client.head(CSV)["X-Cache"] == "hit"


def test_a_head_of_a_csv_keeps_nothing(client):
    head = client.head(CSV)
    assert "X-Cache" not in head

    assert client.get(CSV)["X-Cache"] == "miss"


def test_a_csv_the_client_left_early_is_not_kept(client):
    first = client.get(CSV)
    rows = iter(first.streaming_content)
    next(rows)  # the header row, then the client goes: the server drops the stream unread
    del rows, first
    gc.collect()

    again = client.get(CSV)
    assert again["X-Cache"] == "miss"
    assert again.streaming
    streamed_body(again)
    assert client.get(CSV)["X-Cache"] == "hit"


def test_a_csv_longer_than_the_bound_streams_every_time(client, monkeypatch):
    monkeypatch.setattr(caching, "STREAM_KEPT_MOST", 100)
    body = streamed_body(client.get(CSV))
    assert len(body) > 100

    again = client.get(CSV)
    assert again["X-Cache"] == "miss"
    assert streamed_body(again) == body


def test_a_csv_the_cache_cannot_keep_still_streams_whole(client, monkeypatch, caplog):
    body = streamed_body(client.get(CSV))

    def full(*args, **kwargs):
        raise ConnectionError("the cache is full")

    monkeypatch.setattr(caching, "store", full)
    caching.caches[caching.CACHE_ALIAS].clear()
    assert streamed_body(client.get(CSV)) == body  # every row, and the stream's end
    assert "could not be kept" in caplog.text

    monkeypatch.undo()
    assert client.get(CSV)["X-Cache"] == "miss"


def test_a_change_while_a_csv_streams_keeps_it_from_being_kept(client, edit):
    url = "/api/v1/organizations/?kind=party&page_size=500&format=csv"
    first = client.get(url)
    rows = iter(first.streaming_content)
    next(rows)  # the header row: the records are read as the rows stream
    edit(name="Otan (renamed while its CSV streamed)")
    b"".join(rows)  # it ends: what it showed may be the old name

    again = client.get(url)
    assert again["X-Cache"] == "miss"
    assert "Otan (renamed while its CSV streamed)" in streamed_body(again).decode()
    assert client.get(url)["X-Cache"] == "hit"


@pytest.mark.parametrize(
    ("purged", "kept"),
    [
        (None, True),  # no purge at all while it was made: the sequence alone says so
        ("organization-999999", True),  # a purge of what it does not show
        ("shown", False),  # a purge of what it shows: made from data read before it
    ],
)
def test_a_page_is_kept_unless_what_it_shows_was_purged_while_it_was_made(
    client, monkeypatch, purged, kept
):
    url = f"/organizations/{ORGANIZATION}/"

    def purging(keys):
        if purged:
            caching.invalidate([keys[0] if purged == "shown" else purged])

    made = made_while(client, monkeypatch, url, purging)

    assert made.status_code == 200
    if kept:
        assert made["X-Cache"] == "miss" and "s-maxage" in made["Cache-Control"]
        assert client.get(url)["X-Cache"] == "hit"
    else:  # kept by no one: neither here nor by the caches in front
        assert caching.HEADER not in made
        assert {"private", "no-cache"} <= set(made["Cache-Control"].replace(" ", "").split(","))
        assert client.get(url)["X-Cache"] == "miss"


def test_a_page_made_across_a_restart_of_the_cache_is_not_kept(client, monkeypatch):
    """The sequence went back while the page was made (Redis lost its data): purges numbered
    from 1 again would never reach a copy kept with the number read before."""
    url = f"/organizations/{ORGANIZATION}/"
    caching.invalidate(["organization-999999"])

    def restarting(keys):
        caches[caching.MARKS_ALIAS].clear()  # the sequence and every mark gone

    made = made_while(client, monkeypatch, url, restarting)

    assert caching.HEADER not in made
    assert client.get(url)["X-Cache"] == "miss"


@pytest.fixture
def marks_read(monkeypatch) -> list:
    """The keys whose purge marks the cache reads, one list a read."""
    reads = []
    read = caching.stale_already

    def counted(made, keys):
        reads.append(list(keys))
        return read(made, keys)

    monkeypatch.setattr(caching, "stale_already", counted)
    return reads


def test_a_hit_reads_its_keys_marks_only_when_a_purge_came_since_it_was_made(client, marks_read):
    """While nothing was purged, the sequence alone says a copy is good (one read, where its
    keys' marks are hundreds for a list); after a purge of something else it is still served,
    once its marks say so; after a purge of what it shows, it is made afresh."""
    url = f"/organizations/{ORGANIZATION}/"
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"
    assert marks_read == []

    caching.invalidate(["organization-999999"])
    assert client.get(url)["X-Cache"] == "hit"
    shown = f"organization-{Organization.objects.get(slug=ORGANIZATION).pk}"
    assert len(marks_read) == 1 and shown in marks_read[0]

    caching.invalidate([shown])
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"


def test_a_copy_kept_before_the_cache_lost_its_purge_marks_is_made_afresh(client):
    """The sequence went back after a copy was kept (the marks lost, the copy not): the purges
    numbered from 1 again would never reach it, so it is not served."""
    url = f"/organizations/{ORGANIZATION}/"
    caching.invalidate(["organization-999999"])  # the copy is kept with sequence 1
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"

    caches[caching.MARKS_ALIAS].clear()  # the sequence (now 0) and every mark gone

    assert client.get(url)["X-Cache"] == "miss"


def made_while(client, monkeypatch, url: str, meanwhile):
    """``url``'s answer, with ``meanwhile(keys)`` run once its data is read and before the
    cache decides whether to keep it (given the keys of what it shows)."""
    keys_of = caching.response_keys

    def keys_then_meanwhile(request, response, loaded):
        keys = keys_of(request, response, loaded)
        meanwhile(keys)
        return keys

    with monkeypatch.context() as patch:
        patch.setattr(caching, "response_keys", keys_then_meanwhile)
        return client.get(url)


def test_an_export_file_is_not_kept_in_the_response_cache(client):
    """The export's zip is kept as a file already (kzpolitics.site.export)."""
    response = client.get("/api/v1/export/")
    assert response.status_code == 200
    assert "X-Cache" not in response


def test_each_host_gets_its_own_absolute_links(client, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    url = f"/api/v1/organizations/{ORGANIZATION}/"

    on_a = client.get(url, HTTP_HOST="a.example").json()
    on_b = client.get(url, HTTP_HOST="b.example").json()

    assert on_a["url"].startswith("http://a.example/")
    assert on_b["url"].startswith("http://b.example/")


def test_the_cache_is_bounded(settings):
    options = settings.CACHES["pages"]
    if "redis" in options["BACKEND"]:
        pytest.skip("REDIS_URL is set: Redis bounds itself (maxmemory)")
    assert options["OPTIONS"]["MAX_ENTRIES"] > 0
    assert options["TIMEOUT"] > 0
    caches["pages"].clear()


# -- Across server processes ---------------------------------------------------------------

REDIS = "redis://127.0.0.1:6379/0"


def redis_missing() -> str:
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except Exception as exc:  # any failure to reach it: the reason is shown in the skip
        return f"no Redis answers at {REDIS} ({type(exc).__name__}); start redis-server"
    return ""


def fetch(url: str) -> tuple[str, str]:
    # One host name for every server, as behind a load balancer: the same address is the
    # same cache entry wherever it is answered.
    request = urllib.request.Request(url, headers={"Host": "localhost"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["X-Cache"], response.read().decode()


def save_in_another_process(env: dict[str, str], **changes: str) -> None:
    """An editor's save, made by a process that is none of the servers."""
    code = (
        "from parties.models import Organization\n"
        f"o = Organization.objects.get(slug={ORGANIZATION!r})\n"
        + "".join(f"o.{field} = {value!r}\n" for field, value in changes.items())
        + "o._change_reason = 'Edited while the servers ran'\n"
        "o.save()\n"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def served_database():
    """A copy of the article's data for the servers below (not the test database)."""
    with tempfile.TemporaryDirectory(prefix="kzpolitics-cache-") as tmp:
        work = Path(tmp)
        with article_database(work) as database_url:
            yield site_environment(database_url), work


def redis_db(number: int) -> str:
    return REDIS.rpartition("/")[0] + f"/{number}"


def fetch_all(site_urls: list[str], paths) -> dict[tuple[str, str], tuple[str, str]]:
    return {(url, path): fetch(url + path) for url in site_urls for path in paths}


@pytest.fixture
def shared_cache(settings):
    """The production cache settings on the suite's own Redis database, emptied first."""
    if redis_missing():
        pytest.skip(redis_missing())
    import redis

    url = redis_db(8)
    redis.Redis.from_url(url).flushdb()
    settings.CACHES = production_caches(url)
    yield settings.CACHES
    redis.Redis.from_url(url).flushdb()


def production_caches(url: str) -> dict:
    """The CACHES the settings make when REDIS_URL is ``url`` (a copy of its own each call)."""
    return json.loads(production_caches_json(url))


@functools.cache
def production_caches_json(url: str) -> str:
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'kzpolitics.site.settings'\n"
        "from django.conf import settings; print(json.dumps(settings.CACHES))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**site_environment("sqlite:///unused.sqlite3"), "REDIS_URL": url},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_shared_cache_keeps_and_purges_as_the_response_cache_needs(shared_cache):
    """On the production backend (django-redis), what kzpolitics.site.caching relies on: the
    sequence starts on the first purge (``incr`` of a missing key raises ValueError), marks and
    the sequence never expire, a response stays good until one of its keys is purged, and a
    response made before a purge of its key is stale. Fails if the library changes any of it."""
    assert {options["BACKEND"] for options in shared_cache.values()} == {
        "django_redis.cache.RedisCache"
    }
    assert caching.sequence() == 0
    made = caching.sequence()
    response = HttpResponse(b"<p>Otan</p>")
    caching.store("response:one", made, ["organization-1", "list-organization"], response)
    caching.store("response:two", made, ["organization-2"], HttpResponse(b"<p>Other</p>"))
    assert caching.lookup("response:one")[2] == b"<p>Otan</p>"

    caching.invalidate(["organization-1"])  # the first purge: the sequence starts
    caching.invalidate(["organization-3"])
    assert caching.sequence() == 2
    assert caching.lookup("response:one") is None
    assert caching.lookup("response:two")[2] == b"<p>Other</p>"
    assert caching.stale_already(made, ["organization-1"])
    assert not caching.stale_already(caching.sequence(), ["organization-1"])
    marks = caches[caching.MARKS_ALIAS]
    assert marks.ttl(caching.SEQUENCE) is None and marks.ttl(caching.mark("organization-1")) is None
    assert caches[caching.CACHE_ALIAS].ttl("response:two") > 0


def shared_cache_down(settings) -> None:
    """The production cache settings, on a Redis port nothing listens on."""
    settings.CACHES = production_caches("redis://127.0.0.1:9/0")  # discard: refused at once
    settings.PAGE_CACHE_ENABLED = True


def test_with_the_shared_cache_down_visitors_get_answers_made_afresh(client, settings, caplog):
    """A Redis that cannot be reached is no outage: every public answer is made afresh (200,
    the same body as with no cache), kept by no process, still labelled for the caches in
    front (whose purges do not go through Redis), and the operator is told."""
    urls = (*TOUCHED, *UNTOUCHED)
    with override_settings(PAGE_CACHE_ENABLED=False):
        expected = {url: body_of(Client().get(url)) for url in urls}
    shared_cache_down(settings)
    for url in urls:
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, url
            assert caching.HEADER not in response, url
            assert body_of(response) == expected[url], url
            if not response.streaming:
                assert response["Surrogate-Key"] and "s-maxage" in response["Cache-Control"]
    assert "The response cache cannot be reached" in caplog.text


@pytest.fixture
def missed_purges():
    """The process's missed purges (kzpolitics.site.surrogates.MISSED), forgotten after the
    test, so that no retry of them reaches another test's cache."""
    yield surrogates.MISSED
    surrogates.MISSED.forget()


@pytest.mark.django_db(transaction=True)
def test_with_the_shared_cache_down_a_save_is_kept_and_the_caches_in_front_told(
    settings, monkeypatch, caplog, missed_purges
):
    """The editor's save commits and its purge still reaches the caches in front; the missed
    purge of the shared cache is logged as an error, not raised at the editor."""
    shared_cache_down(settings)
    told = []
    monkeypatch.setattr("kzpolitics.site.cdn.send_purge", lambda keys: told.append(keys))
    organization = Organization.objects.get(slug=ORGANIZATION)
    organization.summary = "Saved while the response cache was down."
    organization.save()

    organization.refresh_from_db()
    assert organization.summary == "Saved while the response cache was down."
    record = f"organization-{organization.pk}-"
    assert any(key.startswith(record) for keys in told for key in keys), told
    assert "the response cache missed a purge" in caplog.text
    assert any(key.startswith(record) for key in missed_purges.pending())  # to try again


@pytest.mark.django_db(transaction=True)
def test_a_purge_the_shared_cache_missed_is_taken_once_it_is_back(
    shared_cache, settings, caplog, missed_purges
):
    """Redis kept its entries through an outage in which an editor saved (a network fault, a
    restart from its saved data): the purge it missed is tried again until it takes it, so the
    page that shows the edit is made afresh within CACHE_REPLAY_SECONDS of Redis's return, and
    a page that does not show it stays cached."""
    settings.PAGE_CACHE_ENABLED = True
    settings.CACHE_REPLAY_SECONDS = 0.05
    live = settings.CACHES
    touched, untouched = f"/organizations/{ORGANIZATION}/", UNTOUCHED[0]
    for url in (touched, untouched):
        Client().get(url)
        assert Client().get(url)["X-Cache"] == "hit", url

    shared_cache_down(settings)
    save_organization(ORGANIZATION, summary="Saved while Redis could not be reached.")
    assert "the response cache missed a purge" in caplog.text
    time.sleep(0.2)  # tried again meanwhile, and missed again: Redis is still down
    assert missed_purges.pending()

    assert caching.HEADER not in Client().get(touched)  # made afresh while Redis is down
    settings.CACHES = live  # back, with what it kept: the old page, until the purge comes
    deadline = time.monotonic() + 5
    while missed_purges.pending() and time.monotonic() < deadline:  # until Redis takes it
        time.sleep(0.05)
    response = Client().get(touched)
    assert response["X-Cache"] == "miss" and not missed_purges.pending()
    assert "Saved while Redis could not be reached." in response.content.decode()
    assert Client().get(untouched)["X-Cache"] == "hit"
    assert "took a purge of" in caplog.text


@pytest.mark.slow  # two gunicorn servers and a manage.py shell, as subprocesses
def test_an_edit_purges_exactly_the_responses_that_show_the_record_in_every_process(
    served_database,
):
    """Two gunicorn servers of two workers each on one database and one Redis: warm, they
    answer from the shared cache. After a save by a fifth process, every answer that shows the
    organization is made again once (by whichever process is asked first) with its new name,
    and every other stays a hit, in every process."""
    if redis_missing():
        pytest.skip(redis_missing())
    import redis

    env, work = served_database
    url = redis_db(7)  # the suite's own Redis database, emptied first
    redis.Redis.from_url(url).flushdb()
    env = {**env, "REDIS_URL": url}
    (work / "a").mkdir(exist_ok=True)
    (work / "b").mkdir(exist_ok=True)
    name = "Otan (renamed while the shared cache was warm)"  # lists show names, not summaries
    paths = [*TOUCHED, *UNTOUCHED]  # the CSV among them: streamed whole, then kept
    with serve(env, work / "a") as a, serve(env, work / "b") as b:
        sites = [a.url, b.url]
        first = fetch_all(sites, paths)
        warm = fetch_all(sites, paths)
        save_in_another_process(env, name=name)
        after = fetch_all(sites, paths)
        again = fetch_all(sites, paths)

    for path in paths:  # one process made each answer; the other three read it
        assert [first[site, path][0] for site in sites] == ["miss", "hit"], path
    assert {state for state, _ in warm.values()} == {"hit"}
    for path in TOUCHED:
        assert [after[site, path][0] for site in sites] == ["miss", "hit"], path
        assert all(name in after[site, path][1] for site in sites), path
    for path in UNTOUCHED:
        assert [after[site, path][0] for site in sites] == ["hit", "hit"], path
    assert {state for state, _ in again.values()} == {"hit"}


@pytest.mark.slow  # a gunicorn server and a manage.py shell, as subprocesses
def test_without_a_shared_cache_the_production_server_caches_nothing(served_database):
    """A purge could not reach gunicorn's other workers: without Redis, every answer is made
    fresh (no X-Cache), and an edit by another process shows at once."""
    env, work = served_database
    env = {key: value for key, value in env.items() if key != "REDIS_URL"}
    (work / "c").mkdir(exist_ok=True)
    summary = "Saved with no shared cache."
    path = f"/api/v1/organizations/{ORGANIZATION}/"
    with serve(env, work / "c") as site:
        before = [fetch(site.url + path) for _ in range(4)]
        save_in_another_process(env, summary=summary)
        after = [fetch(site.url + path) for _ in range(4)]

    assert {state for state, _ in before + after} == {None}
    assert {json.loads(body)["summary"] for _, body in after} == {summary}


def test_a_rename_of_what_an_organizations_dates_rest_on_shows_at_once_in_its_record(
    client, django_capture_on_commit_callbacks
):
    """An organization's API record gives the evidence its derived dates rest on, each row
    with the record it names (the election a result was in, the other end of a relation),
    read as values rather than as records: their keys are named all the same, and a rename
    of one shows at once."""
    from elections.models import Election

    url = "/api/v1/organizations/agrarian-union-of-kazakhstan/"
    evidence = client.get(url).json()["founding"]["evidence"]
    election = Election.objects.get(pk=next(row["election"]["id"] for row in evidence))
    assert client.get(url)["X-Cache"] == "hit"
    assert f"election-{election.pk}" in client.get(url)["Surrogate-Key"].split()

    with django_capture_on_commit_callbacks(execute=True):
        election.name = "An election renamed a moment ago"
        election.save()

    response = client.get(url)
    assert response["X-Cache"] == "miss"
    names = [row["election"]["name"] for row in response.json()["founding"]["evidence"]]
    assert "An election renamed a moment ago" in names
