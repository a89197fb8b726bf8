"""The editors' admin site: Django's, plus the report of what is uncited and recent changes."""

import re
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import path

from kzpolitics.core.admin_autocomplete import RankedAutocompleteJsonView
from kzpolitics.core.changes import HISTORY_TYPES, SYSTEM, Position, recent_changes, tracked_models
from kzpolitics.core.coverage import coverage, totals
from kzpolitics.site.api_tokens import api_token_view
from kzpolitics.site.review import review_queue_view
from kzpolitics.site.watchlist import watch_view, watchlist_feed, watchlist_view

USER_ID = re.compile(r"[0-9]{1,18}")  # a user filter beyond a 64-bit id is no user


class EditorsAdminSite(admin.AdminSite):
    site_header = "kzpolitics editors"
    site_title = "kzpolitics editors"
    index_title = "Records and their citations"
    index_template = "admin/kz_index.html"

    def get_urls(self):
        return [
            path("uncited/", self.admin_view(self.uncited_view), name="uncited"),
            path(
                "recent-changes/",
                self.admin_view(self.recent_changes_view),
                name="recent-changes",
            ),
            path("review/", self.admin_view(self.review_queue_view), name="review-queue"),
            path("api-token/", self.admin_view(self.api_token_view), name="api-token"),
            path("watchlist/", self.admin_view(self.watchlist_view), name="watchlist"),
            path("watchlist/watch/", self.admin_view(self.watch_view), name="watch"),
            # Read by feed readers, without a session: the secret in the address is the key.
            path("watchlist/feed/<str:secret>/", watchlist_feed, name="watchlist-feed"),
            *super().get_urls(),
        ]

    def autocomplete_view(self, request):
        """The pickers' answers: records found by name, best match first, each with its kind
        and dates (kzpolitics.core.admin_autocomplete)."""
        return RankedAutocompleteJsonView.as_view(admin_site=self)(request)

    def watchlist_view(self, request):
        """The changes to what the editor watches, and their feed (kzpolitics.site.watchlist)."""
        return watchlist_view(request, self)

    def watch_view(self, request):
        """Watch or unwatch a record (kzpolitics.site.watchlist)."""
        return watch_view(request, self)

    def review_queue_view(self, request):
        """Everything waiting for a reviewer, oldest first (kzpolitics.site.review)."""
        return review_queue_view(request, self)

    def api_token_view(self, request):
        """The signed-in editor's own API tokens: make and revoke (kzpolitics.site.api_tokens)."""
        return api_token_view(request, self)

    def uncited_view(self, request):
        """Records with no citation, and filled fields no citation names, for every model."""
        report = [row for row in coverage() if request.user.has_perm(_view_perm(row.model))]
        context = {
            **self.each_context(request),
            "title": "What is uncited",
            "report": report,
            "total": totals(report),
        }
        return TemplateResponse(request, "admin/uncited.html", context)

    def recent_changes_view(self, request):
        """The newest saves and deletions of the records the editor may view, newest first,
        filtered by kind of record, by who made them and by kind of change."""
        allowed = {
            model._meta.label_lower: model
            for model in tracked_models()
            if request.user.has_perm(_view_perm(model))
        }
        model = request.GET.get("model", "")
        model = model if model in allowed else ""
        kind = request.GET.get("kind", "")
        kind = kind if kind in HISTORY_TYPES else ""
        user = request.GET.get("user", "")
        user_id = int(user) if USER_ID.fullmatch(user) else None
        user = user if user == SYSTEM or user_id is not None else ""
        page = recent_changes(
            models=[allowed[model]] if model else list(allowed.values()),
            user=SYSTEM if user == SYSTEM else user_id,
            kind=kind or None,
            before=Position.parse(request.GET.get("before")),
            after=Position.parse(request.GET.get("after")),
        )
        filters = {
            name: value
            for name, value in (("model", model), ("user", user), ("kind", kind))
            if value
        }
        User = get_user_model()
        shown = Q(is_staff=True) if user_id is None else Q(is_staff=True) | Q(pk=user_id)
        editors = User._default_manager.filter(shown)
        context = {
            **self.each_context(request),
            "title": "Recent changes",
            "page": page,
            "chosen": {"model": model, "user": user, "kind": kind},
            "model_choices": sorted(
                (label, str(m._meta.verbose_name_plural)) for label, m in allowed.items()
            ),
            "user_choices": [
                (str(editor.pk), editor.get_username())
                for editor in editors.order_by(User.USERNAME_FIELD)
            ],
            "system": SYSTEM,
            "kind_choices": list(HISTORY_TYPES),
            "paged": "before" in request.GET or "after" in request.GET,
            "newest_query": urlencode(filters),
            "older_query": page.older and urlencode({**filters, "before": page.older}),
            "newer_query": page.newer and urlencode({**filters, "after": page.newer}),
        }
        return TemplateResponse(request, "admin/recent_changes.html", context)


def _view_perm(model) -> str:
    return f"{model._meta.app_label}.view_{model._meta.model_name}"
