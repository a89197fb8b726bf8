"""Elections with their rounds and results."""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from decimal import Decimal

from .base import SeederBase
from .datepool import plain_date
from .rows import LAST_YEAR
from .words import ISSUES, first_sentence

ELECTIONS_SINCE = {
    "municipal": datetime.date(1990, 1, 1),
    "presidential": datetime.date(1991, 1, 1),
    "majilis": datetime.date(1995, 1, 1),
}
# An organization's optional fields, filled in the proportions the article fills them.


class Elections(SeederBase):
    def make_elections(self) -> None:
        label = "elections.Election"
        n = self.target.get(label, 0)
        kinds = self.deal(label, "kind", n, default=("majilis",))
        fills = {
            name: self.flags(label, name, n)
            for name in ("parties_taking_part", "seats_total", "summary", "note", "date")
        }
        self.elections = []
        for i, kind in enumerate(kinds):
            since = ELECTIONS_SINCE.get(kind, datetime.date(1990, 1, 1))
            when = None
            if fills["date"][i]:
                when = self.dates.pick(lo=since, forms=("day", "month", "year"))
            year = (
                when.earliest.year
                if when and when.earliest
                else self.rng.randint(since.year, LAST_YEAR)
            )
            if kind == "presidential":
                name = f"Presidential election of {plain_date(when) if when else year}"
            elif kind == "municipal":
                name = f"Elections to the {self.rng.choice(self.regions)} Maslikhat, {year}"
            else:
                name = self.rng.choice(
                    (
                        f"Majilis elections of {year}",
                        f"Majilis by-elections in the {self.rng.choice(self.towns)} district, "
                        f"{year}",
                    )
                )
            election = self.new(label, slug=self.slug(label, name), kind=kind, name=name)
            election.date = self.date_value(when)
            if fills["parties_taking_part"][i] and kind != "presidential":
                parties = self.rng.randint(4, 40)
                election.parties_taking_part = parties
                election.parties_wording = self.rng.choice(
                    (
                        f"{parties} parties and movements competed for the seats",
                        f"{parties} registered political parties participated",
                    )
                )
            if fills["seats_total"][i] and kind != "presidential":
                election.seats_total = self.rng.choice(
                    (67, 77, 107) if kind == "majilis" else (15, 25, 30, 45)
                )
            if fills["summary"][i]:
                election.summary = self.election_summary(election)
            election.note = self.note(fills["note"][i], label)
            self.elections.append(election)
        self.insert(label, self.elections)
        self.election_home = {}
        for election in self.elections:
            home = self.home()
            self.election_home[election.pk] = home
            fields = [("", first_sentence(election.summary) if election.summary else election.name)]
            fields += [
                (name, self.quote_for(election, name)) for name in election.filled_cited_fields()
            ]
            self.cite_later(label, election, fields, home)
        self.make_rounds()
        self.make_results()

    def election_summary(self, election) -> str:
        if election.kind == "presidential":
            return (
                "A presidential election the opposition had little time to prepare for; "
                f"its campaign was criticized as undemocratic over {self.rng.choice(ISSUES)}."
            )
        return (
            f"Elections in which pro-presidential parties won most seats; the opposition "
            f"complained of {self.rng.choice(ISSUES)}."
        )

    def make_rounds(self) -> None:
        label = "elections.Round"
        count = self.target.get(label, 0)
        dated = self.flags(label, "date", count)
        # Elections held in two rounds (Majilis and presidential ones, as in 2004): each of
        # them gets rounds 1 and 2, the second after the first.
        candidates = [e for e in self.elections if e.kind != "municipal"] or self.elections
        order = list(range(len(candidates)))
        self.rng.shuffle(order)
        rows = []
        for index in order:
            if len(rows) >= count:
                break
            election = candidates[index]
            span = election.date
            first = self.dates.pick(lo=span.earliest, hi=span.latest, forms=("day",))
            for number in (1, 2):
                if len(rows) >= count:
                    break
                row = self.new(label, election=election, number=number)
                when = (
                    first
                    if number == 1
                    else (self.dates.pick(after=first, forms=("day",)) if first else None)
                )
                if dated[len(rows)]:
                    row.date = self.date_value(when)
                rows.append(row)
        rows.sort(key=lambda r: (r.election.pk, r.number))
        self.insert(label, rows)
        for row in rows:
            self.cite_later(
                label,
                row,
                [("", f"{row.election.name}, round {row.number}")],
                self.election_home[row.election.pk],
            )

    def make_results(self) -> None:
        label = "elections.Result"
        count = self.target.get(label, 0)
        if not self.elections:
            return
        weights = [2.0 if e.kind == "majilis" else 1.0 for e in self.elections]
        per_election = Counter(self.spread(count, weights))
        tier_weights = [(t, n) for t, n in self.profile.weights(label, "tier")] or [("total", 1)]
        notes = self.flags(label, "note", count)
        party_items = self.parties or self.organizations
        # Of the results for a party, the share the article gives out of how many seats.
        by_party = self.profile.rate(label, "organization")
        seats_of_share = (
            min(1.0, self.profile.rate(label, "seats_of") / by_party) if by_party else 0
        )
        party_cum = list(itertools.accumulate(self.org_weights(0.15, party_items)))
        rows = []
        for index in sorted(per_election):
            election = self.elections[index]
            k = per_election[index]
            if election.kind == "presidential" and self.people:
                rows += self.presidential_results(election, k)
                continue
            tiers = self.deal_weights(tier_weights, k)
            by_tier = Counter(tiers)
            for tier in sorted(by_tier):
                contestants = self.pick_distinct(by_tier[tier], party_items, party_cum)
                seats_of = None
                if self.rng.random() < seats_of_share:
                    seats_of = (
                        {"party_list": 10, "single_member": 67}.get(tier)
                        or election.seats_total
                        or 77
                    )
                remaining = seats_of
                for org in contestants:
                    if remaining is not None:
                        seats = self.rng.randint(0, max(0, remaining * 2 // 3)) if remaining else 0
                        remaining -= seats
                    else:
                        seats = self.rng.randint(1, 30)
                    wording = f"{org.name} received {seats} seat{'' if seats == 1 else 's'}" + (
                        f" out of {seats_of}" if seats_of else ""
                    )
                    rows.append(
                        self.new(
                            label,
                            election=election,
                            organization=org,
                            tier=tier,
                            seats=seats,
                            seats_of=seats_of,
                            wording=wording,
                        )
                    )
        for row, noted in zip(rows, notes, strict=False):
            row.note = self.note(noted, label)
        self.insert(label, rows)
        for row in rows:
            self.cite_later(label, row, [("", row.wording)], self.election_home[row.election.pk])

    def presidential_results(self, election, k: int) -> list:
        candidates = self.pick_distinct(k, self.people, self.people_cum)
        shares = sorted((self.rng.random() for _ in candidates), reverse=True)
        if shares:
            shares[0] += 2.5  # the incumbent's landslide
        total = sum(shares) * 1.05 or 1
        rows = []
        for person, share in zip(candidates, shares, strict=True):
            percent = Decimal(str(round(100 * share / total, 2)))
            rows.append(
                self.new(
                    "elections.Result",
                    election=election,
                    person=person,
                    tier="total",
                    vote_share=percent,
                    wording=f"According to official figures, {person.name} received {percent} "
                    "percent of the votes",
                )
            )
        return rows
