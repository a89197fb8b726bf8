"""Who sees drafts: the public sees published records only; editors see everything.

Every record has a status (draft, in review, published). Rather than every view, viewset,
prefetch and count remembering to filter, the records' managers ask this module: while a
public request is being answered, every query of a record (lists, related rows, prefetched
citations, counts) is limited to published ones. The admin, management commands, the shell
and writes through the API see everything.

An editor previews drafts on the public layout by adding ``?preview=1`` to a page's address.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

_published_only: ContextVar[bool] = ContextVar("kzpolitics_published_only", default=False)

PREVIEW_PARAMETER = "preview"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PUBLISH_PERMISSION = "kzpolitics.publish_record"
PUBLISHED = "published"  # kzpolitics.models.Status.PUBLISHED (models import this module)


def published_only() -> bool:
    return _published_only.get()


@contextlib.contextmanager
def public(only_published: bool = True):
    """Answer as the public sees the site (or, with False, as an editor does)."""
    token = _published_only.set(only_published)
    try:
        yield
    finally:
        _published_only.reset(token)


def may_publish(user) -> bool:
    return bool(user and user.has_perm(PUBLISH_PERMISSION))


def publishing_error(user, instance, new_status: str | None) -> str:
    """Why this user may not move the record to ``new_status``, or "" if they may."""
    old_status = None if instance.pk is None else instance.status
    if new_status is None:
        return ""  # the status is not being set: it stays as it is
    touches_publication = PUBLISHED in {new_status, old_status} and new_status != old_status
    if touches_publication and not may_publish(user):
        if new_status == PUBLISHED:
            return "Only a reviewer can publish. Save it as “In review” and a reviewer will."
        return "Only a reviewer can take a published record off the site."
    return ""


def may_preview(user) -> bool:
    """Editors and reviewers (staff who may view records in the admin) may preview drafts."""
    return bool(user and user.is_active and user.is_staff)


def wants_preview(request) -> bool:
    return (
        request.GET.get(PREVIEW_PARAMETER) in {"1", "true"}
        and not request.path.startswith("/api/")
        and may_preview(getattr(request, "user", None))
    )


class PublicVisibilityMiddleware:
    """Limit public reads to published records; let the admin and API writes see all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/") or request.method not in SAFE_METHODS:
            return self.get_response(request)
        preview = wants_preview(request)
        request.previewing_drafts = preview
        with public(not preview):
            response = self.get_response(request)
            # Render lazily rendered responses (templates) while the restriction holds.
            if hasattr(response, "render") and callable(response.render):
                response.render()
        if preview:
            # A preview shows what the public must not see: never cache or share it.
            response["Cache-Control"] = "private, no-store"
            response.headers.pop("ETag", None)
            response.headers.pop("Last-Modified", None)
        return response
