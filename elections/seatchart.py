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
    baseline: float = PAD + SCALE  # where the total is written, under the innermost row

    @property
    def centre_x(self) -> float:
        return self.width / 2

    @property
    def known(self) -> int:
        return sum(b.seats for b in self.blocs if not b.unknown)

    @property
    def seat_word(self) -> str:
        return "seat" if self.total == 1 else "seats"

    @property
    def description(self) -> str:
        parts = [f"{b.label}: {b.seats} {b.seat_word}" for b in self.blocs]
        return f"{self.total} {self.seat_word} in all. " + "; ".join(parts) + "."


MAX_ROWS = 40
DOT_MAX = 0.08  # a seat's radius at most, as a share of the outer radius: one seat is no ball
SPACING = 0.45  # a seat's radius as a share of the distance to its neighbour: 10% stays white


def rows_for(total: int) -> list[tuple[float, int]]:
    """Rows of the hemicycle as (radius, seats), innermost first, holding ``total`` seats."""
    return _layout(total)[0]


def _layout(total: int) -> tuple[list[tuple[float, int]], float]:
    """The rows, and the radius of a seat, that draw ``total`` seats largest.

    Of the row counts whose seats come out nearly as large as the largest (85%), the fewest
    rows win: ten seats read as one arc, not as two sparse rows that look like a scatter.
    """
    options = []
    for n in range(1, min(total, MAX_ROWS) + 1):
        gap = (1 - INNER) / n
        radii = [INNER + gap * (i + 0.5) for i in range(n)]
        counts = _apportion(total, radii)
        if not all(counts):
            break
        # Each seat holds an equal slice of its row's half circle; neighbours are a chord apart.
        chord = min(2 * r * math.sin(math.pi / (2 * c)) for r, c in zip(radii, counts, strict=True))
        dot = min(SPACING * gap, SPACING * chord, DOT_MAX)
        options.append((list(zip(radii, counts, strict=True)), dot))
    best = max(dot for _, dot in options)
    return next((rows, dot) for rows, dot in options if dot >= 0.85 * best)


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` by largest remainder."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def seat_positions(total: int) -> tuple[list[Seat], int, int, int]:
    """Where ``total`` seats sit, left to right (inside out where two share an angle), the
    width and height of the drawing that holds them all, and how far it was moved up."""
    rows, dot = _layout(total)
    positions = []
    for radius, count in rows:
        for j in range(count):
            # The middle of the seat's slice: the end seats stand clear of the base line.
            angle = math.pi * (1 - (j + 0.5) / count)
            positions.append((angle, radius))
    positions.sort(key=lambda p: (-round(p[0], 9), p[1]))
    # A chamber of a few seats is one arc well inside the circle: the drawing starts just
    # above its highest seat rather than at the top of an empty circle.
    top = math.floor(SCALE * (1 - max(radius for radius, _ in rows) - dot))
    seats = [
        Seat(
            x=round(PAD + SCALE * (1 + radius * math.cos(angle)), 1),
            y=round(PAD + SCALE * (1 - radius * math.sin(angle)) - top, 1),
            r=round(SCALE * dot, 1),
        )
        for angle, radius in positions
    ]
    return seats, 2 * (SCALE + PAD), round(SCALE * (1 + dot)) + 2 * PAD - top, top


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

    positions, width, height, top = seat_positions(total)
    seats = iter(positions)
    for bloc in blocs:
        bloc.places.extend(next(seats) for _ in range(bloc.seats))
    return SeatChart(total, blocs, width=width, height=height, baseline=PAD + SCALE - top)


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
