"""The review queue: everything waiting for a reviewer, across every kind of record, oldest
first, each with its diff and one decision.

Two things wait: records an editor sent for review (status “In review”), shown against their
last published version, or as a new record; and pending revisions of published records
(kzpolitics.core.revisions), shown against the live record. Editors see the queue; reviewers
(``kzpolitics.publish_record``) accept or reject, with a note for the author.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst

from kzpolitics.core import revisions
from kzpolitics.core.changes import links_of_versions, tracked_links, tracked_models
from kzpolitics.core.models import Revision, Status
from kzpolitics.core.publishing import describe, draft_rows, publish, row_key
from kzpolitics.core.visibility import may_publish

ACCEPT, REJECT = "accept", "reject"


@dataclass
class QueueItem:
    """One thing waiting: a record in review or a pending revision."""

    key: str  # what the decision form names: "revision-<id>" or "record-<type>-<id>"
    kind: str  # "revision" or "review"
    since: datetime.datetime
    model: type
    record: object | None
    author: str
    summary: str
    rows: list[revisions.DiffRow] = field(default_factory=list)
    version: int | None = None
    new_record: bool = False
    revision: Revision | None = None
    # For a record in review: its unpublished rows (key, description), offered to publish with
    # it (kzpolitics.core.publishing.draft_rows).
    draft_rows: list[tuple[str, str]] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return capfirst(str(self.model._meta.verbose_name))

    @property
    def admin_url(self) -> str:
        if self.record is None:
            return ""
        opts = self.model._meta
        try:
            return reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.record.pk]
            )
        except NoReverseMatch:
            return ""

    @property
    def belongs_to(self) -> str:
        """For a row of a record (a name, a role, a citation): the record it belongs to."""
        record = self.record
        if record is None:
            return ""
        parent = getattr(record, "PARENT", "")
        if parent:
            return str(getattr(record, parent))
        if hasattr(record, "content_object"):
            return str(record.content_object or "")
        return ""


def _may_view(user, model) -> bool:
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )


def pending_revisions(user) -> list[QueueItem]:
    items = []
    waiting = list(Revision.objects.pending().select_related("author", "content_type"))
    by_model: dict[type, set] = {}
    for revision in waiting:
        model = revision.content_type.model_class()
        if model is not None and _may_view(user, model):
            by_model.setdefault(model, set()).add(revision.object_id)
    records = {
        (model, obj.pk): obj
        for model, pks in by_model.items()
        for obj in model._base_manager.filter(pk__in=pks)
    }
    for revision in waiting:
        model = revision.content_type.model_class()
        if model not in by_model:
            continue
        record = records.get((model, revision.object_id))
        try:
            rows = revisions.diff(revision, record)  # "(record deleted)" if it is gone
        except revisions.RevisionError as exc:
            rows = [revisions.DiffRow("(cannot be read)", "", str(exc))]
        items.append(
            QueueItem(
                key=f"revision-{revision.pk}",
                kind="revision",
                since=revision.created_at,
                model=model,
                record=record,
                author=revision.author.get_username() if revision.author else "someone",
                summary=revision.summary,
                rows=rows,
                version=revision.base_version,
                revision=revision,
            )
        )
    return items


def records_in_review(user) -> list[QueueItem]:
    """Records in review, each since the save that sent it there, with its diff against its
    last published version (none: a new record)."""
    items = []
    for model in tracked_models():
        if not _may_view(user, model):
            continue
        records = list(model._base_manager.filter(status=Status.REVIEW))
        if not records:
            continue
        history: dict[int, list] = {}
        for row in (
            model.history.filter(id__in=[r.pk for r in records])
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
        ):
            history.setdefault(row.id, []).append(row)
        links = tracked_links(model)
        published_versions = {}
        for record in records:
            rows = history.get(record.pk, [])
            published = next((r for r in rows if r.status == Status.PUBLISHED), None)
            if published is not None:
                published_versions[record.pk] = published
        kept = (
            links_of_versions(model, [v.history_id for v in published_versions.values()])
            if links
            else {}
        )
        for record in records:
            rows = history.get(record.pk, [])
            stint = []
            for row in rows:  # newest first: the saves since it last left review
                if row.status != Status.REVIEW:
                    break
                stint.append(row)
            sent = stint[-1] if stint else None
            published = published_versions.get(record.pk)
            diff = (
                revisions.diff_records(
                    model, published, record, kept.get(published.history_id) if links else None
                )
                if published is not None
                else []
            )
            items.append(
                QueueItem(
                    key=f"record-{ContentType.objects.get_for_model(model).pk}-{record.pk}",
                    kind="review",
                    since=sent.history_date if sent else record.updated_at,
                    model=model,
                    record=record,
                    author=(
                        sent.history_user.get_username()
                        if sent is not None and sent.history_user
                        else "someone"
                    ),
                    summary=(stint[0].history_change_reason or "") if stint else "",
                    rows=diff,
                    version=record.version,
                    new_record=published is None,
                    draft_rows=[(row_key(row), describe(row)) for row in draft_rows(record)],
                )
            )
    return items


def queue(user) -> list[QueueItem]:
    """Everything waiting that ``user`` may view, oldest first."""
    items = [*records_in_review(user), *pending_revisions(user)]
    return sorted(items, key=lambda item: (item.since, item.key))


# -- decisions ---------------------------------------------------------------------------------


class DecisionError(Exception):
    """A decision that could not be carried out; nothing was changed."""


def decide_record(
    key: str, version: str, decision: str, reviewer, note: str, rows: list[str] = ()
) -> str:
    """Publish a record in review, with those of its draft rows whose keys ``rows`` names, or
    send it back to draft. Refused when it was changed (or decided) since the reviewer loaded
    the queue."""
    try:
        _, type_id, pk = key.split("-")
        model = ContentType.objects.get_for_id(int(type_id)).model_class()
    except (ValueError, ContentType.DoesNotExist):
        raise DecisionError("That is no item of the queue.") from None
    if model is None or model not in tracked_models():
        raise DecisionError("That is no item of the queue.")
    with transaction.atomic():
        record = model._base_manager.select_for_update().filter(pk=int(pk)).first()
        if record is None or record.status != Status.REVIEW:
            raise DecisionError("That record is no longer in review (decided already?).")
        if str(record.version) != version:
            raise DecisionError(
                f"“{record}” was changed after you loaded the queue (now version "
                f"{record.version}): look at it again before deciding."
            )
        if decision == ACCEPT:
            record.status = Status.PUBLISHED
            reason = "Published from the review queue"
        else:
            record.status = Status.DRAFT
            reason = "Returned to draft from the review queue"
        record._change_reason = f"{reason}: {note}" if note else reason
        record._history_user = reviewer
        record._expected_version = record.version
        record.save()
        if decision != ACCEPT:
            return f"“{record}”: returned to draft."
        chosen, hidden = [], []
        for row in draft_rows(record):
            (chosen if row_key(row) in rows else hidden).append(row)
        for row in chosen:
            publish(row, reviewer, f"Published with “{record}” from the review queue")
    said = f"“{record}”: published"
    if chosen:
        said += f", with {len(chosen)} of its rows"
    if hidden:
        said += "; still hidden: " + "; ".join(describe(row) for row in hidden)
    return said + "."


def decide_revision(key: str, decision: str, reviewer, note: str) -> str:
    try:
        revision = Revision.objects.get(pk=int(key.removeprefix("revision-")))
    except (ValueError, Revision.DoesNotExist):
        raise DecisionError("That is no item of the queue.") from None
    try:
        if decision == ACCEPT:
            record = revisions.accept(revision, reviewer, note)
            return f"Revision #{revision.pk} accepted: “{record}” now shows it."
        revisions.reject(revision, reviewer, note)
    except revisions.RevisionError as exc:
        raise DecisionError(str(exc)) from exc
    return f"Revision #{revision.pk} rejected; the record stays as it was."


def review_queue_view(request, admin_site):
    """The queue; a POST from a reviewer decides one item, then shows the queue again."""
    may_decide = may_publish(request.user)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        key = request.POST.get("item", "")
        decision = request.POST.get("decision", "")
        note = request.POST.get("note", "").strip()[:2000]
        try:
            if decision not in (ACCEPT, REJECT):
                raise DecisionError("Choose Accept or Reject.")
            if decision == REJECT and not note:
                raise DecisionError("Say why in the note: its author reads it.")
            if key.startswith("revision-"):
                done = decide_revision(key, decision, request.user, note)
            elif key.startswith("record-"):
                done = decide_record(
                    key,
                    request.POST.get("version", ""),
                    decision,
                    request.user,
                    note,
                    request.POST.getlist("rows"),
                )
            else:
                raise DecisionError("That is no item of the queue.")
        except DecisionError as exc:
            messages.error(request, f"Nothing was changed: {exc}")
        else:
            messages.success(request, done)
        return HttpResponseRedirect(request.path)
    context = {
        **admin_site.each_context(request),
        "title": "Review queue",
        "items": queue(request.user),
        "may_decide": may_decide,
    }
    return TemplateResponse(request, "admin/review_queue.html", context)
