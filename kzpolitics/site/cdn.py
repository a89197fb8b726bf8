"""Telling the HTTP caches in front of the site (Varnish, a CDN) what a public change touched.

Every cacheable public response names the records it shows in its ``Surrogate-Key`` header
(kzpolitics.site.surrogates); a cache that indexes its objects by those keys (Varnish with the
xkey vmod: kzpolitics/site/varnish/kzpolitics.vcl) can then drop exactly the objects that
show a changed record. After a public change commits, the purge (kzpolitics.site.surrogates)
calls ``send_purge`` with the change's keys, and each cache named in ``CACHE_PURGE_URLS``
gets one request (or a few, for a very long list)::

    PURGE / HTTP/1.1
    xkey-purge: organization-12 list-organization source-3

A cache that cannot be reached or refuses is logged, never raised: the change is saved
already, and the editor's save must not fail because a cache is down. The request has a short
timeout (``CACHE_PURGE_TIMEOUT``) so a dead cache costs a save at most that much per cache.
"""

from __future__ import annotations

import http.client
import logging
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

METHOD = "PURGE"
HEADER = "xkey-purge"
# Varnish refuses a request whose headers pass http_req_hdr_len (8 KB by default), and many
# proxies stop at 8 KB as well; a longer list of keys goes in several requests.
MAX_HEADER_CHARS = 6000


def batches(keys: Iterable[str], limit: int = MAX_HEADER_CHARS) -> Iterator[str]:
    """The keys (each once, in order), space separated, in header values of at most ``limit``
    characters; a single key longer than that still goes, alone."""
    batch: list[str] = []
    size = 0
    for key in dict.fromkeys(keys):
        if batch and size + 1 + len(key) > limit:
            yield " ".join(batch)
            batch, size = [], 0
        size += len(key) + (1 if batch else 0)
        batch.append(key)
    if batch:
        yield " ".join(batch)


def send_purge(keys: Iterable[str]) -> None:
    """Ask each configured cache to drop its objects tagged with any of ``keys``."""
    urls = getattr(settings, "CACHE_PURGE_URLS", [])
    values = list(batches(key for key in keys if key))
    if not urls or not values:
        return
    timeout = getattr(settings, "CACHE_PURGE_TIMEOUT", 2.0)
    for url in urls:
        _purge_one(url, values, timeout)


def _purge_one(url: str, values: list[str], timeout: float) -> None:
    # http.client rather than urllib: urllib would route through an HTTP(S)_PROXY of the
    # environment, and a purge is meant for the cache at that address, not a proxy's.
    connections = {"http": http.client.HTTPConnection, "https": http.client.HTTPSConnection}
    try:
        parts = urlsplit(url)
        if parts.scheme not in connections or not parts.hostname:
            raise ValueError
        connection = connections[parts.scheme](parts.hostname, parts.port, timeout=timeout)
    except ValueError:  # not an address, or a port that is not a number
        logger.error("CACHE_PURGE_URLS: %r is not an http(s) address; no purge sent", url)
        return
    path = parts.path or "/"
    try:
        for value in values:  # one connection (kept alive) for a cache's requests
            connection.request(METHOD, path, headers={HEADER: value, "Content-Length": "0"})
            response = connection.getresponse()
            response.read()
            if not 200 <= response.status < 300:
                logger.error(
                    "The cache at %s refused a purge: %s %s (keys: %s)",
                    url, response.status, response.reason, value,
                )  # fmt: skip
                return
    # A save must not fail for a cache: anything going wrong here is logged, whatever it is.
    except Exception as error:
        logger.error("No purge reached the cache at %s: %r (keys: %s)", url, error, value)
    finally:
        connection.close()
