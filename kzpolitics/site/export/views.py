"""The downloads: ``/api/v1/export/`` (the current version's zip, naming its own address in a
``Link: rel="canonical"`` header), ``/api/v1/export/<version>/kzpolitics.zip`` and
``.../kzpolitics.sqlite3`` (a version's files, the same bytes for as long as they are kept) and
``/api/v1/export/versions/`` (the versions kept, as JSON). Each file carries an ETag and the
Last-Modified of its data version, so that a client holding it gets a 304."""

from __future__ import annotations

import datetime
import tempfile

from django.db import transaction
from django.http import FileResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, renderers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from kzpolitics.core.models import DataVersion

from .store import (
    KINDS,
    kept,
    kept_export,
    kept_versions,
    parse_version_id,
    read_version,
    repeatable_read,
    write_export,
)
from .writer import SPOOL_BYTES, Export, etag_for, version_id


class ZipRenderer(renderers.BaseRenderer):
    """Lets clients ask for ``application/zip`` (or ``?format=zip``); the view sends the file."""

    media_type = "application/zip"
    format = "zip"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


class SqliteRenderer(ZipRenderer):
    """Lets clients ask for ``application/vnd.sqlite3``; the view sends the file."""

    media_type = "application/vnd.sqlite3"
    format = "sqlite3"


MEDIA_TYPES = {"zip": "application/zip", "sqlite": "application/vnd.sqlite3"}
FILE_NAMES = {"zip": "kzpolitics.zip", "sqlite": "kzpolitics.sqlite3"}
# A version's file never changes: caches may keep it for a year without asking again.
FOREVER = 365 * 24 * 3600
# The current version's address and the list of versions change with the data: ask again.
SHORT = 60


class Gone(exceptions.APIException):
    """410: the version's files were kept once and removed since."""

    status_code = status.HTTP_410_GONE
    default_code = "gone"


def version_address(request, version: str, kind: str) -> str:
    return request.build_absolute_uri(reverse(f"api:export-version-{kind}", args=[version]))


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
    "If-None-Match or If-Modified-Since to get a 304 while the data is unchanged. "
    'The Link header (rel="canonical") gives this version\'s own address, '
    "/api/v1/export/<version>/kzpolitics.zip, which keeps answering with the same bytes: "
    "cite that one."
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
        canonical = None
        if how == "data_version":
            files, version = kept_export(version)
            # Not a with block: the response streams the file, and closes it when sent.
            body = files.path("zip").open("rb")
            canonical = version_address(request, files.id, "zip")
        else:
            # No recorded version (an empty or hand-loaded database): nothing to key a copy
            # on, so each download is built afresh, and it has no address of its own.
            body = tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+b")  # noqa: SIM115
            try:
                with transaction.atomic():
                    repeatable_read()
                    write_export(body, (version, how))
            except BaseException:
                body.close()
                raise
            body.seek(0)
        export = Export(version, how)
        response = FileResponse(
            body, as_attachment=True, filename=export.filename, content_type="application/zip"
        )
        if canonical:
            response.headers["Link"] = f'<{canonical}>; rel="canonical"'
        return stamped(response, export.version, export.etag)

    def finalize_response(self, request, response, *args, **kwargs):
        return json_errors(super().finalize_response(request, response, *args, **kwargs))


VERSION_PARAMETER = OpenApiParameter(
    "version",
    str,
    OpenApiParameter.PATH,
    pattern=r"^[0-9]{8}T[0-9]{6}\.[0-9]{6}Z-f[1-9][0-9]{0,5}$",
    description=(
        "A data version's id: the time of its last change in UTC to the microsecond (ISO "
        "8601 basic) and its files' format, e.g. 20261203T163557.123456Z-f5. "
        "/api/v1/export/versions/ lists them; the current one is in the Link header of "
        "/api/v1/export/."
    ),
)


class VersionFileView(APIView):
    """One file of one data version: the same bytes for as long as it is kept."""

    permission_classes = (permissions.AllowAny,)
    http_method_names = ("get", "head")
    kind = "zip"

    def get_renderers(self):
        return [ZipRenderer() if self.kind == "zip" else SqliteRenderer()]

    def get(self, request, version: str, *args, **kwargs):
        moment = parse_version_id(version)
        if moment is None:
            raise exceptions.NotFound(
                f"{version!r} is not a data version's id: an id is the time of the version "
                "in UTC to the microsecond and its format, e.g. 20261203T163557.123456Z-f5. "
                "/api/v1/export/versions/ lists the versions kept."
            )
        files = kept(version)
        if not files.built:
            current, how = read_version(DataVersion.answering(request))
            if how == "data_version" and version_id(current) == version:
                files, _ = kept_export(current)  # built now, from the current data
            if not files.built:
                unavailable(files, version)
        path = files.path(self.kind)
        tag = etag_for(moment) if self.kind == "zip" else f'"kzpolitics-sqlite-{version}"'
        unchanged = get_conditional_response(
            request, etag=tag, last_modified=int(moment.timestamp())
        )
        if unchanged is None:
            filename = f"kzpolitics-{version}{'.zip' if self.kind == 'zip' else '.sqlite3'}"
            response = FileResponse(
                path.open("rb"),
                as_attachment=True,
                filename=filename,
                content_type=MEDIA_TYPES[self.kind],
            )
        else:
            response = unchanged
        patch_cache_control(response, public=True, max_age=FOREVER, immutable=True)
        response.headers["Link"] = (
            f'<{version_address(request, version, self.kind)}>; rel="canonical"'
        )
        return stamped(response, moment, tag)

    def finalize_response(self, request, response, *args, **kwargs):
        return json_errors(super().finalize_response(request, response, *args, **kwargs))


def unavailable(files, version: str):
    """Raise the honest error for a version whose files are not here."""
    if files.removed:
        raise Gone(
            f"The files of data version {version} were kept once and have since been "
            "removed from this site (it keeps only its newest versions). They cannot be "
            "built again: an export is built from the database as it is now, and the "
            "database keeps no past state."
        )
    raise exceptions.NotFound(
        f"No files of data version {version} are kept on this site. Either no such "
        "version existed here, or no one downloaded it while it was the current version "
        "(a version's files are built at its first download). They cannot be built now: an "
        "export is built from the database as it is now, and the database keeps no past "
        "state. /api/v1/export/versions/ lists the versions kept."
    )


def json_errors(response):
    if isinstance(response, Response):
        # Only errors (404, 405, 406, 410, 429, ...) come as a DRF response here: JSON.
        response.accepted_renderer = renderers.JSONRenderer()
        response.accepted_media_type = "application/json"
    return response


class ZipVersionView(VersionFileView):
    """``/api/v1/export/<version>/kzpolitics.zip``."""

    kind = "zip"

    @extend_schema(
        summary="Download one data version's zip",
        description=(
            "The zip of one data version, as /api/v1/export/ sent it while that version was "
            "current: the same bytes for as long as the site keeps it (cite this address). "
            "A version no one downloaded while it was current was never built and cannot be "
            "built later (404); one removed since is 410."
        ),
        parameters=[VERSION_PARAMETER],
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="kzpolitics-<version>.zip"
            ),
            (304, "application/zip"): OpenApiResponse(description="The client has it."),
        },
    )
    def get(self, request, version: str, *args, **kwargs):
        return super().get(request, version, *args, **kwargs)


class SqliteVersionView(VersionFileView):
    """``/api/v1/export/<version>/kzpolitics.sqlite3``."""

    kind = "sqlite"

    @extend_schema(
        summary="Download one data version as an SQLite database",
        description=(
            "The whole public database of one data version as one SQLite file, built from "
            "the same snapshot as its zip: the zip's tables and columns (with _ for - in "
            "their names), primary and foreign keys, indexes on the keys, views for the "
            "common joins (organization_names_with_organization, results_named, "
            "citations_with_source, roles_named, relations_named) and an export_metadata "
            "table (version, licence, addresses). It opens in sqlite3 and Datasette. The same "
            "bytes for as long as the site keeps the version."
        ),
        parameters=[VERSION_PARAMETER],
        responses={
            (200, "application/vnd.sqlite3"): OpenApiResponse(
                OpenApiTypes.BINARY, description="kzpolitics-<version>.sqlite3"
            ),
            (304, "application/vnd.sqlite3"): OpenApiResponse(description="The client has it."),
        },
    )
    def get(self, request, version: str, *args, **kwargs):
        return super().get(request, version, *args, **kwargs)


class ExportVersionsView(APIView):
    """``/api/v1/export/versions/``: the data versions whose files this site keeps."""

    permission_classes = (permissions.AllowAny,)
    http_method_names = ("get", "head")
    renderer_classes = (renderers.JSONRenderer,)

    @extend_schema(
        summary="List the data versions kept for download",
        description=(
            "The current data version's id and addresses (built at its first download), and "
            "every version whose files the site keeps, newest first, each with its time, the "
            "addresses of its zip and SQLite file and their sizes and SHA-256 hashes."
        ),
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, *args, **kwargs):
        current, how = read_version(DataVersion.answering(request))
        versions = []
        for files in kept_versions():
            info = files.info()
            versions.append(
                {
                    "id": files.id,
                    "created": info["created"],
                    **{
                        kind: {
                            "url": version_address(request, files.id, kind),
                            **info["files"][kind],
                        }
                        for kind in KINDS
                    },
                }
            )
        body = {"current": None, "versions": versions}
        if how == "data_version":
            current_id = version_id(current)
            body["current"] = {
                "id": current_id,
                "created": current.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
                **{kind: version_address(request, current_id, kind) for kind in KINDS},
            }
        response = Response(body)
        # Kept files come with downloads, not only with edits: not for the page cache.
        patch_cache_control(response, no_cache=True, max_age=SHORT)
        return response


def stamped(response, version: datetime.datetime, etag: str):
    response.headers["Last-Modified"] = http_date(version.timestamp())
    response.headers["ETag"] = etag
    return response
