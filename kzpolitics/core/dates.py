"""Uncertain dates: the source's wording, an EDTF value, and the earliest and latest days.

The article dates things as "Late in May 1990" or "the spring of 1994". A model declares such
a date once, ``founded = UncertainDate("founded")``, and gets four columns:

- ``founded_text``: the source's wording (pages print a phrase made from the EDTF value, see
  ``date_phrases``, with this wording in its tooltip),
- ``founded_edtf``: the Library of Congress EDTF value (validated by the ``edtf`` package),
- ``founded_earliest`` / ``founded_latest``: real dates derived from the EDTF value on save,
  for sorting and filtering (never compare partial dates as strings).
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

import edtf
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from edtf import parse_edtf, struct_time_to_date, text_to_edtf
from edtf.parser.edtf_exceptions import EDTFParseException
from edtf.parser.parser_classes import UnspecifiedIntervalSection

EDTF_HELP = (
    "Library of Congress EDTF, e.g. 1990-05 (May 1990), 1994-21 (spring 1994), "
    "1991-40 (first half of 1991), 1992-06~ (about June 1992), 1994-10/1995-03 (a span). "
    "Leave empty to have it read from the wording."
)


EDTF_MAX_LENGTH = 60  # the EDTF column's length: no date the site holds is longer


def parse(value: str):
    """Parse an EDTF string, raising ValidationError with a readable message."""
    common = common_form(value) if isinstance(value, str) else None
    if common is not None:
        return common
    try:
        return parse_edtf(value)
    except (EDTFParseException, ValueError, TypeError) as exc:
        raise invalid_edtf(value) from exc


# The edtf package's pyparsing grammar takes 10 to 40 ms a value, and a page shows dozens of
# dates: the first page a process shows after it starts, with values it has not met, spent
# most of its time there. The forms nearly every date takes (a year, month or day, maybe with
# one qualifier; a season or half-year; a span of two plain years, months or days; a span
# with an open or unknown end, a season or a qualifier at an end, as "after August 1991",
# "1991-08/..", and "before autumn 1988", "/1988-23", are written) are built here with the
# package's own classes, as its parser builds them. Anything else, and anything these do not
# accept as written, goes to the parser. tests/test_dates.py checks, value by
# value, that both give the same object: it fails if the package changes how it builds them.
_COMMON = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?([~?%]?)")


def common_form(value: str):
    """The edtf package's object for ``value`` when it is one of the common forms, else None
    (then ``parse_edtf`` reads it)."""
    lower, slash, upper = value.partition("/")
    if slash:
        return _span(_span_end(lower), _span_end(upper))
    match = _COMMON.fullmatch(value)
    if match is None:
        return None
    year, month, day, qualifier = match.groups()
    if month is not None and day is None and 21 <= int(month) <= 41:
        if qualifier:  # the parser takes a qualifier on some seasons and not on others
            return None
        made = (edtf.Season if int(month) <= 24 else edtf.Level2Season)(year=year, season=month)
    else:
        made = _plain_date(year, month, day)
    if made is None or not qualifier:
        return made
    return edtf.UncertainOrApproximate(made, edtf.UA(qualifier))


def _span(first: dict | None, last: dict | None):
    """The span between two ends (``_span_end``) as the parser builds it: two plain years,
    months or days make an ``Interval``; an open ("..") or unknown (empty) end, a season or a
    qualifier at an end, a ``Level1Interval`` (from each end as its grammar hands it over).
    None for anything else, and for a span whose ends are neither of them a date: the parser's
    to read."""
    if first is None or last is None or not (_is_dated(first) or _is_dated(last)):
        return None
    if _is_plain(first) and _is_plain(last):
        return edtf.Interval(first["date"], last["date"])
    return edtf.Level1Interval(first or None, last or None)


def _span_end(value: str) -> dict | None:
    """An end of a span as the parser hands it to ``Level1Interval``: {} for an unknown end
    (empty), ``{"date": "..", "ua": None}`` for an open one, a year, month, day or season
    (unqualified: the parser is particular about qualified seasons) with its qualifier; None
    for anything else."""
    if value == "":
        return {}
    if value == "..":
        return {"date": "..", "ua": None}
    match = _COMMON.fullmatch(value)
    if match is None:
        return None
    year, month, day, qualifier = match.groups()
    if month is not None and day is None and 21 <= int(month) <= 24:
        made = None if qualifier else edtf.Season(year=year, season=month)
    else:
        made = _plain_date(year, month, day)
    if made is None:
        return None
    return {"date": made, "ua": edtf.UA(qualifier) if qualifier else None}


def _is_dated(end: dict) -> bool:
    return bool(end) and end["date"] != ".."


def _is_plain(end: dict) -> bool:
    """A year, month or day with no qualifier (a season is a kind of ``edtf.Date`` too)."""
    return _is_dated(end) and type(end["date"]) is edtf.Date and end["ua"] is None


def _plain_date(year: str, month: str | None, day: str | None):
    """The year, month or day, else None: a season, a 13th month or a 30 February is left to
    the parser, which says what it is."""
    try:
        datetime.date(int(year) or 1, int(month or 1), int(day or 1))
    except ValueError:
        return None
    return edtf.Date(year=year, month=month, day=day)


def invalid_edtf(value: str) -> ValidationError:
    return ValidationError(
        "“%(value)s” is not a valid EDTF date. %(help)s",
        code="invalid_edtf",
        params={"value": value, "help": EDTF_HELP},
    )


def validate_edtf(value: str) -> None:
    if value:
        bounds(value)


def bounds(value: str) -> tuple[datetime.date | None, datetime.date | None]:
    """Earliest and latest day an EDTF value can mean; None where a side is open."""
    if not value:
        return None, None
    short = isinstance(value, str) and len(value) <= EDTF_MAX_LENGTH
    found = _remembered_bounds(value) if short else _bounds(value)
    if found is None:
        raise invalid_edtf(value)
    return found


def _bounds(value: str) -> tuple[datetime.date | None, datetime.date | None] | None:
    """``bounds`` of a non-empty value, or None if it is not valid EDTF."""
    try:
        parsed = parse(value)
    except ValidationError:
        return None
    # An interval's unknown or open end ("/1998-23", "1991-08/..") bounds nothing; the edtf
    # package would otherwise guess a day ten years away.
    lower = None if _unknown(getattr(parsed, "lower", None)) else _side(parsed.lower_strict)
    upper = None if _unknown(getattr(parsed, "upper", None)) else _side(parsed.upper_strict)
    return lower, upper


# The edtf package's pyparsing grammar takes milliseconds a value (its packrat parser tries
# production after production), and every save reads each date several times (its check, the
# two derived columns), as does every page that shows an open-ended one. The bounds depend on
# the string alone and a site holds few distinct values (the months, seasons and years of a
# few decades), so they are kept; invalid values too, so that one sent again costs nothing.
# Only values that fit the column are kept: a long string from a client could fill memory.
_remembered_bounds = functools.lru_cache(maxsize=8192)(_bounds)


def _unknown(section) -> bool:
    return isinstance(section, UnspecifiedIntervalSection)


def _side(method) -> datetime.date | None:
    try:
        date = struct_time_to_date(method())
    except (TypeError, ValueError, OverflowError):
        # Open or unknown ends of intervals ("1992/..") have no real bound (edtf gives inf).
        return None
    if date.year in (1, 9999):
        return None
    return date


def edtf_from_text(text: str) -> str:
    """The EDTF value the wording means, or "" when the wording cannot be read."""
    if not text:
        return ""
    try:
        value = text_to_edtf(text)
    except Exception:  # the parser is heuristic and raises assorted errors on odd input
        return ""
    if not value:
        return ""
    try:
        validate_edtf(value)
    except ValidationError:
        return ""
    return value


class DerivedDateField(models.DateField):
    """A date column computed from an EDTF column of the same row on every save."""

    def __init__(self, *args, edtf_field: str, bound: str, **kwargs):
        self.edtf_field = edtf_field
        self.bound = bound
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["edtf_field"] = self.edtf_field
        kwargs["bound"] = self.bound
        del kwargs["editable"]
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        earliest, latest = bounds(getattr(model_instance, self.edtf_field))
        value = earliest if self.bound == "earliest" else latest
        setattr(model_instance, self.attname, value)
        return value


@dataclass(frozen=True)
class UncertainDateValue:
    text: str = ""
    edtf: str = ""
    earliest: datetime.date | None = None
    latest: datetime.date | None = None

    def __bool__(self) -> bool:
        return bool(self.text or self.edtf)

    def __str__(self) -> str:
        return self.text or self.edtf

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "edtf": self.edtf,
            "earliest": self.earliest,
            "latest": self.latest,
        }


class UncertainDate(property):
    """Declares an uncertain date on a model: four real columns and one attribute to read them.

    ``instance.founded`` gives an :class:`UncertainDateValue`; assigning a mapping with
    ``text`` and ``edtf`` (or another value object) sets the columns. It is a ``property``
    so that Django accepts it as a constructor keyword: ``Organization(founded={...})``.
    """

    def __init__(self, verbose_name: str, help_text: str = ""):
        super().__init__()
        self.verbose_name = verbose_name
        self.help_text = help_text
        self.name = ""

    def contribute_to_class(self, cls, name):
        self.name = name
        cls.add_to_class(
            f"{name}_text",
            models.CharField(
                f"{self.verbose_name} (as worded)",
                max_length=120,
                blank=True,
                help_text=(
                    self.help_text
                    or "The date as the source words it, shown to readers, e.g. “Late in May 1990”."
                ),
            ),
        )
        cls.add_to_class(
            f"{name}_edtf",
            models.CharField(
                f"{self.verbose_name} (EDTF)",
                max_length=EDTF_MAX_LENGTH,
                blank=True,
                validators=[validate_edtf],
                help_text=EDTF_HELP,
            ),
        )
        for bound in ("earliest", "latest"):
            cls.add_to_class(
                f"{name}_{bound}",
                DerivedDateField(
                    f"{self.verbose_name} ({bound})",
                    edtf_field=f"{name}_edtf",
                    bound=bound,
                    db_index=bound == "earliest",
                    help_text=f"The {bound} day the date can mean, derived from the EDTF value.",
                ),
            )
        setattr(cls, name, self)

    @staticmethod
    def order_index(name: str, index_name: str, only_dated: bool = False) -> models.Index:
        """An index of records in the order of the date called ``name`` (``first_day``,
        ``last_day``, id), for pages of a long chronology (the timeline) to start where they
        begin without sorting every record; with ``only_dated``, of those that have the date
        (``dated``) only."""
        return models.Index(
            first_day(name),
            last_day(name),
            F("id"),
            name=index_name,
            condition=dated(name) if only_dated else None,
        )

    @functools.cached_property  # the name is set once, by contribute_to_class
    def column_names(self) -> tuple[str, str, str, str]:
        n = self.name
        return f"{n}_text", f"{n}_edtf", f"{n}_earliest", f"{n}_latest"

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        text, edtf, earliest, latest = map(instance.__getattribute__, self.column_names)
        if edtf and earliest is None and latest is None:
            earliest, latest = bounds(edtf)
        return UncertainDateValue(text, edtf, earliest, latest)

    def __set__(self, instance, value):
        if value is None:
            value = {}
        if isinstance(value, UncertainDateValue):
            value = value.as_dict()
        text = value.get("text") or ""
        edtf = value.get("edtf") or ""
        earliest, latest = bounds(edtf)
        for column, item in zip(self.column_names, (text, edtf, earliest, latest), strict=True):
            setattr(instance, column, item)

    def clean(self, instance) -> None:
        """Fill the EDTF value from the wording where it is missing; refuse nonsense."""
        text_col, edtf_col, *_ = self.column_names
        text, edtf = getattr(instance, text_col), getattr(instance, edtf_col)
        if edtf:
            try:
                validate_edtf(edtf)
            except ValidationError as exc:
                raise ValidationError({edtf_col: exc.messages}) from exc
            self.check_wording(text, edtf)
            return
        if text:
            guessed = edtf_from_text(text)
            if not guessed:
                raise ValidationError(
                    {
                        edtf_col: (
                            f"Could not read “{text}” as a date; enter its EDTF value. {EDTF_HELP}"
                        )
                    }
                )
            setattr(instance, edtf_col, guessed)

    def check_wording(self, text: str, edtf: str) -> None:
        """Refuse an EDTF value the wording contradicts: “In June 1996” given as ``1994-21``.

        Only wording the reader can read counts (“from the very beginning” keeps whatever
        EDTF an editor gives), and only a contradiction: the two must be able to mean the same
        day. The EDTF may say more than the reader finds (“by the fall of 1998” is read as
        the fall, ``1998-23``, and rightly given as ``/1998-23``; “early 1991” as ``1991-40``).
        """
        reading = edtf_from_text(text)
        if not reading or reading == edtf:
            return
        if not can_share_a_day(bounds(reading), bounds(edtf)):
            raise ValidationError(
                {
                    f"{self.name}_edtf": (
                        f"The wording “{text}” reads as {reading} ({span_text(bounds(reading))}), "
                        f"but the EDTF value {edtf} means {span_text(bounds(edtf))}: they cannot "
                        "be the same date. Correct one of them (or empty the EDTF value to have "
                        "it read from the wording)."
                    )
                }
            )


def can_share_a_day(one, other) -> bool:
    """Whether two (earliest, latest) spans, either side None where open, have a day in
    common."""
    (first, last), (other_first, other_last) = one, other
    if first and other_last and other_last < first:
        return False
    return not (other_first and last and last < other_first)


def span_text(span) -> str:
    first, last = span
    if first and last:
        return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
    if first:
        return f"{first.isoformat()} or later"
    if last:
        return f"{last.isoformat()} or earlier"
    return "an open span"


# Dates that start and end something, declared once for every model: where a model declares
# both, the end may not come before the start (founded / dissolved of an organization; start /
# end of a name, a stance, a role; date / end of a relation between organizations).
SPANS = (("founded", "dissolved"), ("start", "end"), ("date", "end"))


def date_spans(model) -> list[tuple[UncertainDate, UncertainDate]]:
    """The (start, end) pairs of uncertain dates ``model`` declares (see ``SPANS``)."""
    declared = {date.name: date for date in uncertain_dates(model)}
    return [(declared[a], declared[b]) for a, b in SPANS if a in declared and b in declared]


def check_span(instance, start: UncertainDate, end: UncertainDate) -> None:
    """Refuse an end whose latest possible day is before the start's earliest possible day
    (founded “In 1999”, dissolved “In 1995”). Where either side is open, nothing is refused."""
    start_edtf = getattr(instance, f"{start.name}_edtf")
    end_edtf = getattr(instance, f"{end.name}_edtf")
    earliest, _ = bounds(start_edtf)
    _, latest = bounds(end_edtf)
    if earliest and latest and latest < earliest:
        shown_start = getattr(instance, f"{start.name}_text") or start_edtf
        shown_end = getattr(instance, f"{end.name}_text") or end_edtf
        raise ValidationError(
            {
                f"{end.name}_edtf": (
                    f"{end.verbose_name} “{shown_end}” ends by {latest.isoformat()}, before "
                    f"{start.verbose_name.lower()} “{shown_start}” can begin "
                    f"({earliest.isoformat()}): the end cannot come before the start."
                )
            }
        )


def field_label(model, name: str) -> str:
    """A field's readable name, an uncertain date's included (“Founded”); the name itself,
    spaced, for one the model does not have."""
    declared = getattr(model, name, None)
    if isinstance(declared, UncertainDate):
        return str(declared.verbose_name)
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name.replace("_", " ")


def date_columns(*names: str) -> tuple[str, ...]:
    """The columns an uncertain date is written in (its wording and its EDTF value), for an
    admin's ``fields`` and a spreadsheet's columns alike."""
    return tuple(column for name in names for column in (f"{name}_text", f"{name}_edtf"))


def uncertain_dates(model) -> list[UncertainDate]:
    """The uncertain dates a model declares, in declaration order of their columns."""
    found = []
    for field in model._meta.concrete_fields:
        if field.name.endswith("_edtf"):
            declared = getattr(model, field.name.removesuffix("_edtf"), None)
            if isinstance(declared, UncertainDate):
                found.append(declared)
    return found


# What records are ordered by in a chronology: the earliest day their date can mean, then the
# latest. A date open at the start ("by mid-1992") goes by the day it is known to come before;
# an undated record after every dated one.
UNDATED = datetime.date(9999, 12, 31)  # later than any bound (``_side`` gives none in 9999)


def _undated() -> RawSQL:
    """UNDATED written into the SQL as a literal, not sent apart as a parameter: with
    server-side binding (kzpolitics.site.replicas) a ``SELECT DISTINCT`` ordered by
    ``first_day`` repeats it in its select list, and PostgreSQL takes two parameters for two
    different expressions ("ORDER BY expressions must appear in select list"); and a
    prepared query's generic plan can use the indexes built on ``first_day`` only when the
    query names the same constant."""
    return RawSQL(f"'{UNDATED.isoformat()}'", (), output_field=models.DateField())


def first_day(name: str):
    """The day the date called ``name`` sorts by: its earliest, else its latest, else UNDATED."""
    return Coalesce(f"{name}_earliest", f"{name}_latest", _undated())


def last_day(name: str):
    """What breaks ties of ``first_day``: its latest day, else its earliest, else UNDATED."""
    return Coalesce(f"{name}_latest", f"{name}_earliest", _undated())


def reading_order(name: str) -> tuple:
    """The order of a list read as a chronology (elections, legal acts): by the day each date
    is over by (``last_day``), then by ``first_day``. A date known only to its year comes after
    what is known to a day within it (the 1999 Majilis election after the presidential
    election of 10 January 1999), and one known only to be “by the fall of 1998” in 1998;
    ordering by the earliest day alone would put every year-only date on its 1 January."""
    return (last_day(name).asc(), first_day(name).asc())


def dated(name: str) -> Q:
    """Records whose date called ``name`` is given, as worded or in EDTF."""
    return ~Q(**{f"{name}_text": "", f"{name}_edtf": ""})
