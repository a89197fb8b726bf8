"""Seat charts drawn on the server: a parliament hemicycle, and a vote-share bar.

The geometry is computed here and the template only writes it out as inline SVG, so a page
needs no script and no asset from another host. Seats the source does not attribute (Otan's
42 of 77 leaves 35 unnamed) are drawn hollow, so the chart never claims more than it knows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Fills with at least 3:1 contrast against white (WCAG 1.4.11); the legend and the table give
# every figure in words as well, so colour is never the only way to tell parties apart.
PALETTE = ("#0b57a4", "#8a4b00", "#2e7d32", "#6a1b9a", "#b3261e", "#00695c", "#ad1457", "#37474f")
UNKNOWN_FILL = "#ffffff"
UNKNOWN_STROKE = "#56606b"

INNER = 0.4  # inner radius of the hemicycle, as a share of the outer one
SCALE = 170  # pixels per unit of radius
PAD = 12


@dataclass(frozen=True)
class Seat:
    x: float
    y: float
    r: float


@dataclass
class Bloc:
    """The seats one party or candidate holds, or the seats the source leaves unattributed."""

    label: str
    seats: int
    colour: str
    url: str = ""
    unknown: bool = False
    places: list[Seat] = field(default_factory=list)

    @property
    def stroke(self) -> str:
        return UNKNOWN_STROKE if self.unknown else self.colour

    @property
    def seat_word(self) -> str:
        return "seat" if self.seats == 1 else "seats"


@dataclass
class SeatChart:
    total: int
    blocs: list[Bloc]
    width: int
    height: int

    @property
    def centre_x(self) -> float:
        return self.width / 2

    @property
    def baseline(self) -> float:
        return PAD + SCALE

    @property
    def known(self) -> int:
        return sum(b.seats for b in self.blocs if not b.unknown)

    @property
    def description(self) -> str:
        parts = [f"{b.label}: {b.seats} {b.seat_word}" for b in self.blocs]
        return f"{self.total} seats in all. " + "; ".join(parts) + "."


def rows_for(total: int) -> list[tuple[float, int]]:
    """Rows of the hemicycle as (radius, seats), innermost first, holding ``total`` seats."""
    for rows in range(1, total + 1):
        gap = (1 - INNER) / rows
        radii = [INNER + gap * (i + 0.5) for i in range(rows)]
        # Seats a row holds with centres at least one gap apart along the arc.
        capacity = [math.floor(math.pi * r / gap) + 1 for r in radii]
        if sum(capacity) < total:
            continue
        counts = _apportion(total, radii)
        if all(c <= cap for c, cap in zip(counts, capacity, strict=True)):
            return list(zip(radii, counts, strict=True))
    return [(1.0, total)]


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` by largest remainder."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def hemicycle(parts: list[tuple[str, int, str]], seats_of: int, unknown_label: str) -> SeatChart:
    """A hemicycle of ``seats_of`` seats: each part (label, seats, url) a wedge, left to right.

    Seats beyond the parts' sum are drawn hollow under ``unknown_label``.
    """
    blocs = [
        Bloc(label, seats, PALETTE[i % len(PALETTE)], url)
        for i, (label, seats, url) in enumerate(p for p in parts if p[1])
    ]
    known = sum(b.seats for b in blocs)
    total = max(seats_of, known)
    if total > known:
        blocs.append(Bloc(unknown_label, total - known, UNKNOWN_FILL, unknown=True))

    rows = rows_for(total)
    gap = (1 - INNER) / len(rows)
    dot = 0.4 * gap
    positions = []
    for radius, count in rows:
        for j in range(count):
            angle = math.pi / 2 if count == 1 else math.pi * (1 - j / (count - 1))
            positions.append((angle, radius))
    # Left to right, and from the inside out where two seats share an angle.
    positions.sort(key=lambda p: (-round(p[0], 9), p[1]))

    seats = iter(positions)
    for bloc in blocs:
        for _ in range(bloc.seats):
            angle, radius = next(seats)
            bloc.places.append(
                Seat(
                    x=round(PAD + SCALE * (1 + radius * math.cos(angle)), 1),
                    y=round(PAD + SCALE * (1 - radius * math.sin(angle)), 1),
                    r=round(SCALE * dot, 1),
                )
            )
    # The lowest seats sit on the base line, so half a seat shows below it.
    return SeatChart(
        total, blocs, width=2 * (SCALE + PAD), height=round(SCALE * (1 + dot)) + 2 * PAD
    )


@dataclass(frozen=True)
class Bar:
    label: str
    share: float
    url: str
    y: int
    width: float
    colour: str

    @property
    def inside(self) -> bool:
        """Whether the figure fits inside the bar, in white; else it follows the bar."""
        return self.width >= 64

    @property
    def value_x(self) -> float:
        return PAD + 8 if self.inside else PAD + self.width + 6

    @property
    def value_fill(self) -> str:
        return "#ffffff" if self.inside else "#1d2125"

    @property
    def label_y(self) -> int:
        return self.y - 8

    @property
    def value_y(self) -> int:
        return self.y + 17


@dataclass
class ShareChart:
    bars: list[Bar]
    width: int
    height: int
    scale: int
    left: int

    @property
    def description(self) -> str:
        return "; ".join(f"{b.label}: {b.share:g} percent of the votes" for b in self.bars) + "."


def share_bars(parts: list[tuple[str, float, str]]) -> ShareChart:
    """Horizontal bars of vote share (percent) on a 0-100 scale: for a presidential election."""
    left, scale, height = 0, 560, 24
    bars = [
        Bar(
            label,
            float(share),
            url,
            28 + i * (height + 28),
            round(scale * float(share) / 100, 1),
            PALETTE[i % len(PALETTE)],
        )
        for i, (label, share, url) in enumerate(parts)
    ]
    return ShareChart(
        bars,
        width=scale + 2 * PAD,
        height=28 + len(bars) * (height + 28),
        scale=scale,
        left=left + PAD,
    )
