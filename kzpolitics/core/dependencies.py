"""The keys that name what a public answer shows, and what a public change touches.

Five kinds of key:

- a record's key, ``<model name>-<pk>`` (``organization-12``, ``citation-7``): on every response
  that shows the record, its own page or a mention of it (a link with its name);
- a record's page key, ``<model name>-<pk>-page``: on the record's own page and API detail only,
  which show what hangs on it (its names, roles, relations, citations, results, what cites a
  source, what was founded in a place);
- a record's text key, ``<model name>-<pk>-text``: on the lists that give whole records (the
  API's), which show its ``DESCRIPTIVE_FIELDS`` (an organization's summary, aims, ...) as its
  own page does; a mention (a link with its name) shows none of them;
- a kind's key, ``list-<model name>`` (``list-organization``): on the searches and pages that
  show records of that kind by a query rather than by a link, and on a list whose rows depend
  on every change (ordered or filtered by when its records changed); a change of any record
  of the kind purges it;
- a kind's members key, ``members-<model name>``: on the lists of that kind, whose rows are
  those the list's query selects, in its order. A change purges it unless it changed only what
  no list selects or orders by: a record's ``DESCRIPTIVE_FIELDS`` (an organization's summary),
  its links as they were (``descriptive``). The lists that show the record itself carry its
  key, and are purged by that.

A response carries the keys of the published records it shows (kzpolitics.site.surrogates
collects them); a public change (kzpolitics.core.signals) sends ``public_change`` with the keys
it touches:

- the record's own key, page key and its kind's, and its kind's members key; but for a
  descriptive change, its page key, text key and kind's key only: what shows its name (a
  mention, a list of its kind) shows nothing that changed;
- the page keys, and the kinds' keys (members keys too, unless the change was descriptive), of
  every record it hangs on or links: its foreign keys to
  records (a relation's two ends, a result's election and party, a citation's cited record and
  sources), the other ends of a many-to-many link. A row added to a record shows on that
  record's page, and the lists of that record's kind may filter by it; a mention elsewhere does
  not show it. A name (``names_its_parent``) is the exception: a mention shows the name of its
  time, so a name's change touches its record's own key. A citation of a row that hangs on
  records (a relation, a role: ``shown_with``) touches what the row's own change would: the
  row shows with its footnotes on its records' pages, having none of its own.

A key names a published record only: it goes out in a public header (``Surrogate-Key``), and a
draft's key would tell that the draft exists.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.dispatch import Signal

# Sent (sender: the model) inside the change's transaction with ``keys``: a frozenset of keys
# whose responses are stale once the transaction commits.
public_change = Signal()
# Sent (sender: the model) with ``pks`` by code that shows published records it read as values
# rather than as instances, which ``post_init`` never sees (the evidence an organization's dates
# rest on names the election or organization of each row): a response showing them carries
# their keys as it does those of the records it loaded.
records_shown = Signal()

EVERYTHING = "site"  # on every public response: a bulk load purges it, and operators can


def record_key(model, pk) -> str:
    return f"{model._meta.model_name}-{pk}"


def kind_key(model) -> str:
    return f"list-{model._meta.model_name}"


def page_key(model, pk) -> str:
    return f"{model._meta.model_name}-{pk}-page"


TEXT = "-text"


def text_key(model, pk) -> str:
    return f"{model._meta.model_name}-{pk}{TEXT}"


def members_key(model) -> str:
    return f"members-{model._meta.model_name}"


# What changes with every save, and no list selects by but its time (which a list ordered or
# filtered by it carries ``list-<kind>`` for): left out of what a descriptive change compares.
BOOKKEEPING = ("updated_at", "version")


def compared_columns(model) -> list[str]:
    """The columns whose change makes a change of a row of ``model`` more than descriptive:
    all but its ``DESCRIPTIVE_FIELDS`` and bookkeeping; none for a model that names none (every
    change of it counts)."""
    descriptive = getattr(model, "DESCRIPTIVE_FIELDS", ())
    if not descriptive:
        return []
    skipped = {*descriptive, *BOOKKEEPING}
    return [f.attname for f in model._meta.concrete_fields if f.name not in skipped]


def is_descriptive(model, before: dict, instance) -> bool:
    """Whether a saved row of ``model`` that was public (its columns then: ``before``, read
    with ``compared_columns``) and still is changed only its descriptive fields."""
    columns = compared_columns(model)
    return bool(columns) and all(
        column in before and before[column] == getattr(instance, column) for column in columns
    )


def is_record(model) -> bool:
    from kzpolitics.core.models import TimeStamped

    return issubclass(model, TimeStamped)


def link_columns(model) -> dict[str, object]:
    """The columns of ``model`` that point at a record, each with how to find the record's model:
    a foreign key's attname with its model, a generic key's object column with the name of its
    content-type column."""
    columns: dict[str, object] = {}
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model and is_record(field.related_model):
            columns[field.attname] = field.related_model
    for field in model._meta.private_fields:
        if isinstance(field, GenericForeignKey):
            columns[field.fk_field] = model._meta.get_field(field.ct_field).attname
    return columns


def links_of(model, values: dict, members: bool = True, mentions: bool = True) -> set[str]:
    """The keys (and kinds' keys; with ``members``, their members keys) of the records a row
    with ``values`` (column to value, as from ``.values()``) links, for the columns
    ``link_columns`` names. With ``mentions``, a name's change (``names_its_parent``) touches
    every mention of its record."""
    keys: set[str] = set()
    for column, target in link_columns(model).items():
        pk = values.get(column)
        if pk is None:
            continue
        if isinstance(target, str):  # a generic key: the target's model from its content type
            type_id = values.get(target)
            if type_id is None:
                continue
            target = ContentType.objects.get_for_id(type_id).model_class()
            if target is None or not is_record(target):
                continue
            keys |= shown_with(target, pk)
        keys |= {page_key(target, pk), kind_key(target)}
        if members:
            keys.add(members_key(target))
        if mentions and getattr(model, "names_its_parent", False):
            keys.add(record_key(target, pk))
    return keys


def shown_with(model, pk) -> set[str]:
    """What shows the row ``pk`` of ``model`` with what hangs on it (its citations), beyond
    its own page key. A row that hangs on records (a relation, a role, a name, a result:
    ``hangs_on_records``) has no page of its own: it shows, footnotes and all, on theirs,
    and wherever it is loaded. So a citation added to it touches what its own change would,
    but a mention of the record a name belongs to (which shows the name, not its footnotes).
    A record with a page of its own (an organization) shows its citations there only, and
    in the lists of its kind: no more than its page key and its kind's keys."""
    from kzpolitics.core.models import hangs_on_records

    if not hangs_on_records(model):
        return set()
    values = model._base_manager.filter(pk=pk).values(*link_column_names(model)).first()
    if values is None:
        return set()
    own = {record_key(model, pk), page_key(model, pk), kind_key(model), members_key(model)}
    return own | links_of(model, values, mentions=False)


def link_column_names(model) -> list[str]:
    """Every column ``links_of`` reads: the link columns and the generic keys' type columns."""
    columns = link_columns(model)
    return sorted({*columns, *(c for c in columns.values() if isinstance(c, str))})


def row_links(instance) -> dict:
    """The link columns' values of ``instance`` as it is in memory."""
    return {column: getattr(instance, column, None) for column in link_column_names(type(instance))}


def keys_of_change(model, pk, *link_values: dict, descriptive: bool = False) -> frozenset[str]:
    """What a public change of the row ``pk`` of ``model`` touches, its links before and after
    (``link_values``) included; a ``descriptive`` change (``is_descriptive``) leaves the
    lists' members keys, and names the record by its text key, not by its own."""
    keys = {page_key(model, pk), kind_key(model)}
    if descriptive:
        keys.add(text_key(model, pk))
    else:
        keys |= {record_key(model, pk), members_key(model)}
    for values in link_values:
        keys |= links_of(model, values, members=not descriptive)
    return frozenset(keys)


def keys_of_publication(model, pk) -> set[str]:
    """What a record's coming into public view, or leaving it, touches beyond its own row: the
    rows that hang on it (names, roles, relations, results, citations, many-to-many links) are
    public only while it is, so the pages of their other ends gain or lose them, though none
    of those rows was saved."""
    keys: set[str] = set()
    for relation in model._meta.related_objects:  # rows pointing at it, links declared elsewhere
        related = relation.related_model
        if not is_record(related):
            continue
        rows = related._base_manager.filter(**{relation.field.name: pk})
        if relation.many_to_many:
            pks = rows.values_list("pk", flat=True)
            keys |= {key for other in pks for key in keys_of_change(related, other)}
        else:
            for row in rows.values("pk", *link_column_names(related)):
                keys |= keys_of_change(related, row["pk"], row)
    for field in model._meta.local_many_to_many:  # links it declares
        if is_record(field.related_model):
            linked = field.related_model._base_manager.filter(**{field.related_query_name(): pk})
            for other in linked.values_list("pk", flat=True):
                keys |= keys_of_change(field.related_model, other)
    for field in model._meta.private_fields:  # its citations, and the sources they name
        if isinstance(field, GenericRelation) and is_record(field.related_model):
            related = field.related_model
            rows = related._base_manager.filter(
                **{
                    field.content_type_field_name: ContentType.objects.get_for_model(model),
                    field.object_id_field_name: pk,
                }
            )
            for row in rows.values("pk", *link_column_names(related)):
                keys |= keys_of_change(related, row["pk"], row)
    return keys


def announce(model, keys) -> None:
    public_change.send(sender=model, keys=frozenset(keys))


def everything_changed() -> None:
    """A bulk load saved rows without their signals (a restore, the synthetic data): every
    public response is stale once it commits."""
    announce(None, {EVERYTHING})
