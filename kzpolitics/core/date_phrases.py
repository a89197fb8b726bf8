"""Dates for readers: a phrase built from a date's EDTF value, always with its year, that reads
right after the words before it.

The source words a date for its own sentence ("On 19 January [1999]", "from the very
beginning", "By the fall of 1998"); printed after a page's own words ("Founded:", "from") that
wording reads badly, and it often lacks its year. The EDTF value says what the date means, so
the phrase is made from it: ``phrase("1999-01-19", lead="from")`` is "from 19 January 1999",
``phrase("/1998-23", lead="from")`` is "by autumn 1998". The source's wording stays with the
date (a tooltip here, the footnote and the API elsewhere).

A phrase is a list of pieces, words and machine dates, so that it can be printed as plain text
(a page's description) or as HTML with each machine-readable date in a ``<time>`` element.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from edtf import appsettings
from edtf.parser import parser_classes as edtf_classes

from kzpolitics.core.dates import EDTF_MAX_LENGTH, invalid_edtf, parse

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# The EDTF sub-year groupings (codes 21-41, as the edtf package reads them): what each is
# called in a phrase. Hemisphere seasons (25-32) read as plain seasons: the site's places are
# all in the northern hemisphere, and the months are those the edtf package gives them.
GROUPINGS = {
    **appsettings.SEASONS,
    25: "spring",
    26: "summer",
    27: "autumn",
    28: "winter",
    29: "spring",
    30: "summer",
    31: "autumn",
    32: "winter",
    33: "first quarter of",
    34: "second quarter of",
    35: "third quarter of",
    36: "fourth quarter of",
    37: "first third of",
    38: "second third of",
    39: "last third of",
    40: "first half of",
    41: "second half of",
}
SEASON_CODES = frozenset(range(21, 33))

# The lead for a date that begins a line or a cell: the phrase as it is, capitalized.
CAPFIRST = "capfirst"

# What a page may write before a date. "in" becomes "on" before a day; "to" and "until" end a
# span; any other word is put before the phrase as it is.
LEADS = ("", "in", "on", "from", "to", "until", CAPFIRST)


@dataclass(frozen=True)
class Moment:
    """One date an EDTF value names, in words: "19 January 1999", "spring 1994"."""

    words: str  # without a qualifier: "June 1992", "first half of 1991", "1990s"
    year: str  # "1999"; "" where it is not one year (a decade)
    short: str  # the words without the year, for the first end of a span within one year
    machine: str  # a valid HTML datetime value: "1999-01-19", "1999-01", "1999"; or ""
    unit: str  # "day", "month", "grouping", "year", "decade", "century"
    about: bool = False  # approximate (EDTF ~ or %)
    probably: bool = False  # uncertain (EDTF ? or %)

    @property
    def article(self) -> str:
        """Words that take "the" after a preposition: "in the first half of 1991"."""
        return "the " if self.unit in ("decade", "century") or " of " in self.words else ""


@dataclass(frozen=True)
class Time:
    """A piece of a phrase that is a date: printed in a ``<time>`` element where it has a
    machine value."""

    words: str
    machine: str


@dataclass(frozen=True)
class Phrase:
    """A date for readers, in pieces: words (str) and dates (Time)."""

    pieces: tuple[str | Time, ...]

    @property
    def text(self) -> str:
        return "".join(p.words if isinstance(p, Time) else p for p in self.pieces)

    def __str__(self) -> str:
        return self.text

    def capitalized(self) -> Phrase:
        """The phrase beginning a line: "By autumn 1998", "About June 1992"."""
        pieces = list(self.pieces)
        for index, piece in enumerate(pieces):
            words = piece.words if isinstance(piece, Time) else piece
            if not words:
                continue
            words = words[:1].upper() + words[1:]
            pieces[index] = Time(words, piece.machine) if isinstance(piece, Time) else words
            break
        return Phrase(tuple(pieces))

    def html(self, wording: str = "") -> SafeString:
        """The phrase as HTML; the source's ``wording``, where it says more than the phrase,
        in a tooltip on its dates."""
        title = ""
        # An editor's insertion ("On 19 January [1999]") is not the source's: it tells too.
        if wording and ("[" in wording or _normal(wording) != _normal(_unled(self))):
            title = f"The source: “{wording}”"
        times = [p for p in self.pieces if isinstance(p, Time)]
        # One date carries the tooltip itself; two (a span across years) share a wrapper.
        wrap = title and len(times) != 1
        parts = []
        for piece in self.pieces:
            if not isinstance(piece, Time):
                parts.append(conditional_escape(piece))
            elif piece.machine:
                parts.append(
                    format_html(
                        '<time datetime="{}"{}>{}</time>',
                        piece.machine,
                        format_html(' title="{}"', title) if title and not wrap else "",
                        piece.words,
                    )
                )
            else:
                parts.append(
                    format_html(
                        '<span class="date"{}>{}</span>',
                        format_html(' title="{}"', title) if title and not wrap else "",
                        piece.words,
                    )
                )
        inner = mark_safe("".join(parts))  # noqa: S308 - every part is escaped above
        if wrap:
            return format_html('<span class="date" title="{}">{}</span>', title, inner)
        return inner


def phrase(edtf: str, lead: str = "") -> Phrase:
    """The reader's phrase for an EDTF value, fitted to the word before it.

    ``lead`` is the word the page writes before the date ("", "in", "from", "to", "until");
    the phrase replaces it where the date needs another ("on 19 January 1999", "by autumn
    1998"). An invalid value raises ValidationError.
    """
    lead = (lead or "").strip()
    shape = _shape_of(edtf) if len(edtf) <= EDTF_MAX_LENGTH else _read(edtf)
    if shape is INVALID:
        raise invalid_edtf(edtf)
    if shape is None:
        # A value the site does not word (a year before the common era, a set of sets): the
        # value itself, which at least says no more than it knows.
        return Phrase((f"{lead} " if lead else "", Time(edtf, "")))
    kind, moments = shape
    if kind == "point":
        return _point(moments[0], lead)
    if kind == "before":
        return _before(moments[0], lead)
    if kind == "after":
        return _after(moments[0], lead)
    if kind == "between":
        return _between(moments[0], moments[1], lead)
    return _choice(kind, moments, lead)


def wording_phrase(text: str, lead: str = "") -> Phrase:
    """A date known only as worded: the wording without the preposition it had in the
    source's sentence ("On 19 January" → "19 January"), and the page's lead word only where
    the wording does not bring its own ("from the very beginning", "After the coup")."""
    words = _strip_preposition(text.strip())
    first = words.split(" ", 1)[0].lower() if words else ""
    if first in RELATIONAL:
        return Phrase((_lower_first(words),))
    lead = (lead or "").strip()
    if lead in ("in", "on"):
        lead = "on" if words[:1].isdigit() else "in"
    words = _lower_first(words)
    return Phrase((f"{lead} " if lead else "", words))


def date_phrase(value, lead: str = "") -> Phrase | None:
    """The phrase for an uncertain date (``UncertainDateValue``): from its EDTF value, else
    from its wording; None when it has neither."""
    edtf = getattr(value, "edtf", "") or ""
    text = getattr(value, "text", "") or ""
    lead = (lead or "").strip()
    if lead == CAPFIRST:
        found = date_phrase(value)
        return found.capitalized() if found is not None else None
    if edtf:
        try:
            return phrase(edtf, lead)
        except ValidationError:
            pass  # a value saved before validation existed: show the wording, not an error
    if text:
        return wording_phrase(text, lead)
    return None


# -- the shapes of EDTF values ----------------------------------------------------------------

INVALID = ("invalid", ())


def _read(edtf: str):
    """``_shape`` of a value, INVALID where it is not EDTF."""
    try:
        parsed = parse(edtf)
    except ValidationError:
        return INVALID
    shape = _shape(parsed)
    return None if shape is None else (shape[0], tuple(shape[1]))


# Parsing takes milliseconds a value (see ``dates._remembered_bounds``) and a page shows a
# hundred dates of a few dozen values: each value's shape is kept (its moments are frozen).
_shape_of = functools.lru_cache(maxsize=4096)(_read)


def _shape(parsed) -> tuple[str, list[Moment]] | None:
    """What an EDTF value is: ("point", [m]), ("before", [m]), ("after", [m]),
    ("between", [a, b]), ("or"/"and", [m, ...]); None where it is none of these."""
    if isinstance(parsed, edtf_classes.Level1Interval | edtf_classes.Interval):
        lower, upper = parsed.lower, parsed.upper
        low_open = isinstance(lower, edtf_classes.UnspecifiedIntervalSection)
        up_open = isinstance(upper, edtf_classes.UnspecifiedIntervalSection)
        if low_open and up_open:
            return None
        if low_open:
            moment = _moment(upper)
            return ("before", [moment]) if moment else None
        if up_open:
            moment = _moment(lower)
            return ("after", [moment]) if moment else None
        first, last = _moment(lower), _moment(upper)
        if not (first and last):
            return None
        return ("point", [first]) if first == last else ("between", [first, last])
    if isinstance(parsed, edtf_classes.OneOfASet | edtf_classes.MultipleDates):
        return _set_shape(parsed)
    moment = _moment(parsed)
    return ("point", [moment]) if moment else None


def _set_shape(parsed):
    objects = list(parsed.objects)
    if len(objects) == 1:
        only = objects[0]
        if isinstance(only, edtf_classes.EarlierConsecutives):
            moment = _moment(only.upper)
            return ("before", [moment]) if moment else None
        if isinstance(only, edtf_classes.LaterConsecutives):
            moment = _moment(only.lower)
            return ("after", [moment]) if moment else None
        if isinstance(only, edtf_classes.Consecutives):
            first, last = _moment(only.lower), _moment(only.upper)
            return ("between", [first, last]) if first and last else None
    moments = [_moment(o) for o in objects]
    if not moments or not all(moments):
        return None
    kind = "and" if isinstance(parsed, edtf_classes.MultipleDates) else "or"
    return (kind, moments) if len(moments) > 1 else ("point", moments)


def _moment(obj) -> Moment | None:
    """One date of an EDTF value (a day, month, year, season, decade...), or None where it is
    not one the site words (a long year, a year before the common era, a set inside a set)."""
    about = probably = False
    if isinstance(obj, edtf_classes.UncertainOrApproximate):
        ua = obj.ua
        if ua is not None:
            about = ua.is_approximate or ua.is_uncertain_and_approximate
            probably = ua.is_uncertain or ua.is_uncertain_and_approximate
        obj = obj.date
    if isinstance(obj, edtf_classes.PartialUncertainOrApproximate):
        # Qualified in parts ("2004-06~-11"): the whole reads as qualified, which is honest.
        marks = {str(getattr(obj, n, None) or "") for n in vars(obj) if n.endswith("_ua")}
        about = about or bool(marks & {"~", "%"})
        probably = probably or bool(marks & {"?", "%"})
    if isinstance(obj, edtf_classes.Season):
        year = str(obj.year)
        if not re.fullmatch(r"\d{4}", year):
            return None
        code = int(obj.season)
        name = GROUPINGS.get(code)
        if name is None:
            return None
        words = f"{name} {year}"
        short = name.removesuffix(" of")
        unit = "season" if code in SEASON_CODES else "grouping"
        return Moment(words, year, short, year, unit, about, probably)
    if isinstance(obj, edtf_classes.LongYear | edtf_classes.ExponentialYear):
        return None
    if not isinstance(obj, edtf_classes.Date):
        return None
    year = str(obj.year or "")
    month = str(getattr(obj, "month", None) or "")
    day = str(getattr(obj, "day", None) or "")
    if getattr(obj, "negative", False) or year.startswith("-"):
        return None
    if re.fullmatch(r"\d{2}XX", year):
        century = int(year[:2]) + 1
        return Moment(f"{_ordinal(century)} century", "", "", "", "century", about, probably)
    if re.fullmatch(r"\d{3}X", year):
        return Moment(f"{year[:3]}0s", "", "", "", "decade", about, probably)
    if not re.fullmatch(r"\d{4}", year):
        return None
    if not month.isdigit() or not 1 <= int(month) <= 12:
        return Moment(year, year, "", year, "year", about, probably)
    name = MONTHS[int(month) - 1]
    if not day.isdigit():
        return Moment(f"{name} {year}", year, name, f"{year}-{month}", "month", about, probably)
    short = f"{int(day)} {name}"
    return Moment(f"{short} {year}", year, short, f"{year}-{month}-{day}", "day", about, probably)


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
    return f"{number}{suffix or 'th'}"


# -- phrases by shape and lead word -----------------------------------------------------------


def _time(moment: Moment, words: str | None = None) -> Time:
    return Time(moment.words if words is None else words, moment.machine)


def _qualified(moment: Moment, preposition: str) -> list[str | Time]:
    """A moment after a preposition ("in", "from", "by", or ""), with its qualifiers:
    "about June 1992", "probably in 1994", "around June 1992"."""
    prefix = "probably " if moment.probably else ""
    if moment.about:
        # "in about June 1992" reads worse than "around June 1992".
        word = "around" if preposition in ("in", "on") else f"{preposition} about".strip()
    else:
        word = preposition
    article = moment.article if preposition else ""
    head = f"{prefix}{word} {article}" if word else f"{prefix}{article}"
    return [head, _time(moment)] if head else [_time(moment)]


def _in(moment: Moment) -> str:
    return "on" if moment.unit == "day" else "in"


def _point(moment: Moment, lead: str) -> Phrase:
    if lead in ("in", "on"):
        return Phrase(tuple(_qualified(moment, _in(moment))))
    return Phrase(tuple(_qualified(moment, lead)))


def _before(moment: Moment, lead: str) -> Phrase:
    """A date known only to come no later than ``moment`` ("/1998-23")."""
    if lead in ("to", "until"):
        return Phrase((*_qualified(moment, lead), " at the latest"))
    # "from by autumn 1998" and "in by 1998" read wrongly: the date brings its own word.
    return Phrase(tuple(_qualified(moment, "by")))


def _after(moment: Moment, lead: str) -> Phrase:
    """A date known only to come no earlier than ``moment`` ("1991-08/..")."""
    if lead == "from":
        return Phrase(tuple(_qualified(moment, "from")))
    if lead in ("to", "until"):
        return Phrase((f"{lead} some time ", *_qualified(moment, "after")))
    return Phrase(tuple(_qualified(moment, "after")))


def _between(first: Moment, last: Moment, lead: str) -> Phrase:
    """A span from ``first`` to ``last`` ("1994-10/1995-03"): "October 1994 to March 1995";
    within one year the first end's year is left out: "19 September to 3 October 2004"."""
    half = _half_decade(first, last)
    if half is not None:
        return _point(half, lead)
    same_year = first.year and first.year == last.year and first.short and last.short
    if lead in ("in", "on") and _adjacent(first, last):
        joiner, before = " and ", "in "
    elif lead in ("in", "on"):
        joiner, before = " and ", "between "
    elif lead == "from":
        joiner, before = " to ", "from "
    elif lead in ("to", "until"):
        joiner, before = " and ", f"{lead} some time between "
    else:
        joiner, before = " to ", f"{lead} " if lead else ""
    first_words = _qualified_words(first, short=bool(same_year))
    last_words = _qualified_words(last)
    if same_year:
        # One date element for the span: its machine value is what both ends share.
        machine = _shared(first.machine, last.machine)
        return Phrase((before, Time(f"{first_words}{joiner}{last_words}", machine)))
    first_time = Time(first_words, first.machine)
    last_time = Time(last_words, last.machine)
    return Phrase((before, first_time, joiner, last_time))


def _half_decade(first: Moment, last: Moment) -> Moment | None:
    """The early or late half of a decade ("1995/1999": "late 1990s", the article's "latter
    half of the 1990s"), or None for any other span."""
    plain = not (first.about or first.probably or last.about or last.probably)
    if not (plain and first.unit == last.unit == "year" and first.year[:3] == last.year[:3]):
        return None
    halves = {("0", "4"): "early", ("5", "9"): "late"}
    half = halves.get((first.year[3:], last.year[3:]))
    if half is None:
        return None
    return Moment(f"{half} {first.year[:3]}0s", "", "", "", "decade")


def _qualified_words(moment: Moment, short: bool = False) -> str:
    words = moment.short if short else moment.words
    if moment.about:
        words = f"about {words}"
    if moment.probably:
        words = f"probably {words}"
    return words


def _adjacent(first: Moment, last: Moment) -> bool:
    """Two consecutive months or years, read as "in January and February 1999"."""
    if first.unit != last.unit or first.about or last.about:
        return False
    if first.unit == "year":
        return int(last.year) - int(first.year) == 1
    if first.unit == "month" and first.year == last.year:
        return MONTHS.index(last.short) - MONTHS.index(first.short) == 1
    return False


def _shared(one: str, other: str) -> str:
    """The most precise HTML date value that holds both: "2004-09-19", "2004-10-03" → "2004"."""
    for cut in (10, 7, 4):
        if one[:cut] == other[:cut] and len(one) >= cut and len(other) >= cut:
            return one[:cut]
    return ""


def _choice(kind: str, moments: list[Moment], lead: str) -> Phrase:
    """One of several dates ("[1667, 1668]": "1667 or 1668") or all of them ("and")."""
    pieces: list[str | Time] = []
    preposition = _in(moments[0]) if lead in ("in", "on") else lead
    if preposition:
        pieces.append(f"{preposition} ")
    for index, moment in enumerate(moments):
        if index:
            pieces.append(f" {kind} " if index == len(moments) - 1 else ", ")
        pieces.append(_time(moment, _qualified_words(moment)))
    return Phrase(tuple(pieces))


# -- comparing a phrase with the source's wording ---------------------------------------------

PREPOSITIONS = ("on", "in", "at", "of")
# Words with which a wording brings its own relation to the sentence: no lead word before them.
RELATIONAL = frozenset(
    [
        "after",
        "before",
        "by",
        "since",
        "from",
        "until",
        "till",
        "following",
        "during",
        "soon",
        "later",
        "around",
        "about",
        "circa",
        "c.",
        "ca.",
        "between",
        "sometime",
        "some",
    ]
)
# Words a wording may begin with that are lower-case inside a sentence: the relational ones
# and these.
_LOWER_FIRST = RELATIONAL | frozenset(
    [
        "early",
        "late",
        "mid",
        "the",
        "a",
        "that",
        "this",
        "same",
        "spring",
        "summer",
        "autumn",
        "fall",
        "winter",
        "beginning",
        "end",
        "at",
    ]
)


def _strip_preposition(words: str) -> str:
    head, _, rest = words.partition(" ")
    if head.lower() in PREPOSITIONS and rest:
        return rest
    return words


def _lower_first(words: str) -> str:
    head = words.split(" ", 1)[0]
    if head.lower().rstrip(",") in _LOWER_FIRST:
        return words[:1].lower() + words[1:]
    return words


def _unled(value: Phrase) -> str:
    """The phrase's words without the page's lead word, for comparing with the wording."""
    return "".join(p.words for p in value.pieces if isinstance(p, Time)) or value.text


def _normal(words: str) -> str:
    words = _strip_preposition(words.strip())
    return re.sub(r"[^\w]+", " ", words.lower()).strip()
