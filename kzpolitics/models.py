"""Shared models every app builds on: sources and citations, people, places and events.

These models never import an app: apps point at them, not the other way round.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_comma_separated_integer_list
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .dates import UncertainDate, check_span, date_spans, uncertain_dates


class Status(models.TextChoices):
    """Where a record stands in review. The public sees published records only."""

    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


class RecordQuerySet(models.QuerySet):
    """Records of any status. Public code asks for what the public may see by name:
    ``published()``; the admin and management commands use every row."""

    def published(self):
        """The rows the public may see: published, and every record they require (the
        ``required_links`` of the model, followed to the end) published too."""
        return self.filter(public_condition(self.model))

    def visible(self, public: bool = True):
        """``published()`` for the public; every row for an editor previewing drafts."""
        return self.published() if public else self.all()


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


def public_condition(model, prefix: str = "") -> Q:
    """The condition (on rows of ``model``, reached through ``prefix``) that a row and every
    record it requires are published."""
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
    queryset = model.objects.all() if queryset is None else queryset
    return models.Prefetch(lookup, queryset=queryset.published() if public else queryset)


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
        one transaction with the data version its signals move (kzpolitics.signals)."""
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


class CitedQuerySet(RecordQuerySet):
    """Records that take citations. ``with_citations`` fetches the citations of every record
    a page shows in one query, however many kinds of record that is."""

    _citation_paths: tuple[str, ...] | None = None  # None: citations are not prefetched
    _citations_public = True

    def _clone(self):
        clone = super()._clone()
        clone._citation_paths = self._citation_paths
        clone._citations_public = self._citations_public
        return clone

    def with_citations(self, *related: str, public: bool = True):
        """Prefetch the records' citations with their sources, and those of related rows.

        ``with_citations("names", "roles")`` also fetches the citations of each name and
        role. All of them come in one query once the records are fetched (and the related
        rows prefetched, as the queryset says, or here if it does not). With ``public`` (the
        default) only what the public may see is fetched: published citations of published
        sources, and related rows the public may see; ``public=False`` is an editor's
        preview, which shows drafts too.
        """
        clone = self._chain()
        paths = clone._citation_paths or ()
        clone._citation_paths = (*paths, *(path for path in related if path not in paths))
        clone._citations_public = public
        return clone

    def _fetch_all(self):
        fetching = self._result_cache is None
        super()._fetch_all()
        if fetching and issubclass(self._iterable_class, models.query.ModelIterable):
            self._attach_related(self._result_cache)
            if self._citation_paths is not None:
                attach_citations(
                    self._result_cache, self._citation_paths, public=self._citations_public
                )

    def _attach_related(self, records: list) -> None:
        """Related rows a kind of record fetches for all its records at once, in a way
        ``prefetch_related`` cannot (before their citations are fetched)."""


def attach_citations(records: list, paths: tuple[str, ...] = (), public: bool = True) -> None:
    """Fetch the citations (with their sources) of ``records`` and of the rows each of
    ``paths`` reaches from them (``"names"``, ``"roles__person"``), in one query, and keep
    each row's as its prefetched ``citations``.

    With ``public``, ``records`` are ones the public may see (the caller fetched them with
    ``published()``); a path not yet prefetched is fetched with published rows only, and only
    published citations of published sources are kept."""
    rows = list(records)
    for path in paths:
        # Nothing to do for a path the queryset prefetched already.
        models.prefetch_related_objects(records, *_prefetches(records, path, public))
        rows.extend(_follow(records, path.split("__")))
    by_key: dict[tuple[int, int], list] = {}
    for row in rows:
        if isinstance(row, Cited) and row.pk is not None:
            key = (ContentType.objects.get_for_model(type(row)).pk, row.pk)
            by_key.setdefault(key, []).append(row)
    found: dict[tuple[int, int], list] = {key: [] for key in by_key}
    if by_key:
        wanted: dict[int, list[int]] = {}
        for content_type_id, pk in by_key:
            wanted.setdefault(content_type_id, []).append(pk)
        match = Q()
        for content_type_id, pks in wanted.items():
            match |= Q(content_type_id=content_type_id, object_id__in=pks)
        citations = Citation.objects.filter(match)
        if public:
            citations = citations.filter(public_condition(Citation))
        for citation in citations.select_related("source", "via"):
            found[(citation.content_type_id, citation.object_id)].append(citation)
    for key, instances in by_key.items():
        for row in instances:
            keep_prefetched(row, "citations", found[key])


def _prefetches(records: list, path: str, public: bool) -> list:
    """The prefetches of each step of ``path`` from ``records``, each of the rows the public
    may see (or every row, for an editor's preview)."""
    if not records:
        return []
    lookups, model, steps = [], type(records[0]), []
    for name in path.split("__"):
        field = model._meta.get_field(name)
        model = field.related_model
        steps.append(name)
        lookups.append(published_prefetch("__".join(steps), model, public=public))
    return lookups


def keep_prefetched(row, name: str, related: list) -> None:
    """Keep ``related`` as ``row``'s prefetched ``name`` (a reverse or generic relation), as
    ``prefetch_related`` would have: ``row.<name>.all()`` then runs no query."""
    cached = getattr(row, name).get_queryset()
    cached._result_cache = related
    cached._prefetch_done = True
    if not hasattr(row, "_prefetched_objects_cache"):
        row._prefetched_objects_cache = {}
    row._prefetched_objects_cache[name] = cached


def _follow(rows: list, names: list[str]) -> list:
    """The rows a relation path reaches from ``rows``, through prefetched or cached relations."""
    for name in names:
        reached = []
        for row in rows:
            value = getattr(row, name, None)
            if value is None:
                continue
            if isinstance(value, models.Manager):
                reached.extend(value.all())
            else:
                reached.append(value)
        rows = reached
    return rows


class Cited(TimeStamped):
    """A record whose facts must each be backed by a citation.

    ``CITED_FIELDS`` names the factual fields that, when filled, need a citation naming them;
    a citation with an empty ``field`` backs the record as a whole (every record needs one).
    """

    CITED_FIELDS: tuple[str, ...] = ()
    # For a row that belongs to a record (a name to its organization): the field naming it.
    PARENT: str = ""

    citations = GenericRelation("kzpolitics.Citation")

    objects = CitedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # One transaction: the data version (moved on by the save's signal) must not become
        # visible before the citations' flag does, or a page cached under the new version
        # would keep the old flag (kzpolitics.caching).
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            # Its citations are public only while it is: keep their flag in step (one query).
            Citation._base_manager.filter(
                content_type=ContentType.objects.get_for_model(type(self)), object_id=self.pk
            ).exclude(record_published=self.is_published).update(record_published=self.is_published)

    def parent_record(self):
        """The record this row belongs to, or None for a record of its own."""
        return getattr(self, self.PARENT) if self.PARENT else None

    def field_is_filled(self, name: str) -> bool:
        """Whether a factual field holds a value (reads FK ids, so it runs no query)."""
        if isinstance(getattr(type(self), name, None), UncertainDate):
            return bool(getattr(self, name))
        return getattr(self, self._meta.get_field(name).attname) not in (None, "")

    def filled_cited_fields(self) -> list[str]:
        return [name for name in self.CITED_FIELDS if self.field_is_filled(name)]

    def uncited_fields(self, citations=None) -> list[str]:
        """Filled factual fields that no citation names (uses prefetched citations if any)."""
        citations = self.citations.all() if citations is None else citations
        named = {c.field for c in citations}
        return [name for name in self.filled_cited_fields() if name not in named]


class Source(TimeStamped):
    """A work that facts come from: the article itself, a book, a newspaper issue, a web page."""

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        BOOK = "book", "Book"
        EDITED_VOLUME = "edited_volume", "Edited volume"
        HANDBOOK = "handbook", "Handbook"
        NEWSPAPER = "newspaper", "Newspaper"
        JOURNAL_ARTICLE = "journal_article", "Journal article or issue"
        WEB_PAGE = "web_page", "Web page"
        NOTE = "note", "Note"

    slug = models.SlugField(
        max_length=120, unique=True, help_text="Stable URL name; never change it."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, help_text="What sort of work.")
    authors = models.CharField(max_length=300, blank=True, help_text="Authors as printed.")
    editors = models.CharField(max_length=300, blank=True, help_text="Editors as printed.")
    title = models.CharField(max_length=400, help_text="Title of the work as printed.")
    container = models.CharField(
        max_length=300, blank=True, help_text="Journal or newspaper the item appeared in."
    )
    issue = models.CharField(max_length=60, blank=True, help_text="Issue or volume, e.g. “No. 12”.")
    publisher = models.CharField(max_length=200, blank=True)
    place = models.CharField(max_length=120, blank=True, help_text="Place of publication.")
    date = UncertainDate("Published")
    url = models.URLField(max_length=500, blank=True, help_text="Web address, where it has one.")
    reference_text = models.TextField(
        blank=True, help_text="The footnote's verbatim text where the work is first named."
    )
    footnotes = models.CharField(
        max_length=120,
        blank=True,
        validators=[validate_comma_separated_integer_list],
        help_text="The founding article's footnote numbers that name this work, e.g. “1,9”.",
    )
    note = models.TextField(
        blank=True, help_text="Editorial remarks, e.g. how “op. cit.” was resolved."
    )

    class Meta:
        ordering = ("authors", "title")

    def __str__(self) -> str:
        return self.short_reference

    def get_absolute_url(self) -> str:
        return reverse("kzpolitics:source-detail", args=[self.slug])

    @property
    def short_reference(self) -> str:
        """Author-date label: “Ponomarev 1991”, “D’iachenko et al. 2000”, “Babak (ed.) 2003”."""
        names = [n.strip() for n in (self.authors or self.editors).split(",") if n.strip()]
        if names:
            surnames = [n.split()[-1] for n in names]
            who = surnames[0] if len(names) == 1 else f"{surnames[0]} et al."
            if not self.authors:
                who += " (ed.)"
        else:
            who = (self.container or self.title).split(",")[0]
        year = self.date.edtf[:4] if self.date.edtf else ""
        return f"{who} {year}".strip()


class CitationQuerySet(RecordQuerySet):
    def published(self):
        """Citations the public may see: published, of a published source (and via one, if
        any), backing a record the public may see (which, for a row that links records, means
        every record it links is published too)."""
        return super().published().filter(public_records_condition())

    def of_records(self, records):
        """Citations of these records (a list of rows of one model, or a queryset)."""
        records = list(records)
        if not records:
            return self.none()
        content_type = ContentType.objects.get_for_model(type(records[0]))
        return self.filter(content_type=content_type, object_id__in=[r.pk for r in records])


def cited_models() -> list[type[models.Model]]:
    """Every kind of record that takes citations, in every installed app."""
    return [model for model in apps.get_models() if issubclass(model, Cited)]


def public_records_condition(prefix: str = "") -> Q:
    """The condition that a citation backs a record the public may see: for each kind of
    record, its content type and an id among that kind's ``published()`` rows."""
    content_types = ContentType.objects.get_for_models(*cited_models())
    condition = Q(pk__in=[])
    for model, content_type in content_types.items():
        condition |= Q(
            **{
                f"{prefix}content_type": content_type,
                f"{prefix}object_id__in": model.objects.published().values("pk"),
            }
        )
    return condition


class Citation(TimeStamped):
    """A record, or one of its fields or statements, backed by a source at a locator.

    A fact the article takes from another work cites that work *via* the article: Ponomarev,
    pp. 14-15, via Babak, footnote 1.
    """

    # A citation through a work the public may not see is not shown either.
    PUBLIC_WITH = ("via",)

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    field = models.CharField(
        max_length=60,
        blank=True,
        help_text="The field or statement this backs (e.g. “founded”); empty for the whole record.",
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="citations", help_text="The work cited."
    )
    pages = models.CharField(
        max_length=40, blank=True, help_text="Pages of the work, e.g. “14-15”."
    )
    footnote = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Footnote number in the citing work (the article)."
    )
    section = models.CharField(
        max_length=200, blank=True, help_text="Section of the work, when there are no pages."
    )
    quote = models.CharField(
        max_length=400, blank=True, help_text="A short quotation, a sentence at most."
    )
    via = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="via_citations",
        help_text="The work through which this source is known (the article, for its footnotes).",
    )
    note = models.TextField(blank=True, help_text="Editorial remark on this citation.")
    record_published = models.BooleanField(
        default=False,
        editable=False,
        db_index=True,
        help_text="Whether the record it backs is published (kept up to date on every save of "
        "the record): the public sees a citation only when both are.",
    )

    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ("content_type", "object_id", "field", "id")
        indexes = [models.Index(fields=("content_type", "object_id"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(via=models.F("source")),
                name="citation_via_is_another_source",
                violation_error_message="A citation cannot go via its own source.",
            ),
        ]

    def __str__(self) -> str:
        return self.locator_text

    def save(self, *args, **kwargs):
        model = self.content_type.model_class() if self.content_type_id else None
        if model is not None:
            self.record_published = model._base_manager.filter(
                pk=self.object_id, status=Status.PUBLISHED
            ).exists()
        return super().save(*args, **kwargs)

    @property
    def locator_text(self) -> str:
        """“Ponomarev 1991, pp. 14-15, cited in Babak, fn. 1”."""
        parts = [self.source.short_reference]
        if self.pages:
            parts.append(("pp. " if "-" in self.pages else "p. ") + self.pages)
        if self.section and not self.via_id:
            parts.append(f"section “{self.section}”")
        text = ", ".join(parts)
        if self.via_id:
            text += f", cited in {self.via.short_reference or self.via.title}"
        if self.footnote:
            text += f", fn. {self.footnote}"
        return text

    def clean(self):
        super().clean()
        if self.via_id and self.via_id == self.source_id:
            raise ValidationError({"via": "A citation cannot go via its own source."})
        model = self.content_type.model_class() if self.content_type_id else None
        if model is not None and self.field:
            allowed = getattr(model, "CITED_FIELDS", ())
            if self.field not in allowed:
                raise ValidationError(
                    {
                        "field": f"“{self.field}” is not a cited field of "
                        f"{model._meta.verbose_name}; use one of: "
                        f"{', '.join(allowed) or '(none: leave empty)'}."
                    }
                )


class PersonQuerySet(CitedQuerySet):
    def matching(self, text: str):
        """People any of whose names contain the text."""
        return self.filter(Q(name__icontains=text) | Q(names__name__icontains=text)).distinct()


class Person(Cited):
    """A person the sources name: a leader, an official, a writer."""

    CITED_FIELDS = ("description",)

    slug = models.SlugField(
        max_length=120, unique=True, help_text="Stable URL name; never change it."
    )
    name = models.CharField(max_length=200, help_text="The name as the founding article spells it.")
    description = models.TextField(
        blank=True, help_text="Who they were, as the sources describe them (cite it)."
    )
    note = models.TextField(blank=True, help_text="Editorial remarks and doubts.")

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ("name", "id")
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("kzpolitics:person-detail", args=[self.slug])


class PersonName(Cited):
    """Another name or spelling of a person (Nazarbayev for Nazarbaev)."""

    class Kind(models.TextChoices):
        ARTICLE = "article", "As printed in the article"
        VARIANT = "variant", "Variant spelling"
        FULL = "full", "Full name"
        TRANSLITERATION = "transliteration", "Transliteration"

    PARENT = "person"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200, db_index=True, help_text="The name or spelling.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.VARIANT)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("person", "kind", "name")
        constraints = [
            models.UniqueConstraint(fields=("person", "name"), name="person_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Place(Cited):
    """A place: a country, city, region, lake or test site, with its names over time."""

    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        REPUBLIC = "republic", "Republic"
        REGION = "region", "Region"
        CITY = "city", "City"
        TOWN = "town", "Town"
        LAKE = "lake", "Lake"
        SEA = "sea", "Sea"
        TEST_SITE = "test_site", "Test site"
        AREA = "area", "Area"

    slug = models.SlugField(
        max_length=120, unique=True, help_text="Stable URL name; never change it."
    )
    name = models.CharField(max_length=200, help_text="The name the site shows.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        help_text="The larger place it lies in.",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("kzpolitics:place-detail", args=[self.slug])


class NameInUse(Cited):
    """A name something bore, with its kind, language and the period it was in use."""

    name = models.CharField(max_length=300, db_index=True, help_text="The name as written.")
    language = models.CharField(max_length=40, blank=True, help_text="e.g. Kazakh, Russian.")
    start = UncertainDate("In use from")
    end = UncertainDate("In use until")
    note = models.TextField(blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class PlaceName(NameInUse):
    """A name a place bore, with the period it was in use (Tselinograd, Akmola, Astana)."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", "Official"
        FORMER = "former", "Former"
        VARIANT = "variant", "Variant spelling"
        TRANSLATION = "translation", "Translation"

    PARENT = "place"

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OFFICIAL)

    class Meta:
        ordering = ("place", F("start_earliest").asc(nulls_first=True), "name", "id")


class EventQuerySet(CitedQuerySet):
    def between(self, start=None, end=None):
        """Events that may fall within [start, end] (compares real dates, not strings)."""
        qs = self
        if start:
            qs = qs.filter(date_latest__gte=start)
        if end:
            qs = qs.filter(date_earliest__lte=end)
        return qs

    def chronological(self):
        return self.order_by(F("date_earliest").asc(nulls_last=True), "title", "id")


class Event(Cited):
    """A dated happening: a protest, a congress, a coup, an announcement, a statement."""

    class Kind(models.TextChoices):
        PROTEST = "protest", "Protest"
        CONGRESS = "congress", "Congress or conference"
        FOUNDING = "founding", "Founding"
        COUP = "coup", "Coup"
        ELECTION = "election", "Election"
        LEGISLATION = "legislation", "Legislation"
        ANNOUNCEMENT = "announcement", "Announcement"
        STATEMENT = "statement", "Statement"
        REGISTRATION = "registration", "Registration"
        OTHER = "other", "Other"

    CITED_FIELDS = ("date", "place", "summary")

    slug = models.SlugField(
        max_length=160, unique=True, help_text="Stable URL name; never change it."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    date = UncertainDate("Date")
    place = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    summary = models.TextField(blank=True, help_text="What happened, per the sources (cite it).")
    people = models.ManyToManyField(Person, blank=True, related_name="events")
    _history_m2m_fields = ("people",)  # in each version: diffs, reverts, restores include them
    note = models.TextField(blank=True, help_text="Editorial remarks and doubts.")

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = (F("date_earliest").asc(nulls_last=True), "title", "id")
        indexes = [UncertainDate.order_index("date", "event_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.date})" if self.date else self.title

    def get_absolute_url(self) -> str:
        return reverse("kzpolitics:event-detail", args=[self.slug])


class DataVersion(models.Model):
    """When the published data last changed: one row, touched by every save and delete.

    The API's Last-Modified header and the export's version come from it; deletions count,
    which the records' own ``updated_at`` cannot show.
    """

    changed_at = models.DateTimeField()

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


class RevisionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=Revision.State.PENDING)

    def of(self, record):
        """The revisions proposed for ``record``."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
        )


class Revision(models.Model):
    """An editor's change to a published record, kept aside until a reviewer accepts it (as
    Wagtail's revisions and MediaWiki's pending changes are): the public goes on seeing the
    record as it was. It holds only the fields the change touches, so accepting it leaves
    every other field as it is then.

    Not a record itself: no status, no history, and saving one changes nothing the public
    sees (it does not move the data version)."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded by a later revision"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    base_version = models.PositiveIntegerField(
        help_text="The record's version the change was made from."
    )
    data = models.JSONField(
        help_text="The proposed values of the changed fields, as Django's serializers write "
        "them (related records by primary key, many-to-many fields as lists of them)."
    )
    summary = models.CharField(max_length=300, blank=True, help_text="The author's edit summary.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisions_proposed",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisions_reviewed",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, help_text="The reviewer's reason, for the author.")

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=("content_type", "object_id", "state"))]

    def __str__(self) -> str:
        return f"Revision #{self.pk} of {self.content_type.name} #{self.object_id}"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING
