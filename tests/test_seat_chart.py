"""The seat chart's layout: every seat drawn once, apart from the others, inside the drawing."""

import itertools
import math

import pytest

from elections.seatchart import hemicycle, rows_for, seat_positions

SIZES = (1, 2, 10, 67, 77, 150, 500)


@pytest.mark.parametrize("total", SIZES)
def test_every_seat_is_placed_once_without_overlap_inside_the_drawing(total):
    seats, width, height, _ = seat_positions(total)
    assert len(seats) == total
    assert len({(s.x, s.y) for s in seats}) == total
    for seat in seats:
        assert seat.r > 0
        assert seat.r <= seat.x <= width - seat.r
        assert seat.r <= seat.y <= height - seat.r
    # Rounding to a tenth of a pixel may bring two seats a hair closer than drawn.
    for a, b in itertools.combinations(seats, 2):
        assert math.dist((a.x, a.y), (b.x, b.y)) >= a.r + b.r - 0.2, (a, b)


@pytest.mark.parametrize("total", SIZES)
def test_the_chart_gives_each_party_its_seats_left_to_right(total):
    parts = [("A", total // 2, "/a/"), ("B", total // 4, "/b/")]
    chart = hemicycle(parts, total, "Not attributed")
    drawn = [seat for bloc in chart.blocs for seat in bloc.places]
    assert len(drawn) == total == sum(b.seats for b in chart.blocs)
    assert all(len(b.places) == b.seats for b in chart.blocs)
    # Wedges: each party's seats lie left of the next party's, on average.
    middles = [sum(s.x for s in b.places) / len(b.places) for b in chart.blocs if b.places]
    assert middles == sorted(middles)


def test_a_small_chamber_is_one_arc_and_a_large_one_fills_rows():
    assert len(rows_for(10)) == 1  # ten seats read as an arc, not a scatter over two rows
    assert len(rows_for(500)) > 5
    for total in SIZES:
        assert sum(count for _, count in rows_for(total)) == total


@pytest.mark.parametrize("total", SIZES)
def test_the_total_is_written_inside_the_drawing_below_the_seats(total):
    chart = hemicycle([("A", total, "")], total, "Not attributed")
    assert 0 < chart.baseline < chart.height
    lowest = max(s.y for s in chart.blocs[0].places)
    highest = min(s.y - s.r for s in chart.blocs[0].places)
    assert highest < chart.baseline
    assert lowest < chart.height


def test_the_chart_says_seat_for_one_seat():
    chart = hemicycle([("A", 1, "")], 1, "Not attributed")
    assert chart.seat_word == "seat"
    assert chart.description.startswith("1 seat in all.")
