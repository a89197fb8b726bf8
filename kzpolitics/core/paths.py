"""Records' addresses without matching the URL patterns for each: ``record_path``.

A page or an API answer names hundreds of records (an API page of 50 organizations some 600
addresses: its own, every related record's, every source's), and Django's ``reverse`` walks
the patterns for each one. The address of a record differs from its neighbour's only by the
key, so the path is reversed once per view (and script prefix and URL configuration) with a
stand-in key, and each record's key is put in its place. A key the stand-in cannot stand for
(anything but letters, digits, ``-`` and ``_``, which ``reverse`` would quote or refuse) goes
through ``reverse`` itself, as does a view whose address holds the stand-in more than once.
"""

from __future__ import annotations

import functools
import re

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# What slugs and ids are made of: reversed as they are, never quoted (RFC 3986 unreserved).
_PLAIN = re.compile(r"[-A-Za-z0-9_]+")
# Stand-ins a slug pattern and an id pattern both accept (a key of digits: an id or a slug).
_DIGITS_STAND_IN = "7319046528"
_SLUG_STAND_IN = "kz-stand-in"


def record_path(view_name: str, key) -> str:
    """``reverse(view_name, args=[key])`` for a record's slug or id."""
    text = str(key)
    if not _PLAIN.fullmatch(text):
        return reverse(view_name, args=[key])
    stand_in = _DIGITS_STAND_IN if text.isdigit() else _SLUG_STAND_IN
    parts = _template(
        view_name, stand_in, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF
    )
    if parts is None:
        return reverse(view_name, args=[key])
    before, after = parts
    return f"{before}{text}{after}"


@functools.lru_cache(maxsize=512)
def _template(view_name: str, stand_in: str, prefix: str, urlconf, root) -> tuple | None:
    """The path of ``view_name`` around its key, split at the stand-in; None when it cannot be
    told apart (no such address for that kind of key, or the stand-in found twice). The
    script prefix and URL configurations are part of the cache key: ``reverse`` reads them."""
    try:
        path = reverse(view_name, args=[stand_in])
    except NoReverseMatch:
        return None
    parts = path.split(stand_in)
    return tuple(parts) if len(parts) == 2 else None
