"""Filters every list shares."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django_filters.fields import IsoDateTimeField

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

    def visible(self, model):
        """The rows of ``model`` the filters may reach."""
        return model.objects.visible(self.public)


class DateAfter(django_filters.DateFilter):
    """Records whose uncertain date may fall on or after the day (its latest day is)."""

    def __init__(self, date_name: str, **kwargs):
        kwargs.setdefault(
            "help_text",
            f"{date_name.capitalize()} on or after this day (YYYY-MM-DD); an uncertain date "
            "counts if it may fall then.",
        )
        super().__init__(field_name=f"{date_name}_latest", lookup_expr="gte", **kwargs)


class DateBefore(django_filters.DateFilter):
    """Records whose uncertain date may fall on or before the day (its earliest day is)."""

    def __init__(self, date_name: str, **kwargs):
        kwargs.setdefault(
            "help_text",
            f"{date_name.capitalize()} on or before this day (YYYY-MM-DD); an uncertain date "
            "counts if it may fall then.",
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
    participant = django_filters.CharFilter(
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


class CitationFilter(RecordFilterSet):
    """The citations list's filters (for ``CitationViewSet.filterset_class``). Its list holds
    published citations only, each of a published source via a published work (or none), so
    ``?source=`` and ``?via=`` given a draft's slug find nothing, as for an unknown slug."""

    field = django_filters.CharFilter(
        help_text="Citations backing this field or statement, e.g. founded."
    )
    footnote = django_filters.NumberFilter(
        help_text="Citations at this footnote of the citing work (the article)."
    )
    source = django_filters.CharFilter(
        field_name="source__slug",
        help_text="Slug of the source cited: what cites it (a source's cited_by.url).",
    )
    via = django_filters.CharFilter(
        field_name="via__slug",
        help_text="Slug of the work the citations go through (the article, for its footnotes).",
    )

    class Meta:
        model = Citation
        fields = ("field", "footnote", "source", "via")
