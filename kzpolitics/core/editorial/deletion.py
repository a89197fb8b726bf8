"""Deleting records in the admin: taking what the public sees off the site is a reviewer's
decision, and deleted records are listed, each with a button that restores it
(kzpolitics.core.editorial.restore)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from kzpolitics.core.editorial.restore import deleted_versions, restore_deleted
from kzpolitics.core.editorial.summaries import read_summary, summary_context, unconfirmed
from kzpolitics.core.publishing import shown_to_public
from kzpolitics.core.visibility import may_publish


def deletion_refusal(shown) -> str:
    names = ", ".join(f"“{obj}”" for obj in shown[:10]) + (" …" if len(shown) > 10 else "")
    return (
        f"Nothing was deleted: {names} {'is' if len(shown) == 1 else 'are'} published, and "
        "only a reviewer can take what the public sees off the site. Ask a reviewer to "
        "unpublish or delete it."
    )


def delete_selected_with_summary(modeladmin, request, queryset):
    """Django's “Delete selected”, whose confirmation page asks for the edit summary each
    deleted record's history keeps (``delete_queryset`` reads it)."""
    summary, error = read_summary(request)
    if request.POST.get("post") and error:
        unconfirmed(request, "post")  # the confirmation again, with the summary's error
    else:
        error = ""
    response = delete_selected(modeladmin, request, queryset)
    if isinstance(response, TemplateResponse):
        response.context_data.update(summary_context(summary if error else "", error))
    return response


def delete_selected_unless_public(modeladmin, request, queryset):
    """Django's “Delete selected” for an editor: refused, with the records named, if any of
    them is one the public sees."""
    published = modeladmin.model._default_manager.published()
    shown = list(queryset.filter(pk__in=published.values("pk"))[:11])
    if shown:
        modeladmin.message_user(request, deletion_refusal(shown), messages.ERROR)
        return None
    return delete_selected_with_summary(modeladmin, request, queryset)


class DeletionAdminMixin:
    """For ``EditorialAdmin``: who may delete what, the edit summary a deletion asks for, and
    the page of deleted records."""

    delete_confirmation_template = "admin/kz_delete_confirmation.html"
    delete_selected_confirmation_template = "admin/kz_delete_selected_confirmation.html"

    def has_delete_permission(self, request, obj=None):
        """Deleting a record the public sees takes it off the site: a reviewer's decision."""
        if obj is not None and not may_publish(request.user) and shown_to_public(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if (
            obj is not None
            and self.has_view_or_change_permission(request, obj)
            and not may_publish(request.user)
            and shown_to_public(obj)
        ):
            self.message_user(request, deletion_refusal([obj]), messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=[obj.pk],
                )
            )
        summary, error = read_summary(request)
        if request.method == "POST" and error:
            unconfirmed(request)  # the confirmation page again, with the summary's error
        else:
            error = ""
        response = super().delete_view(request, object_id, extra_context)
        if isinstance(response, TemplateResponse):
            response.context_data.update(summary_context(summary if error else "", error))
        return response

    def delete_model(self, request, obj):
        """Delete with the summary the confirmation page asked for as the history's reason."""
        obj._change_reason = read_summary(request)[0] or "Deleted"
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        """Delete record by record (Django deletes the lot in one query, whose rows would go
        without the summary), each with the confirmation page's summary in its history."""
        summary = read_summary(request)[0] or "Deleted"
        with transaction.atomic(using=router.db_for_write(self.model)):
            for record in queryset:
                record._change_reason = summary
                record.delete()

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            action = (
                delete_selected_with_summary
                if may_publish(request.user)
                else delete_selected_unless_public
            )
            actions["delete_selected"] = (action, name, description)
        return actions

    def deleted_view(self, request):
        """Records of this kind that were deleted, newest first, each with a restore button."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        versions = deleted_versions(self.model)
        may_restore = self.has_add_permission(request)
        refused = {}
        if request.method == "POST":
            if not may_restore:
                raise PermissionDenied
            wanted = request.POST.get("history_id", "")
            row = next((v for v in versions if str(v.history_id) == wanted), None)
            summary, error = read_summary(request)
            if row is None:
                self.message_user(
                    request, "That deleted record is not here (restored already?).", messages.ERROR
                )
            elif error:
                # The page again, the summary's error beside the record's Restore button.
                refused = {"history_id": row.history_id, **summary_context(summary, error)}
            else:
                as_draft = not may_publish(request.user)
                restored = restore_deleted(row, request.user, as_draft=as_draft, summary=summary)
                message = (
                    f"Restored “{restored[0]}” and {len(restored) - 1} row(s) deleted with it."
                )
                if as_draft and any(getattr(r, "_was_published", False) for r in restored):
                    message += (
                        " It was published when deleted: it is back as a draft, which the "
                        "public does not see, until a reviewer publishes it again."
                    )
                self.message_user(request, message, messages.SUCCESS)
            if not refused:
                return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Deleted {self.model._meta.verbose_name_plural}",
            "opts": self.model._meta,
            "versions": versions,
            "may_restore": may_restore,
            "refused": refused,
            **summary_context(),
        }
        return TemplateResponse(request, "admin/deleted_records.html", context)
