"""The viewset every API endpoint builds on (kept apart from kzpolitics.rest, which DRF's
settings import: a view class reads those settings when it is defined)."""

from rest_framework import permissions, viewsets


class RecordViewSet(viewsets.ModelViewSet):
    """Read for everyone; write for signed-in users with the admin's model permissions."""

    lookup_field = "slug"
    permission_classes = (permissions.DjangoModelPermissionsOrAnonReadOnly,)
    http_method_names = ("get", "post", "put", "patch", "delete", "head", "options")
