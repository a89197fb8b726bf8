"""Organizations, with what belongs to them: names over time, stances, membership figures,
leaders and relations (a few hubs collecting many of them)."""

from __future__ import annotations

import itertools
import re

from django.db import models

from kzpolitics.core.dates import UncertainDate

from .base import OrgNaming, SeederBase
from .datepool import Dated
from .rows import HUB_NAME, model
from .words import (
    ADJECTIVES,
    CAUSES,
    FATES,
    GOALS,
    GROUPS,
    IDEOLOGIES,
    KIND_NOUNS,
    ORG_FORMS,
    ORG_WORDS,
    RELATION_PHRASES,
    ROLE_TITLES,
    RUSSIAN_WORDS,
    SOCIAL_BASES,
    STANCE_WORDS,
    acronym,
    first_sentence,
    upper_first,
    variant_spelling,
)

ORGANIZATION_FILLS = (
    "founded",
    "dissolved",
    "founding_place",
    "aims",
    "ideology",
    "social_base",
    "summary",
    "note",
)


class Organizations(SeederBase):
    def org_name(self, kind: str) -> OrgNaming:
        rng = self.rng
        word = rng.choice(ORG_WORDS)
        form = rng.choice(ORG_FORMS.get(kind, ORG_FORMS["other"]))
        name = form.format(
            a=rng.choice(ADJECTIVES),
            w=word[0],
            c=rng.choice(CAUSES),
            g=rng.choice(GROUPS),
            r=rng.choice(self.regions),
            t=rng.choice(self.towns),
            k=f"Republic of {self.toponym().name}",
        )
        name = re.sub(r"\b(\S+) \1\b", r"\1", name)  # “People's People's Party”
        return OrgNaming(name, word if "{w}" in form else None)

    def make_organizations(self) -> None:
        label = "parties.Organization"
        n = self.target.get(label, 0)
        kinds = self.deal(label, "kind", n, default=("party",))
        if n and "party" in kinds:  # the biggest hub is a party, first, with a fixed name
            kinds.remove("party")
            kinds.insert(0, "party")
        fills = {name: self.flags(label, name, n) for name in ORGANIZATION_FILLS}
        self.hubs = max(1, int(n * 0.01 + 0.5)) if n else 0
        self.organizations, self.namings = [], []
        for i, kind in enumerate(kinds):
            naming = (
                OrgNaming(HUB_NAME, ("Birlik", "Unity", "kk"))
                if i == 0 and kind == "party"
                else self.org_name(kind)
            )
            org = self.new(label, slug=self.slug(label, naming.name), kind=kind, name=naming.name)
            founded = self.dates.pick() if fills["founded"][i] else None
            if founded is not None:
                org.founded = founded.value
                if fills["dissolved"][i]:
                    org.dissolved = self.date_value(self.dates.pick(after=founded))
            elif fills["dissolved"][i]:
                org.dissolved = self.date_value(self.dates.pick())
            place = self.place_pick() if fills["founding_place"][i] else None
            org.founding_place = place
            fill = self.fill_org_text
            org.aims = fill(GOALS, 3) if fills["aims"][i] else ""
            org.ideology = self.rng.choice(IDEOLOGIES) if fills["ideology"][i] else ""
            org.social_base = (
                self.format(self.rng.choice(SOCIAL_BASES)) if fills["social_base"][i] else ""
            )
            org.summary = self.org_summary(org, founded, place) if fills["summary"][i] else ""
            org.note = self.note(fills["note"][i], label)
            self.organizations.append(org)
            self.namings.append(naming)
        self.insert(label, self.organizations)
        if self.organizations:
            self.report.hub_slug = self.organizations[0].slug
        self.org_home = {}
        for i, org in enumerate(self.organizations):
            home = self.home()
            self.org_home[org.pk] = home
            fields = [("", first_sentence(org.summary) if org.summary else org.name)]
            for name in org.filled_cited_fields():
                fields.append((name, self.quote_for(org, name)))
            weight = 1 + 8 / (i + 1) if i < self.hubs else 1.0
            self.cite_later(label, org, fields, home, weight)
        self.parties = [o for o in self.organizations if o.kind in ("party", "bloc", "movement")]
        self.state_bodies = [o for o in self.organizations if o.kind == "state_body"]
        self.make_org_names()
        self.make_stances()
        self.make_membership()
        self.make_roles()
        self.make_relations()

    def format(self, template: str) -> str:
        rng = self.rng
        return template.format(
            g=rng.choice(GROUPS).lower(), r=rng.choice(self.regions), t=rng.choice(self.towns)
        )

    def fill_org_text(self, phrases, k: int) -> str:
        chosen = self.rng.sample(phrases, self.rng.randint(1, k))
        text = ", ".join(self.format(p) for p in chosen)
        return text[0].upper() + text[1:] + "."

    def org_summary(self, org, founded: Dated | None, place) -> str:
        what = model("parties.Organization").Kind(org.kind).label.lower()
        article = "An" if what[0] in "aeio" else "A"  # “a union”
        when = f" {founded.phrase}" if founded else ""
        where = f" in {place.name}" if place else ""
        return (
            f"{article} {what} set up{where}{when} that worked for "
            f"{self.format(self.rng.choice(GOALS))}; {self.rng.choice(FATES)}."
        )

    def quote_for(self, obj, name: str) -> str:
        """Words a citation of this field quotes: the sentence of the source that states it."""
        value = getattr(obj, name)
        label = str(getattr(obj, "name", "") or getattr(obj, "title", "") or obj)
        if isinstance(getattr(type(obj), name, None), UncertainDate):
            return f"{value.text}, {label}"[:400]
        if name == "parties_taking_part" and obj.parties_wording:
            return obj.parties_wording
        if isinstance(value, models.Model):
            return f"{label}, {value}"[:400]
        if isinstance(value, str):
            return first_sentence(value)
        return f"{label}: {value}"[:400]

    def org_weights(self, share: float, items=None) -> list[float]:
        items = self.organizations if items is None else items
        return self.hub_weights(len(items), self.hubs, share)

    def make_org_names(self) -> None:
        label = "parties.OrganizationName"
        count = self.target.get(label, 0)
        if not self.organizations:
            return
        kinds = self.deal(label, "kind", count, default=("official",))
        notes = self.flags(label, "note", count)
        starts = self.flags(label, "start", count)
        ends = self.flags(label, "end", count)
        cum = list(itertools.accumulate(self.org_weights(0.03)))
        taken: set[tuple[int, str]] = set()
        rows = []
        for i, kind in enumerate(kinds):
            # Another organization, if this one has no such name or has it already.
            for _ in range(30):
                index = self.rng.choices(range(len(self.organizations)), cum_weights=cum)[0]
                found = self.other_name(index, kind)
                if found is not None and (index, found[0]) not in taken:
                    break
            name, language = found or self.any_name(index, kind)
            taken.add((index, name))
            org = self.organizations[index]
            row = self.new(label, organization=org, name=name, kind=kind, language=language)
            row.note = self.note(notes[i], label)
            start = self.dates.pick(lo=org.founded.earliest) if starts[i] else None
            row.start = self.date_value(start)
            if ends[i]:
                row.end = self.date_value(self.dates.pick(after=start) if start else None)
            rows.append(row)
        rows.sort(key=lambda r: r.organization.pk)  # an organization's names together
        self.insert(label, rows)
        for row in rows:
            self.cite_later(label, row, [("", row.name)], self.org_home[row.organization.pk])
            # An example for load tests: a respelled word that is not the common “Qazaqstan”.
            if row.kind == "variant" and self.report.organization_variant is None:
                respelled = set(row.name.split()) - set(row.organization.name.split())
                if respelled and respelled != {"Qazaqstan"} and not row.name.startswith("the "):
                    self.report.organization_variant = (row.name, row.organization.slug)

    def other_name(self, index: int, kind: str) -> tuple[str, str] | None:
        """Another name of an organization, of a kind, with its language; None if the
        organization has none such (a translation needs a Kazakh or Russian word)."""
        org, naming = self.organizations[index], self.namings[index]
        word = naming.word
        if kind == "short":
            if word and self.rng.random() < 0.6:
                return word[0], word[2]
            return acronym(org.name) or org.name.split()[0], ""
        if kind == "translation":
            return (word[1], "en") if word else None
        if kind == "variant":
            spelled = variant_spelling(org.name, english=True)
            if spelled:
                return spelled, ""
            if word and org.kind in KIND_NOUNS:
                return f"{word[0]} {KIND_NOUNS[org.kind]}", ""
            return None
        if kind == "former":
            return self.org_name(org.kind).name, ""
        # official: the name as registered, in its own language where it has one
        return org.name, word[2] if word else ""

    def any_name(self, index: int, kind: str) -> tuple[str, str]:
        """A name of the kind even for an organization that has none such: a Russian
        rendering for a translation, the name with a “the” for a variant."""
        org = self.organizations[index]
        if kind == "translation":
            words = (RUSSIAN_WORDS.get(w, w) for w in org.name.split())
            return " ".join(w for w in words if w), "ru"
        return f"the {org.name}", ""

    def make_stances(self) -> None:
        label = "parties.Stance"
        count = self.target.get(label, 0)
        stances = self.deal(label, "stance", count, default=("opposition",))
        starts = self.flags(label, "start", count)
        ends = self.flags(label, "end", count)
        rows = []
        for i, index in enumerate(self.spread(count, self.org_weights(0.03))):
            org = self.organizations[index]
            row = self.new(
                label,
                organization=org,
                stance=stances[i],
                wording=self.rng.choice(STANCE_WORDS.get(stances[i], ("",))),
            )
            start = self.dates.pick(lo=org.founded.earliest) if starts[i] else None
            row.start = self.date_value(start)
            if ends[i] and start is not None:
                row.end = self.date_value(self.dates.pick(after=start))
            rows.append(row)
        self.insert(label, rows)
        for row in rows:
            self.cite_later(
                label,
                row,
                [("", f"{row.organization.name}, {row.wording}")],
                self.org_home[row.organization.pk],
            )

    def make_membership(self) -> None:
        label = "parties.MembershipFigure"
        count = self.target.get(label, 0)
        highs = self.flags(label, "high", count)
        regionals = self.flags(label, "regional_organizations", count)
        dated = self.flags(label, "date", count)
        rows = []
        for i, index in enumerate(self.spread(count, self.org_weights(0.03))):
            org = self.organizations[index]
            low = self.rng.choice((80, 200, 500, 1000, 5000, 8000, 20000, 47000, 50000, 120000))
            high = None
            if highs[i]:
                if self.rng.random() < 0.4:
                    high = low * self.rng.choice((2, 3))
                    wording = f"between {low:,} and {high:,}"
                else:
                    high = low
                    wording = f"about {low:,}"
            else:
                wording = f"over {low:,}"
            regional = self.rng.randint(3, 19) if regionals[i] else None
            when = self.dates.pick() if dated[i] else None
            if when is not None:
                wording = f"{upper_first(when.phrase)}, it had {wording} members"
            if regional:
                wording += f" and {regional} regional organizations"
            row = self.new(
                label,
                organization=org,
                wording=wording,
                low=low,
                high=high,
                regional_organizations=regional,
            )
            row.date = self.date_value(when)
            rows.append(row)
        self.insert(label, rows)
        for row in rows:
            self.cite_later(label, row, [("", row.wording)], self.org_home[row.organization.pk])

    def make_roles(self) -> None:
        label = "parties.Role"
        count = self.target.get(label, 0)
        if not self.people:
            return
        kinds = self.deal(label, "kind", count, default=("chair",))
        starts = self.flags(label, "start", count)
        ends = self.flags(label, "end", count)
        notes = self.flags(label, "note", count)
        org_cum = list(itertools.accumulate(self.org_weights(0.15)))
        people = self.spread(count, self.people_weights)
        rows = []
        for i, person_index in enumerate(people):
            kind = kinds[i]
            person = self.people[person_index]
            org = None
            if kind != "office" and self.organizations:
                org = self.organizations[
                    self.rng.choices(range(len(self.organizations)), cum_weights=org_cum)[0]
                ]
            title = self.rng.choice(ROLE_TITLES.get(kind, ("member",))).format(
                r=self.rng.choice(self.regions)
            )
            row = self.new(label, person=person, organization=org, title=title, kind=kind)
            start = None
            if starts[i]:
                start = self.dates.pick(lo=org.founded.earliest if org else None)
            row.start = self.date_value(start)
            if ends[i]:
                row.end = self.date_value(
                    self.dates.pick(after=start) if start else self.dates.pick()
                )
            row.note = self.note(notes[i], label)
            rows.append(row)
        self.insert(label, rows)
        for row in rows:
            where = f", {row.organization.name}" if row.organization else ""
            home = (
                self.org_home[row.organization.pk]
                if row.organization
                else self.person_home[row.person.pk]
            )
            self.cite_later(label, row, [("", f"{row.person.name}, {row.title}{where}")], home)

    def make_relations(self) -> None:
        label = "parties.Relation"
        count = self.target.get(label, 0)
        orgs = self.organizations
        if len(orgs) < 2:
            return
        kinds = self.deal(label, "kind", count, default=("split_from",))
        dated = self.flags(label, "date", count)
        ends = self.flags(label, "end", count)
        notes = self.flags(label, "note", count)
        # Hubs collect links as the object (members of a bloc, branches, splinters).
        object_cum = list(itertools.accumulate(self.org_weights(0.35)))
        blocs = [i for i, o in enumerate(orgs) if o.kind == "bloc"]
        used: set[tuple[int, str, int]] = set()
        rows = []
        for i, kind in enumerate(kinds):
            for _ in range(20):
                subject = self.rng.randrange(len(orgs))
                if kind == "member_of" and blocs and self.rng.random() < 0.5:
                    target = self.rng.choice(blocs)
                else:
                    target = self.rng.choices(range(len(orgs)), cum_weights=object_cum)[0]
                if subject != target and (subject, kind, target) not in used:
                    break
            else:
                continue
            used.add((subject, kind, target))
            row = self.new(label, subject=orgs[subject], object=orgs[target], kind=kind)
            when = None
            if dated[i]:
                founded = orgs[subject].founded
                when = (
                    self.dates.pick(lo=founded.earliest) if founded.earliest else self.dates.pick()
                )
                row.date = self.date_value(when)
            if ends[i]:
                row.end = self.date_value(
                    self.dates.pick(after=when) if when else self.dates.pick()
                )
            row.note = self.note(notes[i], label)
            rows.append(row)
        rows.sort(key=lambda r: r.subject.pk)
        self.insert(label, rows)
        for row in rows:
            quote = (
                f"{row.subject.name} {RELATION_PHRASES.get(row.kind, row.kind)} {row.object.name}"
            )
            self.cite_later(label, row, [("", quote)], self.org_home[row.subject.pk])
