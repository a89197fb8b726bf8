"""What every record shares: status, timestamps, history, publication, and the data version."""

from __future__ import annotations

import copy
import functools

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from kzpolitics.core.dates import check_span, date_spans, uncertain_dates
from kzpolitics.core.reuse import built_once


class Status(models.TextChoices):
    """Where a record stands in review. The public sees published records only."""

    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


class RecordManager(models.Manager):
    """The manager of every record (``as_manager()`` of its queryset): the queryset's methods,
    with what the public may see built once per model.

    ``published()`` resolves the public condition (a join to every record a row requires) each
    time: 60 to 200 µs, asked ten to twenty times a page. ``Model.objects.published()`` keeps
    the queryset it built and hands out copies (``all()``), as Django's generic views do with
    their ``queryset``. A related manager (``organization.roles``), or one bound to a database
    (``db_manager()``), filters a queryset of its own: built each time."""

    BUILT_ONCE: tuple[str, ...] = ("published",)

    def published(self):
        return self.built_once("published")

    def built_once(self, method: str):
        """``get_queryset().<method>()`` (one of ``BUILT_ONCE``), as a copy of the one built
        for the model's default manager."""
        if method not in self.BUILT_ONCE or self is not self.model._default_manager:
            return getattr(self.get_queryset(), method)()
        # Never read (only copied), so no rows are kept in it; the database it reads is chosen
        # when a copy runs (a read replica, kzpolitics.site.replicas).
        return built_once((self.model, method), lambda: getattr(self.get_queryset(), method)())


class RecordQuerySet(models.QuerySet):
    """Records of any status. Public code asks for what the public may see by name:
    ``published()``; the admin and management commands use every row."""

    manager_class = RecordManager

    @classmethod
    def as_manager(cls):
        """Django's ``as_manager()``, with ``manager_class`` (``RecordManager``) as its base."""
        return cls.manager_class.from_queryset(cls)()

    def published(self):
        """The rows the public may see: published, and every record they require (the
        ``required_links`` of the model, followed to the end) published too."""
        return self.filter(public_condition(self.model))

    def public_row(self, pk, *columns: str) -> dict | None:
        """The values of ``pk`` and ``columns`` of the row ``pk`` if the public may see it now,
        else None: the one query a change's signals ask (kzpolitics.core.signals)."""
        if pk is None:
            return None
        return self.published().filter(pk=pk).values("pk", *columns).first()

    def visible(self, public: bool = True):
        """``published()`` for the public; every row for an editor previewing drafts."""
        return self.published() if public else self.all()

    # The columns a row shown inside another record's page or answer never shows.
    TIMESTAMPS = ("created_at", "updated_at")

    def without_timestamps(self, *related: str):
        """The rows without when they were created and last changed (nor the records of
        ``related``, the links ``select_related`` follows), for rows that are part of what
        another record shows: its citations and the works they cite, its names, roles and
        relations, hundreds to a page. Django reads a timestamp with a loader written in
        Python, some 5 µs a value: the two came to a third of the time 400 citations took to
        read. Reading either later costs a query for the row, so these must be rows nothing
        asks when they changed (no nested serializer gives ``updated_at``)."""
        paths = [
            *self.TIMESTAMPS,
            *(f"{link}__{name}" for link in related for name in self.TIMESTAMPS),
        ]
        return self.defer(*paths)

    def in_choice_order(self, field: str, *then):
        """Ordered by ``field`` in the order of its choices (the order a page groups them
        in, not the alphabet), then by ``then``: an order the database gives, so that a
        grouped list can be paged."""
        keys = [key for key, _ in self.model._meta.get_field(field).flatchoices]
        rank = f"{field}_rank"
        return self.alias(**{rank: position_in(field, keys)}).order_by(rank, *then)

    def in_order_of(self, pks: list):
        """Those of the rows with these keys, in the order of ``pks``: a page of an order made
        outside the database."""
        ordered = self.filter(pk__in=pks).alias(position=position_in("pk", pks))
        return ordered.order_by("position")


def position_in(field: str, values: list) -> models.Case:
    """Where a row's ``field`` stands in ``values`` (0, 1, ...; after them all if it is none of
    them), as an expression to order by."""
    return models.Case(
        *(models.When(**{field: value}, then=models.Value(n)) for n, value in enumerate(values)),
        default=models.Value(len(values)),
    )


def required_links(model):
    """The links a row cannot be public without: each (field, nullable) whose record must be
    published for the row to be. A non-null foreign key to a record is one (a name of its
    organization, a result of its election); so is a nullable one the model names in
    ``PUBLIC_WITH`` (a role in an organization, a result of a party), which may be empty. A
    nullable link outside ``PUBLIC_WITH`` (a founding place, who took a decision) is only an
    attribute of the row: public code fetches it with ``published_prefetch`` and shows it only
    while it is published."""
    public_with = getattr(model, "PUBLIC_WITH", ())
    for field in model._meta.concrete_fields:
        if not (field.many_to_one or field.one_to_one):
            continue
        target = field.related_model
        if not (isinstance(target, type) and issubclass(target, TimeStamped)):
            continue
        if not field.null or field.name in public_with:
            yield field, field.null


def hangs_on_records(model) -> bool:
    """Whether rows of ``model`` are public only while other records are (``required_links``:
    a relation, a role, a name), rather than whenever they are published themselves."""
    return next(required_links(model), None) is not None


def public_condition(model, prefix: str = "") -> Q:
    """The condition (on rows of ``model``, reached through ``prefix``) that a row and every
    record it requires are published."""
    return copy.copy(_public_condition(model, prefix))


# Built once per model and path: every published() and published prefetch asked for it, some
# twenty times a page, each time walking the required links again.
@functools.cache
def _public_condition(model, prefix: str) -> Q:
    condition = Q(**{f"{prefix}status": Status.PUBLISHED})
    for field, nullable in required_links(model):
        linked = public_condition(field.related_model, f"{prefix}{field.name}__")
        if nullable:
            linked |= Q(**{f"{prefix}{field.name}__isnull": True})
        condition &= linked
    return condition


def published_prefetch(lookup: str, model, queryset=None, public: bool = True):
    """A ``Prefetch`` of ``lookup`` (a reverse relation such as ``roles``, a many-to-many such
    as ``events``, or a nullable link such as ``founding_place``) that keeps only what the
    public may see, unless ``public`` is False (an editor's preview). A link to a record the
    public may not see is then empty (None), as Django's prefetch leaves it."""
    return models.Prefetch(lookup, queryset=prefetch_queryset(lookup, model, queryset, public))


def prefetch_queryset(lookup: str, model, queryset=None, public: bool = True):
    """The rows ``published_prefetch`` of ``lookup`` fetches (before it filters them by the
    records they belong to), in the same order: for code that fetches them for several kinds
    of parent at once and keeps each parent's as prefetched."""
    accessor = lookup.rsplit("__", 1)[-1]
    if queryset is None and "published" in getattr(model.objects, "BUILT_ONCE", ()):
        return _built_prefetch(model, accessor, public).all()
    return _prefetch_rows(model.objects.all() if queryset is None else queryset, accessor, public)


def _prefetch_rows(queryset, accessor: str, public: bool):
    """The rows, in order, without their timestamps for the public (``without_timestamps``):
    no page or API answer shows when a nested row changed (tests/test_surrogate_keys.py
    checks that none reads it)."""
    queryset = _ordered_within_parent(queryset, accessor)
    return queryset.published().without_timestamps() if public else queryset


# Built once per model, relation and audience, and copied, for the models whose manager keeps
# its published() built (``RecordManager.BUILT_ONCE``): some ten prefetches a page each
# resolved the public condition and the order again.
@functools.cache
def _built_prefetch(model, accessor: str, public: bool):
    return _prefetch_rows(model.objects.all(), accessor, public)


def _ordered_within_parent(queryset, accessor: str):
    """``queryset`` in its model's order without the leading link to the record the prefetch
    follows (``names`` of organizations are ordered by organization first): each record gets
    its own rows, so that part orders nothing, and it cost a join and its ordering's compiling
    in every prefetch."""
    if queryset.query.order_by:
        return queryset
    ordering = _order_within_parent(queryset.model, accessor)
    return queryset if ordering is None else queryset.order_by(*ordering)


@functools.cache  # asked by every published prefetch, about ten a page
def _order_within_parent(model, accessor: str) -> tuple | None:
    """The model's ordering without its leading link when that link is the one whose reverse
    is ``accessor``, else None (the model's own ordering stands)."""
    ordering = model._meta.ordering
    if not ordering or not isinstance(ordering[0], str):
        return None
    try:
        field = model._meta.get_field(ordering[0])
    except FieldDoesNotExist:
        return None
    # The prefetch follows the link whose reverse is ``accessor``: only when one link has it (a
    # role's organization and person both call theirs ``roles``) is it surely this one.
    following = [
        link
        for link in model._meta.get_fields()
        if link.many_to_one and link.concrete and link.remote_field.get_accessor_name() == accessor
    ]
    return tuple(ordering[1:]) if following == [field] else None


class EditConflict(Exception):
    """Someone else saved the record after this edit began: saving would overwrite theirs."""

    def __init__(self, record, expected_version: int, current_version: int):
        self.record = record
        self.expected_version = expected_version
        self.current_version = current_version
        super().__init__(
            f"{record._meta.verbose_name} “{record}” was changed by someone else since you "
            f"opened it (your version {expected_version}, now version {current_version})."
        )


class TimeStamped(models.Model):
    """Every record knows when it was created and last changed, its review status, its
    version (for refusing a save that would overwrite a colleague's) and its history."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text="Draft and in-review records are hidden from the public pages and the API; "
        "only reviewers may publish.",
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up by one with every save; a save from an older version is refused.",
    )
    history = HistoricalRecords(inherit=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Save, moving the version on. If the editor's form said which version it started
        from (``_expected_version``) and the stored one has moved since, refuse. Either way in
        one transaction with the data version its signals move (kzpolitics.core.signals)."""
        if self._state.adding or self.pk is None:
            with transaction.atomic(using=kwargs.get("using")):
                return super().save(*args, **kwargs)
        expected = getattr(self, "_expected_version", None)
        with transaction.atomic(using=kwargs.get("using")):
            stored = (
                type(self)
                ._base_manager.select_for_update()
                .filter(pk=self.pk)
                .values_list("version", flat=True)
                .first()
            )
            if stored is not None and expected is not None and stored != expected:
                raise EditConflict(self, expected, stored)
            self.version = (stored or self.version or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version", "updated_at"}
            super().save(*args, **kwargs)
        self._expected_version = None

    def clean(self):
        super().clean()
        errors = {}
        for declared in uncertain_dates(type(self)):
            try:
                declared.clean(self)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        # An end before its start, once each date is valid and read from its wording.
        for start, end in date_spans(type(self)):
            if {f"{start.name}_edtf", f"{end.name}_edtf"} & set(errors):
                continue
            try:
                check_span(self, start, end)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class DataVersion(models.Model):
    """When the published data last changed: one row, touched by every save and delete.

    The API's Last-Modified header and the export's version come from it; deletions count,
    which the records' own ``updated_at`` cannot show.
    """

    changed_at = models.DateTimeField()
    # What the public data holds, counted once after each change commits (the home page's
    # figures: kzpolitics.site.figures), and the version they were counted at: they are the
    # current ones only while that is ``changed_at``.
    figures = models.JSONField(default=dict, blank=True)
    figures_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "data version"
        # One permission for the whole editorial workflow: who may make records public.
        permissions = [("publish_record", "Can publish records and citations")]

    def __str__(self) -> str:
        return self.changed_at.isoformat()

    @classmethod
    def touch(cls) -> None:
        now = timezone.now()
        if not cls.objects.filter(pk=1).update(changed_at=now):
            cls.objects.get_or_create(pk=1, defaults={"changed_at": now})

    @classmethod
    def current(cls):
        """The time of the last change, or None for an empty database."""
        return cls.objects.filter(pk=1).values_list("changed_at", flat=True).first()

    @classmethod
    def kept_figures(cls, request=None) -> dict | None:
        """The public figures kept for the current data version, or None when none are or
        they were counted at an earlier one: read with the version a ``request`` answers from
        (``answering``), or on their own (one query)."""
        if request is not None:
            cls.answering(request)
            return request.kept_figures
        return cls._kept(cls.objects.filter(pk=1).values(*cls._READ).first())

    _READ = ("changed_at", "figures_at", "figures")

    @staticmethod
    def _kept(row: dict | None) -> dict | None:
        return row["figures"] if row and row["figures_at"] == row["changed_at"] else None

    @classmethod
    def answering(cls, request):
        """The data version a request answers from (its Last-Modified), read once for the
        request, with the figures kept for it (``kept_figures``): so that a list that takes
        its count from them reads the two in one query."""
        if not hasattr(request, "data_version"):
            row = cls.objects.filter(pk=1).values(*cls._READ).first()
            request.data_version = row["changed_at"] if row else None
            request.kept_figures = cls._kept(row)
        return request.data_version


def content_models() -> list[type[models.Model]]:
    """Every kind of record: the concrete subclasses of ``TimeStamped``, in any app."""
    return [model for model in apps.get_models() if issubclass(model, TimeStamped)]


def content_apps() -> list:
    """The apps that hold records (found by their models' base class, not by a list), in
    the order of ``INSTALLED_APPS``."""
    labels = {model._meta.app_label for model in content_models()}
    return [config for config in apps.get_app_configs() if config.label in labels]
