"""Every error of the API in one shape: RFC 9457 problem details (``application/problem+json``).

A client reads one shape whatever went wrong, whatever ``?format=`` asked::

    {"type": "about:blank",
     "title": "Bad Request",                    # the HTTP status's reason phrase
     "status": 400,                             # the HTTP status, again
     "detail": "Invalid query parameter “kindd”: …",
     "instance": "/api/v1/organizations/?kindd=party",
     "invalid-params": [{"name": "kindd", "reason": "…"}]}

``invalid-params`` (RFC 9457 section 3's own example extension) is there on a 400 about query
parameters or body fields, one item a problem: ``name`` is the parameter, or the field's path
in the body (``names.0.name``); it is left out of every other answer. ``type`` is always
``about:blank``: the status and ``invalid-params`` say what went wrong, so the title is the
status's reason phrase, as RFC 9457 section 4.2.1 asks of that type.

Here are the body's builder (``problem``), the response that renders it whatever renderer
the request asked for (``ProblemResponse``), DRF's exception handler (``exception_handler``,
``REST_FRAMEWORK["EXCEPTION_HANDLER"]``), a plain Django response for answers made outside DRF
(``problem_response``: the NUL refusal, the 500 and 503 under /api/), the site's handler400
(``bad_request``: a body too large, too many parameters), and the serializers
that describe the body in the OpenAPI schema.
"""

from __future__ import annotations

from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.views import defaults
from rest_framework import renderers, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE = "about:blank"
INVALID_PARAMS = "invalid-params"

# A body's errors not tied to one field (a serializer's validate()), under DRF's own key.
NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY

SHOWN_REASONS = 5  # in the detail sentence; invalid-params has them all


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(
    status: int,
    detail: str,
    instance: str,
    invalid_params: list[dict[str, str]] | None = None,
) -> dict:
    """A problem details body (the module's docstring gives its shape)."""
    body = {
        "type": PROBLEM_TYPE,
        "title": reason_phrase(status),
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if invalid_params:
        body[INVALID_PARAMS] = invalid_params
    return body


def instance_of(request) -> str:
    """The request's path with its query string: what the problem is about."""
    return request.get_full_path()


def invalid_params_of(errors, prefix: str = "") -> list[dict[str, str]]:
    """DRF's validation errors (a dict of lists, nested for a body's nested fields and lists
    of rows) as invalid-params items, one a message, each named by its path (``names.0.name``)."""
    found: list[dict[str, str]] = []
    if isinstance(errors, dict):
        for key, value in errors.items():
            found += invalid_params_of(value, f"{prefix}{key}.")
    elif isinstance(errors, list) and any(isinstance(item, dict | list) for item in errors):
        for index, item in enumerate(errors):
            found += invalid_params_of(item, f"{prefix}{index}.")
    elif isinstance(errors, list):
        for item in errors:
            found.append({"name": prefix.rstrip(".") or NON_FIELD, "reason": str(item)})
    else:
        found.append({"name": prefix.rstrip(".") or NON_FIELD, "reason": str(errors)})
    return found


def invalid_detail(items: list[dict[str, str]], what: str) -> str:
    """One sentence naming what is wrong: “Invalid query parameter “page”: …”."""
    if len(items) == 1:
        item = items[0]
        if item["name"] == NON_FIELD:
            return f"Invalid {what}: {item['reason']}"
        return f"Invalid {what} “{item['name']}”: {item['reason']}"
    shown = "; ".join(f"{item['name']}: {item['reason']}" for item in items[:SHOWN_REASONS])
    more = f"; and {len(items) - SHOWN_REASONS} more" if len(items) > SHOWN_REASONS else ""
    return f"{len(items)} invalid {what}s: {shown}{more}."


def reads_parameters(request) -> bool:
    """Whether a 400 is about the query (a read) rather than the body (a write)."""
    return request.method in ("GET", "HEAD", "OPTIONS")


class ProblemRenderer(renderers.JSONRenderer):
    """JSON, as ``application/problem+json``."""

    media_type = PROBLEM_MEDIA_TYPE
    format = "problem+json"


class ProblemResponse(Response):
    """A response whose body is a problem: rendered as problem+json whatever renderer the
    request's ``?format=`` or Accept chose (DRF sets the chosen one on every response after
    the exception handler has run, so the choice is made here, when the body is rendered)."""

    @property
    def rendered_content(self):
        self.accepted_renderer = ProblemRenderer()
        self.accepted_media_type = PROBLEM_MEDIA_TYPE
        return super().rendered_content


def exception_handler(exc, context):
    """DRF's handler (statuses, WWW-Authenticate, Retry-After, the rollback), its answer
    reshaped as a problem. What DRF leaves to Django (an unexpected error) stays Django's:
    the site's handler500 answers it, as a problem under /api/."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context["request"]
    status = response.status_code
    data = response.data
    invalid = None
    if status == 400 and not (isinstance(data, dict) and set(data) == {"detail"}):
        invalid = invalid_params_of(data)
        what = "query parameter" if reads_parameters(request) else "field"
        detail = invalid_detail(invalid, what)
    elif isinstance(data, dict) and "detail" in data:
        detail = str(data["detail"])
    else:  # an exception whose detail is a list or dict, on another status
        detail = " ".join(item["reason"] for item in invalid_params_of(data))
    body = problem(status, detail, instance_of(request), invalid)
    headers = {name: value for name, value in response.items() if name != "Content-Type"}
    return ProblemResponse(body, status=status, headers=headers)


def problem_response(
    request: HttpRequest,
    status: int,
    detail: str,
    invalid_params: list[dict[str, str]] | None = None,
) -> HttpResponse:
    """A problem answered outside DRF (a middleware's refusal, the handler500 under /api/)."""
    body = problem(status, detail, instance_of(request), invalid_params)
    return HttpResponse(
        ProblemRenderer().render(body), status=status, content_type=PROBLEM_MEDIA_TYPE
    )


def bad_request(request, exception=None):
    """The site's handler400, for what Django refuses before any API view reads it (a body
    over DATA_UPLOAD_MAX_MEMORY_SIZE, more query parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS):
    a problem under /api/ (413 for the body), the site's 400 page elsewhere."""
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        detail = (
            f"The request body is larger than this API takes "
            f"({settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes)."
        )
        return problem_response(request, 413, detail)
    if isinstance(exception, TooManyFieldsSent):
        detail = (
            f"The request has more parameters than this API takes "
            f"({settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})."
        )
        return problem_response(request, 400, detail)
    return problem_response(request, 400, "The request could not be read.")


# -- the body, described for the OpenAPI schema -------------------------------------------------


class InvalidParamSerializer(serializers.Serializer):
    """One thing wrong with the request: a query parameter or a body field."""

    name = serializers.CharField(
        help_text="The query parameter, or the body field's path (names.0.name); "
        "non_field_errors for what concerns the body as a whole."
    )
    reason = serializers.CharField(help_text="What is wrong with it, and what is allowed.")


class ProblemSerializer(serializers.Serializer):
    """An error, as RFC 9457 problem details (application/problem+json)."""

    type = serializers.CharField(help_text="Always about:blank: the status says what went wrong.")
    title = serializers.CharField(help_text="The HTTP status's reason phrase, e.g. Bad Request.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(help_text="What went wrong, in a sentence or more.")
    instance = serializers.CharField(help_text="The request's path with its query string.")

    def get_fields(self):
        # "invalid-params" is not a Python name: it cannot be declared as an attribute.
        fields = super().get_fields()
        fields[INVALID_PARAMS] = InvalidParamSerializer(
            many=True,
            required=False,
            help_text="On a 400 about query parameters or body fields only: each thing wrong.",
        )
        return fields
