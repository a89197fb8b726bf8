"""What the scripts that drive a served copy of the site share (faults.py, bench.py): one GET
without urllib's retries and redirects, and a clean-up that also runs on SIGTERM and SIGHUP.

The site copies themselves come from ``tests/site_server.py``.
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


def fetch(url: str, timeout: float = 5) -> Answer:
    """One GET on a new connection: its status, body and headers; (None, b"", None) when it
    did not answer (refused, reset, timed out)."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
    try:
        connection.request("GET", address.path + (f"?{address.query}" if address.query else ""))
        response = connection.getresponse()
        return Answer(response.status, response.read(), response.headers)
    except (OSError, http.client.HTTPException):
        return Answer(None, b"", None)
    finally:
        connection.close()


def unwind_on_signals() -> None:
    """Under SIGTERM or SIGHUP, unwind through the ``finally`` clean-ups as on Ctrl-C, so
    that nothing a script started (a cluster, a server, a database) is left behind."""
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda signum, frame: sys.exit(128 + signum))
