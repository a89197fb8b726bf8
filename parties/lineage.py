"""An organization's lineage: what came before it and what came after, drawn as HTML boxes.

Relations read in a direction: “A split from B” makes B a predecessor of A, “A merged into
B” makes B a successor. Links that are not lineage (member of a bloc, branch of, set up to
counter) are drawn apart.

The diagram is plain HTML laid out by CSS (site.css, ``.lineage``), not SVG: names of any
length wrap inside their boxes, any number of links stack, and at phone width the columns
become one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .models import Organization, Relation

K = Relation.Kind
# subject came after object
AFTER = {K.SPLIT_FROM, K.BASED_ON, K.FOUNDED_BY}
# subject came before object
BEFORE = {K.MERGED_INTO, K.RENAMED_TO}

# How a relation reads from the page's organization when it is the subject: “Split from: X”.
FROM_SUBJECT = {
    K.SPLIT_FROM: "Split from",
    K.MERGED_INTO: "Merged into",
    K.BASED_ON: "Based on",
    K.RENAMED_TO: "Renamed to",
    K.FOUNDED_BY: "Founded by",
    K.MEMBER_OF: "Member of",
    K.BRANCH_OF: "Branch of",
    K.SET_UP_TO_COUNTER: "Set up to counter",
}
# ... and when it is the object, the other organization being the subject: “X split from it”.
# Renaming reads better the other way round: “Renamed from: X”.
FROM_OBJECT_BEFORE = {K.RENAMED_TO: "Renamed from"}
FROM_OBJECT_AFTER = {
    K.SPLIT_FROM: "split from it",
    K.MERGED_INTO: "merged into it",
    K.BASED_ON: "was based on it",
    K.FOUNDED_BY: "was founded by it",
    K.MEMBER_OF: "joined it",
    K.BRANCH_OF: "was a branch of it",
    K.SET_UP_TO_COUNTER: "was set up to counter it",
}
# The sentence in the list under the diagram: “Socialist Party split from Communist Party ...”.
VERB = {
    K.SPLIT_FROM: "split from",
    K.MERGED_INTO: "merged into",
    K.BASED_ON: "was based on",
    K.RENAMED_TO: "was renamed",
    K.FOUNDED_BY: "was founded by",
    K.MEMBER_OF: "was a member of",
    K.BRANCH_OF: "was a branch of",
    K.SET_UP_TO_COUNTER: "was set up to counter",
}


def verb(relation: Relation) -> str:
    if relation.kind == K.MEMBER_OF and relation.object.kind == Organization.Kind.BLOC:
        return "was a member of the bloc"
    return VERB.get(relation.kind, relation.get_kind_display().lower())


@dataclass
class Link:
    relation: Relation
    other: Organization
    outgoing: bool  # the page's organization is the relation's subject

    @property
    def before(self) -> str:
        """Words before the other's name, as the page's organization reads it."""
        kind = self.relation.kind
        if self.outgoing:
            if kind == K.MEMBER_OF and self.other.kind == Organization.Kind.BLOC:
                return "Member of bloc"
            return FROM_SUBJECT.get(kind, self.relation.get_kind_display())
        return FROM_OBJECT_BEFORE.get(kind, "")

    @property
    def after(self) -> str:
        """Words after the other's name: “X split from it”."""
        if self.outgoing or self.before:
            return ""
        return FROM_OBJECT_AFTER.get(self.relation.kind, self.relation.get_kind_display().lower())

    @property
    def phrase(self) -> str:
        """The link in words, without the other's name marked up: “Split from: X”."""
        name = self.other.name
        return f"{self.before}: {name}" if self.before else f"{name} {self.after}"

    @property
    def verb(self) -> str:
        return verb(self.relation)


@dataclass
class Lineage:
    organization: Organization
    predecessors: list[Link]
    successors: list[Link]
    others: list[Link]

    def __bool__(self) -> bool:
        return bool(self.predecessors or self.successors or self.others)

    @property
    def links(self) -> list[Link]:
        """Every link in reading order: before it, after it, the rest."""
        return self.predecessors + self.successors + self.others

    @property
    def drawable(self) -> bool:
        return bool(self)

    @property
    def layout(self) -> str:
        """Which columns the diagram needs, a CSS class: the organization stays centred in
        its own column and no column is drawn empty."""
        if self.predecessors and self.successors:
            return "lineage-both"
        if self.predecessors:
            return "lineage-before-only"
        if self.successors:
            return "lineage-after-only"
        return "lineage-centre-only"


def _by_date(links: list[Link]) -> list[Link]:
    # Undated links last; then by name so the order is stable.
    return sorted(
        links,
        key=lambda link: (
            link.relation.date_earliest is None,
            link.relation.date_earliest or datetime.date.min,
            link.other.name,
        ),
    )


def lineage(organization: Organization) -> Lineage:
    """Read from prefetched ``relations_from__object`` and ``relations_to__subject``."""
    predecessors, successors, others = [], [], []
    for relation in organization.relations_from.all():
        link = Link(relation, relation.object, outgoing=True)
        if relation.kind in AFTER:
            predecessors.append(link)
        elif relation.kind in BEFORE:
            successors.append(link)
        else:
            others.append(link)
    for relation in organization.relations_to.all():
        link = Link(relation, relation.subject, outgoing=False)
        if relation.kind in AFTER:
            successors.append(link)
        elif relation.kind in BEFORE:
            predecessors.append(link)
        else:
            others.append(link)
    return Lineage(organization, _by_date(predecessors), _by_date(successors), _by_date(others))
