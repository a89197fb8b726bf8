"""Recent changes: the newest saves and deletions of every record, for editors and the public.

Every record keeps its history (django-simple-history): a row per save or delete saying when, by
whom, with what edit summary, and what the record's fields (its status among them) then were.
Editors follow those rows on an admin page; researchers follow the published ones in an Atom
feed, so they learn what changed in the data they use.

Each historical table is asked once for its newest rows, with a LIMIT, and the answers are
merged newest first in Python. What a page costs is then a fixed number of queries, however long
the history grows. Pages go by position (“older than this change”), not by number, so the
hundredth page reads as few rows as the first. Many-to-many links (an organization's events, an
event's people) are kept with each version in tables of their own (django-simple-history's,
for the fields in each model's ``_history_m2m_fields``); the links of the versions on a page
are read in one query per field.

What the public may see follows the public read path's own definition (``published()`` of
each model, ``kzpolitics.core.models.public_condition``): a change is public when the row was
published at the time and every record it requires (a name's organization, a result's party,
a citation's source and cited record) is published now; its link, when the record is public
now. Labels name only records the public may see, a change of links is told by the links to
public records only, and a change that changed nothing the public can see (a link to a draft)
is not listed: so nothing an editor does with drafts shows in the feed.
"""

from __future__ import annotations

import datetime
import functools
import heapq
import operator
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import (
    CASCADE,
    ForeignKey,
    ManyToManyField,
    Model,
    OuterRef,
    Q,
    Subquery,
)
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_model_for_model, get_m2m_reverse_field_name

from kzpolitics.core.dates import UncertainDate
from kzpolitics.core.models import (
    Citation,
    Status,
    TimeStamped,
    content_apps,
    public_condition,
    public_records_condition,
)

KINDS = {"+": "created", "~": "changed", "-": "deleted"}
HISTORY_TYPES = {kind: code for code, kind in KINDS.items()}
SYSTEM = "system"  # who made changes no signed-in user made (the loader, scripts)
PAGE_SIZE = 50
# The public list skips changes of nothing public (links to drafts) and reads on to fill its
# page: in batches twice as large each time, at most this many (50 * 2**9 rows).
MAX_BATCHES = 10
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def keeps_history(model: type[Model]) -> bool:
    """Whether django-simple-history keeps versions of ``model``'s rows."""
    try:
        get_history_model_for_model(model)
    except NotHistoricalModelError:
        return False
    return True


def tracked_models() -> list[type[Model]]:
    """Every model of the content apps that keeps a history, in a stable order."""
    return [
        model for config in content_apps() for model in config.get_models() if keeps_history(model)
    ]


def tracked_links(model: type[Model]) -> list[ManyToManyField]:
    """The many-to-many fields whose links ``model``'s history keeps with each version: those
    the model names in ``_history_m2m_fields``, django-simple-history's documented attribute
    for them (``HistoricalRecords(m2m_fields_model_field_name=...)``)."""
    if not keeps_history(model):
        return []
    return [model._meta.get_field(name) for name in getattr(model, "_history_m2m_fields", ())]


def link_history_model(model: type[Model], link: ManyToManyField) -> type[Model]:
    """The historical model holding, for each version of a ``model`` record, a row per record
    ``link`` then linked it to (django-simple-history's copy of the link table)."""
    return getattr(get_history_model_for_model(model), link.name).model


def links_of_versions(model: type[Model], history_ids) -> dict[int, dict[str, frozenset[int]]]:
    """For each version (history id) of ``model`` records: the ids of the records each tracked
    many-to-many field linked it to then. One query per tracked field."""
    history_ids = set(history_ids)
    links: dict[int, dict[str, frozenset[int]]] = {pk: {} for pk in history_ids}
    for link in tracked_links(model):
        kept = link_history_model(model, link)
        other = kept._meta.get_field(get_m2m_reverse_field_name(link)).attname
        linked = defaultdict(set)
        if history_ids:
            for version, pk in kept.objects.filter(history_id__in=history_ids).values_list(
                "history_id", other
            ):
                linked[version].add(pk)
        for version in history_ids:
            links[version][link.name] = frozenset(linked[version])
    return links


@dataclass(frozen=True, order=True)
class Position:
    """Where a change stands in the merged order: by time, ties broken by model and row.

    Written into page links as ``<microseconds since 1970>-<app.model>-<history id>``.
    """

    when: datetime.datetime
    model: str
    history_id: int

    def __str__(self) -> str:
        micros = (self.when - EPOCH) // datetime.timedelta(microseconds=1)
        return f"{micros}-{self.model}-{self.history_id}"

    @classmethod
    def parse(cls, text: str | None) -> Position | None:
        """The position a page link names, or None for anything else."""
        try:
            micros, model, history_id = (text or "").split("-")
            when = EPOCH + datetime.timedelta(microseconds=int(micros))
            history_id = int(history_id)
        except (ValueError, OverflowError):
            return None
        # A row id no database column holds would fail the query rather than match nothing.
        return cls(when, model, history_id) if 0 <= history_id < 2**63 else None

    def beyond(self, model: str, *, older: bool) -> Q:
        """The rows of one model's history that come after this position, going older or newer.

        Rows of the same time come by model, then by row: within one table the model is fixed.
        """
        after = "lt" if older else "gt"
        if model == self.model:
            return Q(**{f"history_date__{after}": self.when}) | Q(
                history_date=self.when, **{f"history_id__{after}": self.history_id}
            )
        beyond_in_time = Q(**{f"history_date__{after}": self.when})
        if model < self.model if older else model > self.model:
            return beyond_in_time | Q(history_date=self.when)
        return beyond_in_time


@dataclass
class Change:
    """One save or deletion of a record, as the recent changes list shows it."""

    model: type[Model]
    object_id: int
    position: Position
    when: datetime.datetime
    who: str
    user_id: int | None
    kind: str  # created, changed or deleted
    label: str
    summary: str
    fields: list[str] = field(default_factory=list)
    url: str | None = None  # the record's public page, while the public may see it
    exists: bool = False
    first_published: bool = False  # in the public list: a draft's first published version
    invisible: bool = False  # in the public list: it changed only what the public cannot see

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def headline(self) -> str:
        """“Organization changed: Republican (Homeland) Party Otan”."""
        kind = "published" if self.first_published else self.kind
        return f"{capfirst(self.verbose_name)} {kind}: {self.label}"

    @cached_property
    def admin_url(self) -> str | None:
        """Where an editor follows the change up: the record's history page while the record
        exists, else the list of deleted records of its kind (to restore it from)."""
        opts = self.model._meta
        name = "history" if self.exists else "deleted"
        args = [self.object_id] if self.exists else []
        try:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)
        except NoReverseMatch:
            return None


@dataclass
class ChangesPage:
    """A page of changes, newest first, and the positions the next pages start from."""

    changes: list[Change]
    older: Position | None = None
    newer: Position | None = None


def recent_changes(
    *,
    models: list[type[Model]] | None = None,
    user: int | str | None = None,
    kind: str | None = None,
    before: Position | None = None,
    after: Position | None = None,
    limit: int = PAGE_SIZE,
    public: bool = False,
    records: dict[type[Model], Collection[int]] | None = None,
) -> ChangesPage:
    """The newest changes of the given models (all tracked ones by default), newest first.

    ``user`` is a user id, or ``SYSTEM`` for changes no user made; ``kind`` is created, changed
    or deleted; ``before`` / ``after`` page older or newer than a change. ``public`` keeps only
    changes the public may see and describes them as the public knows them: what a change did
    is told against the previous *published* version, never a draft.

    Queries: one per model for its rows, then, for the models on the page only, one for the
    versions before them, one for the records as they are now, one per many-to-many field
    their history keeps (the links of those versions), and one per kind of record that changed
    citations cite.

    ``records`` (ids by model) keeps the changes of those records only, and of the rows that
    belong to them: the rows deleted with them (an organization's names, a person's roles,
    the roles and relations of an organization) and their citations. It narrows each model's
    query: as many queries for a thousand records as for one.
    """
    models = tracked_models() if models is None else models
    only: dict[type[Model], Q] = {}
    if records is not None:
        only = rows_of_records(models, records)
        models = [model for model in models if model in only]
    newer = after is not None and before is None
    changes: list[Change] = []
    more = False
    batch, start = limit + 1, (before, after)
    for _ in range(MAX_BATCHES):
        per_model = [
            _history_rows(
                model,
                batch,
                user=user,
                kind=kind,
                before=start[0],
                after=start[1],
                public=public,
                only=only.get(model),
            )
            for model in models
        ]
        merged = list(heapq.merge(*per_model, key=_position, reverse=not newer))[:batch]
        if not public:
            more = len(merged) > limit
            changes = _describe(merged[:limit], public=public)
            break
        # A change of nothing the public sees (only links to drafts) is no change to it: left
        # out, and the page filled from the changes beyond it.
        changes += [change for change in _describe(merged, public=True) if not change.invisible]
        more = len(changes) > limit or len(merged) == batch
        if len(changes) > limit or len(merged) < batch:
            break
        last = _position(merged[-1])
        start = (None, last) if newer else (last, None)
        batch *= 2
    changes = changes[:limit]
    if newer:
        changes.reverse()
    page = ChangesPage(changes)
    if changes:
        if newer:
            page.newer = changes[0].position if more else None
            page.older = changes[-1].position
        else:
            page.newer = changes[0].position if before is not None else None
            page.older = changes[-1].position if more else None
    return page


def _position(row) -> Position:
    return Position(row.history_date, row.instance_type._meta.label_lower, row.history_id)


def rows_of_records(
    models: list[type[Model]], records: dict[type[Model], Collection[int]]
) -> dict[type[Model], Q]:
    """For each of ``models`` whose history can hold changes of ``records`` (ids by model):
    the condition on its history rows that keeps those. A record's rows are those deleted
    with it (a foreign key to it that cascades: an organization's names, stances, roles and
    relations) and the citations of it; a citation's source is no owner (it is protected)."""
    records = {model: frozenset(ids) for model, ids in records.items() if ids}
    conditions = {}
    for model in models:
        parts = []
        if model in records:
            parts.append(Q(**{f"{model._meta.pk.attname}__in": records[model]}))
        for key in _record_keys(model):
            if key.remote_field.on_delete is CASCADE and key.related_model in records:
                parts.append(Q(**{f"{key.attname}__in": records[key.related_model]}))
        if model is Citation:
            parts += [
                Q(content_type=ContentType.objects.get_for_model(owner), object_id__in=ids)
                for owner, ids in records.items()
            ]
        if parts:
            conditions[model] = functools.reduce(operator.or_, parts)
    return conditions


def _history_rows(model, limit, *, user, kind, before, after, public, only=None) -> list:
    """One model's newest history rows (oldest first when paging newer), with what the
    label needs: the user, the related records and the id of the version before each."""
    history = get_history_model_for_model(model)
    label = model._meta.label_lower
    pk = model._meta.pk.attname
    rows = history.objects.all() if only is None else history.objects.filter(only)
    previous = history.objects.filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
        **{pk: OuterRef(pk)},
    )
    if public:
        rows = rows.filter(_public_history(model))
        previous = previous.filter(status=Status.PUBLISHED)
    if user == SYSTEM:
        rows = rows.filter(history_user__isnull=True)
    elif user is not None:
        rows = rows.filter(history_user_id=user)
    if kind is not None:
        rows = rows.filter(history_type=HISTORY_TYPES[kind])
    newer = after is not None and before is None
    if before is not None:
        rows = rows.filter(before.beyond(label, older=True))
    elif after is not None:
        rows = rows.filter(after.beyond(label, older=False))
    order = ("history_date", "history_id") if newer else ("-history_date", "-history_id")
    rows = rows.annotate(
        previous_id=Subquery(
            previous.order_by("-history_date", "-history_id").values("history_id")[:1]
        )
    ).select_related("history_user", *(f.name for f in _record_keys(model)))
    return list(rows.order_by(*order)[:limit])


def _describe(rows, *, public: bool) -> list[Change]:
    """Changes for history rows: labels, changed fields and links, a few queries per model."""
    by_model: dict[type, list] = {}
    for row in rows:
        by_model.setdefault(row.instance_type, []).append(row)
    previous: dict[tuple[type, int], object] = {}
    current: dict[tuple[type, int], Model] = {}
    links: dict[tuple[type, int], dict[str, frozenset[int]]] = {}
    wanted_public: dict[type, set[int]] = defaultdict(set)  # ids whose being public matters
    for model, model_rows in by_model.items():
        history = get_history_model_for_model(model)
        wanted = {row.previous_id for row in model_rows if row.history_type == "~"}
        wanted.discard(None)
        if wanted:
            for row in history.objects.filter(history_id__in=wanted):
                previous[(model, row.history_id)] = row
        for obj in _current(model, {row.instance.pk for row in model_rows}):
            current[(model, obj.pk)] = obj
        wanted_public[model] |= {row.instance.pk for row in model_rows}
        if public:
            for row in model_rows:
                for key in _record_keys(model):
                    if getattr(row, key.attname) is not None:
                        wanted_public[key.related_model].add(getattr(row, key.attname))
        if tracked_links(model) and wanted:
            changed = {row.history_id for row in model_rows if row.previous_id in wanted}
            for version, linked in links_of_versions(model, changed | wanted).items():
                links[(model, version)] = linked
                if public:
                    for link in tracked_links(model):
                        wanted_public[link.related_model] |= linked.get(link.name, frozenset())
    public_ids = _public_ids(wanted_public)
    changes = []
    for row in rows:
        model = row.instance_type
        instance = row.instance
        before = previous.get((model, row.previous_id))
        obj = current.get((model, instance.pk))
        fields = _changed_fields(model, row, before, links)
        shown = _changed_fields(model, row, before, links, public_ids) if public else fields
        changes.append(
            Change(
                model=model,
                object_id=instance.pk,
                position=_position(row),
                when=row.history_date,
                who=row.history_user.get_username() if row.history_user else SYSTEM,
                user_id=row.history_user_id,
                kind=KINDS[row.history_type],
                label=_label(row, instance, public_ids if public else None),
                summary=row.history_change_reason or "",
                fields=shown,
                url=_public_url(obj, public_ids),
                exists=obj is not None,
                first_published=public and row.history_type == "~" and before is None,
                invisible=bool(fields) and not shown,
            )
        )
    return changes


def _public_ids(wanted: dict[type, set[int]]) -> dict[type, set[int]]:
    """Of the ids wanted of each model, those of records the public may see now: one query
    per model, with the definition the public pages use (``published()``)."""
    return {
        model: set(model.objects.published().filter(pk__in=pks).values_list("pk", flat=True))
        for model, pks in wanted.items()
        if pks
    }


def _current(model, pks) -> list[Model]:
    """The records as they are now, with what deciding on their public page needs."""
    records = model._base_manager.filter(pk__in=pks).select_related(
        *(f.name for f in _required_records(model))
    )
    if model is Citation:
        targets = [
            m._base_manager.select_related(*(f.name for f in _required_records(m)))
            for m in tracked_models()
            if m is not Citation
        ]
        records = records.prefetch_related(GenericPrefetch("content_object", targets))
    return list(records)


def _changed_fields(model, row, before, links, public_ids=None) -> list[str]:
    """What a change changed, in the editors' words (“founded”, not “founded_edtf”; “events”
    when its links to events changed). With ``public_ids`` (the public's view), links count
    only to records the public may see: a link to a draft changed nothing it can see."""
    if row.history_type != "~" or before is None:
        return []
    tracked = tracked_links(model)
    kept = [link.name for link in tracked]
    changed = list(row.diff_against(before, excluded_fields=kept).changed_fields)
    now, then = links.get((model, row.history_id), {}), links.get((model, before.history_id), {})
    for link in tracked:
        linked_now, linked_then = now.get(link.name), then.get(link.name)
        if public_ids is not None:
            visible = public_ids.get(link.related_model, set())
            linked_now = (linked_now or frozenset()) & visible
            linked_then = (linked_then or frozenset()) & visible
        if linked_now != linked_then:
            changed.append(link.name)
    names = []
    for name in changed:
        declared = getattr(model, name.rpartition("_")[0], None)
        if isinstance(declared, UncertainDate):
            shown = declared.verbose_name
        else:
            shown = str(model._meta.get_field(name).verbose_name)
        shown = shown[:1].lower() + shown[1:]
        if shown not in names:
            names.append(shown)
    return names


class _Withheld:
    """Stands in for a related record a label may not show: a draft (to the public), or one
    since deleted. Using it in any way stops the label, which then falls back to a plain one."""

    def _refuse(self, *args, **kwargs):
        raise _LabelWithheld

    __str__ = __format__ = __bool__ = __getattr__ = __iter__ = _refuse


class _LabelWithheld(Exception):
    pass


def _label(row, instance, public_ids: dict[type, set[int]] | None = None) -> str:
    """The record's name as it was at the change (“Otan”; “Person: chairman, Otan”).

    Labels of rows such as roles name related records; those come as they are now, from the
    same query, and one the public may not see (given ``public_ids``, the public's view), or a
    deleted one, is not shown: the label falls back to “role #12” if it needs one.
    """
    for key in _record_keys(type(instance)):
        hist_key = row._meta.get_field(key.name)
        related = hist_key.get_cached_value(row, default=None)
        if getattr(instance, key.attname) is None:
            related = None
        elif related is None or (
            public_ids is not None and related.pk not in public_ids.get(key.related_model, ())
        ):
            related = _Withheld()
        key.set_cached_value(instance, related)
    try:
        return str(instance)
    except _LabelWithheld:
        return f"{instance._meta.verbose_name} #{instance.pk}"


def _public_url(obj, public_ids: dict[type, set[int]]) -> str | None:
    """The public page showing a record, if the public may see it now (``public_ids``). A
    public citation's record, and a public row's parent record, are public too."""
    if obj is None or obj.pk not in public_ids.get(type(obj), ()):
        return None
    if isinstance(obj, Citation):
        record = obj.content_object
        return record.get_absolute_url() if hasattr(record, "get_absolute_url") else None
    page = obj.parent_record() if getattr(obj, "PARENT", "") else obj
    return page.get_absolute_url() if hasattr(page, "get_absolute_url") else None


def _public_history(model) -> Q:
    """History rows the public may see: published then, and every record they require
    published now, as ``published()`` says of the record itself (a citation's row also needs
    the record it cites public now). A row of a record since deleted requires nothing more;
    a row requiring a deleted record is not public."""
    condition = public_condition(model)
    if model is Citation:
        condition &= public_records_condition()
    return condition


def _record_keys(model) -> list[ForeignKey]:
    """Foreign keys to other records (not to content types or users)."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.many_to_one and issubclass(f.related_model, TimeStamped)
    ]


def _required_records(model) -> list[ForeignKey]:
    """The records a row cannot exist without: its non-null foreign keys to records."""
    return [f for f in _record_keys(model) if not f.null]
