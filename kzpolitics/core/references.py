"""Footnotes for a public page: numbered markers and the references list they point to.

A page creates one :class:`References`; every ``{% cite record "field" %}`` in its template
numbers the citations it shows (one number per source and via-source, in order of first
appearance) and ``{% references %}`` lists them at the end, each number with the locators
(pages, footnotes, sections) the page used, the quotes the facts rest on, and a link back to
every marker citing it (“^ a b c”, as in Wikipedia).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kzpolitics.core.models import Citation, Source


@dataclass(frozen=True)
class Use:
    """One marker citing a reference: its letter in the list's “^ a b c” and its id."""

    letter: str
    id: str


@dataclass
class Quote:
    """A quote a fact rests on, where it is in the work, and the markers citing it."""

    locator: str
    text: str
    uses: list[Use] = field(default_factory=list)

    @property
    def letters(self) -> str:
        return ", ".join(use.letter for use in self.uses)


@dataclass
class Reference:
    number: int
    source: Source
    via: Source | None
    locators: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"ref-{self.number}"

    def use(self) -> Use:
        """A new marker citing this reference, for the list to link back to."""
        letter = letters(len(self.uses))
        used = Use(letter, f"cite-ref-{self.number}-{letter}")
        self.uses.append(used)
        return used

    def quote(self, locator: str, text: str, use: Use) -> None:
        """Show ``text`` under the reference, with the letter of each marker it backs."""
        found = next((q for q in self.quotes if (q.locator, q.text) == (locator, text)), None)
        if found is None:
            found = Quote(locator, text)
            self.quotes.append(found)
        if use not in found.uses:
            found.uses.append(use)

    @property
    def quotes_need_locators(self) -> bool:
        """Whether each quote names where it is from: only when the page used more than one
        place in the work, else the locator after the work's name says it."""
        return len(self.locators) > 1


def letters(index: int) -> str:
    """a, b, ... z, aa, ab, ...: the letter of the ``index``-th use (from 0)."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = "abcdefghijklmnopqrstuvwxyz"[rest] + text
    return text


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
