"""``/api/v1/export/``: the whole dataset as one zip, with an ETag and Last-Modified of the
data version, so that a client holding the current version gets a 304."""

from __future__ import annotations

import datetime
import tempfile

from django.db import transaction
from django.http import FileResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, renderers
from rest_framework.response import Response
from rest_framework.views import APIView

from kzpolitics.core.models import DataVersion

from .store import kept_export, read_version, repeatable_read, write_export
from .writer import SPOOL_BYTES, Export, etag_for


class ZipRenderer(renderers.BaseRenderer):
    """Lets clients ask for ``application/zip`` (or ``?format=zip``); the view sends the file."""

    media_type = "application/zip"
    format = "zip"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


EXPORT_DESCRIPTION = (
    "The whole dataset as one zip file, named kzpolitics-<version>.zip after the data "
    "version (the time of the last change; also the Last-Modified header). It holds one CSV "
    "file per table (organizations, their names, stances, membership figures, roles and "
    "relations; people and their names; places and their names; events and their links to "
    "organizations, people, elections and acts; elections, rounds and results; legal acts, "
    "provisions and registration decisions; sources; citations), flat, one row per record, "
    "with foreign keys as slugs and uncertain dates as four columns (text, EDTF, earliest, "
    "latest); datapackage.json, a Frictionless Data Package describing every file's columns "
    "and keys; and kzpolitics.json, every record in Django's serialization format. Send "
    "If-None-Match or If-Modified-Since to get a 304 while the data is unchanged."
)


class ExportView(APIView):
    """The full download: every record, as CSV files, a data package and a JSON dump."""

    permission_classes = (permissions.AllowAny,)
    http_method_names = ("get", "head")
    renderer_classes = (ZipRenderer,)

    @extend_schema(
        summary="Download the whole dataset as a zip",
        description=EXPORT_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=["zip"],
                description="zip, the only format (the same as sending Accept: application/zip).",
            )
        ],
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="kzpolitics-<version>.zip"
            ),
            (304, "application/zip"): OpenApiResponse(
                description="The data has not changed since the version the client holds."
            ),
        },
    )
    def get(self, request, *args, **kwargs):
        version, how = read_version(DataVersion.answering(request))
        unchanged = get_conditional_response(
            request, etag=etag_for(version), last_modified=int(version.timestamp())
        )
        if unchanged is not None:
            return stamped(unchanged, version, etag_for(version))
        if how == "data_version":
            path, version = kept_export(version)
            # Not a with block: the response streams the file, and closes it when sent.
            kept = path.open("rb")
        else:
            # No recorded version (an empty or hand-loaded database): nothing to key a copy
            # on, so each download is built afresh.
            kept = tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+b")  # noqa: SIM115
            try:
                with transaction.atomic():
                    repeatable_read()
                    write_export(kept, (version, how))
            except BaseException:
                kept.close()
                raise
            kept.seek(0)
        export = Export(version, how)
        response = FileResponse(
            kept, as_attachment=True, filename=export.filename, content_type="application/zip"
        )
        return stamped(response, export.version, export.etag)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response):
            # Only errors (405, 406, 429, ...) come as a DRF response here: they are JSON.
            response.accepted_renderer = renderers.JSONRenderer()
            response.accepted_media_type = "application/json"
        return response


def stamped(response, version: datetime.datetime, etag: str):
    response.headers["Last-Modified"] = http_date(version.timestamp())
    response.headers["ETag"] = etag
    return response
