"""Publishing from the admin: a record with the draft rows a reviewer ticks, and the list
actions that send records for review, publish or unpublish them. Each asks, on a page of its
own, for the edit summary the records' history keeps as the change's reason."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from kzpolitics.core.editorial.summaries import read_summary, summary_context
from kzpolitics.core.models import Status
from kzpolitics.core.publishing import describe, draft_rows, hidden_because, publish, row_key
from kzpolitics.core.visibility import may_publish


class PublicationAdminMixin:
    """For ``EditorialAdmin``: publishing a record with its rows, and the actions on many
    records."""

    def has_publish_permission(self, request) -> bool:
        return may_publish(request.user) and self.has_change_permission(request)

    def publish_view(self, request, object_id):
        """Publish a record's draft rows (and the record, if it is not yet): the page a
        reviewer comes to after publishing through the change form's status field."""
        record = self.get_object(request, unquote(object_id))
        if not self.has_publish_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        if record is None:
            self.message_user(request, "That record does not exist (deleted?).", messages.ERROR)
            return HttpResponseRedirect(
                reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
            )
        change_url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[record.pk]
        )
        if request.method == "POST" and request.POST.get("post") == "yes":
            summary, error = read_summary(request)
            chosen = set(request.POST.getlist("publish_row"))
            if error:
                return self._publish_confirmation(
                    request,
                    [record],
                    change_url=change_url,
                    chosen=chosen,
                    **_refused(summary, error),
                )
            self._publish_with_rows(request, [record], chosen, summary)
            return HttpResponseRedirect(change_url)
        return self._publish_confirmation(request, [record], change_url=change_url)

    def _publish_confirmation(
        self, request, records, change_url=None, chosen=None, summary="", error=""
    ):
        """The page that lists the draft rows of the records being published, each ticked to
        go with them (as Django's delete confirmation lists what a deletion takes along), and
        asks for the edit summary. ``chosen``: the rows ticked when the page comes back with
        an error (all, the first time)."""
        groups = [
            {
                "record": record,
                "rows": [
                    {
                        "key": row_key(row),
                        "text": describe(row),
                        "status": row.status,
                        "ticked": chosen is None or row_key(row) in chosen,
                    }
                    for row in draft_rows(record)
                ],
            }
            for record in records
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Publish with their rows?",
            "opts": self.model._meta,
            "groups": groups,
            "records": records,
            "with_rows": True,
            "action_name": "publish",
            "submit_label": "Publish",
            "as_action": change_url is None,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "change_url": change_url,
            **summary_context(summary, error),
        }
        return TemplateResponse(request, "admin/publish_with_rows.html", context)

    def _status_confirmation(self, request, records, action_name, title, submit_label, error=""):
        """The page that names the records an action changes and asks for the edit summary
        (as Django's “Delete selected” asks to confirm)."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "groups": [{"record": record} for record in records],
            "records": records,
            "with_rows": False,
            "action_name": action_name,
            "submit_label": submit_label,
            "as_action": True,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "change_url": None,
            **summary_context(read_summary(request)[0] if error else "", error),
        }
        return TemplateResponse(request, "admin/publish_with_rows.html", context)

    def _publish_with_rows(self, request, records, chosen: set[str], summary: str) -> None:
        """Publish ``records`` and those of their draft rows whose key is in ``chosen``, with
        ``summary`` in their history; say what stays hidden from the public, and why."""
        published, with_them, left = 0, [], []
        with transaction.atomic(using=router.db_for_write(self.model)):
            for record in records:
                rows = draft_rows(record)
                published += publish(record, request.user, summary)
                row_summary = f"{summary} (with the {record._meta.verbose_name} “{record}”)"
                for row in rows:
                    if row_key(row) in chosen:
                        publish(row, request.user, row_summary)
                        with_them.append(row)
                    else:
                        left.append(row)
        self.message_user(
            request,
            f"{published} record(s) published, {len(with_them)} of their rows with them.",
            messages.SUCCESS,
        )
        hidden = [(row, "not ticked: it stays " + Status(row.status).label.lower()) for row in left]
        for obj in [*records, *with_them]:
            reason = hidden_because(obj)
            if reason:
                hidden.append((obj, reason))
        if hidden:
            self.message_user(
                request,
                format_html(
                    "Still hidden from the public:<ul>{}</ul>",
                    format_html_join(
                        "", "<li>{}: {}</li>", ((describe(o), why) for o, why in hidden)
                    ),
                ),
                messages.WARNING,
            )

    def _offer_rows_to_publish(self, request, obj):
        """After a reviewer published ``obj`` through its form: its draft rows' page, if it
        has any (None otherwise)."""
        if not getattr(obj, "_publishing_now", False) or "_popup" in request.POST:
            return None
        if not self.has_publish_permission(request) or not draft_rows(obj):
            return None
        self.message_user(
            request,
            f"“{obj}” is published. Some of its rows are not: choose which to publish with it.",
            messages.INFO,
        )
        opts = obj._meta
        return HttpResponseRedirect(
            reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_publish",
                args=[obj.pk],
            )
        )

    def response_add(self, request, obj, post_url_continue=None):
        return self._offer_rows_to_publish(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    # -- actions on many records -------------------------------------------------------------

    def _set_status(self, request, queryset, status: str, summary: str, done: str) -> None:
        count = 0
        for record in queryset:
            if record.status == status:
                continue
            record.status = status
            record._change_reason = summary
            record._history_user = request.user
            record.save()
            count += 1
        self.message_user(request, f"{count} record(s): {done}.", messages.SUCCESS)

    def _status_action(self, request, queryset, status, action_name, title, submit_label, done):
        """Change the records' status once the confirmation page gave a summary."""
        records = list(queryset)
        if not records:
            self.message_user(request, f"No selected record can be {done}.", messages.WARNING)
            return None
        if request.POST.get("post") != "yes":
            return self._status_confirmation(request, records, action_name, title, submit_label)
        summary, error = read_summary(request)
        if error:
            return self._status_confirmation(
                request, records, action_name, title, submit_label, error
            )
        self._set_status(request, records, status, summary, done)
        return None

    @admin.action(description="Send the selected records for review", permissions=("change",))
    def send_for_review(self, request, queryset):
        return self._status_action(
            request,
            queryset.exclude(status=Status.PUBLISHED),
            Status.REVIEW,
            "send_for_review",
            "Send for review?",
            "Send for review",
            "sent for review",
        )

    @admin.action(description="Publish the selected records", permissions=("publish",))
    def publish(self, request, queryset):
        """Publish, first showing the records' draft rows to publish with them, if any, and
        asking for the summary."""
        records = list(queryset)
        chosen = set(request.POST.getlist("publish_row"))
        if request.POST.get("post") != "yes":
            return self._publish_confirmation(request, records)
        summary, error = read_summary(request)
        if error:
            return self._publish_confirmation(
                request, records, chosen=chosen, **_refused(summary, error)
            )
        self._publish_with_rows(request, records, chosen, summary)
        return None

    @admin.action(
        description="Unpublish the selected records (back to review)", permissions=("publish",)
    )
    def unpublish(self, request, queryset):
        return self._status_action(
            request,
            queryset,
            Status.REVIEW,
            "unpublish",
            "Unpublish?",
            "Unpublish",
            "unpublished (back to review)",
        )


def _refused(summary: str, error: str) -> dict:
    return {"summary": summary, "error": error}
