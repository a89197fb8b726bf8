"""Uncertain dates between 1986 and 2005, worded as the article words them."""

from __future__ import annotations

import bisect
import datetime
import functools
import itertools
import random
from contextlib import contextmanager
from dataclasses import dataclass

from kzpolitics.core import dates
from kzpolitics.core.date_phrases import MONTHS

from .rows import FIRST_YEAR, LAST_YEAR

SEASONS = (
    ("the spring of", 21),
    ("by the spring of", 21),
    ("the summer of", 22),
    ("the fall of", 23),
    ("the autumn of", 23),
    ("the winter of", 24),
)


@contextmanager
def remembered_bounds():
    """Remember :func:`kzpolitics.core.dates.bounds` per EDTF value while seeding.

    Parsing EDTF takes milliseconds, and every uncertain date column is derived from it on
    insert (``DerivedDateField.pre_save`` calls ``bounds``): for a hundred thousand rows the
    parsing alone would take minutes. The values come from a pool of a few hundred, and
    ``bounds`` is a pure function of its argument, so each is parsed once (and, as the
    answers are kept for the process, once for every run in it). The function is the
    project's own; only its answers are reused.
    """
    original = dates.bounds
    if original is not _remembered_bounds:
        dates.bounds = _remembered_bounds
    try:
        yield
    finally:
        dates.bounds = original


@functools.lru_cache(maxsize=4096)
def _remembered_bounds(value: str):
    return _original_bounds(value)


_original_bounds = dates.bounds


@dataclass(frozen=True)
class Dated:
    """One date of the pool: its wording, its EDTF value and the days it can mean."""

    text: str
    edtf: str
    form: str
    earliest: datetime.date | None
    latest: datetime.date | None

    @property
    def value(self) -> dict:
        return {"text": self.text, "edtf": self.edtf}

    @property
    def phrase(self) -> str:
        """The wording inside a sentence: “in May 1990”, “on 1 March, 1999”, “1999”."""
        text = self.text
        if text[:1].isupper() and not text[:1].isdigit() and text.split()[0] not in MONTHS:
            text = text[0].lower() + text[1:]
        if text[:1].isdigit() or text.split()[0] in MONTHS:
            return f"in {text}" if self.form != "day" else f"on {text}"
        return text


class DatePool:
    """A fixed set of dates between 1986 and 2005, worded as the article words them, in the
    proportions of precision (day, month, season, span...) the article's dates have."""

    def __init__(self, rng: random.Random, size: int, forms: list[tuple[str, int]]):
        self.rng = rng
        entries: dict[tuple[str, str], Dated] = {}
        for year in range(FIRST_YEAR, LAST_YEAR + 1):  # every year at least once
            text, edtf = self._year(year)
            entries[(text, edtf)] = self._dated(text, edtf, "year")
        weights = forms or [("month", 1)]
        names = [name for name, _ in weights]
        cum = list(itertools.accumulate(n for _, n in weights))
        for form in names:  # every precision the article uses at least a few times
            for _ in range(3):
                text, edtf = self._make(form)
                entries.setdefault((text, edtf), self._dated(text, edtf, form))
        attempts = 0
        while len(entries) < size and attempts < size * 20:
            attempts += 1
            form = rng.choices(names, cum_weights=cum)[0]
            text, edtf = self._make(form)
            entries.setdefault((text, edtf), self._dated(text, edtf, form))
        self.entries = sorted(entries.values(), key=self._key)
        self._lists: dict[tuple[str, ...], tuple[list[Dated], list[datetime.date]]] = {}

    @staticmethod
    def _key(d: Dated):
        return (d.earliest or datetime.date.min, d.latest or datetime.date.max, d.edtf, d.text)

    @staticmethod
    def _dated(text: str, edtf: str, form: str) -> Dated:
        earliest, latest = dates.bounds(edtf)
        return Dated(text, edtf, form, earliest, latest)

    def _year(self, year: int) -> tuple[str, str]:
        text = self.rng.choice((f"{year}", f"In {year}", f"in {year}", f"At that time [{year}]"))
        return text, f"{year}"

    def _make(self, form: str) -> tuple[str, str]:
        rng = self.rng
        year = rng.randint(FIRST_YEAR, LAST_YEAR)
        month = rng.randint(1, 12)
        name = MONTHS[month - 1]
        if form == "day":
            day = rng.randint(1, 28)
            text = rng.choice((f"On {day} {name}, {year}", f"{day} {name}, {year}"))
            return text, f"{year}-{month:02}-{day:02}"
        if form == "month":
            text = rng.choice(
                (
                    f"In {name} {year}",
                    f"in {name} {year}",
                    f"{name} {year}",
                    f"Late in {name} {year}",
                    f"Early in {name} {year}",
                    f"since {name} {year}",
                )
            )
            return text, f"{year}-{month:02}"
        if form == "half":
            if rng.random() < 0.6:
                return rng.choice((f"early in {year}", f"by early {year}")), f"{year}-40"
            return rng.choice((f"late in {year}", f"in the second half of {year}")), f"{year}-41"
        if form == "season":
            words, code = rng.choice(SEASONS)
            return f"{words} {year}", f"{year}-{code}"
        if form == "approx":
            if rng.random() < 0.6:
                return rng.choice((f"by mid-{year}", f"in mid-{year}")), f"{year}-06~"
            return f"about {name} {year}", f"{year}-{month:02}~"
        if form == "uncertain":
            return f"probably in {name} {year}", f"{year}-{month:02}?"
        if form == "span":
            year = min(year, LAST_YEAR - 1)
            choice = rng.randint(0, 2)
            if choice == 0:
                return f"In {year}-{year + 1}", f"{year}/{year + 1}"
            if choice == 1:
                return f"In late {year}-early {year + 1}", f"{year}-10/{year + 1}-03"
            month = min(month, 11)
            return (
                f"in {name} and {MONTHS[month]} [{year}]",
                f"{year}-{month:02}/{year}-{month + 1:02}",
            )
        if form == "open":
            if rng.random() < 0.5:
                return f"After {name} {year}", f"{year}-{month:02}/.."
            return f"By the fall of {year}", f"/{year}-23"
        return self._year(year)

    def _candidates(self, forms: tuple[str, ...]):
        if forms not in self._lists:
            chosen = [d for d in self.entries if not forms or d.form in forms]
            if not chosen:
                chosen = list(self.entries)
            self._lists[forms] = (chosen, [d.earliest or datetime.date.min for d in chosen])
        return self._lists[forms]

    def pick(
        self,
        *,
        after=None,
        lo: datetime.date | None = None,
        hi: datetime.date | None = None,
        forms: tuple[str, ...] = (),
    ) -> Dated | None:
        """A date of the pool, at random: of one of ``forms`` if given, starting after the
        last day of ``after`` (a date of the pool or a record's uncertain date) and between
        ``lo`` and ``hi``; None if there is none."""
        chosen, keys = self._candidates(forms)
        if after is not None:
            if after.latest is None:
                return None
            start = after.latest + datetime.timedelta(days=1)
            lo = max(lo, start) if lo else start
        first = bisect.bisect_left(keys, lo) if lo else 0
        last = bisect.bisect_right(keys, hi) if hi else len(keys)
        if lo is not None or hi is not None:
            # An open start (“by the fall of 1998”) cannot be said to fall in a range.
            while first < last and chosen[first].earliest is None:
                first += 1
        if first >= last:
            return None
        return chosen[self.rng.randrange(first, last)]


def plain_date(dated: Dated) -> str:
    """“10 January 1999”, “May 1999” or “1999”, for a name or title."""
    day = dated.earliest
    if day is None:
        return dated.text
    if dated.form == "day":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if dated.form == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return str(day.year)
