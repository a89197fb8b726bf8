import django_filters

from kzpolitics.core.filters import DateAfter, DateBefore, RecordFilterSet
from kzpolitics.core.models import Person

from .models import Organization, Role, Stance


class OrganizationFilter(RecordFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=Organization.Kind.choices, help_text="Kind of organization."
    )
    stance = django_filters.ChoiceFilter(
        method="filter_stance",
        choices=Stance.Kind.choices,
        help_text="Organizations that took this stance at some time.",
    )
    founded_after = DateAfter("founded")
    founded_before = DateBefore("founded")
    active_on = django_filters.DateFilter(
        method="filter_active_on",
        help_text="Existed on this day: founded on or before it, not dissolved before it.",
    )
    member_of = django_filters.CharFilter(
        method="filter_member_of", help_text="Slug of a bloc or alliance it belonged to."
    )
    leader = django_filters.CharFilter(
        method="filter_leader", help_text="Slug of a person who led it (leader, chair, co-chair)."
    )

    class Meta:
        model = Organization
        fields = ("kind",)

    def filter_stance(self, queryset, name, value):
        stances = self.visible(Stance).filter(stance=value)
        return queryset.filter(pk__in=stances.values("organization"))

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)

    def filter_member_of(self, queryset, name, value):
        return queryset.members_of(value)

    def filter_leader(self, queryset, name, value):
        return queryset.led_by(value)


class PersonFilter(RecordFilterSet):
    organization = django_filters.CharFilter(
        method="filter_organization", help_text="Slug of an organization they held a role in."
    )

    class Meta:
        model = Person
        fields = ()

    def filter_organization(self, queryset, name, value):
        # A role is public only with its organization: a draft's slug finds no one.
        roles = self.visible(Role).filter(organization__slug=value)
        return queryset.filter(pk__in=roles.values("person"))
