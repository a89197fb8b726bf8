"""Filters every list shares."""

import django_filters

from .models import Citation, Event, Place, Source


class RecordFilterSet(django_filters.FilterSet):
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Only records changed at or after this time (ISO 8601, e.g. 2026-01-31T00:00Z).",
    )


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
        return queryset.concerning(value)


class CitationFilter(RecordFilterSet):
    """The citations list's filters (for ``CitationViewSet.filterset_class``)."""

    field = django_filters.CharFilter(
        help_text="Citations backing this field or statement, e.g. founded."
    )
    footnote = django_filters.NumberFilter(
        help_text="Citations at this footnote of the citing work (the article)."
    )

    class Meta:
        model = Citation
        fields = ("field", "footnote")
