"""Which rows are synthetic, how many there are, and their removal.

Every synthetic slug starts with :data:`PREFIX`, and every other synthetic row belongs to a
record with such a slug (a name to its organization, a citation to its source). The apps'
models are reached through ``apps.get_model`` only, as Django's registry has them.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models
from django.db.models import Q
from django.utils.text import slugify

PREFIX = "syn-"
DEFAULT_SEED = 1986
BATCH_SIZE = 2000
HUB_NAME = "Democratic Party Birlik"
HUB_SLUG = PREFIX + slugify(HUB_NAME)
# The first synthetic person, whatever the scale or seed: the one with most roles and events,
# and a modern spelling of the name for variant-spelling searches.
HUB_PERSON = ("Serikbolsyn Tokhtarbaev", "Tokhtarbaev")
HUB_PERSON_SLUG = PREFIX + slugify(HUB_PERSON[0])
PERSON_VARIANT = "Tokhtarbayev"
FIRST_YEAR, LAST_YEAR = 1986, 2005

# Every model the article's data fills, in the order rows are created (parents first).
LABELS = (
    "kzpolitics.Source",
    "kzpolitics.Place",
    "kzpolitics.PlaceName",
    "kzpolitics.Person",
    "kzpolitics.PersonName",
    "parties.Organization",
    "parties.OrganizationName",
    "parties.Stance",
    "parties.MembershipFigure",
    "parties.Role",
    "parties.Relation",
    "elections.Election",
    "elections.Round",
    "elections.Result",
    "legislation.LegalAct",
    "legislation.Provision",
    "legislation.RegistrationDecision",
    "kzpolitics.Event",
    "kzpolitics.Citation",
)
# Many-to-many links, as (model label, field name): events and what took part in them.
LINKS = (
    ("kzpolitics.Event", "people"),
    ("parties.Organization", "events"),
    ("elections.Election", "events"),
    ("legislation.LegalAct", "events"),
)
# Records with a slug of their own; every other row belongs to one of these through a field.
OWN_SLUG = (
    "kzpolitics.Source",
    "kzpolitics.Place",
    "kzpolitics.Person",
    "kzpolitics.Event",
    "parties.Organization",
    "elections.Election",
    "legislation.LegalAct",
)
BELONGS_TO = {
    "kzpolitics.PlaceName": ("place",),
    "kzpolitics.PersonName": ("person",),
    "parties.OrganizationName": ("organization",),
    "parties.Stance": ("organization",),
    "parties.MembershipFigure": ("organization",),
    "parties.Role": ("person", "organization"),
    "parties.Relation": ("subject", "object"),
    "elections.Round": ("election",),
    "elections.Result": ("election", "organization", "person"),
    "legislation.Provision": ("act",),
    "legislation.RegistrationDecision": ("organization",),
}


def model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def synthetic_q(label: str) -> Q:
    """Which rows of a model are synthetic (for the models of :data:`LABELS` but Citation)."""
    if label in OWN_SLUG:
        return Q(slug__startswith=PREFIX)
    match = Q()
    for name in BELONGS_TO[label]:
        match |= Q(**{f"{name}__slug__startswith": PREFIX})
    return match


def synthetic_rows(label: str) -> models.QuerySet:
    """The synthetic rows of a model, Citation included, on the unrestricted manager."""
    manager = model(label)._base_manager
    if label != "kzpolitics.Citation":
        return manager.filter(synthetic_q(label))
    return manager.filter(synthetic_citations_q())


def synthetic_citations_q() -> Q:
    # A citation is synthetic if it cites a synthetic source or backs a synthetic record.
    match = Q(source__slug__startswith=PREFIX) | Q(via__slug__startswith=PREFIX)
    for label in LABELS:
        if label in ("kzpolitics.Source", "kzpolitics.Citation"):
            continue
        cited = model(label)
        content_type = ContentType.objects.get_for_model(cited)
        match |= Q(
            content_type=content_type,
            object_id__in=cited._base_manager.filter(synthetic_q(label)).values("pk"),
        )
    return match


def link_rows(label: str, name: str) -> models.QuerySet:
    """The synthetic rows of a many-to-many link: either end synthetic."""
    field_ = model(label)._meta.get_field(name)
    through = field_.remote_field.through
    own = field_.m2m_field_name()
    other = field_.m2m_reverse_field_name()
    return through._base_manager.filter(
        Q(**{f"{own}__slug__startswith": PREFIX}) | Q(**{f"{other}__slug__startswith": PREFIX})
    )


def link_label(label: str, name: str) -> str:
    return f"{label}.{name}"


def synthetic_counts() -> dict[str, int]:
    """How many synthetic rows each model (and link) holds now."""
    counts = {label: synthetic_rows(label).count() for label in LABELS}
    counts.update({link_label(*link): link_rows(*link).count() for link in LINKS})
    return counts


def remove() -> dict[str, int]:
    """Delete every synthetic row; return how many of each went.

    Rows are deleted in bulk, without per-row signals: Django's ``delete()`` would write a
    history row for each and touch the data version as often, and fetch every row to do so.
    References from other rows to synthetic ones are cleared first, as ``SET_NULL`` would.
    Call it inside a transaction; touch the data version afterwards.
    """
    _clear_references()
    removed: dict[str, int] = {}
    # Citations first, while the records they back still exist to be matched.
    removed["kzpolitics.Citation"] = _raw_delete(synthetic_rows("kzpolitics.Citation"))
    for link in LINKS:
        removed[link_label(*link)] = _raw_delete(link_rows(*link))
    for label in reversed(LABELS):
        if label != "kzpolitics.Citation":
            removed[label] = _raw_delete(synthetic_rows(label))
    return {key: removed[key] for key in (*LABELS, *(link_label(*link) for link in LINKS))}


def _raw_delete(queryset, chunk: int = 2000) -> int:
    """One DELETE per ``chunk`` of the rows' keys, no signals, written with public APIs only
    (Django's own fast delete, ``QuerySet._raw_delete``, is private)."""
    model = queryset.model
    quote = connections[queryset.db].ops.quote_name
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    keys = list(queryset.values_list("pk", flat=True))
    deleted = 0
    with connections[queryset.db].cursor() as cursor:
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"DELETE FROM {table} WHERE {key} IN ({marks})", part)
            deleted += cursor.rowcount
    return deleted


def _clear_references() -> None:
    """Where an article row points at a synthetic one through a SET_NULL key, clear it."""
    for label in LABELS:
        if label == "kzpolitics.Citation":
            continue
        owner = model(label)
        for fk in owner._meta.concrete_fields:
            if not fk.is_relation or fk.remote_field.on_delete is not models.SET_NULL:
                continue
            target = fk.related_model._meta.label
            if target not in LABELS:
                continue
            (
                owner._base_manager.exclude(synthetic_q(label))
                .filter(**{f"{fk.name}__in": synthetic_rows(target).values("pk")})
                .update(**{fk.name: None})
            )
