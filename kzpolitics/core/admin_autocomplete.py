"""The admin's pickers (the autocompletes of ``autocomplete_fields``): the record an editor
types comes first, and each option says what it is.

Django's autocomplete answers with the admin's changelist search: every word anywhere in
``search_fields`` (a party's summary and aims included), in the admin's alphabetical order, so
“Democratic Party of Kazakhstan” put Adilet, whose summary names it, first and the party
itself ninth. A picker here matches names only (the record's own name or title, and its other
names, spellings and transliterations: ``kzpolitics.core.search``) and ranks them
(``PickerRank``):

0. the record's own name is the text (case, accents, script and spelling aside: ``fold``);
1. its own name begins with the text's whole words (“Democratic Party” → “Democratic Party
   of Kazakhstan”);
2. another of its names is the text (a former name, a translation, a variant spelling, the
   Cyrillic: “Justice” → Adilet);
3. another of its names begins with the text's whole words;
4. the text's whole words stand in its own name (“Babak” → the article by Vladimir Babak);
5. the same in another of its names;
6. its own name begins with the text inside a word (“Babak” → “Babakumarov”): a whole word
   is the likelier meaning;
7. the same in another of its names;
8. a word of its own name begins with the text;
9. a word of another of its names begins with the text;
10. the rest (the text inside a word, one letter wrong, its words apart).

Records ranked alike come in the alphabetical order of their name. Editors see drafts
too: pickers are their tools, and the admin's own queryset and permission checks decide what
a picker may offer, as in Django's view. Each option reads “Democratic Party of Kazakhstan —
political party, 1995–1999”: the record, its kind and its dates in readers' words
(``kzpolitics.core.date_phrases``), and the other name it was found by.

The changelist's search box keeps the admin's ``search_fields``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Lower
from django.utils.text import Truncator

from kzpolitics.core.date_phrases import date_phrase
from kzpolitics.core.dates import date_spans, uncertain_dates
from kzpolitics.core.search import SearchKeyField, matched_name, search, terms

# Characters of a picker's text: none of the names is longer (a source's title is at most
# 400), so a longer text names no record, and is not worth a query of thousands of patterns.
MAX_TERM_LENGTH = 400
DETAIL_LENGTH = 70  # characters of a person's description or a source's title in an option
PICKER_RANK = "picker_rank"


class PickerRank(IntEnum):
    """How well a record's names match what the editor typed, best first."""

    NAME = 0
    NAME_BEGINS = 1
    OTHER_NAME = 2
    OTHER_NAME_BEGINS = 3
    NAME_WORDS = 4
    OTHER_NAME_WORDS = 5
    NAME_PREFIX = 6
    OTHER_NAME_PREFIX = 7
    NAME_WORD_BEGINS = 8
    OTHER_NAME_WORD_BEGINS = 9
    OTHERWISE = 10


@dataclass(frozen=True)
class PickerFields:
    """The names of a kind of record a picker matches: lookup paths to fields that have a
    search key, its own name first (``own``; an organization's ``name``, a source's ``title``
    and ``authors``) and its other names (``others``: ``names__name``)."""

    own: tuple[str, ...]
    others: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return (*self.own, *self.others)


def _keyed(model) -> tuple[str, ...]:
    return tuple(f.source for f in model._meta.get_fields() if isinstance(f, SearchKeyField))


def picker_fields(model) -> PickerFields | None:
    """What a picker of ``model`` matches: its own keyed name fields and those of its
    ``names`` rows; for a row known by its parent (a round, by its election: ``PARENT``),
    the parent's; None for a model with no name to match (Django's search then)."""
    own = _keyed(model)
    if own:
        try:
            names = model._meta.get_field("names")
        except FieldDoesNotExist:
            return PickerFields(own)
        if not names.one_to_many:
            return PickerFields(own)
        others = tuple(f"names__{name}" for name in _keyed(names.related_model))
        return PickerFields(own, others)
    parent = getattr(model, "PARENT", None)
    if parent:
        inherited = picker_fields(model._meta.get_field(parent).related_model)
        if inherited is not None:
            return PickerFields(tuple(f"{parent}__{path}" for path in inherited.own))
    return None


def _key_path(model, path: str) -> str:
    """``names__name`` → ``names__name_key``: the search key of the field at ``path``."""
    *relations, name = path.split("__")
    end = model
    for relation in relations:
        end = end._meta.get_field(relation).related_model
    key = next(
        f for f in end._meta.get_fields() if isinstance(f, SearchKeyField) and f.source == name
    )
    return "__".join([*relations, key.name])


def _condition(model, path: str, lookup: str, value: str) -> Q:
    """The record's field at ``path`` has a key matching ``value`` by ``lookup``; through
    rows of its own (its names), a set of ids computed once, not a join that would repeat
    records."""
    key_path = _key_path(model, path)
    first, _, rest = key_path.partition("__")
    link = model._meta.get_field(first) if rest else None
    if link is not None and link.one_to_many:
        rows = link.related_model._base_manager.filter(**{f"{rest}{lookup}": value})
        return Q(pk__in=rows.order_by().values(link.field.name))
    return Q(**{f"{key_path}{lookup}": value})


def picker_rank(model, fields: PickerFields, folded: str):
    """The ``PickerRank`` of each record for the folded text, as an SQL expression (plain
    ``CASE``, ``LIKE`` and ``IN``: the same on SQLite and PostgreSQL)."""
    # The keys are matched padded with a space at each end: “ babak ” holds the word “babak”.
    begins, words, prefix = f" {folded} %", f"% {folded} %", f" {folded}%"
    word_begins = f"% {folded}%"
    tiers = (
        (PickerRank.NAME, fields.own, "", folded),
        (PickerRank.NAME_BEGINS, fields.own, "__padded_like", begins),
        (PickerRank.OTHER_NAME, fields.others, "", folded),
        (PickerRank.OTHER_NAME_BEGINS, fields.others, "__padded_like", begins),
        (PickerRank.NAME_WORDS, fields.own, "__padded_like", words),
        (PickerRank.OTHER_NAME_WORDS, fields.others, "__padded_like", words),
        (PickerRank.NAME_PREFIX, fields.own, "__padded_like", prefix),
        (PickerRank.OTHER_NAME_PREFIX, fields.others, "__padded_like", prefix),
        (PickerRank.NAME_WORD_BEGINS, fields.own, "__padded_like", word_begins),
        (PickerRank.OTHER_NAME_WORD_BEGINS, fields.others, "__padded_like", word_begins),
    )
    whens = []
    for rank, paths, lookup, value in tiers:
        conditions = [_condition(model, path, lookup, value) for path in paths]
        if conditions:
            found = conditions[0]
            for condition in conditions[1:]:
                found |= condition
            whens.append(When(found, then=Value(int(rank))))
    return Case(*whens, default=Value(int(PickerRank.OTHERWISE)), output_field=IntegerField())


def ranked_for_picker(queryset, text: str, fields: PickerFields):
    """The records of ``queryset`` whose names match ``text`` (every word of it, as the
    site's search matches them, drafts included), best first (``PickerRank``), then in
    alphabetical order of their name. An empty text: every record, alphabetically."""
    model = queryset.model
    # The name as written, not its fold: a fold makes “All-Union” “al union”, before “Alash”.
    alphabetical = [Lower(path) for path in fields.own]
    folded = " ".join(terms(text))
    if not folded:
        return queryset.order_by(*alphabetical, "pk")
    found = search(queryset, text, fields.all, public=False, rank=False)
    return found.annotate(**{PICKER_RANK: picker_rank(model, fields, folded)}).order_by(
        PICKER_RANK, *alphabetical, "pk"
    )


def _lower_first(text: str) -> str:
    """“Political party” → “political party”; an initialism (“SSR”) stays as it is."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _kind(record) -> str:
    """What sort of record it is: its kind's label (“political party”), else its model's
    (“person”)."""
    try:
        field = record._meta.get_field("kind")
    except FieldDoesNotExist:
        field = None
    if field is not None and field.choices:
        return _lower_first(str(record._get_FIELD_display(field)))
    return str(record._meta.verbose_name)


def _dates(record) -> list[str]:
    """Its dates in readers' words: a span as “1995–1999” (or “from … to …” where a side
    is more than a year), one end alone with its name (“founded November 1998”), a single
    date as it is (“19 January 1999”)."""
    model = type(record)
    spans = date_spans(model)
    in_spans = {date.name for span in spans for date in span}
    parts = []
    for start, end in spans:
        first = date_phrase(getattr(record, start.name))
        last = date_phrase(getattr(record, end.name))
        if first and last:
            first, last = first.text, last.text
            joiner = "–" if " " not in first + last else " – "
            parts.append(f"{first}{joiner}{last}")
        elif first or last:
            date = start if first else end
            parts.append(f"{date.verbose_name.lower()} {(first or last).text}")
    for date in uncertain_dates(model):
        if date.name in in_spans:
            continue
        found = date_phrase(getattr(record, date.name))
        if found:
            parts.append(found.text)
    return parts


def _detail(record, label: str) -> str:
    """What tells two records of one name apart besides kind and dates: a person's
    description, a source's title (its label is author and year)."""
    for name in ("description", "title"):
        value = getattr(record, name, "")
        if isinstance(value, str) and value and value not in label:
            return Truncator(" ".join(value.split())).chars(DETAIL_LENGTH)
    return ""


def option_text(record, text: str = "") -> str:
    """A picker's option: “Democratic Party of Kazakhstan — political party, 1995–1999”,
    “Nursultan Nazarbaev — person, President of Kazakhstan…”; with the other name the
    record was found by where its own did not match (“Adilet — …, also “Justice””)."""
    label = str(record)
    parts = [_kind(record), *_dates(record)]
    detail = _detail(record, label)
    if detail:
        parts.append(detail)
    if text and hasattr(record, "names"):
        other = matched_name(record, text)
        if other:
            parts.append(f"also “{other}”")
    return f"{label} — {', '.join(parts)}"


class RankedAutocompleteJsonView(AutocompleteJsonView):
    """Django's autocomplete view (its request checks, permissions and pages of 20), with the
    records matched by name, best first, and each labelled with its kind and dates."""

    def get_queryset(self):
        term = self.term.replace("\x00", "")  # PostgreSQL refuses a NUL in a text
        fields = picker_fields(self.model_admin.model)
        if fields is None:
            self.term = term
            return super().get_queryset()
        queryset = self.model_admin.get_queryset(self.request)
        queryset = queryset.complex_filter(self.source_field.get_limit_choices_to())
        if len(term) > MAX_TERM_LENGTH:
            return queryset.none()
        parent = getattr(queryset.model, "PARENT", None)
        if parent:
            queryset = queryset.select_related(parent)  # its label names its parent
        if hasattr(queryset.model, "names") and terms(term):
            # The other name an option was found by, for all options in one query.
            queryset = queryset.prefetch_related("names")
        return ranked_for_picker(queryset, term, fields)

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        result["text"] = option_text(obj, self.term.replace("\x00", ""))
        return result
