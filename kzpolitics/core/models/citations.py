"""Sources and citations: one mechanism for every record, and the records that carry it."""

from __future__ import annotations

import functools

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_comma_separated_integer_list
from django.db import models, transaction
from django.db.models import Q
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from kzpolitics.core.date_phrases import date_phrase
from kzpolitics.core.dates import UncertainDate
from kzpolitics.core.editorial.limits import CEILING
from kzpolitics.core.lookups import AnyOf  # noqa: F401 (the any_of lookup, used below)
from kzpolitics.core.models.notes import internal_note_field, public_note_field
from kzpolitics.core.models.records import (
    RecordManager,
    RecordQuerySet,
    Status,
    TimeStamped,
    hangs_on_records,
    public_condition,
    published_prefetch,
)
from kzpolitics.core.paths import record_path
from kzpolitics.core.search import SearchKeyField


class CitedQuerySet(RecordQuerySet):
    """Records that take citations. ``with_citations`` fetches the citations of every record
    a page shows in one query, however many kinds of record that is.

    ADAPTER (Django internals; tests/test_library_contracts.py fails when Django changes
    them). Django's ``prefetch_related`` runs one query per kind of row (the citations of the
    organizations, then of their names, then of their roles...), and has no public hook that
    runs once a queryset's rows are fetched. So this queryset keeps what to attach across
    Django's copies of it (``_clone``, which every chained call goes through) and attaches it
    in ``_fetch_all``, which every way of reading a queryset goes through (iterating,
    ``len()``, ``get()``, indexing, a ``Prefetch`` queryset), on the list it keeps
    (``_result_cache``). No other code touches those three names.
    """

    _citation_paths: tuple[str, ...] | None = None  # None: citations are not prefetched
    _citations_public = True
    _after_fetch: tuple = ()  # callables run on the fetched records, before their citations

    def _clone(self):
        clone = super()._clone()
        clone._citation_paths = self._citation_paths
        clone._citations_public = self._citations_public
        clone._after_fetch = self._after_fetch
        return clone

    def after_fetch(self, attach):
        """Run ``attach(records)`` on the records once fetched, before their citations are:
        for related rows a kind of record fetches for all its records at once in a way
        ``prefetch_related`` cannot (an organization's relations both ways in one query)."""
        clone = self.all()
        clone._after_fetch = (*self._after_fetch, attach)
        return clone

    def prefetch_present(self, *lookups, ask: bool = True):
        """``prefetch_related(*lookups)``, each run only for the records that have a row in it.

        Most records have none of most kinds of row hanging on them (at 100x, 92% of the
        organizations have no election result, 97% adopted no act): a record's page then ran
        a query for each, some 0.8 ms apiece (compiling, the round trip) to read nothing. So
        the records' own query also says, for each lookup, whether any row of it, of any
        status, hangs on the record (``EXISTS``, an index probe: ``present_<name>``); a record
        with none is given the empty list as its prefetched rows, and the lookup's query runs
        for the others only, or not at all. Any row counts, published or not, so a record told
        it has none has none the public or an editor could be shown. ``lookups`` are
        ``Prefetch`` objects or lookups whose first step is a reverse or many-to-many relation
        of the model (``organizations``, ``organizations__names``: a record with no
        organization has no name of one to read); they are prefetched as ``prefetch_related``
        does, before the ``after_fetch`` steps.

        ``ask=False`` prefetches them as ``prefetch_related`` does, for every record: for a
        page of many records, where nearly every kind has some row among them and the
        ``EXISTS`` would only cost (an API page of 50 organizations: 0.8 ms)."""
        if not ask:
            return self.prefetch_related(*lookups)
        clone = self.with_presence(*dict.fromkeys(_first_step(lookup) for lookup in lookups))
        attach = functools.partial(_prefetch_present, lookups=lookups)
        clone._after_fetch = (attach, *clone._after_fetch)  # where prefetch_related would run
        return clone

    def with_presence(self, *names: str, ask: bool = True):
        """The records, each saying for each of ``names`` (a reverse or many-to-many relation
        of the model) whether any row of it, of any status, hangs on it (``present``): for
        the steps that fetch such rows to leave out the records that have none. With
        ``ask=False``, the records as they are: each may have some (``present`` says so)."""
        if not ask:
            return self.all()
        # A name asked already (an organization's relations, by its profile and its dates'
        # evidence) is not asked again.
        asked = self.query.annotations
        return self.annotate(
            **{
                present_flag(name): models.Exists(_rows_of(self.model, name))
                for name in names
                if present_flag(name) not in asked
            }
        )

    def with_public_links(self, *links: str, public: bool = True):
        """The records with the nullable ``links`` (a registration's act, the body that
        decided) read in their own query, each left empty (None) on a row whose linked record
        the public may not see, unless ``public`` is False (an editor's preview): what a
        ``published_prefetch`` of each link gives, without its query. Whether the public may
        see it is ``public_condition`` of the linked model, asked in the same query; the links
        are emptied once the rows are fetched (``after_fetch``), so read the rows as a
        queryset is read, not with ``iterator()``, which skips that step."""
        clone = self.select_related(*links)
        if not public:
            return clone
        flags = {
            _public_link_flag(link): models.Case(
                models.When(
                    public_condition(self.model._meta.get_field(link).related_model, f"{link}__"),
                    then=models.Value(True),
                ),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
            for link in links
        }
        return clone.annotate(**flags).after_fetch(functools.partial(_drop_hidden, links=links))

    def with_citations(self, *related: str, public: bool = True):
        """Prefetch the records' citations with their sources, and those of related rows.

        ``with_citations("names", "roles")`` also fetches the citations of each name and
        role. All of them come in one query once the records are fetched (and the related
        rows prefetched, as the queryset says, or here if it does not). With ``public`` (the
        default) only what the public may see is fetched: published citations of published
        sources, and related rows the public may see; ``public=False`` is an editor's
        preview, which shows drafts too.
        """
        clone = self.all()
        paths = clone._citation_paths or ()
        clone._citation_paths = (*paths, *(path for path in related if path not in paths))
        clone._citations_public = public
        return clone

    def _fetch_all(self):
        fetching = self._result_cache is None
        super()._fetch_all()
        records = self._result_cache
        # Only once, and only rows that are records (not values() or values_list() rows).
        if fetching and records and isinstance(records[0], models.Model):
            try:
                for attach in self._after_fetch:
                    attach(records)
                if self._citation_paths is not None:
                    attach_citations(records, self._citation_paths, public=self._citations_public)
            except BaseException:
                # Rows whose hooks failed are never kept: ``list()`` asks ``len()`` first and
                # drops a TypeError it raises, then iterates, which would have read the rows
                # as kept, without what the hooks attach or hide (``_drop_hidden``).
                self._result_cache = None
                raise


def present_flag(name: str) -> str:
    """The annotation ``prefetch_present`` gives each record: whether any row of ``name``
    hangs on it."""
    return f"present_{name}"


def present(record, name: str) -> bool:
    """Whether ``record`` may have rows of ``name``: False only when it was fetched
    ``with_presence`` of ``name`` and has none (of any status)."""
    return getattr(record, present_flag(name), True)


def _rows_of(model, name: str):
    """The rows of the reverse or many-to-many relation ``name`` of ``model`` that hang on
    the outer query's record, of any status."""
    field = model._meta.get_field(name)
    related = field.related_model
    if field.one_to_many or (field.many_to_many and not field.concrete):
        # A reverse foreign key (``names``, ``results``) or many-to-many (an event's
        # ``organizations``): the field on the other model that points here.
        return related._base_manager.filter(**{field.field.name: models.OuterRef("pk")})
    if field.many_to_many:  # declared on the model: an organization's ``events``
        return related._base_manager.filter(**{field.related_query_name(): models.OuterRef("pk")})
    raise ValueError(f"{model.__name__}.{name} is not a reverse or many-to-many relation")


def _first_step(lookup) -> str:
    return (lookup.prefetch_to if isinstance(lookup, models.Prefetch) else lookup).split("__")[0]


def _prefetch_present(records: list, lookups: tuple) -> None:
    for lookup in lookups:
        name = _first_step(lookup)
        having = []
        for record in records:
            if present(record, name):
                having.append(record)
            else:
                keep_prefetched(record, name, [])
        if having:
            models.prefetch_related_objects(having, lookup)


def _public_link_flag(link: str) -> str:
    return f"public_link_{link}"


def _drop_hidden(records: list, links: tuple[str, ...]) -> None:
    """Empty each of ``links`` that ``with_public_links`` found the public may not see."""
    for record in records:
        for link in links:
            if not getattr(record, _public_link_flag(link)):
                setattr(record, link, None)


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
            match |= Q(content_type_id=content_type_id, object_id__any_of=pks)
        # Their records are public when ``public``: the caller fetched them so.
        citations = Citation.objects.published_own() if public else Citation.objects.all()
        # In ``Citation``'s order, sorted here: ordering in SQL cost a third of compiling
        # the query (some 0.2 ms, on nearly every page and API record).
        rows = citations.filter(match).order_by().without_timestamps()
        citations = sorted(rows, key=Citation.order_in_record)
        for citation in attach_sources(citations):
            found[(citation.content_type_id, citation.object_id)].append(citation)
    for key, instances in by_key.items():
        for row in instances:
            keep_prefetched(row, "citations", found[key])


def attach_sources(citations: list, known=()) -> list:
    """Give each of ``citations`` its source and the work it goes via, each work fetched once
    for all of them (one query; none for the works in ``known``), and return them.

    ``select_related("source", "via")`` would build a copy of a work for each citation of it:
    a hub organization's page cites 122 works 414 times, an API page of 50 organizations 111
    works 337 times, and a work's own page cites itself on every row."""
    works = {work.pk: work for work in known}
    wanted = {c.source_id for c in citations} | {c.via_id for c in citations if c.via_id}
    if wanted - works.keys():
        # By key, in no order: the bibliography's order (Source's own) only cost a sort.
        works.update(Source.objects.order_by().without_timestamps().in_bulk(wanted - works.keys()))
    for citation in citations:
        citation.source = works[citation.source_id]
        if citation.via_id is not None:
            citation.via = works[citation.via_id]
    return citations


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
    ``prefetch_related`` would have: ``row.<name>.all()`` then runs no query.

    ADAPTER (Django internals; tests/test_library_contracts.py fails when Django changes
    them): Django has no public way to give a row the related rows fetched by a query of
    one's own (the citations of many kinds of record, or relations both ways, in one query);
    this sets its prefetch cache as ``prefetch_related_objects`` does. The queryset kept is
    the related manager's, filtered to the row as Django's reverse managers filter it: the
    filter kept for when a query is built (``_deferred_filter``, what ``filter()`` keeps after
    ``_defer_next_filter``), never here, since the list is what is read (building the generic
    relation's filter cost 0.1 ms a row, some 30 ms of an API page of 50 organizations). It
    is set on the manager's fresh queryset rather than through ``filter()``, whose copy of the
    query cost 30 µs a row (a hub's 1,200 rows: 20 ms)."""
    manager = getattr(row, name)
    cached = manager.model._default_manager.all()
    cached._deferred_filter = (False, (), manager.core_filters)
    cached._result_cache = related
    cached._prefetch_done = True
    if not hasattr(row, "_prefetched_objects_cache"):
        row._prefetched_objects_cache = {}
    row._prefetched_objects_cache[name] = cached


def kept(row, name: str):
    """``row.<name>.all()``: the rows prefetched or kept (``keep_prefetched``) without making
    the related manager, else through it (a query).

    ADAPTER (the prefetch cache ``keep_prefetched`` sets; tests/test_library_contracts.py):
    a generic relation's manager costs 9 µs to make (it looks up the row's content type
    through a copy of the content types' manager), and a hub's page asks some 240 rows for
    their citations, each once for every fact it cites."""
    cached = getattr(row, "_prefetched_objects_cache", {}).get(name)
    return cached if cached is not None else getattr(row, name).all()


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
        # would keep the old flag (kzpolitics.site.caching).
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


class SourceQuerySet(RecordQuerySet):
    # The bibliography's groups, in its order (``bibliography_order``).
    FOUNDING, FOOTNOTED, OTHERS = "article", "footnoted", "others"
    # What the order reads of each source (its group, its author-date label), with its slug
    # and the columns of its date.
    ORDER_COLUMNS = ("footnotes", "authors", "editors", "container", "title")

    def bibliography_order(self, first: str) -> list[tuple[int, str]]:
        """(pk, group) of each of these sources, in the bibliography's order: the work whose
        slug is ``first`` (the founding article), then the works the founding article's
        footnotes name (by their first footnote, then their author-date label), then the rest
        (by authors and title).

        The footnote numbers are a list in a text column, so the order is made here, from
        one query of the few columns it needs; a page of the list then fetches its own rows
        (``in_order_of``)."""
        founding, footnoted, others = [], [], []
        columns = ("slug", *self.ORDER_COLUMNS, *self.model.date.column_names)
        for source in self.only(*columns).order_by("authors", "title", "pk"):
            if source.slug == first:
                founding.append(source.pk)
            elif numbers := source.footnote_list:
                footnoted.append((min(numbers), source.short_reference, source.pk))
            else:
                others.append(source.pk)
        return [
            *((pk, self.FOUNDING) for pk in founding),
            *((pk, self.FOOTNOTED) for *_, pk in sorted(footnoted)),
            *((pk, self.OTHERS) for pk in others),
        ]


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
    title_key = SearchKeyField(source="title")
    authors_key = SearchKeyField(source="authors")
    container = models.CharField(
        max_length=300, blank=True, help_text="Journal or newspaper the item appeared in."
    )
    issue = models.CharField(max_length=60, blank=True, help_text="Issue or volume, e.g. “No. 12”.")
    publisher = models.CharField(max_length=200, blank=True)
    place = models.CharField(max_length=120, blank=True, help_text="Place of publication.")
    date = UncertainDate("Published")
    url = models.URLField(max_length=500, blank=True, help_text="Web address, where it has one.")
    reference_text = models.TextField(
        blank=True,
        help_text="The footnote's verbatim text where the work is first named.",
        validators=[CEILING],
    )
    footnotes = models.CharField(
        max_length=120,
        blank=True,
        validators=[validate_comma_separated_integer_list],
        help_text="The founding article's footnote numbers that name this work, e.g. “1,9”.",
    )
    public_note = public_note_field()
    note = internal_note_field()

    objects = SourceQuerySet.as_manager()

    # Kinds whose own title a bibliography sets in italics; an article's goes in quotes.
    TITLED_IN_ITALICS = frozenset({Kind.BOOK, Kind.EDITED_VOLUME, Kind.HANDBOOK, Kind.NEWSPAPER})

    class Meta:
        ordering = ("authors", "title")

    def __str__(self) -> str:
        return self.short_reference

    def get_absolute_url(self) -> str:
        return record_path("kzpolitics:source-detail", self.slug)

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
        year = (self.date_edtf or "")[:4]  # the column: no date value made (560 a page of the API)
        return f"{who} {year}".strip()

    @property
    def footnote_list(self) -> list[int]:
        """The founding article's footnotes that name the work, as numbers."""
        return [int(n) for n in self.footnotes.split(",") if n.strip().isdigit()]

    @property
    def full_reference(self) -> SafeString:
        """The work as a bibliography lists it, as HTML: authors, title, container, issue,
        place, date, and its web address as a link.

        A newspaper issue whose title only repeats its paper's name and date is given once.
        """
        parts = []
        if self.authors:
            parts.append(escape(self.authors))
        elif self.editors:
            plural = "," in self.editors or " and " in self.editors
            parts.append(escape(f"{self.editors} ({'eds.' if plural else 'ed.'})"))
        title, container = self.title, self.container
        if container and title.startswith(container):
            title, container = container, ""
            parts.append(format_html("<cite>{}</cite>", title))
        elif self.kind in self.TITLED_IN_ITALICS:
            parts.append(format_html("<cite>{}</cite>", title))
        else:
            parts.append(escape(f"“{title}”"))
        if container:
            parts.append(format_html("<cite>{}</cite>", container))
        if self.issue:
            parts.append(escape(self.issue))
        where = ": ".join(p for p in (self.place, self.publisher) if p)
        if where:
            parts.append(escape(where))
        if self.date:
            # A reader's phrase (“2 June 1992”), not the footnote's punctuation.
            found = date_phrase(self.date)
            parts.append(escape(found.text if found else str(self.date)))
        text = format_html("{}.", format_html_join(", ", "{}", ((part,) for part in parts)))
        if self.url.lower().startswith(("http://", "https://")):
            text = format_html('{} <a href="{}">{}</a>', text, self.url, self.url)
        elif self.url:  # never a javascript: (or other) link, whatever was stored
            text = format_html("{} {}", text, self.url)
        return text


# Citations of rows that hang on records whose records ``public_rows`` looks up by key, at
# most: the records of a source cited 1,046 times took 16 ms so against 40 ms with
# ``published()``, those of one cited 5,666 times 50 ms against 48 ms.
BY_KEY_MOST = 3000


class CitationManager(RecordManager):
    # Not published(): it names each kind of record by its content type, whose ids a database
    # gives (and a test's flush gives anew).
    BUILT_ONCE = ("published_own",)

    def published_own(self):
        return self.built_once("published_own")


class CitationQuerySet(RecordQuerySet):
    manager_class = CitationManager

    def published(self):
        """Citations the public may see: published, of a published source (and via one, if
        any), backing a record the public may see (which, for a row that links records, means
        every record it links is published too)."""
        return super().published().filter(public_records_condition())

    def published_own(self):
        """What ``published()`` asks of a citation but whether the public may see the record
        it backs: for a caller that knows those records public (``public_rows``)."""
        return super().published()

    def public_rows(self, *columns: str) -> list[tuple]:
        """(content type id, record id, *columns) of each of these citations the public may
        see (those of ``published()``), in no set order: every caller counts or groups them,
        and sorting a work's thousands of citations by ``Citation``'s order cost PostgreSQL
        2 to 3 ms (the 100x most-cited work: 5,666 rows). Which rows those are comes from the
        citations' own rows, then, for those that back a row hanging on records, from their
        records among the public ones (``public_records``).

        ``published()`` reads every public record of every kind to know (PostgreSQL builds a
        hashed IN of each whole): some 20 ms at a hundred times the article's data, however
        few the citations. A record with a page of its own (an organization, a person, an
        event: ``standalone_kinds``) is public when it is published, which the citation's
        ``record_published`` says (kept in step on every save of either). A row that hangs on
        records (a relation, a role, a name) is public only while they are too: looked up by
        key, which costs what they are; past ``BY_KEY_MOST`` of them, no less than reading
        every public record, which it then does."""
        columns = ("content_type_id", "object_id", *columns)
        standalone = standalone_kinds()
        rows, hanging = [], []
        for *row, record_published in (
            self.published_own().order_by().values_list(*columns, "record_published")
        ):
            if row[0] not in standalone:
                hanging.append(tuple(row))
            elif record_published:
                rows.append(tuple(row))
        if not hanging:
            return rows
        if len(hanging) > BY_KEY_MOST:
            return list(self.published().order_by().values_list(*columns))
        public = public_records((row[0], row[1]) for row in hanging)
        rows += [row for row in hanging if (row[0], row[1]) in public]
        return rows

    def public_row(self, pk, *columns: str) -> dict | None:
        """As for any record, but the record it backs is asked about on its own (two small
        queries) rather than through ``public_records_condition``, whose subquery per kind of
        record made each citation's save in a bulk load cost some 20 ms to build."""
        if pk is None:
            return None
        wanted = dict.fromkeys(("pk", "content_type_id", "object_id", *columns))
        row = super().published().filter(pk=pk).values(*wanted).first()
        if row is None:
            return None
        model = ContentType.objects.get_for_id(row["content_type_id"]).model_class()
        if model is None or not issubclass(model, Cited):  # as cited_models() counts them
            return None
        if not model.objects.published().filter(pk=row["object_id"]).exists():
            return None
        return {column: row[column] for column in ("pk", *columns)}

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


def standalone_kinds() -> frozenset[int]:
    """The content type ids of the kinds of cited record that are public whenever they are
    published: those that require no other record to be (``hangs_on_records``), unlike a
    relation (both its organizations) or a role (its organization)."""
    content_types = ContentType.objects.get_for_models(*cited_models())
    return frozenset(
        content_type.pk
        for model, content_type in content_types.items()
        if not hangs_on_records(model)
    )


def public_records(pairs) -> set[tuple[int, int]]:
    """Of these (content type id, record id) pairs, those of records the public may see: for
    each kind among them, its ``published()`` rows with those ids, each looked up by its key,
    all kinds in one query."""
    by_kind: dict[int, set[int]] = {}
    for content_type_id, pk in pairs:
        by_kind.setdefault(content_type_id, set()).add(pk)
    branches = []
    for content_type_id, pks in sorted(by_kind.items()):
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or not issubclass(model, Cited):  # as cited_models() counts them
            continue
        kind = models.Value(content_type_id, output_field=models.IntegerField())
        branches.append(
            model.objects.published()
            .filter(pk__any_of=sorted(pks))
            .order_by()
            .annotate(record_kind=kind)
            .values_list("record_kind", "pk")
        )
    if not branches:
        return set()
    first, *rest = branches
    return set(first.union(*rest, all=True) if rest else first)


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
    public_note = public_note_field()
    note = internal_note_field()
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

    @staticmethod
    def order_in_record(citation) -> tuple:
        """What orders one record's citations (``Meta.ordering`` past the record): by the
        field they back, then as they were added. (The databases compare ``field``, an
        identifier, code point by code point, as Python does: SQLite always, PostgreSQL in
        its C collation, which ``tests/test_citations_order.py`` checks.)"""
        return (citation.field, citation.pk)

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
