"""A record's history as a wiki keeps it: every change each version made, its rows' included;
any two versions, or a version and the record as it is now, side by side; revert from there.

A record's *rows* are what an editor changes with it on its form: its citations (a generic
key on ``Citation``), and the rows of the kinds that name it as their parent (``PARENT``:
an organization's names, stances, figures and relations, a person's roles, an election's
results) or that its admin edits inline (a party's roles). Every one of them keeps a history
of its own (django-simple-history). A change of a row is *part of* a version of the record
when the same person made it with the same edit summary in the same save of the form: the
admin saves the record first, then its inline rows, each with the record's summary
(``EditorialAdmin.save_formset``), so the row's change comes just after the version, and
before the next one. A change of a row saved on its own page is an entry of its own in the
record's history.

The record as it was at a version is the version itself (its fields), the links kept with
it (``links_of_versions``), and each row as its newest change up to the end of that version's
save. Revert goes through simple_history's per-version page (``history_form_view``), whose
form ``EditorialForm`` is: the version check, edit summary, publishing rights, the version's
links (``take_links_from``) and, for an editor's change to a published record, a pending
revision instead of a save (``EditorialAdmin.save_model``). Rows are not reverted: the
comparison names those that differ and links to their pages, where a change to a published
row waits for a reviewer as any other does.
"""

from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q
from django.http import Http404, QueryDict
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst

from kzpolitics.core.changes import keeps_history, links_of_versions, tracked_links
from kzpolitics.core.dates import field_label, uncertain_dates
from kzpolitics.core.editorial.links import link_labels
from kzpolitics.core.models import Citation, content_apps
from kzpolitics.core.revisions import display

# A row's change is part of the version saved just before it, by the same person with the
# same summary, when it comes within this long of it (one save of the form takes well under).
SAME_SAVE = datetime.timedelta(minutes=5)
CURRENT = "current"
BOOKKEEPING = {"id", "version", "created_at", "updated_at"}


# -- what a record's rows are ------------------------------------------------------------------


@dataclass(frozen=True)
class RowKind:
    """A kind of row that belongs to a record: its model and the key column naming the record."""

    model: type[Model]
    key: str  # the foreign key's column (``organization_id``)


def row_kinds(model: type[Model], inlines=()) -> list[RowKind]:
    """The kinds of rows (other than citations) that belong to ``model``'s records: those
    whose ``PARENT`` is a ``model`` record, and those its admin edits inline (``inlines``:
    inline classes, by their ``fk_name`` or their one key to ``model``)."""
    kinds: list[RowKind] = []

    def add(other, key):
        kind = RowKind(other, key.attname)
        if keeps_history(other) and other is not Citation and kind not in kinds:
            kinds.append(kind)

    for config in content_apps():
        for other in config.get_models():
            parent = getattr(other, "PARENT", "")
            if parent:
                key = other._meta.get_field(parent)
                if key.related_model is model:
                    add(other, key)
    for inline in inlines:
        keys = [
            f
            for f in inline.model._meta.concrete_fields
            if f.many_to_one
            and f.related_model is model
            and getattr(inline, "fk_name", None) in (None, f.name)
        ]
        if len(keys) == 1:
            add(inline.model, keys[0])
    return kinds


def shown_fields(model: type[Model]) -> list:
    """The fields a comparison shows: what an editor sets, not bookkeeping, nor the bounds
    an uncertain date derives from its wording, nor a citation's generic key (its record)."""
    derived = {column for date in uncertain_dates(model) for column in date.column_names[2:]}
    for generic in model._meta.private_fields:
        if isinstance(generic, GenericForeignKey):
            derived |= {generic.ct_field, generic.fk_field}
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and f.name not in BOOKKEEPING | derived and not f.primary_key
    ]


# -- values as an editor reads them ------------------------------------------------------------


class Labels:
    """The names of the records that rows' keys point to, fetched once per kind of record."""

    def __init__(self):
        self.wanted: dict[type[Model], set] = {}
        self.found: dict[type[Model], dict] = {}

    def want(self, model: type[Model], rows) -> None:
        for f in model._meta.concrete_fields:
            if f.many_to_one and f.related_model is not ContentType:
                keys = {getattr(row, f.attname) for row in rows} - {None}
                self.wanted.setdefault(f.related_model, set()).update(keys)

    def resolve(self) -> None:
        for related, keys in self.wanted.items():
            missing = keys - self.found.setdefault(related, {}).keys()
            if missing:
                self.found[related].update(related._base_manager.in_bulk(missing))
        self.wanted = {}

    def record(self, related, pk):
        return self.found.get(related, {}).get(pk)

    def value(self, model_field, value) -> str:
        """A field's value in words, as the review queue words it (``revisions.display``),
        its related records from here, not a query each."""
        return display(model_field, value, find=self.record)

    def label_of(self, row) -> str:
        """``str()`` of a row (a role names its person) with its related records from here,
        not a query each."""
        instance = row.instance if hasattr(row, "history_id") else row
        model = type(instance)
        for f in model._meta.concrete_fields:
            if f.many_to_one and f.related_model is not ContentType:
                pk = getattr(instance, f.attname)
                related = self.record(f.related_model, pk) if pk is not None else None
                if pk is not None and related is None:
                    return f"{model._meta.verbose_name} #{instance.pk}"
                f.set_cached_value(instance, related)
        return str(instance)


@dataclass(frozen=True)
class FieldChange:
    """One line of a two-column diff: what a field was, and what it became."""

    field: str
    old: str
    new: str
    changed: bool = True


@dataclass
class RowChange:
    """A row of a record added, changed or deleted (in one save, or between two versions)."""

    model: type[Model]
    pk: int
    kind: str  # added, changed, deleted
    noun: str  # “Citation #12 (Founded)”, “Role”
    name: str  # “Nazarbaev: chairman, Otan” (empty for a citation)
    fields: list[FieldChange]
    history_date: datetime.datetime | None = None
    history_user: object = None
    summary: str = ""
    exists: bool = True

    @property
    def label(self) -> str:
        """“Citation #12 (Founded)”, “Role “Nazarbaev: chairman, Otan””."""
        return f"{self.noun} “{self.name}”" if self.name else self.noun

    @property
    def headline(self) -> str:
        """“Citation #12 (Founded) changed”; “Role added: Nazarbaev: chairman, Otan”."""
        if self.kind == "changed":
            return f"{self.label}:"
        return f"{self.noun} {self.kind}: {self.name}" if self.name else f"{self.noun} {self.kind}"

    @property
    def in_brief(self) -> str:
        """The row's values on one line (“Source: Ponomarev 1991; Pages: 12”)."""
        return "; ".join(f"{line.field}: {line.new or line.old}" for line in self.fields)

    @property
    def admin_url(self) -> str | None:
        if not self.exists:
            return None
        opts = self.model._meta
        try:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.pk])
        except NoReverseMatch:
            return None


def _row_label(model, row, labels: Labels, owners: dict) -> tuple[str, str]:
    """What a row is and its name: (“Citation #12 (Founded)”, “”), (“Citation #14 of role
    “…” (Title)”, “”), (“Role”, “Nazarbaev: chairman, Otan”)."""
    pk = getattr(row, "id", None) or row.pk
    if model is Citation:
        cited = ContentType.objects.get_for_id(row.content_type_id).model_class()
        backs = field_label(cited, row.field) if row.field else "the record as a whole"
        owner = owners.get((row.content_type_id, row.object_id))
        of = f" of {owner}" if owner else ""
        return f"Citation #{pk}{of} ({capfirst(backs)})", ""
    return capfirst(model._meta.verbose_name), labels.label_of(row)


def _field_changes(model, old, new, labels: Labels, *, all_fields=False) -> list[FieldChange]:
    """The fields of two states of one row (or record) side by side; only those that differ
    unless ``all_fields``. ``old`` or ``new`` None: the row did not exist."""
    lines = []
    for f in shown_fields(model):
        before = getattr(old, f.attname) if old is not None else None
        after = getattr(new, f.attname) if new is not None else None
        differs = before != after
        if differs or all_fields:
            lines.append(
                FieldChange(
                    capfirst(field_label(model, f.name)),
                    _shown(model, f, old, before, labels) if old is not None else "",
                    _shown(model, f, new, after, labels) if new is not None else "",
                    differs,
                )
            )
    if all_fields or old is None or new is None:
        return lines
    return [line for line in lines if line.old != line.new] or []


def _shown(model, model_field, row, value, labels: Labels) -> str:
    """A value in words; what a citation backs by the cited field's label (“Founded”)."""
    if model is Citation and model_field.name == "field":
        if not value:
            return "the record as a whole"
        cited = ContentType.objects.get_for_id(row.content_type_id).model_class()
        return capfirst(field_label(cited, value)) if cited is not None else value
    return labels.value(model_field, value)


# -- a record's history, rows included -------------------------------------------------------


class RecordHistory:
    """A record's versions and the changes of its rows, read once: a query for the versions,
    one per kind of row, one for the citations, one per kind of record their keys name."""

    def __init__(self, model: type[Model], pk, kinds: list[RowKind]):
        self.model = model
        self.pk = pk
        self.kinds = kinds
        self.versions = list(
            model.history.filter(id=pk)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        self.labels = Labels()
        rows: list[tuple[type[Model], object]] = []
        self.owned: dict[type[Model], set] = {}
        for kind in kinds:
            history = kind.model.history.model
            found = list(
                history.objects.filter(**{kind.key: pk})
                .select_related("history_user")
                .order_by("history_date", "history_id")
            )
            self.owned.setdefault(kind.model, set()).update(row.id for row in found)
            rows += [(kind.model, row) for row in found]
            self.labels.want(kind.model, found)
        cited = Q(content_type=ContentType.objects.get_for_model(model), object_id=pk)
        for kind_model, pks in self.owned.items():
            if pks and issubclass(kind_model, _cited_base()):
                cited |= Q(
                    content_type=ContentType.objects.get_for_model(kind_model), object_id__in=pks
                )
        citations = list(
            Citation.history.filter(cited)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        self.labels.want(Citation, citations)
        rows += [(Citation, row) for row in citations]
        rows.sort(key=lambda pair: (pair[1].history_date, pair[1].history_id))
        self.rows = rows
        self.labels.resolve()

    @cached_property
    def owners(self) -> dict[tuple[int, int], str]:
        """The names of this record's rows that citations cite (“Role “…””), by content type."""
        names = {}
        for model, row in self.rows:
            if model is not Citation:
                key = (ContentType.objects.get_for_model(model).pk, row.id)
                names[key] = f"{model._meta.verbose_name} “{self.labels.label_of(row)}”"
        return names

    @cached_property
    def row_changes(self) -> list[RowChange]:
        """Every change of the record's rows, oldest first, each against the row's previous
        version (a change that altered nothing an editor sets is left out)."""
        previous: dict[tuple[type, int], object] = {}
        changes = []
        for model, row in self.rows:
            before = previous.get((model, row.id))
            previous[(model, row.id)] = row
            kind = {"+": "added", "-": "deleted"}.get(row.history_type, "changed")
            if kind == "changed":
                fields = _field_changes(model, before, row, self.labels)
                if before is not None and not fields:
                    continue
            elif kind == "added":
                fields = _field_changes(model, None, row, self.labels, all_fields=True)
                fields = [f for f in fields if f.new != "—"]
            else:
                fields = []
            changes.append(
                RowChange(
                    model,
                    row.id,
                    kind,
                    *_row_label(model, row, self.labels, self.owners),
                    fields=fields,
                    history_date=row.history_date,
                    history_user=row.history_user,
                    summary=row.history_change_reason or "",
                    exists=row.id in self.existing.get(model, ()),
                )
            )
        return changes

    @cached_property
    def existing(self) -> dict[type[Model], set]:
        """The ids of the rows that exist now: their newest change is not a deletion."""
        newest = {}
        for model, row in self.rows:
            newest[(model, row.id)] = row.history_type
        existing: dict[type[Model], set] = {}
        for (model, pk), kind in newest.items():
            if kind != "-":
                existing.setdefault(model, set()).add(pk)
        return existing

    @cached_property
    def attribution(self) -> tuple[dict[int, list[RowChange]], list[RowChange]]:
        """The row changes made in the same save as each version (by history id), and the
        others (saved on their own pages), oldest first."""
        dates = [v.history_date for v in self.versions]
        made_with: dict[int, list[RowChange]] = {}
        own = []
        for change in self.row_changes:
            at = bisect.bisect_right(dates, change.history_date) - 1
            version = self.versions[at] if at >= 0 else None
            if (
                version is not None
                and version.history_user_id == getattr(change.history_user, "pk", None)
                and (version.history_change_reason or "") == change.summary
                and change.history_date - version.history_date <= SAME_SAVE
            ):
                made_with.setdefault(version.history_id, []).append(change)
            else:
                own.append(change)
        return made_with, own

    def end_of_save(self, version) -> datetime.datetime:
        """When the save that made ``version`` ended: its last row change, or itself."""
        made = self.attribution[0].get(version.history_id, [])
        return max([version.history_date, *(c.history_date for c in made)])

    def rows_at(self, version) -> dict[tuple[type, int], object]:
        """Each row of the record as it stood once ``version``'s save was done."""
        until = self.end_of_save(version)
        state = {}
        for model, row in self.rows:
            if row.history_date > until:
                break
            state[(model, row.id)] = row
        return {key: row for key, row in state.items() if row.history_type != "-"}

    def rows_now(self) -> dict[tuple[type, int], object]:
        """Each row of the record as the database holds it now."""
        state = {}
        for kind in self.kinds:
            for row in kind.model._base_manager.filter(**{kind.key: self.pk}):
                state[(kind.model, row.pk)] = row
        cited = Q(content_type=ContentType.objects.get_for_model(self.model), object_id=self.pk)
        for (model, pk), _ in list(state.items()):
            if issubclass(model, _cited_base()):
                cited |= Q(content_type=ContentType.objects.get_for_model(model), object_id=pk)
        for row in Citation._base_manager.filter(cited):
            state[(Citation, row.pk)] = row
        for model in {model for model, _ in state}:
            self.labels.want(model, [row for (m, _), row in state.items() if m is model])
        self.labels.resolve()
        return state

    def version(self, history_id: int):
        for version in self.versions:
            if version.history_id == history_id:
                return version
        return None

    def predecessor(self, version):
        at = self.versions.index(version)
        return self.versions[at - 1] if at > 0 else None


def _cited_base():
    from kzpolitics.core.models import Cited

    return Cited


# -- the history list ------------------------------------------------------------------------


def attach_row_changes(admin, versions) -> None:
    """Give each version on the History page the row changes made in its save
    (``row_changes``), and the row changes saved on their own pages after it and before the
    next version (``later_row_changes``, newest first), which the page lists as entries of
    their own."""
    if not versions:
        return
    record = RecordHistory(admin.model, versions[0].id, row_kinds(admin.model, admin.inlines))
    made_with, own = record.attribution
    newest = record.versions[-1].history_id if record.versions else None
    for version in versions:
        version.row_changes = made_with.get(version.history_id, [])
        following = [v for v in record.versions if v.history_date > version.history_date]
        until = following[0].history_date if following else None
        version.later_row_changes = [
            change
            for change in reversed(own)
            if change.history_date >= version.history_date
            and (until is None or change.history_date < until)
        ]
        version.is_newest = version.history_id == newest
    # Row changes older than the record's first version (rows moved here from elsewhere).
    if versions and versions[-1].history_id == record.versions[0].history_id:
        versions[-1].earlier_row_changes = [
            c for c in reversed(own) if c.history_date < versions[-1].history_date
        ]


# -- comparing two states --------------------------------------------------------------------


@dataclass
class LinkLine:
    """A many-to-many field's links in two states: the records kept, added and removed."""

    field: str
    old: list[str]
    new: list[str]
    added: list[str]
    removed: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


@dataclass
class Comparison:
    """Two states of a record side by side: its fields, its links and its rows."""

    old_title: str
    new_title: str
    fields: list[FieldChange]
    links: list[LinkLine]
    rows: list[RowChange]
    unchanged_rows: int
    old_version: object
    new_version: object = None  # None: the record as it is now
    notes: list[str] = field(default_factory=list)

    @property
    def changed_fields(self) -> int:
        return sum(1 for line in self.fields if line.changed)

    @property
    def nothing_differs(self) -> bool:
        return not (self.changed_fields or any(line.changed for line in self.links) or self.rows)


def _when(version) -> str:
    return date_format(timezone.localtime(version.history_date), "DATETIME_FORMAT")


def version_title(version) -> str:
    who = version.history_user.get_username() if version.history_user else "the system"
    return f"Version of {_when(version)} by {who} (version {version.version})"


def compare(record: RecordHistory, old, new, current=None) -> Comparison:
    """``old`` (a version, or None: before the record existed) against ``new`` (a later
    version, or None for the record as it is now, ``current``)."""
    model = record.model
    labels = record.labels
    old_rows = record.rows_at(old) if old is not None else {}
    new_rows = record.rows_at(new) if new is not None else record.rows_now()
    new_state = new if new is not None else current
    labels.want(model, [state for state in (old, new_state) if state is not None])
    labels.resolve()
    fields = _field_changes(model, old, new_state, labels, all_fields=True)

    links = []
    tracked = tracked_links(model)
    if tracked:
        wanted = [v.history_id for v in (old, new) if v is not None]
        kept = links_of_versions(model, wanted)
        for link in tracked:
            before = kept[old.history_id][link.name] if old is not None else frozenset()
            if new is not None:
                after = kept[new.history_id][link.name]
            else:
                after = frozenset(getattr(current, link.name).values_list("pk", flat=True))
            names = link_labels(link, before | after)
            links.append(
                LinkLine(
                    capfirst(str(link.verbose_name)),
                    sorted(names[pk] for pk in before),
                    sorted(names[pk] for pk in after),
                    sorted(names[pk] for pk in after - before),
                    sorted(names[pk] for pk in before - after),
                )
            )

    rows, unchanged = [], 0
    owners = record.owners
    for key in sorted(old_rows.keys() | new_rows.keys(), key=lambda k: (k[0]._meta.label, k[1])):
        row_model, pk = key
        before, after = old_rows.get(key), new_rows.get(key)
        if before is None:
            kind, lines = "added", _field_changes(row_model, None, after, labels, all_fields=True)
            lines = [line for line in lines if line.new != "—"]
        elif after is None:
            kind, lines = (
                "deleted",
                _field_changes(row_model, before, None, labels, all_fields=True),
            )
            lines = [line for line in lines if line.old != "—"]
        else:
            kind, lines = "changed", _field_changes(row_model, before, after, labels)
            if not lines:
                unchanged += 1
                continue
        shown = after if after is not None else before
        rows.append(
            RowChange(
                row_model,
                pk,
                kind,
                *_row_label(row_model, shown, labels, owners),
                fields=lines,
                exists=pk in record.existing.get(row_model, ()),
            )
        )
    return Comparison(
        old_title=version_title(old) if old is not None else "Before it existed",
        new_title=version_title(new) if new is not None else "The record as it is now",
        fields=fields,
        links=links,
        rows=rows,
        unchanged_rows=unchanged,
        old_version=old,
        new_version=new,
    )


# -- the pages -------------------------------------------------------------------------------


def _number(text) -> int | None:
    text = str(text or "")
    return int(text) if text.isdigit() and len(text) < 19 else None


def _record_or_404(admin, request, object_id):
    pk = _number(unquote(str(object_id)))
    if pk is None:
        raise Http404("No such record.")
    current = admin.model._base_manager.filter(pk=pk).first()
    record = RecordHistory(admin.model, pk, row_kinds(admin.model, admin.inlines))
    if not record.versions:
        raise Http404("This record has no history.")
    shown = current if current is not None else record.versions[-1].instance
    if not admin.has_view_history_or_change_history_permission(request, shown):
        raise PermissionDenied
    return record, current


def _urls(admin, pk) -> dict[str, str]:
    opts = admin.model._meta
    name = f"{admin.admin_site.name}:{opts.app_label}_{opts.model_name}"
    return {
        "changelist_url": reverse(f"{name}_changelist"),
        "change_url": reverse(f"{name}_change", args=[pk]),
        "history_url": reverse(f"{name}_history", args=[pk]),
        "compare_url": reverse(f"{name}_history_compare", args=[pk]),
        "version_url_name": f"{name}_simple_history",
    }


def _revert_form(admin, request, version, current, data=None):
    """The revert form of ``version``: the admin's own form of the record (``EditorialForm``:
    edit summary, version check, links from the version), bound to the version's values."""
    obj = version.instance
    obj._state.adding = False
    form_class = admin.get_form(request, obj)
    if data is None:
        return form_class(instance=obj)
    return form_class(data, request.FILES, instance=obj)


def _values_of(form) -> QueryDict:
    """What the form would post as it is rendered: the version's values, as a browser would
    send them back (the comparison's revert button posts only the summary)."""
    data = QueryDict(mutable=True)
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if isinstance(value, (list, tuple)):
            data.setlist(bound.html_name, [str(v) for v in value])
        else:
            data[bound.html_name] = "on" if value is True else str(value)
    return data


def _render(admin, request, record, current, comparison, *, revert=None, form=None, title=""):
    opts = admin.model._meta
    pk = record.pk
    context = {
        **admin.admin_site.each_context(request),
        **_urls(admin, pk),
        "title": title,
        "opts": opts,
        "original_opts": opts,
        "object": current,
        "object_label": str(current) if current is not None else str(record.versions[-1]),
        "object_id": pk,
        "comparison": comparison,
        "versions": list(reversed(record.versions)),
        "revert_version": revert,
        "revert_disabled": revert is None or admin.revert_disabled(request, current),
        "form": form,
        "errors": helpers.AdminErrorList(form, []) if form is not None else [],
    }
    if form is not None:
        # The revert form as Django's admin holds it (its fields are not shown: they are the
        # version's, compared above).
        context["adminform"] = helpers.AdminForm(
            form,
            admin.get_fieldsets(request, current),
            {},
            admin.get_readonly_fields(request, current),
            model_admin=admin,
        )
    request.current_app = admin.admin_site.name
    return TemplateResponse(request, "admin/editorial_compare.html", context)


def compare_view(admin, request, object_id):
    """``…/<id>/history/compare/?old=<history id>&new=<history id|current>``."""
    record, current = _record_or_404(admin, request, object_id)
    old_id, new_text = request.GET.get("old"), request.GET.get("new") or CURRENT
    old = record.version(_number(old_id)) if _number(old_id) is not None else None
    if new_text == CURRENT:
        new = None
        if current is None:
            raise Http404("This record was deleted: compare two of its versions instead.")
    else:
        new = record.version(_number(new_text)) if _number(new_text) is not None else None
        if new is None:
            raise Http404("No such version of this record.")
    if old is None:
        raise Http404("No such version of this record.")
    if new is not None and new.history_date < old.history_date:
        old, new = new, old  # older on the left, whichever way the buttons were ticked
    comparison = compare(record, old, new, current)
    revert = form = None
    if new is None and current is not None and admin.has_change_permission(request, current):
        revert = old
        form = _revert_form(admin, request, old, current)
    title = f"Compare versions: {current if current is not None else record.versions[-1]}"
    return _render(
        admin, request, record, current, comparison, revert=revert, form=form, title=title
    )


def version_view(admin, request, object_id, version_id):
    """simple_history's page of a version, read-only: the version against its predecessor,
    and the button to revert the record to it (a POST here, as simple_history's own form
    posts: either every field of the form, or only the summary, ``_revert``)."""
    record, current = _record_or_404(admin, request, object_id)
    version = record.version(_number(version_id)) if _number(version_id) is not None else None
    if version is None:
        raise Http404("No such version of this record.")
    can_revert = current is not None and admin.has_change_permission(request, current)
    if request.method == "POST" and not can_revert:
        raise PermissionDenied
    form = None
    if can_revert:
        form = _revert_form(admin, request, version, current)
        if request.method == "POST":
            if "_revert" in request.POST:
                data = _values_of(form)
                for name in ("edit_summary", "expected_version"):
                    data[form.add_prefix(name)] = request.POST.get(form.add_prefix(name), "")
            else:
                data = request.POST
            form = _revert_form(admin, request, version, current, data)
            if form.is_valid():
                # As simple_history's revert: the admin's own save, links and log entry.
                new_object = admin.save_form(request, form, change=True)
                admin.save_model(request, new_object, form, change=True)
                form.save_m2m()
                admin.log_change(
                    request, new_object, admin.construct_change_message(request, form, [])
                )
                return admin.response_change(request, new_object)
    before = record.predecessor(version)
    comparison = compare(record, before, version, current)
    title = f"Version of {_when(version)}: {current if current is not None else version}"
    response = _render(
        admin,
        request,
        record,
        current,
        comparison,
        revert=version if can_revert else None,
        form=form,
        title=title,
    )
    response.context_data["version"] = version
    return response
