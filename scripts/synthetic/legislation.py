"""Legal acts, their provisions, and registration decisions on organizations."""

from __future__ import annotations

import datetime
from collections import Counter

from .base import SeederBase
from .rows import LAST_YEAR
from .words import (
    ACT_EFFECTS,
    ACT_FORMS,
    ACT_TOPICS,
    PROVISIONS,
    REQUIREMENT_VALUES,
    first_sentence,
)


class Legislation(SeederBase):
    def make_acts(self) -> None:
        label = "legislation.LegalAct"
        n = self.target.get(label, 0)
        jurisdictions = self.deal(label, "jurisdiction", n, default=("kazakhstan",))
        kinds = self.deal(label, "kind", n, default=("law",))
        fills = {
            name: self.flags(label, name, n) for name in ("adopted", "body", "summary", "note")
        }
        independence = datetime.date(1991, 12, 16)
        self.acts = []
        for i in range(n):
            jurisdiction, kind = jurisdictions[i], kinds[i]
            soviet = jurisdiction in ("ussr", "kazakh_ssr")
            adopted = None
            if fills["adopted"][i]:
                adopted = (
                    self.dates.pick(hi=independence, forms=("day", "month"))
                    if soviet
                    else self.dates.pick(lo=independence, forms=("day", "month", "year"))
                )
            year = (
                adopted.earliest.year
                if adopted and adopted.earliest
                else (self.rng.randint(1986, 1991) if soviet else self.rng.randint(1992, LAST_YEAR))
            )
            topic = self.rng.choice(ACT_TOPICS)
            title = ACT_FORMS.get(kind, ACT_FORMS["other"]).format(topic=topic, y=year)
            if soviet:
                title += " (U.S.S.R.)" if jurisdiction == "ussr" else " (Kazakh S.S.R.)"
            act = self.new(
                label,
                slug=self.slug(label, title),
                jurisdiction=jurisdiction,
                kind=kind,
                title=title,
            )
            act.adopted = self.date_value(adopted)
            if fills["body"][i] and self.state_bodies:
                act.body = self.rng.choice(self.state_bodies)
            if fills["summary"][i]:
                act.summary = self.rng.choice(ACT_EFFECTS).format(topic=topic.lower())
            act.note = self.note(fills["note"][i], label)
            act._topic = topic
            self.acts.append(act)
        self.insert(label, self.acts)
        self.act_home = {}
        for act in self.acts:
            home = self.home()
            self.act_home[act.pk] = home
            fields = [("", first_sentence(act.summary) if act.summary else act.title)]
            fields += [(name, self.quote_for(act, name)) for name in act.filled_cited_fields()]
            self.cite_later(label, act, fields, home)
        self.make_provisions()
        self.make_registrations()

    def make_provisions(self) -> None:
        label = "legislation.Provision"
        count = self.target.get(label, 0)
        if not self.acts:
            return
        requirements = self.deal(label, "requirement_kind", count, default=("",))
        references = self.flags(label, "reference", count)
        texts = self.flags(label, "text", count)
        values = self.flags(label, "requirement_value", count)
        weights = [3.0 if a.kind == "law" else 1.0 for a in self.acts]
        rows, positions = [], Counter()
        for i, index in enumerate(self.spread(count, weights)):
            act = self.acts[index]
            positions[index] += 1
            requirement = requirements[i]
            # A figure for every membership threshold; for other requirements, as often as
            # the article gives one.
            value = None
            if requirement and (values[i] or requirement != "other"):
                value = self.rng.choice(REQUIREMENT_VALUES.get(requirement, (10,)))
            templates = PROVISIONS.get(requirement, PROVISIONS[""])
            numbered = [t for t in templates if "{v" in t[0]]
            plain = [t for t in templates if "{v" not in t[0]]
            summary, text = self.rng.choice((numbered if value else plain) or templates)
            row = self.new(
                label,
                act=act,
                position=positions[index],
                summary=summary.format(v=value or 0),
                requirement_kind=requirement,
                requirement_value=value,
            )
            if references[i]:
                row.reference = (
                    self.rng.choice(("Art", "Art.", "Para")) + f" {self.rng.randint(1, 40)}"
                )
            if texts[i]:
                row.text = text.format(v=value or 0)
            rows.append(row)
        self.insert(label, rows)
        for row in rows:
            self.cite_later(label, row, [("", row.text or row.summary)], self.act_home[row.act.pk])

    def make_registrations(self) -> None:
        label = "legislation.RegistrationDecision"
        count = self.target.get(label, 0)
        items = self.parties or self.organizations
        if not items:
            return
        decisions = self.deal(label, "decision", count, default=("registered",))
        fills = {name: self.flags(label, name, count) for name in ("act", "body", "date", "note")}
        laws = [a for a in self.acts if a.kind == "law"] or self.acts
        rows = []
        for i, index in enumerate(self.spread(count, self.org_weights(0.03, items))):
            org = items[index]
            row = self.new(label, organization=org, decision=decisions[i])
            when = None
            if fills["date"][i]:
                when = (
                    self.dates.pick(lo=org.founded.earliest)
                    if org.founded.earliest
                    else self.dates.pick()
                )
                row.date = self.date_value(when)
            if fills["act"][i] and laws:
                row.act = self.rng.choice(laws)
            if fills["body"][i] and self.state_bodies:
                row.body = self.rng.choice(self.state_bodies)
            row.note = self.note(fills["note"][i], label)
            rows.append(row)
        self.insert(label, rows)
        for row in rows:
            quote = f"{row.organization.name}: {row.get_decision_display().lower()}"
            self.cite_later(label, row, [("", quote)], self.org_home[row.organization.pk])
