"""Footnotes for a public page: numbered markers and the references list they point to.

A page creates one :class:`References`; every ``{% cite record "field" %}`` in its template
numbers the citations it shows (one number per source and via-source, in order of first
appearance) and ``{% references %}`` lists them at the end, each number with the locators
(pages, footnotes, sections) the page used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kzpolitics.core.models import Citation, Source


@dataclass
class Reference:
    number: int
    source: Source
    via: Source | None
    locators: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"ref-{self.number}"


class References:
    def __init__(self):
        self._by_key: dict[tuple[int, int | None], Reference] = {}

    def __iter__(self):
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def add(self, citation: Citation) -> tuple[Reference, str]:
        """Number a citation; return its reference and its own locator text."""
        key = (citation.source_id, citation.via_id)
        reference = self._by_key.get(key)
        if reference is None:
            reference = Reference(len(self._by_key) + 1, citation.source, citation.via)
            self._by_key[key] = reference
        locator = locator_of(citation)
        if locator and locator not in reference.locators:
            reference.locators.append(locator)
        return reference, locator


def locator_of(citation: Citation) -> str:
    """Where in the work: “pp. 14-15, fn. 1”, “section “Large Political Parties””."""
    parts = []
    if citation.pages:
        parts.append(("pp. " if "-" in citation.pages else "p. ") + citation.pages)
    if citation.section:
        parts.append(f"section “{citation.section}”")
    text = ", ".join(parts)
    if citation.footnote:
        # The footnote is the citing work's (the article's): “pp. 14-15 (fn. 1)”.
        text = f"{text} (fn. {citation.footnote})" if text else f"fn. {citation.footnote}"
    return text
