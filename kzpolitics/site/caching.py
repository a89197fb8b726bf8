"""Whole responses of the public pages and the API, cached under the data's version.

Every save and delete the public can see moves ``DataVersion`` on (kzpolitics.core.signals), in the
same transaction as the change; nothing done to drafts does. A response is cached under a key
that holds the version read at the start of the request, so:

- a repeated request for an unchanged page costs one indexed read of that one row and a cache
  lookup, whatever the size of the data;
- a saved edit shows at once everywhere: the next request reads the new version, and the old
  entries are never asked for again (they age out). No server process has to be told, so this
  holds with any number of processes and machines, and with a cache of each process's own
  (the default) as with one they share (Redis, ``REDIS_URL``).

Only what is the same for every visitor is cached: a GET (or a HEAD, answered as its GET) that
carries no cookie but the CSRF token's (no session, so no editor and no preview) and no
``Authorization`` header; a 200 that sets no cookie, used no CSRF token and does not ask to be
private. The API's throttling runs in its views, so a hit is not counted against a client: a
hit costs what the floor does, and the requests that cost something (misses) are still
throttled.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.http import ConditionalGetMiddleware
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import parse_http_date_safe

from kzpolitics.core.models import DataVersion

CACHE_ALIAS = "pages"
HEADER = "X-Cache"  # "hit" or "miss": for operators and the benchmark, says nothing private
READS = ("GET", "HEAD")  # a HEAD is answered as its GET is, headers and all
NEVER = ("/admin/", "/healthz")  # the editors' site, and a probe that must ask the database
# Headers the cached copy keeps. Set-Cookie never (such a response is not cached anyway); the
# outer middleware (security headers, CSP) add theirs to hits and misses alike.
KEPT = ("Content-Type", "Content-Disposition", "Last-Modified", "ETag", "Vary", "Allow",
        "Link", "Cache-Control", "Content-Language", "X-Frame-Options")  # fmt: skip


def cacheable_request(request) -> bool:
    if request.method not in READS or request.path.startswith(NEVER):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    return set(request.COOKIES) <= {settings.CSRF_COOKIE_NAME}


def cacheable_response(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False  # the page embeds a token of this visitor's
    control = response.get("Cache-Control", "").lower()
    return not any(word in control for word in ("private", "no-store", "no-cache"))


def cache_key(request, version) -> str:
    """The version, and what the response depends on: the address (query string included),
    the host and scheme (the API's links are absolute) and, for the API, ``Accept`` (JSON or
    CSV)."""
    parts = [
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        request.META.get("HTTP_ACCEPT", "") if request.path.startswith("/api/") else "",
    ]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    stamp = version.isoformat() if version else "empty"
    return f"response:{stamp}:{digest}"


def frozen(response) -> tuple:
    """What the cache keeps of a response: status, the headers worth keeping, the body."""
    if not response.has_header("ETag"):
        # Saves Django's ConditionalGetMiddleware hashing the body again on every hit.
        response["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
    headers = [(name, response[name]) for name in KEPT if response.has_header(name)]
    return response.status_code, headers, response.content


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


class VersionedCacheMiddleware:
    """Serve a public GET (or HEAD) from the cache while the data has not changed since."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable_request(request):
            return self.get_response(request)
        version = DataVersion.current()
        request.data_version = version  # for DataVersion.answering(): no second query
        cache = caches[CACHE_ALIAS]
        key = cache_key(request, version)
        entry = cache.get(key)
        if entry is not None:
            response = thawed(entry)
            response[HEADER] = "hit"
            return response
        response = self.get_response(request)
        if callable(getattr(response, "render", None)) and not response.is_rendered:
            response.render()  # a TemplateResponse: its body is what the cache keeps
        if cacheable_response(request, response):
            cache.set(key, frozen(response))
            response[HEADER] = "miss"
        return response
