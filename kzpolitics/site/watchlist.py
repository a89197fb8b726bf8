"""An editor's watchlist, as on a wiki: the changes to the records they watch (and to the rows
that belong to those: names, roles, relations, citations), newest first, on an admin page and
in a personal Atom feed.

The feed is read by feed readers, which have no session: its address carries a secret, made
on the watchlist page and shown once. Only the secret's SHA-256 digest is stored
(``FeedKey``), so the database does not hold the address; revoking deletes the key, and an
address with an unknown or revoked secret is a 404. The feed shows drafts (the editor's own
work), of the kinds of record its owner may view, while the owner is an active staff member.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from typing import NamedTuple

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from kzpolitics.core.changes import (
    PAGE_SIZE,
    ChangesPage,
    Position,
    keeps_history,
    recent_changes,
    tracked_models,
)
from kzpolitics.core.editorial.watching import unwatch, watch
from kzpolitics.core.models import FeedKey, Watch
from kzpolitics.site.feeds import FEED_SIZE, ChangesFeed, Entry


def may_view(user, model: type[Model]) -> bool:
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )


def watched(user) -> dict[type[Model], set[int]]:
    """The records ``user`` watches, by kind, of the kinds they may view (one query)."""
    by_model: dict[type[Model], set[int]] = defaultdict(set)
    for type_id, pk in Watch.objects.filter(user=user).values_list("content_type", "object_id"):
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None and keeps_history(model) and may_view(user, model):
            by_model[model].add(pk)
    return dict(by_model)


def watched_changes(user, *, before=None, after=None, limit: int = PAGE_SIZE) -> ChangesPage:
    """The changes to what ``user`` watches, newest first: a few queries per kind of record,
    however many records they watch."""
    records = watched(user)
    if not records:
        return ChangesPage([])
    models = [model for model in tracked_models() if may_view(user, model)]
    return recent_changes(models=models, records=records, before=before, after=after, limit=limit)


class WatchedRecord(NamedTuple):
    model: type[Model]
    object_id: int
    record: Model | None  # None: deleted since

    @property
    def content_type_id(self) -> int:
        return ContentType.objects.get_for_model(self.model).pk

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def admin_url(self) -> str | None:
        opts = self.model._meta
        try:
            if self.record is None:
                return reverse(f"admin:{opts.app_label}_{opts.model_name}_deleted")
            return reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.object_id]
            )
        except NoReverseMatch:
            return None


def watched_records(user) -> list[WatchedRecord]:
    """What ``user`` watches, by kind of record then name: one query per kind."""
    shown = []
    for model, pks in watched(user).items():
        required = [
            f.name
            for f in model._meta.concrete_fields
            if f.many_to_one and not f.null and f.related_model is not ContentType
        ]
        records = {
            r.pk: r for r in model._base_manager.filter(pk__in=pks).select_related(*required)
        }
        shown += [WatchedRecord(model, pk, records.get(pk)) for pk in pks]
    return sorted(shown, key=lambda w: (w.verbose_name, str(w.record or ""), w.object_id))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_feed_key(user) -> str:
    """A new secret for ``user``'s feed (the old address stops working); returns the secret,
    of which only the digest is kept."""
    secret = secrets.token_urlsafe(32)
    FeedKey.objects.update_or_create(user=user, defaults={"digest": digest(secret)})
    return secret


def feed_owner(secret: str):
    """The user whose feed address carries ``secret``: an active staff member, or None."""
    key = FeedKey.objects.select_related("user").filter(digest=digest(secret)).first()
    if key is None or not key.user.is_active or not key.user.is_staff:
        return None
    return key.user


# -- views -------------------------------------------------------------------------------------


def watchlist_view(request, admin_site):
    """The changes to what the editor watches, newest first and paged, the records they
    watch (each with an Unwatch button), and their feed's address: made (shown once) or
    revoked here."""
    shown_once = ""
    if request.method == "POST":
        action = request.POST.get("feed", "")
        if action == "new":
            secret = new_feed_key(request.user)
            shown_once = request.build_absolute_uri(
                reverse(f"{admin_site.name}:watchlist-feed", args=[secret])
            )
        elif action == "revoke":
            FeedKey.objects.filter(user=request.user).delete()
            messages.success(request, "Your feed’s address is revoked: it no longer answers.")
            return HttpResponseRedirect(request.path)
        else:
            return HttpResponseBadRequest("Choose to make a new feed address or to revoke it.")
    page = watched_changes(
        request.user,
        before=Position.parse(request.GET.get("before")),
        after=Position.parse(request.GET.get("after")),
    )
    context = {
        **admin_site.each_context(request),
        "title": "Your watchlist",
        "page": page,
        "records": watched_records(request.user),
        "has_feed": FeedKey.objects.filter(user=request.user).exists(),
        "feed_url": shown_once,
        "paged": "before" in request.GET or "after" in request.GET,
        "older_query": page.older and f"before={page.older}",
        "newer_query": page.newer and f"after={page.newer}",
    }
    response = TemplateResponse(request, "admin/watchlist.html", context)
    if shown_once:
        add_never_cache_headers(response)  # the secret is on the page: no copy anywhere
    return response


@require_POST
def watch_view(request, admin_site):
    """Watch or unwatch a record (the buttons of its form and of the watchlist)."""
    type_id, object_id = request.POST.get("content_type", ""), request.POST.get("object_id", "")
    if not (type_id.isdigit() and object_id.isdigit() and len(type_id + object_id) < 30):
        return HttpResponseBadRequest("Name a record to watch.")
    try:
        model = ContentType.objects.get_for_id(int(type_id)).model_class()
    except ContentType.DoesNotExist:
        model = None
    if model is None or not keeps_history(model):
        return HttpResponseBadRequest("That is no kind of record.")
    if not may_view(request.user, model):
        raise PermissionDenied
    record = model._base_manager.filter(pk=int(object_id)).first()
    if request.POST.get("watch") == "1":
        if record is None:
            raise Http404("No such record.")
        watch(request.user, record)
        messages.success(
            request,
            format_html(
                'You watch “{}”: its changes show on <a href="{}">your watchlist</a>.',
                record,
                reverse(f"{admin_site.name}:watchlist"),
            ),
        )
    else:
        unwatch(request.user, record or model(pk=int(object_id)))
        messages.success(request, f"You no longer watch “{record or 'the deleted record'}”.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse(f"{admin_site.name}:watchlist")
    return HttpResponseRedirect(target)


class Owner(NamedTuple):
    user: object
    url: str  # the feed's own absolute address
    site: str  # the site's root, for absolute links to the admin


class WatchlistFeed(ChangesFeed):
    """An editor's personal feed: the changes to what they watch, drafts included, each by
    its editor and linked to the record's history in the admin."""

    subtitle = "Changes to the records you watch, newest first."

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        add_never_cache_headers(response)  # staff-only content: no shared cache keeps it
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_object(self, request, secret: str) -> Owner:
        user = feed_owner(secret)
        if user is None:
            raise Http404("No such feed.")
        return Owner(user, request.build_absolute_uri(), request.build_absolute_uri("/"))

    def title(self, owner: Owner) -> str:
        return f"kzpolitics: the watchlist of {owner.user.get_username()}"

    def link(self, owner: Owner) -> str:
        return reverse("admin:watchlist")

    def feed_guid(self, owner: Owner) -> str:
        # The address without its secret: a new secret is the same feed.
        return owner.site + reverse("admin:watchlist").lstrip("/") + f"#user-{owner.user.pk}"

    def items(self, owner: Owner) -> list[Entry]:
        changes = watched_changes(owner.user, limit=FEED_SIZE).changes
        stem = self.feed_guid(owner)
        return [Entry(change, f"{stem}-change-{change.position}") for change in changes]

    def item_link(self, entry: Entry) -> str:
        return entry.change.admin_url or reverse("admin:watchlist")

    def item_author_name(self, entry: Entry) -> str:
        return entry.change.who

    def item_description(self, entry: Entry) -> str:
        change = entry.change
        return "".join([format_html("<p>By {}.</p>", change.who), *self.what_changed(change)])

    def item_extra_kwargs(self, entry: Entry) -> dict:
        return {"has_page": True}


watchlist_feed = require_safe(WatchlistFeed())
