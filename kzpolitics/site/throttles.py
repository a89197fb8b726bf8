"""The API's rate limits (DRF's), counted in the default cache, which the server processes share
(Redis). If it cannot be reached, a request is let through, not failed: a limit that cannot be
counted for a while is a smaller harm than an API that answers every client with an error. The
operator is told (a warning each time)."""

from __future__ import annotations

import logging

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from kzpolitics.site.caching import UNREACHABLE

log = logging.getLogger(__name__)


class CountedWhenReachable:
    """Mixed into a DRF throttle: ``allow_request`` as the throttle's, True if its cache is down."""

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except UNREACHABLE as error:
            log.warning("API rate limits not counted: the cache cannot be reached (%s)", error)
            return True


class AnonThrottle(CountedWhenReachable, AnonRateThrottle):
    """Anonymous clients, by address: DRF's ``anon`` rate."""


class UserThrottle(CountedWhenReachable, UserRateThrottle):
    """Signed-in clients, by user: DRF's ``user`` rate."""
