"""The synthetic sources: articles with numbered footnotes naming books, newspapers, journals
and web pages, which every synthetic record's citations point at."""

from __future__ import annotations

import itertools
import math
import re

from .base import Article, SeederBase
from .rows import FIRST_YEAR, LAST_YEAR
from .words import (
    ARTICLE_SECTIONS,
    ARTICLE_TITLES,
    JOURNAL_TITLES,
    JOURNALS,
    NEWSPAPERS,
    PUBLISHERS,
    PUBLISHING_PLACES,
    SOURCE_BOOK_TITLES,
    SOURCE_NOTES,
    SOURCE_VOLUME_TITLES,
    WEB_SITES,
)


class Sources(SeederBase):
    def make_sources(self) -> None:
        label = "kzpolitics.Source"
        n = max(1, self.target.get(label, 0))
        kinds = self.deal(label, "kind", n, default=("article",))
        # The first is an article, whatever the shuffle: every record needs one to cite.
        if "article" in kinds:
            kinds.remove("article")
        else:
            kinds.pop()
        kinds.insert(0, "article")
        notes = self.flags(label, "note", n)
        sources, articles = [], []
        for kind, noted in zip(kinds, notes, strict=True):
            source = self.make_source(kind)
            if noted and kind != "article":
                source.note = self.rng.choice(SOURCE_NOTES)
            sources.append(source)
        for source in sources:
            if source.kind == "article":
                sections = self.rng.sample(ARTICLE_SECTIONS, self.rng.randint(4, 7))
                articles.append(Article(source, sorted(sections, key=ARTICLE_SECTIONS.index)))
        # Each other work is named in the footnotes of one article; articles that cite more
        # come first, as the few big articles of a literature do.
        article_cum = list(itertools.accumulate(1 / math.sqrt(i + 1) for i in range(len(articles))))
        for source in sources:
            if source.kind == "article":
                continue
            home = articles[self.rng.choices(range(len(articles)), cum_weights=article_cum)[0]]
            home.footnote_sources.append((source, []))
        for article in articles:
            works = article.footnote_sources
            numbers = list(range(1, len(works) * 2 + self.rng.randint(3, 10)))
            self.rng.shuffle(numbers)
            for index, (_, own) in enumerate(works):
                own.append(numbers[index])
            spare = numbers[len(works) :]
            for source, own in works:
                if spare and self.rng.random() < 0.35:
                    own.append(spare.pop())
                own.sort()
                source.footnotes = ",".join(str(n) for n in own)
                source.reference_text = self.reference_text(source)
            article.cum = list(
                itertools.accumulate(1 / math.sqrt(i + 1) for i in range(len(works)))
            )
        self.articles = articles
        self.article_cum = article_cum
        self.insert(label, sources)

    def make_source(self, kind: str):
        rng = self.rng
        values: dict = {"kind": kind}
        year = rng.randint(FIRST_YEAR, LAST_YEAR)
        if kind == "article":
            full, _ = self.person_name()
            region = f"{self.toponym().name} Region"
            values.update(authors=full, title=rng.choice(ARTICLE_TITLES).format(r=region))
            if rng.random() < 0.5:
                values.update(
                    container="Central Asia and the Caucasus", issue=f"No. {rng.randint(1, 6)}"
                )
                values["date"] = {"text": f"{year}", "edtf": f"{year}"}
            short = f"{full.split()[-1]} {year} {values['title'][:30]}"
        elif kind in ("book", "handbook"):
            y1 = rng.randint(FIRST_YEAR, LAST_YEAR - 2)
            title = rng.choice(SOURCE_BOOK_TITLES).format(y=year, y1=y1, y2=y1 + 4)
            authors = (
                ", ".join(self.initials_name() for _ in range(rng.randint(2, 3)))
                if kind == "handbook"
                else self.initials_name()
            )
            values.update(
                authors=authors,
                title=title,
                place=rng.choice(PUBLISHING_PLACES),
                publisher=rng.choice(PUBLISHERS) if rng.random() < 0.3 else "",
                date={"text": f"{year}", "edtf": f"{year}"},
            )
            short = f"{authors.split(',')[0].split()[-1]} {year}"
        elif kind == "edited_volume":
            y1 = rng.randint(FIRST_YEAR, LAST_YEAR - 2)
            values.update(
                editors=self.initials_name(),
                title=rng.choice(SOURCE_VOLUME_TITLES).format(y1=y1, y2=y1 + 4),
                place=rng.choice(PUBLISHING_PLACES),
                date={"text": f"{year}", "edtf": f"{year}"},
            )
            short = f"{values['editors'].split()[-1]} {year}"
        elif kind == "newspaper":
            paper = rng.choice(NEWSPAPERS)
            dated = self.dates.pick(forms=("day",))
            if rng.random() < 0.7 and dated is not None:
                day_text = dated.text.removeprefix("On ")
                values.update(title=f"{paper}, {day_text}", date=dated.value)
                short = f"{paper} {dated.edtf}"
            else:
                issue = f"No. {rng.randint(1, 52)}"
                values.update(title=f"{paper}, {issue}, {year}", issue=issue)
                values["date"] = {"text": f"{year}", "edtf": f"{year}"}
                short = f"{paper} {year} {issue}"
            values["container"] = paper
        elif kind == "journal_article":
            journal = rng.choice(JOURNALS)
            issue = f"No. {rng.randint(1, 12)}"
            values.update(
                authors=self.initials_name(),
                title=rng.choice(JOURNAL_TITLES),
                container=journal,
                issue=issue,
                date={"text": f"{year}", "edtf": f"{year}"},
            )
            short = f"{values['authors'].split()[-1]} {year}"
        elif kind == "web_page":
            site, path = rng.choice(WEB_SITES)
            path = path.format(n=rng.randint(100, 1_099_999_999))
            values.update(title=f"{site}, {path}", url=f"http://www.{site}/{path}")
            if rng.random() < 0.15:
                values["authors"] = self.initials_name()
            short = f"{site} {re.sub(r'[^0-9]', '', path)}"
        else:  # a note, or a kind added later: a plain titled work
            values.update(title=f"Note on the sources, {year}")
            short = values["title"]
        date = values.pop("date", None)
        source = self.new("kzpolitics.Source", slug=self.slug("kzpolitics.Source", short), **values)
        source.date = date or {}
        return source

    @staticmethod
    def reference_text(source) -> str:
        if source.kind == "web_page":
            return f"[<{source.url}>]."
        parts = [source.authors or (f"ed. by {source.editors}" if source.editors else "")]
        title = f"“{source.title}”" if source.kind == "journal_article" else source.title
        parts.append(title)
        if source.kind == "journal_article":
            parts.append(f"{source.container}, {source.issue}")
        parts += [source.publisher, source.place]
        if source.date_text and source.kind != "newspaper":
            parts.append(source.date_text)
        text = ", ".join(p for p in parts if p)
        return f"See: {text}."
