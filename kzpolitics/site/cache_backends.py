"""The response cache's purge marks: Django's Redis cache, without its check of every key.

A hit reads the purge marks of every key the response carries (some hundreds for a page of 50
records: kzpolitics.site.caching). Django checks each key it is given for what memcached would
refuse (``BaseCache.validate_key``: length and characters, a warning each), about a third of the
hit's time spent on keys that are the site's own surrogate keys: short, ASCII, without spaces or
control characters (kzpolitics.core.dependencies). Django's documentation on cache key warnings
names overriding ``validate_key`` in a subclass as the way for a backend that accepts them.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache


class MarksCache(RedisCache):
    """Redis, for keys the site makes itself (a purge mark per surrogate key)."""

    def validate_key(self, key: str) -> None:
        """Nothing to warn of: every key is a surrogate key's mark (tests/test_caching.py
        checks that they would pass Django's check)."""
