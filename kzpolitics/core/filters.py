"""Filters every list shares."""

import datetime
import re
from typing import NamedTuple

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django_filters.fields import IsoDateTimeField
from rest_framework.exceptions import ValidationError

from kzpolitics.core.dates import bounds
from kzpolitics.core.models import Citation, Event, Period, Person, Place, Source


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time that has a UTC value.

    Why: a time hours from the ends of the calendar in another zone (0001-01-01T00:00+05:00,
    9999-12-31T23:59-05:00) parses, but has no UTC value, and the database adapter's
    conversion raised OverflowError: a 500 (tests/test_hostile_input.py). It is a 400. And
    ISO 8601 allows offsets PostgreSQL refuses (beyond ±15:59, e.g. +22:37: "time zone
    displacement out of range", a 500 found by schemathesis): the value goes to the database
    in UTC.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None:
            try:
                value = value.astimezone(datetime.UTC)
            except OverflowError:
                raise forms.ValidationError(
                    "Give a time between the years 1 and 9999 in UTC.", code="invalid"
                ) from None
        return value


def verbatim(message: str) -> forms.ValidationError:
    """A form error whose message quotes what the request sent, kept as written: django-filter
    %-formats every message (``message % params``), so a value holding “%_” (a LIKE wildcard
    a client typed) made that formatting fail, a 500 (tests/test_hostile_input.py)."""
    return forms.ValidationError("%(message)s", code="invalid", params={"message": message})


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class RecordFilterSet(django_filters.FilterSet):
    """A list's filters. A filter that reaches other records (a bloc, a leader, an act) goes
    through the rows the public may see only: given a draft's slug it answers as for a slug
    no record has. ``public=False`` is an editor's preview of drafts, which goes through
    every row."""

    updated_since = UtcDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Only records changed at or after this time (ISO 8601, e.g. 2026-01-31T00:00Z).",
    )

    def __init__(self, *args, public: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.public = public
        self._checked = False

    def visible(self, model):
        """The rows of ``model`` the filters may reach."""
        return model.objects.visible(self.public)

    def is_valid(self):
        """Each value well formed (the form's fields), each slug one of a record the filters
        may reach (``SlugFilter``), and each range not reversed (``RANGE_ENDS``)."""
        valid = super().is_valid()
        if self.is_bound and not self._checked:
            self._checked = True  # is_valid() may be asked again: each error said once
            self.check_slugs()
            self.check_ranges()
            valid = not self.form.errors
        return valid

    def check_slugs(self) -> None:
        for name, declared in self.filters.items():
            value = self.form.cleaned_data.get(name)
            if not isinstance(declared, SlugFilter) or value in (None, ""):
                continue
            if not any(
                self.visible(model).filter(slug=value).exists() for model in declared.models
            ):
                self.form.add_error(name, verbatim(declared.unknown(value, self.public)))

    def check_ranges(self) -> None:
        data = self.form.cleaned_data
        for start_suffix, end_suffix in RANGE_ENDS:
            for start in [name for name in self.filters if name.endswith(start_suffix)]:
                end = start.removesuffix(start_suffix) + end_suffix
                if end not in self.filters or data.get(start) is None or data.get(end) is None:
                    continue
                first, last = data[start], data[end]
                first = first.earliest if isinstance(first, QueryDate) else first
                last = last.latest if isinstance(last, QueryDate) else last
                if type(first) is type(last) and first > last:
                    reason = (
                        f"{start} ({self.data.get(start, '')[:40]}) is later than {end} "
                        f"({self.data.get(end, '')[:40]}): no record can fall between them. "
                        f"Give {start} the earlier value."
                    )
                    self.form.add_error(start, verbatim(reason))
                    self.form.add_error(end, verbatim(reason))


# The ends of a range, as filters name them: a list with both refuses one past the other.
RANGE_ENDS = (("_after", "_before"), ("_min", "_max"), ("_from", "_to"))


class SlugFilter(django_filters.CharFilter):
    """A filter by the slug of another record (an event's participant, a result's election).

    A slug that no record the filters may reach has is a 400 (``RecordFilterSet.is_valid``):
    an empty 200 would read as “no results for this party”, a typo unnoticed. A draft's slug
    gets the same answer, word for word, as a slug nobody has: the public must not learn that
    a draft exists. ``model`` is the model (or a tuple of them, any of which may hold the
    slug; a function that returns it for a model the core may not import); ``kind_label``
    names it in the message (“No published election has the slug “x””)."""

    def __init__(self, *args, model, kind_label: str, **kwargs):
        self._models = model if isinstance(model, tuple) else (model,)
        self.kind_label = kind_label
        super().__init__(*args, **kwargs)

    @property
    def models(self):
        return tuple(model if isinstance(model, type) else model() for model in self._models)

    def unknown(self, value: str, public: bool = True) -> str:
        shown = value[:80] + ("…" if len(value) > 80 else "")
        kind = f"published {self.kind_label}" if public else self.kind_label
        return f"No {kind} has the slug “{shown}”."


# What a date query parameter accepts, exactly (the OpenAPI schema declares it as the
# parameter's pattern, so a client generating values from it gets none refused but a reversed
# span): a year (1990), a year and month (1990-05), a day of the calendar (1990-05-31, 29
# February in leap years only), an EDTF season or part of a year (1994-21 spring, 21-24 the
# seasons, 25-32 hemispheric seasons, 33-36 quarters, 37-39 four-month thirds, 40-41 halves),
# or an EDTF span of two of these (1990/1991, 1994-10/1995-03). Years 1000 to 2999: the edtf
# package gives no day for the first and last years of the calendar. ASCII digits only ([0-9],
# not \d, which Python lets match any script's digits); no named groups (ECMA-262 too).
_YEAR = "[12][0-9]{3}"
_LEAP_YEAR = "(?:[12][0-9](?:0[48]|[2468][048]|[13579][26])|(?:12|16|20|24|28)00)"
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_ONE_DATE = (
    f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29"
    f"|{_YEAR}-(?:0[1-9]|1[0-2]|2[1-9]|3[0-9]|4[01])|{_YEAR})"
)
DATE_QUERY_PATTERN = f"^{_ONE_DATE}(?:/{_ONE_DATE})?$"

DATE_QUERY_FORMS = (
    "a year (1990), a year and month (1990-05), a day (1990-05-31), an EDTF season or part of "
    "a year (1994-21 spring, 1998-40 first half) or an EDTF span of two of these (1990/1991, "
    "1994-10/1995-03); years 1000 to 2999"
)


class QueryDate(NamedTuple):
    """A date query's value: the text given and the earliest and latest day it can mean."""

    text: str
    earliest: datetime.date
    latest: datetime.date


def parse_query_date(raw: str) -> QueryDate:
    """The span a date query's value means; ValueError with the reason when it means none."""
    shown = raw[:40] + ("…" if len(raw) > 40 else "")
    if not re.fullmatch(DATE_QUERY_PATTERN, raw):
        raise ValueError(f"“{shown}” is not a date. Give {DATE_QUERY_FORMS}.")
    # Each end of a span is read on its own: the edtf package's interval grammar refuses some
    # seasons (1994-41/1995-33) that it reads alone.
    first, _, last = raw.partition("/")
    earliest, latest = bounds(first)[0], bounds(last or first)[1]
    if earliest is None or latest is None:  # the pattern leaves none: kept as a guard
        raise ValueError(f"“{shown}” is not a date. Give {DATE_QUERY_FORMS}.")
    if latest < earliest:
        raise ValueError(
            f"“{shown}” is a span that ends ({latest.isoformat()}) before it begins "
            f"({earliest.isoformat()}): give its earlier end first."
        )
    return QueryDate(raw, earliest, latest)


def query_bounds(raw: str, parameter: str) -> tuple[datetime.date, datetime.date]:
    """The earliest and latest day a date query's value can mean (``1990`` → 1 January to 31
    December 1990); a 400 naming ``parameter`` with the accepted forms when it means none."""
    try:
        found = parse_query_date(raw)
    except ValueError as exc:
        raise ValidationError({parameter: [str(exc)]}) from None
    return found.earliest, found.latest


class DateQueryField(forms.CharField):
    """A form field reading a date query (``parse_query_date``): its value is a ``QueryDate``."""

    def __init__(self, *args, **kwargs):
        kwargs["strip"] = False  # " 1990" does not match the pattern the schema declares
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_query_date(value)
        except ValueError as exc:
            raise verbatim(str(exc)) from None


class DateQueryFilter(django_filters.Filter):
    """A filter by a date query (``DATE_QUERY_PATTERN``): a year, month, day, EDTF season or
    span. With ``lookup_expr="gte"`` it compares ``field_name`` with the value's earliest day,
    with ``"lte"`` with its latest; a ``method`` gets the ``QueryDate`` itself."""

    field_class = DateQueryField

    def filter(self, qs, value):
        if value is None:
            return qs
        if self.lookup_expr in ("gte", "gt"):
            day = value.earliest
        elif self.lookup_expr in ("lte", "lt"):
            day = value.latest
        else:
            raise ImproperlyConfigured("A DateQueryFilter compares with gte or lte (or a method).")
        return super().filter(qs, day)


class DateAfter(DateQueryFilter):
    """Records whose uncertain date may fall on or after the value's earliest day (the
    record's latest day is on or after it)."""

    def __init__(self, date_name: str, **kwargs):
        kwargs.setdefault(
            "help_text",
            f"{date_name.capitalize()} on or after this date: {DATE_QUERY_FORMS}. "
            "An uncertain date counts if it may fall then; 1990 means from 1 January 1990.",
        )
        super().__init__(field_name=f"{date_name}_latest", lookup_expr="gte", **kwargs)


class DateBefore(DateQueryFilter):
    """Records whose uncertain date may fall on or before the value's latest day (the
    record's earliest day is on or before it)."""

    def __init__(self, date_name: str, **kwargs):
        kwargs.setdefault(
            "help_text",
            f"{date_name.capitalize()} on or before this date: {DATE_QUERY_FORMS}. "
            "An uncertain date counts if it may fall then; 1990 means up to 31 December 1990.",
        )
        super().__init__(field_name=f"{date_name}_earliest", lookup_expr="lte", **kwargs)


class SourceFilter(RecordFilterSet):
    kind = django_filters.ChoiceFilter(choices=Source.Kind.choices, help_text="Kind of work.")

    class Meta:
        model = Source
        fields = ("kind",)


class PlaceFilter(RecordFilterSet):
    kind = django_filters.ChoiceFilter(choices=Place.Kind.choices, help_text="Kind of place.")

    class Meta:
        model = Place
        fields = ("kind",)


class PeriodFilter(RecordFilterSet):
    class Meta:
        model = Period
        fields = ()


class EventFilter(RecordFilterSet):
    kind = django_filters.ChoiceFilter(choices=Event.Kind.choices, help_text="Kind of event.")
    date_after = DateAfter("date")
    date_before = DateBefore("date")
    participant = SlugFilter(
        # The core imports no app: the organizations' model is the one events link to.
        model=(lambda: Event._meta.get_field("organizations").related_model, Person),
        kind_label="organization or person",
        method="filter_participant",
        help_text="Slug of an organization or person the event concerns.",
    )

    class Meta:
        model = Event
        fields = ("kind",)

    def filter_participant(self, queryset, name, value):
        organizations = Event._meta.get_field("organizations").related_model
        return queryset.filter(
            Q(pk__in=self.visible(organizations).filter(slug=value).values("events"))
            | Q(pk__in=self.visible(Person).filter(slug=value).values("events"))
        )


class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number within a database integer's range: ``0.5`` or ``1e3`` is a 400, not a
    filter that silently matches nothing."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_value", 2_147_483_647)
        super().__init__(*args, **kwargs)


class CitationFilter(RecordFilterSet):
    """The citations list's filters (for ``CitationViewSet.filterset_class``). Its list holds
    published citations only, each of a published source via a published work (or none);
    ``?source=`` and ``?via=`` given a draft's slug answer as for an unknown slug (a 400)."""

    field = django_filters.CharFilter(
        help_text="Citations backing this field or statement, e.g. founded."
    )
    footnote = WholeNumberFilter(
        min_value=1,
        help_text="Citations at this footnote of the citing work (the article): a whole number.",
    )
    source = SlugFilter(
        model=Source,
        kind_label="source",
        field_name="source__slug",
        help_text="Slug of the source cited: what cites it (a source's cited_by.url).",
    )
    via = SlugFilter(
        model=Source,
        kind_label="source",
        field_name="via__slug",
        help_text="Slug of the work the citations go through (the article, for its footnotes).",
    )

    class Meta:
        model = Citation
        fields = ("field", "footnote", "source", "via")
