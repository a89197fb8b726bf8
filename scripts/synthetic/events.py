"""Events with what took part in them (people, organizations, elections, acts)."""

from __future__ import annotations

import itertools

from .base import SeederBase
from .rows import BATCH_SIZE, LINKS, link_label, model
from .words import DEMANDS, EVENT_FORMS, ISSUES, first_sentence


class Events(SeederBase):
    def make_events(self) -> None:
        label = "kzpolitics.Event"
        n = self.target.get(label, 0)
        kinds = self.deal(label, "kind", n, default=("other",))
        fills = {name: self.flags(label, name, n) for name in ("date", "place", "summary", "note")}
        links = self.profile.event_links
        org_cum = list(itertools.accumulate(self.org_weights(0.25)))
        election_cum = list(itertools.accumulate([1.0] * len(self.elections)))
        act_cum = list(itertools.accumulate([1.0] * len(self.acts)))
        self.events, participants = [], []
        for i, kind in enumerate(kinds):
            orgs = self.pick_distinct(
                self.sample_links(links.get("organizations")), self.organizations, org_cum
            )
            people = self.pick_distinct(
                self.sample_links(links.get("people")), self.people, self.people_cum
            )
            elections = self.pick_distinct(
                self.sample_links(links.get("elections")), self.elections, election_cum
            )
            acts = self.pick_distinct(self.sample_links(links.get("acts")), self.acts, act_cum)
            place = self.place_pick() if fills["place"][i] else None
            when = self.dates.pick() if fills["date"][i] else None
            title = self.rng.choice(EVENT_FORMS.get(kind, EVENT_FORMS["other"])).format(
                o=orgs[0].name if orgs else self.org_name("party").name,
                p=people[0].name if people else self.person_name()[0],
                t=place.name if place else self.rng.choice(self.towns),
                issue=self.rng.choice(ISSUES),
            )
            year = f" {when.earliest.year}" if when and when.earliest else ""
            event = self.new(
                label, slug=self.slug(label, title + year), kind=kind, title=title, place=place
            )
            event.date = self.date_value(when)
            if fills["summary"][i]:
                who = orgs[0].name if orgs else (people[0].name if people else "The participants")
                if self.rng.random() < 0.5:
                    what = f"called for {self.rng.choice(DEMANDS)}"
                else:
                    verb = self.rng.choice(("protested against", "criticized", "debated"))
                    what = f"{verb} {self.rng.choice(ISSUES)}"
                event.summary = f"{title}{' ' + when.phrase if when else ''}. {who} {what}."
            event.note = self.note(fills["note"][i], label)
            self.events.append(event)
            participants.append((orgs, people, elections, acts))
        self.insert(label, self.events)
        for event in self.events:
            fields = [("", first_sentence(event.summary) if event.summary else event.title)]
            fields += [(name, self.quote_for(event, name)) for name in event.filled_cited_fields()]
            self.cite_later(label, event, fields, self.home())
        # Each link as (record, event) pairs, whichever side declares the many-to-many field.
        pairs = {link: [] for link in LINKS}
        for event, (orgs, people, elections, acts) in zip(self.events, participants, strict=True):
            pairs[LINKS[0]] += [(event, person) for person in people]
            pairs[LINKS[1]] += [(org, event) for org in orgs]
            pairs[LINKS[2]] += [(election, event) for election in elections]
            pairs[LINKS[3]] += [(act, event) for act in acts]
        for link in LINKS:
            field_ = model(link[0])._meta.get_field(link[1])
            through = field_.remote_field.through
            own, other = field_.m2m_field_name(), field_.m2m_reverse_field_name()
            rows = [through(**{f"{own}_id": a.pk, f"{other}_id": b.pk}) for a, b in pairs[link]]
            through._base_manager.bulk_create(rows, batch_size=BATCH_SIZE)
            self.counts[link_label(*link)] += len(rows)

    def sample_links(self, counts: list[int] | None) -> int:
        return self.rng.choice(counts) if counts else 0
