"""The viewset every API endpoint builds on (kept apart from kzpolitics.rest, which DRF's
settings import: a view class reads those settings when it is defined)."""

from django.utils.http import http_date
from rest_framework import permissions, viewsets
from rest_framework.exceptions import ValidationError

from .models import DataVersion


class RecordViewSet(viewsets.ModelViewSet):
    """Read for everyone; write for signed-in users with the admin's model permissions."""

    lookup_field = "slug"
    permission_classes = (permissions.DjangoModelPermissionsOrAnonReadOnly,)
    http_method_names = ("get", "post", "put", "patch", "delete", "head", "options")

    def initial(self, request, *args, **kwargs):
        # A NUL character cannot be stored or searched for by any database: say which.
        for name, values in request.query_params.lists():
            if any("\x00" in value for value in values) or "\x00" in name:
                raise ValidationError(
                    {name.replace("\x00", ""): "Null characters are not allowed."}
                )
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_last_modified(request, response)
        return response


def add_last_modified(request, response) -> None:
    """Last-Modified: when the data last changed. With the ETag that Django's
    ConditionalGetMiddleware computes from the body, a client that sends either back gets
    a 304 while nothing changed."""
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        changed = DataVersion.current()
        if changed is not None:
            response.headers.setdefault("Last-Modified", http_date(changed.timestamp()))
