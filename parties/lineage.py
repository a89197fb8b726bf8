"""An organization's lineage: what came before it and what came after, drawn as SVG.

Relations read in a direction: “A split from B” makes B a predecessor of A, “A merged into
B” makes B a successor. Links that are not lineage (member of a bloc, branch of, set up to
counter) are listed apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Organization, Relation

K = Relation.Kind
# subject came after object
AFTER = {K.SPLIT_FROM, K.BASED_ON, K.FOUNDED_BY}
# subject came before object
BEFORE = {K.MERGED_INTO, K.RENAMED_TO}

WIDTH, BOX_W, BOX_H, GAP = 760, 230, 44, 14
LABEL_CHARS = 34


@dataclass
class Link:
    relation: Relation
    other: Organization

    @property
    def phrase(self) -> str:
        return self.relation.get_kind_display().lower()


@dataclass
class Box:
    x: int
    y: int
    link: Link | None
    label: str

    @property
    def cx(self) -> int:
        return self.x + BOX_W // 2

    @property
    def mid_y(self) -> int:
        return self.y + BOX_H // 2


@dataclass
class Lineage:
    organization: Organization
    predecessors: list[Link]
    successors: list[Link]
    others: list[Link]

    def __bool__(self) -> bool:
        return bool(self.predecessors or self.successors or self.others)

    @property
    def groups(self) -> list[dict]:
        return [
            {"label": "Before it", "links": self.predecessors},
            {"label": "After it", "links": self.successors},
            {"label": "Other links", "links": self.others},
        ]

    @property
    def drawable(self) -> bool:
        return bool(self.predecessors or self.successors)

    @property
    def height(self) -> int:
        rows = max(len(self.predecessors), len(self.successors), 1)
        return rows * (BOX_H + GAP) + GAP

    def boxes(self):
        """Boxes to draw: predecessors left, the organization centre, successors right."""
        centre = Box(
            (WIDTH - BOX_W) // 2, (self.height - BOX_H) // 2, None, shorten(self.organization.name)
        )
        left = [
            Box(0, GAP + i * (BOX_H + GAP), link, shorten(link.other.name))
            for i, link in enumerate(self.predecessors)
        ]
        right = [
            Box(WIDTH - BOX_W, GAP + i * (BOX_H + GAP), link, shorten(link.other.name))
            for i, link in enumerate(self.successors)
        ]
        return centre, left, right


def shorten(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def lineage(organization: Organization) -> Lineage:
    """Read from prefetched ``relations_from__object`` and ``relations_to__subject``."""
    predecessors, successors, others = [], [], []
    for relation in organization.relations_from.all():
        link = Link(relation, relation.object)
        if relation.kind in AFTER:
            predecessors.append(link)
        elif relation.kind in BEFORE:
            successors.append(link)
        else:
            others.append(link)
    for relation in organization.relations_to.all():
        link = Link(relation, relation.subject)
        if relation.kind in AFTER:
            successors.append(link)
        elif relation.kind in BEFORE:
            predecessors.append(link)
        else:
            others.append(link)
    return Lineage(organization, predecessors, successors, others)
