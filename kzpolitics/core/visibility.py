"""Who may publish, and who may preview drafts.

The public sees published records only: public code asks for them by name
(``Model.objects.published()``, ``visible(public)``, ``published_prefetch``: see
kzpolitics/models.py); nothing is filtered behind its back. The admin, management commands, the
shell and writes through the API work on every row.

An editor previews drafts on the public layout by adding ``?preview=1`` to a page's address
(``kzpolitics.core.views_base.PublicPageMixin`` decides it, per view, with ``wants_preview``).
"""

from __future__ import annotations

PREVIEW_PARAMETER = "preview"
PUBLISH_PERMISSION = "kzpolitics.publish_record"
PUBLISHED = "published"  # kzpolitics.core.models.Status.PUBLISHED (this module imports no model)


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
