"""Publishing a record with its rows, and what an editor's change may not touch.

Only reviewers change what the public sees. Two questions every way of changing publication
asks here:

- ``shown_to_public(obj)``: would the public see this row now (it is published and so is every
  record it requires, ``RecordQuerySet.published()``)? Deleting such a row, or taking it off,
  is a reviewer's decision.
- ``draft_rows(record)``: what of a record is still unpublished: the rows that cannot be public
  without it (its names, roles, relations both ways, results, provisions..., found through the
  links each kind of row requires, ``kzpolitics.core.models.required_links``) and the citations of
  the record and of those rows. Publishing a party without them would show a party with no
  leader that "cites no source"; the admin lists them, ticked, to publish with it.
  ``hidden_because(row)`` says why a published row still does not show (its person is a
  draft).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils.text import capfirst

from kzpolitics.core.models import Citation, Status, TimeStamped, required_links
from kzpolitics.core.signals import is_public


def shown_to_public(obj) -> bool:
    """Whether the public sees ``obj`` (a record or a row) as stored now."""
    return isinstance(obj, TimeStamped) and is_public(type(obj), obj.pk)


def _rows_requiring(record) -> list:
    """The rows of other kinds (and of its own kind) that require ``record`` to be public."""
    rows = []
    for relation in type(record)._meta.related_objects:
        child = relation.related_model
        if not (relation.one_to_many and issubclass(child, TimeStamped)):
            continue
        if child is Citation:
            continue  # citations through "via": they are the source's, not the record's
        required = {field.name for field, _ in required_links(child)}
        if relation.field.name not in required:
            continue
        rows.extend(child._base_manager.filter(**{relation.field.name: record.pk}))
    return rows


def citations_of(rows) -> list:
    """The citations of ``rows`` (records of any kinds), grouped by kind in one query each."""
    by_model: dict[type, list] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row.pk)
    found = []
    for model, pks in by_model.items():
        content_type = ContentType.objects.get_for_model(model)
        found.extend(
            Citation._base_manager.filter(content_type=content_type, object_id__in=pks)
            .select_related("source", "via")
            .order_by("object_id", "id")
        )
    return found


def draft_rows(record) -> list:
    """What of ``record`` is not published: its rows that cannot be public without it, and the
    citations of the record and of those rows, in that order."""
    rows = [row for row in _rows_requiring(record) if row.status != Status.PUBLISHED]
    every_row = [record, *_rows_requiring(record)]
    citations = [c for c in citations_of(every_row) if c.status != Status.PUBLISHED]
    return rows + citations


def row_key(row) -> str:
    """A row's key in a form: ``<content type id>:<pk>``."""
    return f"{ContentType.objects.get_for_model(type(row)).pk}:{row.pk}"


def describe(row) -> str:
    """“Role “Leader: Nazarbaev”” or “Citation “Babak 2000, p. 3” of Role …”."""
    text = f"{capfirst(type(row)._meta.verbose_name)} “{row}”"
    if isinstance(row, Citation):
        cited = row.content_object
        if cited is not None:
            text += f" of {type(cited)._meta.verbose_name} “{cited}”"
    return text


def hidden_because(row) -> str:
    """Why a published ``row`` is not shown to the public: the records it requires that are
    not published (“its person “X” is a draft”), or "" if it is shown."""
    if shown_to_public(row):
        return ""
    reasons = []
    links = list(required_links(type(row)))
    if isinstance(row, Citation):
        cited = row.content_object
        if cited is not None and not shown_to_public(cited):
            reasons.append(
                f"the {type(cited)._meta.verbose_name} it backs, “{cited}”, is not public"
            )
    for field, _nullable in links:
        linked = getattr(row, field.name, None)
        if linked is not None and not shown_to_public(linked):
            state = Status(linked.status).label.lower()
            reasons.append(f"its {field.verbose_name} “{linked}” is {state}")
    if row.status != Status.PUBLISHED:
        reasons.insert(0, f"it stays {Status(row.status).label.lower()}")
    return "; ".join(reasons) or "a record it depends on is not public"


def publish(obj, user, summary: str) -> bool:
    """Publish ``obj`` (a record or a row) with ``summary`` in its history; False if it was."""
    if obj.status == Status.PUBLISHED:
        return False
    obj.status = Status.PUBLISHED
    obj._change_reason = summary
    obj._history_user = user
    obj.save()
    return True
