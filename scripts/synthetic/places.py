"""Places, in tiers (a region's parent a country...), with names over time."""

from __future__ import annotations

import itertools
from collections import defaultdict

from .base import SeederBase
from .words import PLACE_FORMS, variant_spelling

PLACE_TIERS = {"country": 0, "republic": 0, "region": 1, "area": 1, "sea": 1, "lake": 1}


class Places(SeederBase):
    def make_places(self) -> None:
        label = "kzpolitics.Place"
        n = self.target.get(label, 0)
        kinds = self.deal(label, "kind", n, default=("city",))
        parents = self.flags(label, "parent", n)
        notes = self.flags(label, "note", n)
        tiers: dict[int, list] = defaultdict(list)
        toponyms = {}
        for kind, has_parent, noted in zip(kinds, parents, notes, strict=True):
            toponym = self.toponym()
            if kind in ("city", "town") and self.rng.random() < 0.25:
                name = toponym.soviet  # a city still known by its Soviet name
            else:
                name = PLACE_FORMS.get(kind, "{t}").format(t=toponym.name)
            place = self.new(
                label,
                slug=self.slug(label, name),
                name=name,
                kind=kind,
                note=self.note(noted, label),
            )
            place._wants_parent = has_parent
            toponyms[place.slug] = toponym
            tiers[PLACE_TIERS.get(kind, 2)].append(place)
        self.places: list = []
        for tier in sorted(tiers):
            above = [p for p in self.places if PLACE_TIERS.get(p.kind, 2) < tier]
            for place in tiers[tier]:
                if place._wants_parent and above:
                    place.parent = self.rng.choice(above)
            self.insert(label, tiers[tier])
            self.places.extend(tiers[tier])
        self.place_cum = list(
            itertools.accumulate(
                self.hub_weights(len(self.places), max(1, len(self.places) // 50), 0.3)
            )
        )
        self.regions = [p.name for p in self.places if p.kind == "region"] or [
            f"{self.toponym().name} Region" for _ in range(5)
        ]
        self.towns = [p.name for p in self.places if p.kind in ("city", "town")] or [
            self.toponym().name for _ in range(5)
        ]
        place_home = {}
        for place in self.places:
            place_home[place.pk] = self.home()
            self.cite_later(label, place, [("", place.name)], place_home[place.pk])
        # Names over time: the current Kazakh name, the Soviet one, a spelling, a meaning.
        names_label = "kzpolitics.PlaceName"
        count = self.target.get(names_label, 0)
        kinds = self.deal(names_label, "kind", count, default=("official",))
        languages = self.deal(names_label, "language", count, default=("en",))
        notes = self.flags(names_label, "note", count)
        starts = self.flags(names_label, "start", count)
        ends = self.flags(names_label, "end", count)
        rows = []
        for i, index in enumerate(self.spread(count, [1.0] * len(self.places))):
            place = self.places[index]
            toponym = toponyms[place.slug]
            kind = kinds[i]
            form = PLACE_FORMS.get(place.kind, "{t}")
            name = {
                "official": form.format(t=toponym.name),
                "former": form.format(t=toponym.soviet),
                "variant": variant_spelling(place.name) or form.format(t=toponym.hyphenated),
                "translation": form.format(t=toponym.meaning),
            }.get(kind, place.name)
            row = self.new(names_label, place=place, name=name, kind=kind, language=languages[i])
            row.note = self.note(notes[i], names_label)
            if starts[i] and kind in ("official", "former"):
                row.start = self.date_value(self.dates.pick())
            if ends[i] and row.start:
                row.end = self.date_value(self.dates.pick(after=row.start))
            rows.append(row)
        self.insert(names_label, rows)
        for row in rows:
            self.cite_later(names_label, row, [("", row.name)], place_home[row.place.pk])
