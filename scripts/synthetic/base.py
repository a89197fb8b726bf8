"""The seeder's shared parts: its state, its random draws, and the records it passes on."""

from __future__ import annotations

import itertools
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils.text import slugify

from kzpolitics.core.models import Status

from .datepool import Dated, DatePool
from .profile import Profile
from .rows import BATCH_SIZE, PREFIX, model
from .words import (
    B_STEMS,
    FEMALE_NAMES,
    MALE_NAMES,
    NOTES,
    OTHER_SURNAMES,
    RUSSIAN_PLACE_HEADS,
    RUSSIAN_PLACE_TAILS,
    TOPONYM_HEADS,
    TOPONYM_TAILS,
)

NAME_LABELS = ("kzpolitics.PlaceName", "kzpolitics.PersonName", "parties.OrganizationName")


def harmonic(n: int) -> float:
    return sum(1 / (i + 1) for i in range(n))


def apportion(weights: list[tuple[object, float]], n: int) -> list[int]:
    """Split n into whole parts in proportion to the weights (largest remainders)."""
    total = sum(w for _, w in weights)
    if n <= 0 or total <= 0:
        return [0] * len(weights)
    quotas = [n * w / total for _, w in weights]
    parts = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[: n - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass
class Toponym:
    """A synthetic place name with what its other names are made from."""

    name: str
    meaning: str = ""
    soviet: str = ""
    hyphenated: str = ""


@dataclass
class OrgNaming:
    """An organization's name and the Kazakh or Russian word in it, if any: (word, meaning,
    language), from which its short name and translation are made."""

    name: str
    word: tuple[str, str, str] | None = None


@dataclass
class Article:
    """A synthetic article-kind source, with the works its footnotes name."""

    source: object
    sections: list[str]
    footnote_sources: list[tuple[object, list[int]]] = field(default_factory=list)
    cum: list[float] = field(default_factory=list)


@dataclass
class CitedRecord:
    """A synthetic record waiting for its citations: which fields, quoting what, from where."""

    obj: object
    label: str
    ct_id: int
    fields: list[tuple[str, str]]  # (cited field or "", the words a citation quotes)
    home: int  # index of the article that describes it
    weight: float = 1.0  # hubs draw more citations


@dataclass
class Report:
    """What a run added, and where to look at it."""

    counts: dict[str, int]
    article_counts: dict[str, int]
    hub_slug: str = ""
    busiest_source: str = ""
    person_variant: tuple[str, str] | None = None  # (variant spelling, person slug)
    organization_variant: tuple[str, str] | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # time taken per step


class SeederBase:
    """What every step of the seeder (one module each: sources, places, people...) shares:
    the random draws in the article's proportions, slugs, inserts, the citations to come.

    Every row is published, whatever the article's mix of statuses (it has only published
    records): drafts are hidden from the public pages a load test measures. Synthetic rows
    refer to synthetic rows only, so removing them leaves the article's data as it was.
    """

    def __init__(self, profile: Profile, scale: float, seed: int):
        self.profile = profile
        self.rng = random.Random(seed)
        self.target = {label: int(n * scale + 0.5) for label, n in profile.counts.items()}
        self.counts: dict[str, int] = defaultdict(int)
        self.slugs: dict[str, set[str]] = defaultdict(set)
        self.slug_next: dict[tuple[str, str], int] = {}
        self.cited: list[CitedRecord] = []
        self.content_types: dict[str, int] = {}
        self.report = Report({}, dict(profile.counts))
        # Enough distinct dates to look varied, few enough to parse quickly (see
        # remembered_bounds): a few hundred at most.
        started = time.perf_counter()
        pool_size = max(80, min(300, int(40 * scale)))
        self.dates = DatePool(self.rng, pool_size, profile.date_forms)
        self.report.seconds["dates"] = time.perf_counter() - started

    def deal(self, label: str, name: str, n: int, default=()) -> list:
        """n values of a choice field, in the article's proportions, shuffled."""
        weights = self.profile.weights(label, name) or [(v, 1) for v in default]
        return self.deal_weights(weights, n)

    def flags(self, label: str, name: str, n: int) -> list[bool]:
        """For n rows, whether to fill a field, in the proportion the article fills it."""
        rate = self.profile.rate(label, name)
        return self.deal_weights([(True, rate), (False, 1 - rate)], n)

    def deal_weights(self, weights: list[tuple[object, float]], n: int) -> list:
        """n values in exactly these proportions (as near as whole numbers go), shuffled."""
        values = []
        for (value, _), part in zip(weights, apportion(weights, n), strict=True):
            values.extend([value] * part)
        self.rng.shuffle(values)
        return values

    def spread(self, n: int, weights: list[float]) -> list[int]:
        """n picks among parents with these weights, sorted so a parent's rows are together."""
        if not weights or n <= 0:
            return []
        cum = list(itertools.accumulate(weights))
        return sorted(self.rng.choices(range(len(weights)), cum_weights=cum, k=n))

    def pick_distinct(self, k: int, items: list, cum: list[float]) -> list:
        if not items:
            return []
        chosen: list = []
        seen: set[int] = set()
        for _ in range(k * 6):
            if len(chosen) >= min(k, len(items)):
                break
            index = self.rng.choices(range(len(items)), cum_weights=cum)[0]
            if index not in seen:
                seen.add(index)
                chosen.append(items[index])
        return chosen

    @staticmethod
    def hub_weights(n: int, hubs: int, share: float) -> list[float]:
        """Weights under which the first ``hubs`` of n parents get ``share`` of all picks,
        the first most (1/rank), the others one each."""
        hubs = min(hubs, n)
        rest = n - hubs
        if hubs == 0 or rest == 0 or share <= 0:
            return [1.0] * n
        top = share / (1 - share) * rest / harmonic(hubs)
        return [top / (i + 1) for i in range(hubs)] + [1.0] * rest

    def slug(self, label: str, text: str) -> str:
        base = PREFIX + (slugify(text)[:100].rstrip("-") or "record")
        used = self.slugs[label]
        candidate, n = base, self.slug_next.get((label, base), 2)
        while candidate in used:
            candidate = f"{base}-{n}"
            n += 1
        self.slug_next[(label, base)] = n
        used.add(candidate)
        return candidate

    def new(self, label: str, **values):
        return model(label)(status=Status.PUBLISHED, **values)

    def insert(self, label: str, objs: list) -> None:
        """Bulk-insert rows (their ids come back: PostgreSQL and SQLite 3.35+ return them)."""
        model(label)._base_manager.bulk_create(objs, batch_size=BATCH_SIZE)
        self.counts[label] += len(objs)

    def cite_later(self, label: str, obj, fields: list[tuple[str, str]], home: int, weight=1.0):
        if label not in self.content_types:
            self.content_types[label] = ContentType.objects.get_for_model(model(label)).pk
        self.cited.append(CitedRecord(obj, label, self.content_types[label], fields, home, weight))

    def note(self, flag: bool, label: str) -> str:
        """An editorial remark fitting this kind of record, or "" when ``flag`` is false."""
        if not flag:
            return ""
        kind = "names" if label in NAME_LABELS else label
        return self.rng.choice(NOTES.get(kind, NOTES[""]))

    def toponym(self) -> Toponym:
        rng = self.rng
        head, head_meaning = rng.choice(TOPONYM_HEADS)
        tail, tail_meaning = rng.choice(TOPONYM_TAILS)
        soviet = rng.choice(RUSSIAN_PLACE_HEADS) + rng.choice(RUSSIAN_PLACE_TAILS)
        return Toponym(
            head + tail, f"{head_meaning} {tail_meaning}", soviet, f"{head}-{tail.capitalize()}"
        )

    def person_name(self) -> tuple[str, str]:
        """A full name and its family name, Kazakh or Russian, male or female."""
        rng = self.rng
        female = rng.random() < 0.15
        first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        if rng.random() < 0.55:
            surname = rng.choice(B_STEMS) + rng.choice(("aev", "aev", "ekov"))
        else:
            surname = rng.choice(OTHER_SURNAMES)
        if female and surname.endswith(("ov", "ev", "in")):
            surname += "a"
        return f"{first} {surname}", surname

    def initials_name(self) -> str:
        _, surname = self.person_name()
        letters = self.rng.sample("ABDEGKMNOSTVZ", self.rng.choice((1, 1, 2)))
        return "".join(f"{c}." for c in letters) + " " + surname

    @staticmethod
    def date_value(dated: Dated | None) -> dict:
        return dated.value if dated is not None else {}

    def home(self) -> int:
        return self.rng.choices(range(len(self.articles)), cum_weights=self.article_cum)[0]

    def place_pick(self):
        if not self.places:
            return None
        return self.places[self.rng.choices(range(len(self.places)), cum_weights=self.place_cum)[0]]
