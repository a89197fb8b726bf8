"""``EditorialAdmin``: the ModelAdmin of every record, with history, edit summaries,
review status, pending revisions and the version check."""

from __future__ import annotations

from django.contrib import messages
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_m2m_field_name

from kzpolitics.core.changes import tracked_links
from kzpolitics.core.editorial.compare import attach_row_changes, compare_view, version_view
from kzpolitics.core.editorial.deletion import DeletionAdminMixin
from kzpolitics.core.editorial.forms import EditorialForm
from kzpolitics.core.editorial.links import changed_links, link_of_through, save_as_relinked
from kzpolitics.core.editorial.publication import PublicationAdminMixin
from kzpolitics.core.editorial.watching import WatchingAdminMixin
from kzpolitics.core.models import Status
from kzpolitics.core.revisions import must_propose, pending_for, propose


class EditorialAdmin(
    WatchingAdminMixin, PublicationAdminMixin, DeletionAdminMixin, SimpleHistoryAdmin
):
    """History, edit summaries, status and version checks for a record's admin."""

    form = EditorialForm
    change_list_template = "admin/editorial_change_list.html"
    object_history_list_template = "admin/editorial_history_list.html"
    EDITORIAL_FIELDS = ("status", "edit_summary", "expected_version")
    actions = ("send_for_review", "publish", "unpublish")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"editor": request.user})

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A version's page, read-only (the version against the one before it,
        kzpolitics.core.editorial.compare), and its Revert, in one transaction as Django's own
        change form is: the form's version check locks the record (``select_for_update``),
        which PostgreSQL refuses outside a transaction, and the revert's save, links and log
        entry go in together or not at all."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            return version_view(self, request, object_id, version_id)

    def history_compare_view(self, request, object_id):
        """Two versions of the record, or a version and the record now, side by side."""
        return compare_view(self, request, object_id)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """What each version on the History page changed: the library's field-by-field diff,
        and for many-to-many fields the links added and removed, by name (the library would
        show the link table's rows, and ask for them twice per version)."""
        versions = list(historical_records)
        # The changes of its rows (citations, names, roles) made in each version's save.
        attach_row_changes(self, versions)
        links = tracked_links(self.model)
        if not links:
            super().set_history_delta_changes(request, versions, foreign_keys_are_objs)
            return
        pairs = list(zip(versions[1:], versions, strict=False))  # (older, newer), newest first
        link_changes = changed_links(self.model, pairs)
        kept = [link.name for link in links]
        for older, newer in pairs:
            delta = newer.diff_against(
                older, excluded_fields=kept, foreign_keys_are_objs=foreign_keys_are_objs
            )
            helper = self.get_historical_record_context_helper(request, newer)
            described = helper.context_for_delta_changes(delta)
            described += [
                {"field": capfirst(link.verbose_name), "links": text}
                for link, text in link_changes.get(newer.history_id, [])
            ]
            newer.history_delta_changes = described

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        named = {name for _, options in fieldsets for name in flattened(options["fields"])}
        missing = tuple(name for name in self.EDITORIAL_FIELDS if name not in named)
        if self.fieldsets is None:
            # Django's single fieldset of every field: take the editorial ones out of it.
            title, options = fieldsets[0]
            rest = tuple(n for n in options["fields"] if n not in self.EDITORIAL_FIELDS)
            fieldsets[0] = (title, {**options, "fields": rest})
            missing = self.EDITORIAL_FIELDS
        extra = ("version",) if obj is not None else ()
        return [*fieldsets, ("Review and history", {"fields": (*missing, *extra)})]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields + [name for name in self.EDITORIAL_FIELDS if name not in fields]

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "version")

    def get_list_display(self, request):
        shown = tuple(super().get_list_display(request))
        return shown if "status" in shown else (*shown, "status")

    def get_list_filter(self, request):
        filters = tuple(super().get_list_filter(request))
        return filters if "status" in filters else ("status", *filters)

    def view_on_site(self, obj):
        url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None
        if url and obj.status != Status.PUBLISHED:
            return f"{url}?preview=1"
        return url

    def save_model(self, request, obj, form, change):
        obj._expected_version = form.cleaned_data.get("expected_version") if change else None
        obj._change_reason = form.cleaned_data.get("edit_summary") or (
            "Changed" if change else "Created"
        )
        if change and must_propose(request.user, obj):
            # An editor's change to a published record waits for a reviewer (the record is
            # not saved): kzpolitics.core.revisions.
            links = {
                field.name: form.cleaned_data[field.name]
                for field in obj._meta.many_to_many
                if field.name in form.cleaned_data
            }
            obj._proposed = True
            obj._revision = propose(obj, request.user, obj._change_reason, links)
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not getattr(form.instance, "_proposed", False):
            super().save_related(request, form, formsets, change)
            return
        # The links went into the pending revision; the inline rows are saved as drafts, or
        # proposed in their turn where they are published
        # (kzpolitics.core.admin_base.InlineStatusForm).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def response_change(self, request, obj):
        if not getattr(obj, "_proposed", False):
            return self._offer_rows_to_publish(request, obj) or super().response_change(
                request, obj
            )
        queue = reverse(f"{self.admin_site.name}:review-queue")
        if obj._revision is None:
            message = format_html(
                "“{}” is published: its changes wait for a reviewer. Nothing in the record "
                "itself differs from what is published; any changed rows are in the <a "
                'href="{}">review queue</a>.',
                obj,
                queue,
            )
        else:
            message = format_html(
                "Your change was saved as a pending revision (#{}); a reviewer will accept or "
                'reject it in the <a href="{}#revision-{}">review queue</a>. Until then the '
                "public sees “{}” as it was.",
                obj._revision.pk,
                queue,
                obj._revision.pk,
                obj,
            )
        self.message_user(request, message, messages.SUCCESS)
        opts = obj._meta
        return HttpResponseRedirect(
            reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[obj.pk],
            )
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and str(object_id).isdigit() and len(str(object_id)) < 19:
            record = self.model(pk=int(object_id))
            waiting = pending_for(record)
            if waiting:
                queue = reverse(f"{self.admin_site.name}:review-queue")
                links = format_html_join(
                    ", ",
                    '<a href="{}#revision-{}">#{} by {}</a>',
                    (
                        (queue, r.pk, r.pk, r.author.get_username() if r.author else "someone")
                        for r in waiting
                    ),
                )
                self.message_user(
                    request,
                    format_html(
                        "This record has {} pending revision(s) waiting for a reviewer: {}. "
                        "This form shows the published record, without them.",
                        len(waiting),
                        links,
                    ),
                    messages.WARNING,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_formset(self, request, form, formset, change):
        # Rows edited inline (citations, names) share the record's edit summary.
        summary = form.cleaned_data.get("edit_summary") or ("Changed" if change else "Created")
        for inline_form in formset.forms:
            inline_form.instance._change_reason = summary
        link = link_of_through(formset.model)
        if link is None:
            super().save_formset(request, form, formset, change)
            return
        # Rows of a link table (an event's "organizations concerned"): the records on the
        # table's other side get their links changed, which their history must show.
        owner = get_m2m_field_name(link)
        relinked = set()
        for inline_form in formset.forms:
            if inline_form.has_changed() or inline_form in formset.deleted_forms:
                relinked.add(inline_form.initial.get(owner))
                relinked.add(getattr(inline_form.instance, f"{owner}_id", None))
        relinked.discard(None)
        super().save_formset(request, form, formset, change)
        for record in link.model._base_manager.filter(pk__in=relinked):
            save_as_relinked(record, summary, request.user)

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name=f"{opts.app_label}_{opts.model_name}_deleted",
            ),
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.history_compare_view),
                name=f"{opts.app_label}_{opts.model_name}_history_compare",
            ),
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name=f"{opts.app_label}_{opts.model_name}_publish",
            ),
            *super().get_urls(),
        ]


def flattened(fields):
    """The field names of a fieldset's ``fields``, its rows of several fields taken apart."""
    for item in fields:
        if isinstance(item, (list, tuple)):
            yield from item
        else:
            yield item
