"""Search that forgives: one service for every place that finds records by what a reader types
(the site's search page, the API's ``?search=``, and later the reconciliation endpoint and the
admin's pickers).

A reader may type a name as the article spells it or not: “Nazarbayev” for Nazarbaev,
“Mazhilis” for Majilis, “Alma-Ata” for Alma Ata, “Semirech'e” with a straight apostrophe for
Semirech’e, in Cyrillic (“Назарбаев”), or with one letter wrong. Two things make that cheap:

- ``fold(text)``: a canonical key. Cyrillic (and any other script) is transliterated by
  ``anyascii`` (a maintained Unicode-to-ASCII table); case, accents and apostrophes go; hyphens
  and other punctuation become spaces; and the spellings transliterations disagree on are made
  alike (kh/h, zh/dzh/j, q/k, y/i, iotated “ye” after a vowel, doubled letters).
- ``SearchKeyField``: a column holding the fold of another field of the same row, computed on
  every save (``bulk_create`` included, as Django calls each field's ``pre_save`` there too).

``search(queryset, text)`` matches each word of the text against the keys: a key containing the
folded word matches, and so, for a word of four letters or more, does a key with a whole word
within one letter of it (one insertion, deletion or substitution). The typo check is a set of
``LIKE`` patterns, one per possible edit (``nazarb_ev``, ``nazarbev``, ``naz_arbaev``...):
exactly "one letter", the same answer on SQLite and PostgreSQL; on PostgreSQL the key's
trigram index (``kzpolitics.core.search_indexes``) finds the candidates by the halves of the
word, which the edits then sift. Records
come ranked: an exact name first, then one it begins, then a word of it that begins with the
text, then the rest.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable, Sequence

from anyascii import anyascii
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When

FUZZY_MIN_LETTERS = 4  # shorter words are a letter away from too many others
RANK = "search_rank"  # the annotation ``search`` adds: 0 for an exact name, up to 4 (``rank_of``)

_APOSTROPHES = re.compile(r"['`´ʹʺʻʼʽˈ‘’‚‛′″\"]")
_ACRONYM = re.compile(r"\b(?:[a-z]\.){2,}")  # U.S.S.R., S.S.R.: one word, as USSR is
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Letters transliterations write differently for one sound, in the order they are applied.
_SPELLINGS = (
    (re.compile(r"dzh|dj|zh"), "j"),  # Мажилис: Mazhilis, Majilis; Джамбул: Dzhambul, Jambul
    (re.compile(r"kh"), "h"),  # Ахмет: Akhmet, Ahmet
    (re.compile(r"gh"), "g"),  # Kazakh ғ: Gh or G
    (re.compile(r"q"), "k"),  # Kazakh қ in Latin script: Qazaqstan, Kazakstan
    (re.compile(r"\bye"), "e"),  # Ерлан: Yerlan, Erlan
    (re.compile(r"(?<=[aeiou])y(?=[aeiou])"), ""),  # Назарбаев: Nazarbayev, Nazarbaev
    (re.compile(r"y"), "i"),  # Жамбыл: Zhambyl, Jambil; Тұяқбай: Tuyakbay, Tuiakbai
    (re.compile(r"([a-z])\1"), r"\1"),  # Dmitrii, Dmitriy, Dmitry; Massov, Masov
)


def fold(text: str) -> str:
    """The key two spellings of one name share: lower-case ASCII words split by one space.

    >>> fold("Nazarbayev") == fold("Nazarbaev") == fold("Назарбаев")
    True
    >>> fold("Alma-Ata"), fold("Majilis") == fold("Мажилис"), fold("Semirech’e")
    ('alma ata', True, 'semireche')
    """
    text = anyascii(text or "").lower()
    text = _ACRONYM.sub(lambda found: found[0].replace(".", ""), _APOSTROPHES.sub("", text))
    text = _NOT_WORD.sub(" ", text)
    for pattern, replacement in _SPELLINGS:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def terms(text: str | Iterable[str]) -> list[str]:
    """The words of a query (whitespace apart), each folded, leaving out those that fold to
    nothing (a lone apostrophe). A list of words is taken as given (the API's own split,
    which keeps a quoted phrase together)."""
    words = text.split() if isinstance(text, str) else text
    return [folded for folded in map(fold, words) if folded]


def one_letter_away(term: str) -> list[str]:
    """``LIKE`` patterns for every text one insertion, deletion or substitution from
    ``term`` (``_`` standing for any one letter); [] for a word shorter than
    ``FUZZY_MIN_LETTERS``. ``term`` is a fold, so it holds no ``%`` or ``_`` of its own."""
    if len(term.replace(" ", "")) < FUZZY_MIN_LETTERS:
        return []
    patterns = dict.fromkeys(
        [term[:i] + "_" + term[i + 1 :] for i in range(len(term)) if term[i] != " "]
        + [term[:i] + term[i + 1 :] for i in range(len(term)) if term[i] != " "]
        + [term[:i] + "_" + term[i:] for i in range(len(term) + 1)]
    )
    return list(patterns)


def within_one_letter(one: str, other: str) -> bool:
    """Whether two words are at most one insertion, deletion or substitution apart."""
    if abs(len(one) - len(other)) > 1:
        return False
    if len(one) > len(other):
        one, other = other, one
    start = 0
    while start < len(one) and one[start] == other[start]:
        start += 1
    if len(one) == len(other):
        return one[start + 1 :] == other[start + 1 :]
    return one[start:] == other[start + 1 :]


def key_matches(key: str, folded_terms: Sequence[str], fuzzy: bool = True) -> bool:
    """Whether a key matches every term as ``search`` matches it in the database: by
    containing it, or (``fuzzy``) by a whole run of its words within one letter of it."""
    for term in folded_terms:
        if term in key:
            continue
        if not fuzzy or len(term.replace(" ", "")) < FUZZY_MIN_LETTERS:
            return False
        width = term.count(" ") + 1
        words = key.split()
        runs = (" ".join(words[i : i + width]) for i in range(len(words) - width + 1))
        if not any(within_one_letter(term, run) for run in runs):
            return False
    return True


class SearchKeyField(models.TextField):
    """The fold of another field of the same row (``source``), kept by every save for search:
    matched by ``search`` and, on PostgreSQL, indexed by trigrams. ``fuzzy`` says whether a
    word within one letter of a word of it matches too (names and titles; not long texts)."""

    def __init__(self, *args, source: str, fuzzy: bool = True, **kwargs):
        self.source = source
        self.fuzzy = fuzzy
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if not self.fuzzy:
            kwargs["fuzzy"] = False
        del kwargs["editable"]
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = fold(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def _padded_like(lhs: str, rhs: str, indexed: bool = True) -> str:
    """The key with a space at each end ``LIKE`` the pattern: the very expression the
    trigram indexes hold (``search_indexes``), so both lookups below must write it so; or,
    not ``indexed``, the same text as an expression no index holds (``PaddedSiftAny``)."""
    padded = f"(' ' || {lhs} || ' ')" if indexed else f"(' ' || {lhs} || ' ' || '')"
    return f"{padded} LIKE {rhs}"


@SearchKeyField.register_lookup
class PaddedLike(models.Lookup):
    """``key__padded_like="% otan %"``: the key with a space at each end is ``LIKE`` the
    pattern, so that a pattern can ask for whole words at its start and end. On PostgreSQL
    the migrations index that very expression by trigrams (``search_indexes``)."""

    lookup_name = "padded_like"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return _padded_like(lhs, rhs), [*lhs_params, *rhs_params]


@SearchKeyField.register_lookup
class PaddedLikeAny(models.Lookup):
    """``key__padded_like_any=["% otan %", "%nur%"]``: ``padded_like`` any of the patterns,
    the same SQL as ORing one ``padded_like`` for each (so the trigram index answers it just
    as well), built as one lookup: a search's thirty-odd patterns per field, some 390 lookups
    a search page, cost the ORM several times what the queries cost the database."""

    lookup_name = "padded_like_any"
    prepare_rhs = False  # a list of patterns, each passed as it is (as padded_like's)
    indexed = True

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        patterns = list(self.rhs)
        if not patterns:
            return "1 = 0", []
        sql = " OR ".join(_padded_like(lhs, "%s", self.indexed) for _ in patterns)
        params = [param for pattern in patterns for param in (*lhs_params, pattern)]
        return f"({sql})", params


@SearchKeyField.register_lookup
class PaddedSiftAny(PaddedLikeAny):
    """``key__padded_sift_any=[...]``: the rows ``padded_like_any`` keeps, tested on an
    expression no index holds, for patterns that only sift rows an indexed lookup found (a
    word's thirty-odd one-letter edits). PostgreSQL then estimates each pattern by a default
    rather than against the trigram index's statistics: planning the edits that way took more
    than running the query (2 ms a query, seven queries a search page; at a hundred times the
    article's data, 30 searches planned in 25 ms rather than 56, ran in the same time and
    found the same rows)."""

    lookup_name = "padded_sift_any"
    indexed = False


def key_of(model, field_name: str) -> SearchKeyField | None:
    """The search key ``model`` keeps of ``field_name``, if any."""
    for field in model._meta.get_fields():
        if isinstance(field, SearchKeyField) and field.source == field_name:
            return field
    return None


def searched_fields(model) -> list[str]:
    """What ``search`` reads of a record by default: each field of its own that has a search
    key, and those of its other names (the ``names`` rows of an organization, a person, a
    place)."""
    own = [f.source for f in model._meta.get_fields() if isinstance(f, SearchKeyField)]
    try:
        names = model._meta.get_field("names")
    except FieldDoesNotExist:
        return own
    return own + [
        f"names__{f.source}"
        for f in names.related_model._meta.get_fields()
        if isinstance(f, SearchKeyField)
    ]


def _resolve(model, path: str):
    """The model and field at the end of a lookup path (``names__name``)."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model, model._meta.get_field(name)


def _key_path(model, path: str) -> tuple[str, SearchKeyField] | None:
    end_model, field = _resolve(model, path)
    key = key_of(end_model, field.name)
    if key is None:
        return None
    return "__".join([*path.split("__")[:-1], key.name]), key


def term_condition(model, path: str, raw: str, folded: str) -> Q:
    """The condition that the field at ``path`` matches one term: its key contains the fold
    (or, where the key is fuzzy, holds a word within one letter of it); a field without a key
    contains the word as typed, in any case."""
    keyed = _key_path(model, path)
    if keyed is None:
        return Q(**{f"{path}__icontains": raw})
    key_path, key = keyed

    def like(*patterns) -> Q:
        return Q(**{f"{key_path}__padded_like_any": list(patterns)})

    contains = f"%{folded}%"
    edits = [f"% {pattern} %" for pattern in one_letter_away(folded)] if key.fuzzy else []
    if not edits:
        return like(contains)
    # A word one letter away keeps the first half of the text or its second half whole: two
    # patterns an index answers quickly find the few candidates, which the edits then sift
    # (an index scan for each of the thirty-odd edits would cost more than reading the table).
    half = len(folded) // 2
    sifted = Q(**{f"{key_path}__padded_sift_any": [contains, *edits]})
    return like(contains, f"% {folded[:half]}%", f"%{folded[half:]} %") & sifted


def search(
    queryset,
    text: str | Sequence[str],
    fields: Sequence[str] | None = None,
    *,
    public: bool = True,
    also: Sequence = (),
    rank: bool = True,
):
    """The records of ``queryset`` every word of ``text`` matches through one of ``fields``
    (lookup paths such as ``name``, ``names__name``, ``place__names__name``; by default
    ``searched_fields``), and those whose ids the querysets in ``also`` give; annotated with
    ``search_rank`` and, with ``rank``, ordered by it (then by the queryset's own order).

    With ``public`` (the default), a field of related rows matches only through rows the
    public may see (a draft variant name does not make a record match, nor rank it);
    ``queryset`` itself says which records are searched (``published()`` for the public).
    ``public=False`` is an editor's preview.

    Each field is matched in a query of its own table, and the record ids found are joined
    (``pk IN (... UNION ...)``), so that each uses its index: one condition ORing a record's
    name and its variant names (a join) can use none.
    """
    from kzpolitics.core.rest import public_along  # the publication rule of joined rows

    model = queryset.model
    fields = list(fields) if fields is not None else searched_fields(model)
    raw_words = text.split() if isinstance(text, str) else list(text)
    pairs = [(raw, fold(raw)) for raw in raw_words]
    pairs = [(raw, folded) for raw, folded in pairs if folded]
    if not pairs or not fields:
        found = Q(pk__in=[])
    else:
        found = Q()
        for raw, folded in pairs:
            ids = [
                model._base_manager.filter(
                    term_condition(model, path, raw, folded)
                    & (public_along(model, path) if public else Q())
                )
                .order_by()
                .values("pk")
                for path in fields
            ]
            found &= Q(pk__in=ids[0].union(*ids[1:]) if len(ids) > 1 else ids[0])
    for ids in also:
        found |= Q(pk__in=ids.order_by())
    results = queryset.filter(found).annotate(
        **{RANK: rank_of(model, " ".join(f for _, f in pairs), fields, public)}
    )
    if rank:
        results = results.order_by(RANK, *(queryset.query.order_by or model._meta.ordering))
    return results


def rank_of(model, folded: str, fields: Sequence[str], public: bool = True):
    """How well the record's name (its own, or one of its other names the reader may see)
    matches the folded text: 0 it is the text, 1 it begins with it, 2 a word of it is the
    text, 3 a word of it begins with it, 4 otherwise (the text inside a word, a typo, a match
    in another field)."""
    patterns = (None, f" {folded}%", f"% {folded} %", f"% {folded}%")
    conditions: list[list] = [[] for _ in patterns]
    for path in fields:
        keyed = _key_path(model, path)
        if keyed is None or not folded:
            continue
        key_path, _ = keyed
        relation, _, key_name = key_path.rpartition("__")
        if relation:
            link = model._meta.get_field(relation.split("__")[0])
            if "__" in relation or not link.one_to_many:
                continue  # only the record's own names rank it, not a related record's
            # Ids, not EXISTS: a CASE can test a set computed once (a hashed subplan), where
            # EXISTS would run once per record found.
            rows = link.related_model.objects.visible(public).order_by()
            owner = link.field.name
        for tier, pattern in enumerate(patterns):
            condition = Q(
                **{key_name: folded} if pattern is None else {f"{key_name}__padded_like": pattern}
            )
            if relation:
                condition = Q(pk__in=rows.filter(condition).values(owner))
            conditions[tier].append(condition)
    whens = [
        When(functools.reduce(operator.or_, found), then=Value(tier))
        for tier, found in enumerate(conditions)
        if found
    ]
    last = Value(len(patterns), output_field=IntegerField())
    return Case(*whens, default=last, output_field=IntegerField()) if whens else last


def matched_name(record, text: str, names: Iterable | None = None) -> str:
    """The other name that made ``record`` match ``text`` where its own name does not (for
    “also spelt Nazarbayev”, “also called Almaty”): first one holding the text as typed, then
    one matching it as ``search`` does; "" when its own name matches, or no name does.
    ``names`` are the record's other names the reader may see (by default
    ``record.names.all()``, prefetched)."""
    folded_terms = terms(text)
    if not folded_terms:
        return ""
    others = list(record.names.all() if names is None else names)
    typed = text.casefold()
    if typed in record.name.casefold():
        return ""
    for name in others:
        if typed in name.name.casefold():
            return name.name
    if key_matches(fold(record.name), folded_terms):
        return ""
    for name in others:
        if key_matches(fold(name.name), folded_terms):
            return name.name
    return ""
