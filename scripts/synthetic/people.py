"""People with their names: printed forms, full names, modern spellings."""

from __future__ import annotations

import itertools

from .base import SeederBase
from .rows import HUB_PERSON
from .words import CAREERS, MALE_NAMES, OCCUPATIONS, first_sentence, upper_first, variant_spelling


class People(SeederBase):
    def make_people(self) -> None:
        label = "kzpolitics.Person"
        n = self.target.get(label, 0)
        described = self.flags(label, "description", n)
        notes = self.flags(label, "note", n)
        self.people = []
        surnames = {}
        for i, (has_description, noted) in enumerate(zip(described, notes, strict=True)):
            full, surname = self.person_name() if i else HUB_PERSON
            name = surname if i and self.rng.random() < 0.08 else full
            description = ""
            if has_description:
                description = (
                    f"{upper_first(self.rng.choice(OCCUPATIONS))} from "
                    f"{self.rng.choice(self.towns)} {self.rng.choice(CAREERS)}."
                )
            person = self.new(
                label,
                slug=self.slug(label, name),
                name=name,
                description=description,
                note=self.note(noted, label),
            )
            surnames[person.slug] = (full, surname)
            self.people.append(person)
        self.insert(label, self.people)
        self.people_weights = self.hub_weights(len(self.people), max(1, n // 100), 0.25)
        self.people_cum = list(itertools.accumulate(self.people_weights))
        self.person_home = {}
        for person in self.people:
            home = self.home()
            self.person_home[person.pk] = home
            fields = [("", person.name)]
            if person.description:
                fields.append(("description", first_sentence(person.description)))
            self.cite_later(label, person, fields, home)
        self.make_person_names(surnames)

    def make_person_names(self, surnames) -> None:
        label = "kzpolitics.PersonName"
        count = self.target.get(label, 0)
        weights = self.profile.weights(label, "kind") or [("article", 1)]
        # Everyone's own printed name comes first; the others follow the article's mix of
        # what remains (in the article: more modern spellings than second printed forms).
        first = min(count, len(self.people))
        extra_weights = [
            (kind, max(0, n - (first if kind == "article" else 0))) for kind, n in weights
        ]
        if not any(n for _, n in extra_weights):
            extra_weights = weights
        extra_kinds = self.deal_weights(extra_weights, count - first)
        notes = self.flags(label, "note", count)
        rows, taken = [], set()

        def candidates(person, kind):
            full, surname = surnames[person.slug]
            first_name = full.split()[0]
            if kind == "article":
                return [surname, f"{first_name[0]}. {surname}", full]
            if kind == "variant":
                return [v for v in (variant_spelling(full), variant_spelling(surname)) if v]
            if kind == "full":
                patronymic = self.rng.choice(MALE_NAMES) + self.rng.choice(
                    ("ovich", "evich", "uly")
                )
                return [f"{first_name} {patronymic} {surname}"]
            return [f"{first_name} {surname}".replace("y", "i")]  # a transliteration

        def add(person, kind, name):
            taken.add((person.pk, name))
            row = self.new(label, person=person, name=name, kind=kind)
            row.note = self.note(notes[len(rows)], label)
            rows.append(row)

        for person in self.people[:first]:
            add(person, "article", person.name)
        if self.people and "variant" in extra_kinds:
            extra_kinds.remove("variant")
            add(self.people[0], "variant", variant_spelling(self.people[0].name))
        for kind in extra_kinds:
            for _ in range(40):  # a few tries to find someone with such a name left
                person = self.people[self.rng.randrange(len(self.people))]
                free = [c for c in candidates(person, kind) if (person.pk, c) not in taken]
                if free:
                    add(person, kind, free[0])
                    break
        rows.sort(key=lambda r: r.person.pk)  # a person's names together, as the loader has them
        self.insert(label, rows)
        for row in rows:
            self.cite_later(label, row, [("", row.name)], self.person_home[row.person.pk])
            # An example for load tests: a respelled surname, which no printed name contains.
            if row.kind == "variant" and self.report.person_variant is None:
                surname = row.name.split()[-1]
                if surname not in row.person.name.split():
                    self.report.person_variant = (surname, row.person.slug)
