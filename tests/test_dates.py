"""Uncertain dates: the wording, a valid EDTF value, and real earliest/latest days."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from edtf import EDTFObject, parse_edtf

from kzpolitics.core import dates
from kzpolitics.core.dates import bounds, edtf_from_text, validate_edtf
from parties.models import Organization
from tests.factories import OrganizationFactory

D = datetime.date


@pytest.mark.parametrize(
    ("edtf", "earliest", "latest"),
    [
        ("1989-02-28", D(1989, 2, 28), D(1989, 2, 28)),
        ("1990-05", D(1990, 5, 1), D(1990, 5, 31)),
        ("1991", D(1991, 1, 1), D(1991, 12, 31)),
        ("1994-21", D(1994, 3, 1), D(1994, 5, 31)),  # spring 1994
        ("1991-40", D(1991, 1, 1), D(1991, 6, 30)),  # first half of 1991
        ("1994-10/1995-03", D(1994, 10, 1), D(1995, 3, 31)),
        ("199X", D(1990, 1, 1), D(1999, 12, 31)),
        ("1992-06~", D(1992, 6, 1), D(1992, 6, 30)),
    ],
)
def test_edtf_values_give_their_earliest_and_latest_days(edtf, earliest, latest):
    assert bounds(edtf) == (earliest, latest)


@pytest.mark.parametrize(
    ("edtf", "expected"),
    [
        ("1992-06/..", (D(1992, 6, 1), None)),  # open end
        ("../1998", (None, D(1998, 12, 31))),  # open start
        ("/1998-23", (None, D(1998, 11, 30))),  # unknown start: no guessed day
        ("2002-07-15/", (D(2002, 7, 15), None)),  # unknown end
    ],
)
def test_an_open_or_unknown_end_of_an_interval_bounds_nothing(edtf, expected):
    assert bounds(edtf) == expected


@pytest.mark.parametrize("nonsense", ["May 1990", "1990-13", "19990-01-01", "spring", "1990/05"])
def test_nonsense_edtf_is_refused_with_a_readable_message(nonsense):
    with pytest.raises(ValidationError, match="not a valid EDTF date"):
        validate_edtf(nonsense)


def test_a_value_is_parsed_once_however_often_it_is_read(monkeypatch):
    parsed = []
    real = dates.parse_edtf
    monkeypatch.setattr(dates, "parse_edtf", lambda value: parsed.append(value) or real(value))
    # About autumn 1987 to 1988 (read nowhere else in the tests; a qualified season is not a
    # form dates.common_form builds)
    value, nonsense = "1987-23~/1988", "1987-99"
    for _ in range(3):
        assert bounds(value) == (D(1987, 9, 1), D(1988, 12, 31))
        with pytest.raises(ValidationError, match="not a valid EDTF date"):
            bounds(nonsense)
    assert parsed == [value, nonsense]


def test_a_value_longer_than_the_column_is_refused_and_not_kept():
    """A client may send any string: only what fits the column is remembered."""
    kept = dates._remembered_bounds.cache_info().currsize
    with pytest.raises(ValidationError, match="not a valid EDTF date"):
        bounds("1990-05/" + "9" * 100)
    assert dates._remembered_bounds.cache_info().currsize == kept


@pytest.mark.parametrize(
    ("wording", "edtf"),
    [
        ("28 February 1989", "1989-02-28"),
        ("the spring of 1994", "1994-21"),
        ("May 1990", "1990-05"),
    ],
)
def test_wording_is_read_into_edtf(wording, edtf):
    assert edtf_from_text(wording) == edtf


def test_unreadable_wording_gives_no_edtf():
    assert edtf_from_text("at the turn of the epoch") == ""


@pytest.mark.django_db
def test_saving_derives_the_date_columns_and_the_attribute_reads_them():
    org = OrganizationFactory(founded={"text": "Late in May 1990", "edtf": "1990-05"})
    org.refresh_from_db()
    assert org.founded_earliest == D(1990, 5, 1)
    assert org.founded_latest == D(1990, 5, 31)
    assert str(org.founded) == "Late in May 1990"
    assert org.founded.as_dict()["edtf"] == "1990-05"


@pytest.mark.django_db
def test_uncertain_dates_order_by_their_earliest_day_not_as_strings():
    slugs = {
        "spring-1994": "1994-21",
        "may-1990": "1990-05",
        "whole-1990": "1990",
        "late-1994-early-1995": "1994-10/1995-03",
        "first-half-1991": "1991-40",
    }
    for slug, edtf in slugs.items():
        OrganizationFactory(slug=f"test-{slug}", founded={"text": slug, "edtf": edtf})
    ordered = (
        Organization.objects.filter(slug__startswith="test-")
        .order_by("founded_earliest", "founded_latest")
        .values_list("slug", flat=True)
    )
    assert list(ordered) == [
        "test-whole-1990",
        "test-may-1990",
        "test-first-half-1991",
        "test-spring-1994",
        "test-late-1994-early-1995",
    ]


@pytest.mark.django_db
def test_active_on_compares_real_dates():
    OrganizationFactory(slug="test-active", founded={"text": "1990", "edtf": "1990"})
    OrganizationFactory(
        slug="test-gone",
        founded={"text": "1990", "edtf": "1990"},
        dissolved={"text": "May 1999", "edtf": "1999-05"},
    )
    on = Organization.objects.filter(slug__startswith="test-")
    assert set(on.active_on(D(2000, 1, 1)).values_list("slug", flat=True)) == {"test-active"}
    assert set(on.active_on(D(1995, 1, 1)).values_list("slug", flat=True)) == {
        "test-active",
        "test-gone",
    }
    assert not on.active_on(D(1989, 12, 31)).exists()


@pytest.mark.django_db
def test_clean_fills_edtf_from_the_wording_and_refuses_what_it_cannot_read():
    org = Organization(slug="x", name="X", kind="party")
    org.founded_text = "the spring of 1994"
    org.full_clean()
    assert org.founded_edtf == "1994-21"
    org.founded_text, org.founded_edtf = "when the snows melted", ""
    with pytest.raises(ValidationError) as caught:
        org.full_clean()
    assert "founded_edtf" in caught.value.message_dict


def _built(obj):
    """An edtf object as what it is made of: its class and attributes, all the way down."""
    if isinstance(obj, EDTFObject):
        return type(obj), {name: _built(value) for name, value in vars(obj).items()}
    return obj


def _common_values():
    months = [f"{m:02}" for m in range(0, 45)]
    days = ["00", "01", "28", "29", "30", "31", "32"]
    singles = ["0000", "0999", "1000", "1986", "1991", "2000", "2005", "2999", "9999"]
    for year in ("0000", "1991", "2000"):
        singles += [f"{year}-{month}" for month in months]
    for year in ("1991", "2000"):  # February of a common year and of a leap year
        singles += [f"{year}-{m}-{d}" for m in ("01", "02", "04", "12", "13") for d in days]
    qualified = [f"{value}{q}" for value in singles[::3] for q in "~?%"]
    ends = ("1990", "1990-10", "1991-02-29", "1992-02-29", "1994-21", "1994-21~", "1991-40")
    ends += ("1990-05~", "1990-05-31?", "1990%", "0000", "1990-13", "..", "")
    spans = [f"{a}/{b}" for a in ends for b in ends]
    odd = ["199", "19900", "1990-5", " 1990", "1990 ", "1990~~", "1990-05-31~?", "١٩٩٠", "-1990"]
    return [*singles, *qualified, *spans, *odd, "1990//1991", "199X", "1990-05-31T00:00"]


def test_the_common_forms_are_built_as_the_edtf_package_parses_them():
    """``dates.common_form`` builds the usual values without the package's slow parser: each
    must be the very object the parser makes, and a value the parser refuses is never built.
    What it leaves (None) goes to the parser, whatever that makes of it."""
    built = {value: dates.common_form(value) for value in _common_values()}
    assert sum(made is not None for made in built.values()) > 200
    for value, made in built.items():
        if made is not None:
            assert _built(made) == _built(parse_edtf(value)), value
            assert str(made) == value


def test_the_common_forms_cover_the_dates_a_page_usually_shows():
    for value in (
        "1990",
        "1990-05",
        "1990-05-31",
        "1994-21",
        "1991-40",
        "1992-06~",
        "1994-10/1995-03",
        # Spans with an open or unknown end: "after August 1991", "before autumn 1988".
        "1991-08/..",
        "2002-07-15/..",
        "/1988-23",
        "/2003",
        "1993-03-27/",
        "../1990-05",
    ):
        assert dates.common_form(value) is not None, value
