"""What faults.py and bench.py share to drive a served copy of the site (tests/site_server.py
serves it): one GET without urllib's retries and redirects, and clean-up on SIGTERM and SIGHUP.
"""

from __future__ import annotations

import http.client
import signal
import sys
from typing import NamedTuple
from urllib.parse import urlsplit


class Answer(NamedTuple):
    """What one GET got: ``status`` None when the server did not answer."""

    status: int | None
    body: bytes
    headers: http.client.HTTPMessage | None


def fetch(url: str, timeout: float = 5, headers: dict[str, str] | None = None) -> Answer:
    """One GET on a new connection; (None, b"", None) when refused, reset or timed out."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
    try:
        path = address.path + (f"?{address.query}" if address.query else "")
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.read(), response.headers)
    except (OSError, http.client.HTTPException):
        return Answer(None, b"", None)
    finally:
        connection.close()


def unwind_on_signals() -> None:
    """Unwind through the ``finally`` clean-ups on SIGTERM or SIGHUP as on Ctrl-C, so that
    nothing a script started (a cluster, a server, a database) is left behind."""
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda signum, frame: sys.exit(128 + signum))
