"""The viewset every API endpoint builds on (kept apart from kzpolitics.rest, which DRF's
settings import: a view class reads those settings when it is defined)."""

from django.db.models import ProtectedError
from django.utils.http import http_date
from rest_framework import permissions, status, viewsets
from rest_framework.exceptions import APIException, NotFound

from .caching import data_version
from .models import EditConflict

EDIT_SUMMARY_HEADER = "X-Edit-Summary"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record changed since you read it."
    default_code = "conflict"


class RecordViewSet(viewsets.ModelViewSet):
    """Read for everyone; write for signed-in users with the admin's model permissions."""

    lookup_field = "slug"
    permission_classes = (permissions.DjangoModelPermissionsOrAnonReadOnly,)
    http_method_names = ("get", "post", "put", "patch", "delete", "head", "options")

    def initial(self, request, *args, **kwargs):
        # A NUL in a query parameter is refused before any view runs (a 400 naming it:
        # kzpolitics.middleware). Nor does any record's key hold one: PostgreSQL refused the
        # lookup of /organizations/a%00b/ with a DataError, a 500 (tests/test_hostile_input.py).
        if any("\x00" in str(value) for value in kwargs.values()):
            raise NotFound("No record has a key with a null character in it.")
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_last_modified(request, response)
        return response

    # -- writes: history with an edit summary, no lost update, no orphaned citation ------------

    def edit_summary(self, default: str) -> str:
        """The editor's summary for the record's history: the X-Edit-Summary header."""
        return (self.request.headers.get(EDIT_SUMMARY_HEADER) or "").strip()[:300] or default

    def perform_create(self, serializer):
        serializer.context["edit_summary"] = self.edit_summary("Created through the API")
        serializer.save()

    def perform_update(self, serializer):
        serializer.context["edit_summary"] = self.edit_summary("Changed through the API")
        try:
            serializer.save()
        except EditConflict as exc:
            raise Conflict(
                f"{exc} Read the record again (GET), re-apply your change and send it with "
                f"version {exc.current_version}."
            ) from exc

    def perform_destroy(self, instance):
        instance._change_reason = self.edit_summary("Deleted through the API")
        try:
            instance.delete()
        except ProtectedError as exc:
            blockers = sorted({str(obj) for obj in exc.protected_objects})
            shown = "; ".join(blockers[:20]) + (" …" if len(blockers) > 20 else "")
            raise Conflict(
                f"“{instance}” cannot be deleted: {len(blockers)} record(s) cite or depend on "
                f"it: {shown}."
            ) from exc


def add_last_modified(request, response) -> None:
    """Last-Modified: when the data last changed. With the ETag that Django's
    ConditionalGetMiddleware computes from the body, a client that sends either back gets
    a 304 while nothing changed."""
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        changed = data_version(request._request)
        if changed is not None:
            response.headers.setdefault("Last-Modified", http_date(changed.timestamp()))
