"""Who is asking: the client's address behind a known number of trusted proxies.

``PROXY_COUNT`` (the setting, from the environment) says how many proxies the site runs behind
(a load balancer, a CDN), each of which appends the address it received the request from to
``X-Forwarded-For``. Only those last entries are trustworthy: anything to their left is what
the client sent and can say anything. So with ``PROXY_COUNT=n`` the client is the n-th entry
from the right, and with 0 (no proxy, the default) the header is ignored and the address of
the connection (``REMOTE_ADDR``) is the client's.

Both users of the address follow this one rule: DRF's throttling (``NUM_PROXIES``, which its
``get_ident`` reads the same way) and django-axes's lock-outs (``AXES_CLIENT_IP_CALLABLE``:
without django-ipware installed axes would otherwise see only ``REMOTE_ADDR``, the proxy's,
so one client's failures would lock every editor's name out for everyone).
"""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR`` with no trusted proxy (or no header), else the
    entry of ``X-Forwarded-For`` the outermost trusted proxy appended."""
    count = getattr(settings, "PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not count or not forwarded:
        return remote
    entries = forwarded.split(",")
    return entries[-min(count, len(entries))].strip() or remote
