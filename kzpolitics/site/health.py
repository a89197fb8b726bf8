"""Surviving a database outage, and saying how the database is.

- ``server_error`` (the site's handler500): while the database does not answer (a PostgreSQL
  restart, a failover), a request gets a 503 with ``Retry-After`` (the site's page, or the
  API's JSON) instead of a 500. Django's ``CONN_HEALTH_CHECKS`` drops a dead persistent connection
  at the next request, so the site serves again as soon as the database is back.
- ``healthz``: 200 when the database answers a query, 503 when it does not; it says nothing
  else (no host, no error text).
"""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

RETRY_AFTER_SECONDS = 5
OUTAGE_ERRORS = (OperationalError, InterfaceError)


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        connection.close_if_unusable_or_obsolete()
        return False


def healthz(request):
    ok = database_answers()
    response = JsonResponse(
        {"status": "ok" if ok else "unavailable", "database": "ok" if ok else "unavailable"},
        status=200 if ok else 503,
    )
    response["Cache-Control"] = "no-store"
    if not ok:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def unavailable(request) -> HttpResponse:
    # Imported here: the logging settings import this module (QuietOutageFilter) before the
    # apps are ready, and the API's modules need them.
    from kzpolitics.core.problems import problem_response

    if request.path.startswith("/api/"):
        response = problem_response(
            request, 503, "The database is not answering for a moment. Try again in a few seconds."
        )
    else:
        # A plain template: no context processor, no URL reversing, no query.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, *args, **kwargs):
    """The site's handler500: a database that does not answer is a 503 the client may retry
    (the next request reconnects: CONN_HEALTH_CHECKS); anything else is the 500 page, or
    under /api/ the API's problem details (kzpolitics.core.problems)."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OUTAGE_ERRORS):
        connection.close_if_unusable_or_obsolete()
        return unavailable(request)
    if request.path.startswith("/api/"):
        from kzpolitics.core.problems import problem_response  # see unavailable()

        return problem_response(
            request, 500, "The server failed to answer this request; the error is logged."
        )
    return defaults.server_error(request, *args, **kwargs)


class QuietOutageFilter(logging.Filter):
    """A request answered 503 because the database was away is logged as one warning line:
    an outage of a few seconds under load would otherwise write thousands of tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 503:
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
