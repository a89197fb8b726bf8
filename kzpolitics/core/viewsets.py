"""The viewset every API endpoint builds on (kept apart from kzpolitics.core.rest, which DRF's
settings import: a view class reads those settings when it is defined)."""

import copy

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import ProtectedError
from django.utils.http import http_date
from rest_framework import permissions, status, viewsets
from rest_framework.exceptions import (
    APIException,
    MethodNotAllowed,
    NotFound,
    PermissionDenied,
)
from rest_framework.response import Response
from rest_framework.settings import api_settings

from kzpolitics.core.csv_format import StreamedCSVMixin
from kzpolitics.core.models import DataVersion, EditConflict
from kzpolitics.core.publishing import shown_to_public
from kzpolitics.core.rest import check_query_params
from kzpolitics.core.reuse import built_once
from kzpolitics.core.revisions import must_propose, propose
from kzpolitics.core.visibility import may_publish

EDIT_SUMMARY_HEADER = "X-Edit-Summary"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record changed since you read it."
    default_code = "conflict"


# The actions that change a record: they look it up among every row (an editor edits drafts).
WRITES = frozenset({"create", "update", "partial_update", "destroy"})


class ModelPermissionsOrAnonReadOnly(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """DRF's class, but a read, which needs no permission, is let through without building
    the view's queryset to learn its model: DRF's class calls ``get_queryset()`` for that, so
    every read built the published queryset (with its lifespans' annotations) twice, a
    quarter of an organization's API answer when the cache did not have it."""

    def has_permission(self, request, view):
        queryset = getattr(view, "queryset", None)
        if (
            request.user
            and request.method in permissions.SAFE_METHODS
            and queryset is not None
            and not self.get_required_permissions(request.method, queryset.model)
        ):
            return True
        return super().has_permission(request, view)


class RecordViewSet(StreamedCSVMixin, viewsets.ModelViewSet):
    """Read for everyone; write for signed-in users with the admin's model permissions.

    Every read (a list, a record, OPTIONS, whatever the method and whoever asks, an editor
    included) shows what the public may see: the viewset's ``published_queryset()``. Only a
    write looks the record up among every row (``queryset``, which holds them all). Any
    other method (TRACE, ...) is a 405."""

    lookup_field = "slug"
    permission_classes = (ModelPermissionsOrAnonReadOnly,)
    http_method_names = ("get", "post", "put", "patch", "delete", "head", "options")
    # Query parameters the view takes beyond its filters, search, ordering, paging and format
    # (a list's and a record's alike): any other is a 400 (``allowed_query_params``).
    extra_query_params: tuple[str, ...] = ()
    # The public figure (kzpolitics.site.figures) that says how many rows the list holds
    # unfiltered, kept with the data version: such a list takes it rather than counting them
    # again (``known_count``, which the pagination asks). None: counted on every request.
    figure: str | None = None
    # What may be asked of the whole list without changing how many it holds.
    UNFILTERED = frozenset({"page", "page_size", "ordering", api_settings.URL_FORMAT_OVERRIDE})
    # The actions that answer a page at a time (``?page=``, ``?page_size=``): the list, and
    # any of the view's own that page what hangs on one record.
    paged_actions = frozenset({"list"})

    def known_count(self, request) -> int | None:
        """How many rows the list holds, from the figures kept for the current data version,
        when nothing is asked that changes how many; else None, to have them counted."""
        if (
            self.action != "list"
            or self.figure is None
            or not set(request.query_params) <= self.UNFILTERED
        ):
            return None
        counts = DataVersion.kept_figures(request)
        return None if counts is None else counts.get(self.figure)

    def get_queryset(self):
        if self.action in WRITES:
            return self.queryset.model.objects.all()
        # Built once for each viewset and action, copied for each request (kzpolitics.core.reuse).
        return built_once((type(self), self.action), self.published_queryset)

    def published_queryset(self):
        """The rows a read shows, and the related rows it nests, all ones the public may
        see: each viewset names them (``Model.objects.published()``, ``published_prefetch``).
        What it returns may depend on the action alone (a record or a list), never on the
        request: it is built once for each (``get_queryset``)."""
        return self.queryset.model.objects.published()

    def initial(self, request, *args, **kwargs):
        # A NUL in a query parameter is refused before any view runs (a 400 naming it:
        # kzpolitics.site.middleware). Nor does any record's key hold one: PostgreSQL refused the
        # lookup of /organizations/a%00b/ with a DataError, a 500 (tests/test_hostile_input.py).
        if any("\x00" in str(value) for value in kwargs.values()):
            raise NotFound("No record has a key with a null character in it.")
        if request.method not in self.allowed_methods:
            # A method this address does not take (POST to a record, PUT to a list, a write
            # to a .csv address) is a 405 whoever asks, as Allow says, said before credentials
            # are: an anonymous client is told the method is wrong, not asked to sign in for
            # something no one may do.
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
        what = "This list" if self.action == "list" else "This address"
        check_query_params(
            request, self.allowed_query_params(), what, self.multi_valued_query_params()
        )

    def filter_queryset(self, queryset):
        """The list's filters, search and ordering; a record's address (and a write's) takes
        none of their parameters (``initial`` refuses them with a 400), so none is applied:
        building the list's filter set, search and ordering for nothing cost every API record
        1.1 ms."""
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def allowed_query_params(self) -> set[str]:
        """The query parameters this request may give: on a list its filters, ``search`` (if
        it searches), ``ordering``; on a list and the other ``paged_actions``, ``page`` and
        ``page_size``; everywhere ``format`` and the view's ``extra_query_params``."""
        allowed = {api_settings.URL_FORMAT_OVERRIDE, *self.extra_query_params}
        if self.action == "list":
            filterset = getattr(self, "filterset_class", None)
            if filterset is not None:
                allowed |= set(filterset.base_filters)
            if getattr(self, "search_fields", None):
                allowed.add(api_settings.SEARCH_PARAM)
            allowed.add(api_settings.ORDERING_PARAM)
        if self.action in self.paged_actions and self.paginator is not None:
            paging = (self.paginator.page_query_param, self.paginator.page_size_query_param)
            allowed |= {name for name in paging if name}
        return allowed

    def multi_valued_query_params(self) -> set[str]:
        """The list's filters that take several values (``?x=a&x=b``): any other given twice
        is a 400."""
        filterset = getattr(self, "filterset_class", None)
        if self.action != "list" or filterset is None:
            return set()
        return {
            name
            for name, declared in filterset.base_filters.items()
            if issubclass(declared.field_class, forms.MultipleChoiceField)
        }

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

    def update(self, request, *args, **kwargs):
        """A write to a published record by someone who may not publish is kept as a pending
        revision (kzpolitics.core.revisions): 202 Accepted with the revision, the record unchanged.
        Anything else is saved as DRF saves it."""
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        if must_propose(request.user, instance):
            return self.propose_update(serializer)
        self.perform_update(serializer)
        if getattr(instance, "_prefetched_objects_cache", None):
            instance._prefetched_objects_cache = {}
        return Response(serializer.data)

    def propose_update(self, serializer) -> Response:
        stored = serializer.instance
        changed = copy.copy(stored)
        values = dict(serializer.validated_data)
        expected = values.pop("version", None)
        if expected is not None and expected != stored.version:
            exc = EditConflict(stored, expected, stored.version)
            raise Conflict(
                f"{exc} Read the record again (GET), re-apply your change and send it with "
                f"version {exc.current_version}."
            )
        links = {}
        for name, value in values.items():
            try:
                field = stored._meta.get_field(name)
            except FieldDoesNotExist:
                continue  # not a column of the record (as DRF's own update ignores it)
            if field.many_to_many:
                links[name] = value
            elif field.concrete:
                setattr(changed, name, value)
        changed._expected_version = expected
        summary = self.edit_summary("Changed through the API")
        revision = propose(changed, self.request.user, summary, links)
        if revision is None:
            return Response(serializer.to_representation(stored))
        return Response(
            {
                "detail": (
                    f"“{stored}” is published: your change is kept as pending revision "
                    f"{revision.pk}, which the public does not see until a reviewer accepts "
                    "it. The record is unchanged until then."
                ),
                "revision": revision.pk,
                "state": revision.state,
                "base_version": revision.base_version,
                "fields": sorted(revision.data),
            },
            status=status.HTTP_202_ACCEPTED,
        )

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
        if not may_publish(self.request.user) and shown_to_public(instance):
            # Deleting what the public sees takes it off the site: a reviewer's decision.
            raise PermissionDenied(
                f"“{instance}” is published: only a reviewer can delete what the public sees. "
                "Ask a reviewer to unpublish or delete it."
            )
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
        changed = DataVersion.answering(request)
        if changed is not None:
            response.headers.setdefault("Last-Modified", http_date(changed.timestamp()))
