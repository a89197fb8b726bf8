import django_filters

from kzpolitics.core.filters import DateAfter, DateBefore, RecordFilterSet, SlugFilter
from kzpolitics.core.models import Person
from parties.models import Organization

from .models import Election, Result


class ElectionFilter(RecordFilterSet):
    kind = django_filters.ChoiceFilter(choices=Election.Kind.choices, help_text="Kind of election.")
    date_after = DateAfter("date")
    date_before = DateBefore("date")
    party = SlugFilter(
        model=Organization,
        kind_label="organization",
        method="filter_party",
        help_text="Slug of a party with a result in the election.",
    )

    class Meta:
        model = Election
        fields = ("kind",)

    def filter_party(self, queryset, name, value):
        # A result is public only with its party: a draft party's slug finds no election.
        results = self.visible(Result).filter(organization__slug=value)
        return queryset.filter(pk__in=results.values("election"))


class ResultFilter(RecordFilterSet):
    """The results list holds results the public may see, whose election, party or candidate
    is published too: given a draft's slug these filters answer as for an unknown one (a 400)."""

    election = SlugFilter(
        model=Election,
        kind_label="election",
        field_name="election__slug",
        help_text="Slug of the election.",
    )
    organization = SlugFilter(
        model=Organization,
        kind_label="organization",
        field_name="organization__slug",
        help_text="Slug of the party.",
    )
    person = SlugFilter(
        model=Person,
        kind_label="person",
        field_name="person__slug",
        help_text="Slug of the candidate.",
    )
    tier = django_filters.ChoiceFilter(choices=Result.Tier.choices, help_text="Tier of seats.")

    class Meta:
        model = Result
        fields = ("tier",)
