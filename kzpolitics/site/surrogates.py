"""What each public response shows, and the purge of exactly those responses after a change.

Collecting: while a public response is made (kzpolitics.site.caching), every published record
loaded from the database adds its key (``post_init``, Django's signal for an instance made from
a row): the records a page or an API answer shows, with their citations, sources, names and the
records they link; a record shown from values rather than an instance (the election or
organization an organization's dates rest on) is named by ``records_shown``. A page that shows
records by a query (a list, a search, the home page, the timeline, a feed, the sitemap) also
depends on the kind: a record added, removed or changed may enter or leave it. So a detail
view (Django's ``SingleObjectMixin``, an API ``retrieve``) carries the keys it loaded; a list
(``MultipleObjectMixin``, an API ``list``) those and its kind's members key (its kind's key
too when asked by change time: ``?updated_since=``, ``?ordering=updated_at``); any other view
the keys of every kind. Every public response also carries ``site``.
(kzpolitics.core.dependencies says what each key means.)

Purging: a public change (kzpolitics.core.signals) announces its keys inside its transaction;
they are gathered per thread and purged once the transaction commits, before the save's answer
goes out, in this order:

0. the home page's figures are counted afresh (kzpolitics.site.figures);
1. wait until every read replica has replayed the commit (kzpolitics.site.replicas), or a purged
   response could be made again at once from a replica that has not seen the change;
2. the site's own response cache forgets the responses carrying any of the keys
   (kzpolitics.site.caching.invalidate);
3. the HTTP caches in front (Varnish, a CDN: ``CACHE_PURGE_URLS``) are told to drop their objects
   tagged with any of the keys (kzpolitics.site.cdn), and told again ``CACHE_REPURGE_SECONDS``
   later: an answer made before the commit may still have been on its way to them. (One made
   before the commit and finished after the purge is never stored nor sent as shareable:
   kzpolitics.site.caching.)

A draft's save, a pending revision or anything else the public cannot see announces nothing,
and so purges nothing.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_init

from kzpolitics.core.dependencies import (
    EVERYTHING,
    TEXT,
    kind_key,
    members_key,
    page_key,
    public_change,
    record_key,
    records_shown,
    text_key,
)
from kzpolitics.core.models import Status, content_models

log = logging.getLogger(__name__)

_collected: ContextVar[set | None] = ContextVar("kz_collected_keys", default=None)

# A view shows one record, a list of one kind (in the API: of whole records, WHOLE), or other.
DETAIL, LIST, WHOLE, OTHER = "detail", "list", "whole", "other"
MANY_KEYS = 2000  # a purge of more keys than this purges everything (``site``)


# -- collecting ------------------------------------------------------------------------------


def loaded(sender, instance, **kwargs) -> None:
    keys = _collected.get()
    if keys is None or instance.pk is None:
        return
    status = instance.__dict__.get("status")
    if status is None:  # the status was not loaded (``only()``): name the kind, never the row
        keys.add(kind_key(sender))
    elif status == Status.PUBLISHED:
        keys.add(record_key(sender, instance.pk))


def shown(sender, pks, **kwargs) -> None:
    """``records_shown``: published records a response shows, read as values."""
    keys = _collected.get()
    if keys is not None:
        keys.update(record_key(sender, pk) for pk in pks)


@contextlib.contextmanager
def collecting() -> Iterator[set[str]]:
    """Gather the keys of the published records loaded inside the block."""
    keys: set[str] = set()
    token = _collected.set(keys)
    try:
        yield keys
    finally:
        _collected.reset(token)


@functools.cache  # the URLconf's views are a fixed few, asked about on every request
def view_kind(view_func) -> tuple[str, type | None]:
    """Whether ``view_func`` (a resolved view) shows one record, a list of one kind (and which),
    or something else."""
    from django.views.generic.detail import SingleObjectMixin
    from django.views.generic.list import MultipleObjectMixin

    actions = getattr(view_func, "actions", None)  # a DRF viewset's
    cls = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    if actions is not None and cls is not None:
        queryset = getattr(cls, "queryset", None)
        model = getattr(queryset, "model", None)
        shown = actions.get("get")
        # A record, or a page of what hangs on it (an @action on a record: its relations).
        if shown == "retrieve" or getattr(getattr(cls, shown or "", None), "detail", False):
            return DETAIL, model
        if shown == "list" and model is not None:
            return WHOLE, model
        return OTHER, None
    if cls is not None and issubclass(cls, SingleObjectMixin):
        return DETAIL, getattr(cls, "model", None)
    if cls is not None and issubclass(cls, MultipleObjectMixin):
        return LIST, getattr(cls, "model", None)  # None: the list's queryset tells (below)
    return OTHER, None


def shown_record(response, model) -> str | None:
    """The page key of the record a detail view shows: its template's ``object``, the
    ``record_shown`` of an API page of what hangs on a record, or the ``id`` of an API
    record."""
    context = getattr(response, "context_data", None) or {}
    shown = context.get("object")
    if shown is None:
        shown = getattr(response, "record_shown", None)
    if shown is not None and shown.pk is not None:
        return page_key(type(shown), shown.pk)
    data = getattr(response, "data", None)
    if model is not None and isinstance(data, dict) and data.get("id") is not None:
        return page_key(model, data["id"])
    return None


def listed_model(response):
    """The model of a Django list view's ``object_list``, from its response's context."""
    listed = (getattr(response, "context_data", None) or {}).get("object_list")
    return getattr(listed, "model", None)


# A list asked with these depends on when its records last changed: every change moves it.
BY_CHANGE_TIME = ("updated_since", "updated_at")


def by_change_time(query) -> bool:
    """Whether a list's query parameters (a ``QueryDict``) ask for its records by when they
    changed (``?updated_since=``, ``?ordering=-updated_at``)."""
    return any(
        word in f"{name}={value}"
        for name, values in (query.lists() if query is not None else ())
        for value in values
        for word in BY_CHANGE_TIME
    )


def response_keys(loaded_keys: set[str], kind: str, model, query=None) -> set[str]:
    """The keys of a response that loaded ``loaded_keys`` in a view of ``kind`` (for a list,
    of ``model``, asked with ``query``, its query parameters; a list of an unknown model counts
    as any other view). A list of whole records of a kind with descriptive fields shows them:
    it carries the text key of every record of the kind it loaded (those it mentions too)."""
    keys = {EVERYTHING, *loaded_keys}
    if kind == DETAIL and None in keys:  # its record unknown: it may show anything
        kind = OTHER
    keys.discard(None)
    if kind in (LIST, WHOLE) and model is not None:
        keys.add(members_key(model))
        if by_change_time(query):
            keys.add(kind_key(model))
        if kind == WHOLE and getattr(model, "DESCRIPTIVE_FIELDS", ()):
            prefix = record_key(model, "")
            keys |= {
                text_key(model, key[len(prefix) :])
                for key in loaded_keys
                if key and key.startswith(prefix) and key[len(prefix) :].isdigit()
            }
    elif kind != DETAIL:
        keys |= {kind_key(m) for m in content_models()}
    return keys


def bounded(keys: set[str], limit: int) -> list[str]:
    """``keys`` sorted, at most ``limit`` of them: past it, the records of the kind with most
    keys give way to their kind's key (purged whenever any of them is), and so on."""
    keys = set(keys)
    while len(keys) > limit:
        by_kind: dict[str, set[str]] = {}
        for key in keys:
            # A record's key and its text key give way together (a text key: purged with
            # its kind's key).
            name, _, pk = key.removesuffix(TEXT).rpartition("-")
            if name and name != "list" and pk.isdigit():
                by_kind.setdefault(name, set()).add(key)
        if not by_kind:
            break
        name, records = max(by_kind.items(), key=lambda item: (len(item[1]), item[0]))
        keys = (keys - records) | {f"list-{name}"}
    return sorted(keys)


def connect() -> None:
    for model in content_models():
        post_init.connect(loaded, sender=model, dispatch_uid=f"surrogates-{model._meta.label}")
    records_shown.connect(shown, dispatch_uid="surrogates-shown")
    public_change.connect(announced, dispatch_uid="surrogates-purge")


# -- purging ---------------------------------------------------------------------------------


class _Batch:
    """The keys announced in one transaction, purged once after it commits. Each announcement
    registers ``flush`` again: a transaction rolled back drops its callbacks, and the keys it
    left are purged with the next one's (a purge too many, never one too few)."""

    def __init__(self):
        self.keys: set[str] = set()
        self.done = False

    def flush(self) -> None:
        if self.done:
            return
        self.done = True
        from kzpolitics.site import figures

        figures.refresh()  # first: a page made once its old copy is purged reads them
        purge(self.keys)


_local = threading.local()


def announced(sender, keys, **kwargs) -> None:
    batch = getattr(_local, "batch", None)
    if batch is None or batch.done:
        batch = _local.batch = _Batch()
    batch.keys |= keys
    transaction.on_commit(batch.flush)


def discard_pending() -> None:
    """Forget the keys this thread announced in transactions that never committed. A test's
    transaction is always rolled back: without this, the keys of every earlier test in the
    process were purged with the next test's first commit, past ``MANY_KEYS`` as everything."""
    _local.batch = None


def purged_keys(keys: set[str]) -> set[str]:
    """The keys to purge: past ``MANY_KEYS`` of them (a bulk change: an import, a load) every
    response is stale, and ``site`` says so in one key."""
    return {EVERYTHING} if len(keys) > MANY_KEYS else keys


def purge(keys) -> None:
    """Drop every cached response carrying any of ``keys``, here and in the caches in front,
    once the read replicas have the change."""
    from kzpolitics.site import caching, cdn, replicas

    keys = purged_keys(set(keys))
    if not keys:
        return
    if not replicas.wait_for_replay():
        log.warning("purging %d keys before every replica replayed the change", len(keys))
    try:
        caching.invalidate(keys)
    except caching.UNREACHABLE:
        # The change is saved; the editor is not failed for the cache. The caches in front are
        # still told. Redis may keep what it held through the outage (a network fault, a
        # restart from its saved data): the purge is tried again until it takes it.
        log.exception("the response cache missed a purge of %d keys: %s", len(keys), keys)
        MISSED.add(keys)
    cdn.send_purge(sorted(keys))
    again = settings.CACHE_REPURGE_SECONDS
    if again and settings.CACHE_PURGE_URLS:
        # An answer made before the change and still on its way to a cache in front when the
        # purge reached it would be kept there: the same purge, once more, a moment later.
        timer = threading.Timer(again, cdn.send_purge, [sorted(keys)])
        timer.start()


class MissedPurges:
    """Purges the shared cache missed, tried again every ``CACHE_REPLAY_SECONDS`` (on a timer
    of its own, off any request) until it takes them: an entry stored before the outage and
    kept through it is then served no longer than that after Redis is back. Tried until
    ``PAGE_CACHE_TIMEOUT`` after the last miss: by then every entry one of them should have
    purged has expired. A process that stops meanwhile takes its missed purges with it (the
    README: flush Redis then). Keys stay ``pending`` until Redis has taken them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: set[str] = set()
        self.last_miss = 0.0
        self.timer: threading.Timer | None = None

    def add(self, keys) -> None:
        with self.lock:
            self.keys = purged_keys(self.keys | set(keys))
            self.last_miss = time.monotonic()
            self._schedule()

    def pending(self) -> set[str]:
        with self.lock:
            return set(self.keys)

    def forget(self) -> None:
        """Drop what waits and stop trying (a test's end)."""
        with self.lock:
            self.keys = set()
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None

    def _schedule(self) -> None:  # with the lock held
        if self.timer is None:
            self.timer = threading.Timer(settings.CACHE_REPLAY_SECONDS, self.replay)
            self.timer.daemon = True  # never keeps a stopping process waiting
            self.timer.start()

    def replay(self) -> None:
        from kzpolitics.site import caching

        with self.lock:
            self.timer = None
            keys = set(self.keys)
        if not keys:
            return
        try:
            caching.invalidate(keys)
        except caching.UNREACHABLE:
            with self.lock:
                if time.monotonic() - self.last_miss < settings.PAGE_CACHE_TIMEOUT:
                    self._schedule()
                    return
                self.keys -= keys
            log.error("gave up a missed purge of %d keys: what it was for has expired", len(keys))
            return
        with self.lock:
            self.keys -= keys  # any missed meanwhile stay, with their own timer
        log.warning("the response cache took a purge of %d keys it had missed", len(keys))


MISSED = MissedPurges()


def header_limit() -> int:
    return getattr(settings, "SURROGATE_KEYS_MAX", 400)
