"""The citations of every synthetic record and filled factual field."""

from __future__ import annotations

from collections import Counter

from kzpolitics.core.models import Status

from .base import SeederBase
from .rows import BATCH_SIZE, model


class Citations(SeederBase):
    def make_citations(self) -> None:
        """Every record's citations: one or more for the record and for each filled factual
        field, as many per field as the article has, citing the record's article directly or
        a work its footnotes name, via the article."""
        label = "kzpolitics.Citation"
        cls = model(label)
        profile = self.profile
        rng = self.rng
        cited_per_source: Counter = Counter()
        batch = []
        for record in self.cited:
            article = self.articles[record.home]
            for name, quote in record.fields:
                wanted = profile.citations_per.get((record.label, name), 1.0) * record.weight
                k = max(1, int(wanted) + (rng.random() < wanted - int(wanted)))
                for _ in range(k):
                    citation = cls(
                        content_type_id=record.ct_id,
                        object_id=record.obj.pk,
                        field=name,
                        status=Status.PUBLISHED,
                        record_published=True,
                    )
                    works = article.footnote_sources
                    if works and rng.random() >= profile.direct_share:
                        work, numbers = works[
                            rng.choices(range(len(works)), cum_weights=article.cum)[0]
                        ]
                        citation.source_id = work.pk
                        citation.via_id = article.source.pk
                        citation.footnote = rng.choice(numbers)
                        if rng.random() < profile.pages_share:
                            first = rng.randint(5, 320)
                            citation.pages = (
                                f"{first}-{first + 1}" if rng.random() < 0.3 else str(first)
                            )
                    else:
                        citation.source_id = article.source.pk
                        citation.section = rng.choice(article.sections)
                    if rng.random() < profile.quote_share:
                        citation.quote = quote[:400]
                    if rng.random() < profile.citation_note_share:
                        citation.note = "The source's wording is loose; the figure is approximate."
                    cited_per_source[citation.source_id] += 1
                    batch.append(citation)
                    if len(batch) >= BATCH_SIZE:
                        self.insert(label, batch)
                        batch = []
        if batch:
            self.insert(label, batch)
        if cited_per_source:
            busiest = max(sorted(cited_per_source), key=lambda pk: cited_per_source[pk])
            slugs = {a.source.pk: a.source.slug for a in self.articles}
            for article in self.articles:
                slugs.update({work.pk: work.slug for work, _ in article.footnote_sources})
            self.report.busiest_source = slugs.get(busiest, "")
