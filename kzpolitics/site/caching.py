"""Whole responses of the public pages and the API, cached until what they show changes.

Each cached response knows the keys of what it shows (kzpolitics.site.surrogates: the published
records it loaded, and for lists and searches their kinds); a public change purges the responses
carrying its keys, and only those. The entries and the keys' purge marks live in a cache the
server processes share (Redis, ``REDIS_URL``), so a saved edit shows at once in every process:

- a purge takes the next number of a shared sequence and marks each of its keys with it;
- a response is stored with the sequence's number read before its view ran, and is good as long
  as none of its keys has been marked with a later number. So a response made from data read
  before the change was committed and stored after the purge is never served: its number is
  older than its keys' marks.

A hit costs two cache reads (the entry, then the sequence; a third, its keys' marks, when a
purge came since it was made) and no query, whatever the size of the data. Without a shared
cache (no ``REDIS_URL``) responses are cached per process only where one process serves (DEBUG:
``make run``, the tests); a production server without Redis keeps none itself, since a purge
could not reach its other processes, but still labels them for the caches in front, which
every process's purges reach.

If the shared cache cannot be reached (down, or not answering within CACHE_SOCKET_TIMEOUT), a
request is answered afresh and kept by no process, as without one, and a purge still reaches the
caches in front: a visitor never gets an error for the cache (kzpolitics.site.surrogates.purge).

Public responses say the same to the caches in front (Varnish, a CDN): ``Cache-Control`` with a
shared max-age (``s-maxage``; browsers revalidate with the ETag), and ``Surrogate-Key`` (space
separated) and ``Cache-Tag`` (comma separated) naming the keys, which a purge sends them too.

Only what is the same for every visitor is cached: a GET (or a HEAD, answered as its GET) that
carries no cookie but the CSRF token's (no session, so no editor and no preview) and no
``Authorization`` header; a 200 that sets no cookie, used no CSRF token and does not ask to be
private. The API's throttling runs in its views, so a hit is not counted against a client: a
hit costs what the floor does, and the requests that cost something (misses) are still
throttled.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import caches
from django.http import FileResponse, HttpResponse
from django.middleware.http import ConditionalGetMiddleware
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import parse_http_date_safe
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from kzpolitics.core.csv_format import TOTAL_HEADER
from kzpolitics.site import surrogates

log = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
MARKS_ALIAS = "page-keys"  # the keys' purge marks and the sequence: never evicted before entries
SEQUENCE = "purge-sequence"
HEADER = "X-Cache"  # "hit" or "miss": for operators and the benchmark, says nothing private
READS = ("GET", "HEAD")  # a HEAD is answered as its GET is, headers and all
NEVER = ("/admin/", "/healthz")  # the editors' site, and a probe that must ask the database
# Headers the cached copy keeps. Set-Cookie never (such a response is not cached anyway); the
# outer middleware (security headers, CSP) add theirs to hits and misses alike.
KEPT = ("Content-Type", "Content-Disposition", "Last-Modified", "ETag", "Vary", "Allow",
        "Link", "Cache-Control", "Content-Language", "X-Frame-Options", "Surrogate-Key",
        "Cache-Tag", TOTAL_HEADER)  # fmt: skip
# A streamed answer (a whole list as CSV) is kept once it has streamed whole, up to this size;
# a longer one streams afresh every time. (At a hundred times the article's data the results'
# CSV is 1.3 MB; the organizations' and the citations', some 60 MB each, are not kept.)
STREAM_KEPT_MOST = 16 * 2**20
# What the shared cache raises when it cannot be reached or does not answer in time
# (settings: CACHE_SOCKET_TIMEOUT): django-redis's wrapper of redis-py's errors, and those.
UNREACHABLE = (ConnectionInterrupted, RedisError)


def cacheable_request(request) -> bool:
    if request.method not in READS or request.path.startswith(NEVER):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    return set(request.COOKIES) <= {settings.CSRF_COOKIE_NAME}


def cacheable_response(request, response) -> bool:
    if response.status_code != 200 or response.cookies:
        return False
    if response.streaming and not keepable_stream(request, response):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False  # the page embeds a token of this visitor's
    control = response.get("Cache-Control", "").lower()
    return not any(word in control for word in ("private", "no-store", "no-cache"))


def keepable_stream(request, response) -> bool:
    """Whether a streamed answer may be kept once whole: a GET's (a HEAD streams no rows),
    not a file's (an export, kept as a file already)."""
    return request.method == "GET" and not isinstance(response, FileResponse)


def cache_key(request) -> str:
    """What the response depends on: the address (query string included), the host and scheme
    (the API's links are absolute) and, for the API, ``Accept`` (JSON or CSV)."""
    parts = [
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        request.META.get("HTTP_ACCEPT", "") if request.path.startswith("/api/") else "",
    ]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return f"response:{digest}"


def response_keys(request, response, loaded: set) -> list[str]:
    """The keys of what ``response`` shows, given the keys of the records read to make it."""
    kind, model = getattr(request, "kz_view_kind", (surrogates.OTHER, None))
    if kind == surrogates.LIST and model is None:
        model = surrogates.listed_model(response)
    if kind == surrogates.DETAIL:
        loaded = {*loaded, surrogates.shown_record(response, model)}
    return surrogates.bounded(
        surrogates.response_keys(loaded, kind, model, request.GET), surrogates.header_limit()
    )


def mark(key: str) -> str:
    return f"purged:{key}"


def sequence() -> int:
    """The purges so far; read before a response is made, stored with it."""
    return caches[MARKS_ALIAS].get(SEQUENCE) or 0


def invalidate(keys) -> None:
    """Every stored response carrying one of ``keys`` is stale from now on."""
    marks = caches[MARKS_ALIAS]
    try:
        number = marks.incr(SEQUENCE)
    except ValueError:  # no purge yet (or the cache was emptied): start the sequence
        marks.add(SEQUENCE, 0, timeout=None)
        number = marks.incr(SEQUENCE)
    marks.set_many({mark(key): number for key in keys}, timeout=None)


def lookup(key: str):
    """The stored response for ``key`` (frozen) if none of its keys was purged since it was
    made, else None."""
    entry = caches[CACHE_ALIAS].get(key)
    if entry is None:
        return None
    made, keys, response = entry
    return None if purged_since(made, keys) else response


def stale_already(made: int, keys) -> bool:
    """Whether a key of a response made from data read at ``made`` was purged while it was being
    made: a change committed meanwhile, so it may show the old data."""
    marks = caches[MARKS_ALIAS].get_many([mark(k) for k in keys])
    return any(number > made for number in marks.values())


def purged_since(made: int, keys) -> bool:
    """``stale_already`` for a response just made, or kept and asked for again: first whether
    any purge at all came since ``made`` (the sequence has moved), one read, where its keys'
    marks are a read of some hundreds for a list. Most responses are made, and most are asked
    for again, while nothing changes. Its keys' marks cost a hit of the API's organization
    list at 100x 0.54 ms of its 1.8 ms (280 keys), a hub's page 0.59 of 1.2 ms (330 keys),
    against 0.12 ms for the sequence.

    A sequence behind ``made`` went back: the cache lost its data meanwhile (a Redis restart),
    and the purges numbered from 1 again would never reach a response kept with ``made``."""
    now = sequence()
    if now == made:
        return False
    return now < made or stale_already(made, keys)


def unreachable(request, error) -> None:
    """The shared cache is down: the answer is made afresh and kept by no process, as where no
    cache is shared (a purge reaches the caches in front without it), rather than failing the
    visitor's request."""
    log.warning(
        "The response cache cannot be reached (%s); answered afresh: %s", error, request.path
    )


def store(key: str, made: int, keys, response) -> None:
    caches[CACHE_ALIAS].set(key, (made, tuple(keys), frozen(response)))


def label(response, keys) -> None:
    """Tell the caches in front for how long they may keep ``response`` and what it shows."""
    if "max-age" in response.get("Cache-Control", ""):
        patch_cache_control(response, public=True, s_maxage=settings.PAGE_CACHE_TIMEOUT)
    else:
        patch_cache_control(response, public=True, max_age=0, s_maxage=settings.PAGE_CACHE_TIMEOUT)
    response["Surrogate-Key"] = " ".join(keys)
    response["Cache-Tag"] = ",".join(keys)


def frozen(response) -> tuple:
    """What the cache keeps of a response: status, the headers worth keeping, the body."""
    if not response.has_header("ETag"):
        # Saves Django's ConditionalGetMiddleware hashing the body again on every hit.
        response["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
    return response.status_code, kept_headers(response), response.content


def kept_headers(response) -> list[tuple[str, str]]:
    """The headers of ``response`` that its cached copy keeps (KEPT)."""
    return [(name, response[name]) for name in KEPT if response.has_header(name)]


def thawed(entry: tuple) -> HttpResponse:
    status, headers, content = entry
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


class ConditionalReadMiddleware(ConditionalGetMiddleware):
    """Django's ConditionalGetMiddleware (an ETag from the body, 304 for a client that has
    the response), for HEAD as for GET: a HEAD must carry the ETag its GET carries, or a
    client (and a cache in front) checking freshness with HEAD sees a different resource.

    Django's leaves HEAD alone because a HEAD's body may be empty; here it is not: every view
    answers a HEAD as its GET (Django's ``View`` and DRF run ``get`` for it) and the server
    drops the body only after the middleware, so the body and its hash are the GET's."""

    def process_response(self, request, response):
        if request.method != "HEAD":
            return super().process_response(request, response)
        if self.needs_etag(response) and not response.has_header("ETag"):
            set_response_etag(response)
        etag = response.get("ETag")
        last_modified = response.get("Last-Modified")
        last_modified = last_modified and parse_http_date_safe(last_modified)
        if etag or last_modified:
            return get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=response
            )
        return response


class ResponseCacheMiddleware:
    """Serve a public GET (or HEAD) from the cache while nothing it shows has changed since."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable_request(request):
            return self.get_response(request)
        # Without a cache the processes share, none is kept here; the responses are still
        # labelled for the caches in front, which every process's purges reach.
        keeping = settings.PAGE_CACHE_ENABLED
        key = cache_key(request)
        made = 0
        if keeping:
            try:
                hit = lookup(key)
                if hit is not None:
                    response = thawed(hit)
                    response[HEADER] = "hit"
                    return response
                made = sequence()  # before any of the data the response shows is read
            except UNREACHABLE as error:
                unreachable(request, error)
                keeping = False
        with surrogates.collecting() as loaded:
            response = self.get_response(request)
            if callable(getattr(response, "render", None)) and not response.is_rendered:
                response.render()  # a TemplateResponse: its body is what the cache keeps
        if not cacheable_response(request, response):
            return response
        if response.streaming:
            # Its rows are read as it streams, after this: what it shows is known, and it is
            # kept, only once it has streamed whole.
            if keeping:
                response.streaming_content = self.keep_when_whole(
                    request, response, response.streaming_content, key, made, loaded
                )
                response[HEADER] = "miss"
            return response
        keys = response_keys(request, response, loaded)
        try:
            if keeping and purged_since(made, keys):
                # Kept by no one: the caches in front would otherwise keep it past the purge
                # that was sent for it before it reached them.
                patch_cache_control(response, private=True, no_cache=True)
                return response
            label(response, keys)
            if keeping:
                store(key, made, keys, response)
                response[HEADER] = "miss"
        except UNREACHABLE as error:
            unreachable(request, error)
            label(response, keys)
        return response

    @staticmethod
    def keep_when_whole(request, response, content, key: str, made: int, loaded: set):
        """``response``'s ``content`` as it streams, the keys of the records read for each chunk
        gathered, then kept as a whole response (labelled for the caches in front, which the
        streamed one was not: its headers went first) if it streamed to the end, no longer
        than STREAM_KEPT_MOST, and nothing it shows changed meanwhile. A stream the client
        left early, or that failed, is not kept."""
        chunks, size, found = [], 0, set(loaded)
        content = iter(content)
        while True:
            with surrogates.collecting() as read:
                chunk = next(content, None)
            found |= read
            if chunk is None:
                break
            if chunks is not None:
                size += len(chunk)
                if size > STREAM_KEPT_MOST:
                    chunks = None  # too long to keep: the rest streams, nothing is kept
                else:
                    chunks.append(chunk)
            yield chunk
        if chunks is None:
            return
        whole = thawed((response.status_code, kept_headers(response), b"".join(chunks)))
        keys = response_keys(request, whole, found)
        try:
            if not purged_since(made, keys):
                label(whole, keys)
                store(key, made, keys, whole)
        except Exception:
            # The client has every byte already: a cache that cannot keep them (full, gone)
            # must not cut the download short at its end.
            log.warning("A streamed answer could not be kept: %s", request.path, exc_info=True)

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.kz_view_kind = surrogates.view_kind(view_func)
